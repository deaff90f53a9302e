"""The code location loads the way Dagster loads it, with the design's asset graph built from the
stage contracts."""

import subprocess
import sys
from pathlib import Path

import dagster as dg

from sec_analyzer.contracts import PIPELINE, PUBLISHED
from sec_analyzer.definitions import defs
from sec_analyzer.defs.quality.checks import model_output_gate, text_quality_gate
from sec_analyzer.quality.verdicts import GATES

REPO_ROOT = Path(__file__).resolve().parents[2]
GROUPS = {"raw_filing": "acquisition", "parsed_filing": "preprocessing", "item_1a": "preprocessing",
          "cleaned_risk_text": "preprocessing", "risk_segments": "preprocessing", "risk_embeddings": "analysis",
          "risk_classifications": "analysis", "analysis_results": "publish", "risk_changes": "insights"}


def test_every_stage_is_a_filing_partitioned_asset_wired_by_its_contract() -> None:
    graph = defs.resolve_asset_graph()
    for contract in PIPELINE:
        node = graph.get(dg.AssetKey(contract.name))
        assert node.partitions_def is not None and node.partitions_def.name == "filings"  # type: ignore[attr-defined]
        assert node.description == contract.description
        assert node.group_name == GROUPS[contract.name]
        if contract.upstream:
            assert dg.AssetKey(contract.upstream) in node.parent_keys
    assert {key.to_user_string() for key in graph.get(dg.AssetKey(PUBLISHED.name)).parent_keys} == {
        "risk_classifications"}
    assert dg.AssetKey("risk_changes") in graph.get(dg.AssetKey("risk_drift")).parent_keys


def test_the_default_job_materializes_every_stage() -> None:
    job = defs.resolve_job_def("filing_pipeline")
    assert {key.to_user_string() for key in job.asset_layer.executable_asset_keys} == {c.name for c in PIPELINE}


def test_two_gates_of_blocking_checks_guard_the_model_stages_and_the_database() -> None:
    for gate_check, gate in ((text_quality_gate, "risk_segments"), (model_output_gate, "risk_classifications")):
        specs = {spec.name: spec for spec in gate_check.check_specs}
        assert set(specs) == set(GATES[gate])
        assert all(spec.blocking and spec.asset_key == dg.AssetKey(gate) for spec in specs.values())


def test_resources_are_one_per_concern() -> None:
    assert set(defs.resources or {}) >= {"edgar", "artifacts", "raw_store", "results_database", "filing_index",
                                         "embedding_model"}


def test_code_location_does_not_import_heavy_libraries() -> None:
    code = ("import sys, sec_analyzer.definitions; print(sorted(m for m in ('torch', 'sentence_transformers', "
            "'great_expectations', 'boto3', 'openvino', 'pandas', 'pyarrow', 'transformers') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_only_the_dagster_layer_imports_dagster() -> None:
    offenders = [str(path.relative_to(REPO_ROOT)) for path in (REPO_ROOT / "sec_analyzer").rglob("*.py")
                 if "dagster" in path.read_text(encoding="utf-8").replace("dagster_home", "")
                 and "import dagster" in path.read_text(encoding="utf-8")
                 and not path.is_relative_to(REPO_ROOT / "sec_analyzer" / "defs") and path.name != "definitions.py"]
    assert offenders == []


def test_dagster_definitions_validate(tmp_path: Path) -> None:
    env = {"PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin", "DAGSTER_HOME": str(tmp_path),
           "HOME": str(tmp_path)}
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dagster"), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
