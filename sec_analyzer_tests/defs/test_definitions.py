"""The code location loads the way Dagster loads it, with the design's asset graph."""

import subprocess
import sys
from pathlib import Path

import dagster as dg

from sec_analyzer.definitions import defs
from sec_analyzer.defs.jobs import PIPELINE_ASSETS
from sec_analyzer.defs.quality.checks import risk_quality_gate

REPO_ROOT = Path(__file__).resolve().parents[2]
STAGES = ["raw_filing", "parsed_filing", "item_1a", "cleaned_risk_text", "risk_segments", "risk_embeddings",
          "risk_classifications"]


def test_every_stage_is_a_filing_partitioned_asset_in_its_group() -> None:
    graph = defs.resolve_asset_graph()
    groups = {}
    for name in [*STAGES, "analysis_results"]:
        node = graph.get(dg.AssetKey(name))
        assert node.partitions_def is not None and node.partitions_def.name == "filings"  # type: ignore[attr-defined]
        assert node.description
        groups[name] = node.group_name
    assert groups["raw_filing"] == "acquisition"
    assert {groups[n] for n in ["parsed_filing", "item_1a", "cleaned_risk_text", "risk_segments"]} == {"preprocessing"}
    assert groups["analysis_results"] == "publish"
    assert graph.get(dg.AssetKey("risk_segments")).parent_keys == {dg.AssetKey("cleaned_risk_text")}


def test_placeholders_say_so_and_stay_out_of_the_default_job() -> None:
    graph = defs.resolve_asset_graph()
    for name in ["risk_embeddings", "risk_classifications"]:
        assert "PLACEHOLDER" in (graph.get(dg.AssetKey(name)).description or "")
        assert name not in PIPELINE_ASSETS
    job = defs.resolve_job_def("filing_pipeline")
    assert {key.to_user_string() for key in job.asset_layer.executable_asset_keys} == set(PIPELINE_ASSETS)


def test_the_gate_is_four_blocking_checks_before_publishing() -> None:
    specs = {spec.name: spec for spec in risk_quality_gate.check_specs}
    assert set(specs) == {"completeness", "cleanliness", "substance", "consistency"}
    assert all(spec.blocking and spec.asset_key == dg.AssetKey("risk_segments") for spec in specs.values())
    graph = defs.resolve_asset_graph()
    assert dg.AssetKey("risk_segments") in graph.get(dg.AssetKey("analysis_results")).parent_keys


def test_code_location_does_not_import_heavy_libraries() -> None:
    code = ("import sys, sec_analyzer.definitions; "
            "print(sorted(m for m in ('torch', 'sentence_transformers', 'great_expectations', 'boto3') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_dagster_definitions_validate(tmp_path: Path) -> None:
    env = {"PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin", "DAGSTER_HOME": str(tmp_path),
           "HOME": str(tmp_path)}
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dagster"), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
