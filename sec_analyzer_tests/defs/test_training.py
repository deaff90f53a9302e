"""The training loop in the asset graph: the labeled asset feeds the tournament, candidates land in
the registry, the run carries its lineage tags, and a new champion re-classifies published filings."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from sec_analyzer.artifacts import ArtifactStore
from sec_analyzer.contracts import PUBLISHED, StageStatus
from sec_analyzer.definitions import defs
from sec_analyzer.defs.resources import deployment_resources
from sec_analyzer.defs.training.sensors import champion_changed
from sec_analyzer.registry.manager import ModelRegistryManager
from sec_analyzer.settings import get_settings

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def registry_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SEC_ANALYZER_REGISTRY_DIR", str(tmp_path / "registry"))
    return tmp_path / "registry"


def test_train_classifier_registers_candidates_from_the_labeled_asset(
    instance: dg.DagsterInstance, registry_dir: Path, tmp_path: Path, corpus_dir: Path
) -> None:
    config = {"data": "labeled", "tickers": ["GE", "PG", "NVDA", "JNJ"], "models": ["zero_shot", "minilm_prototypes"],
              "overrides": ["data.validation_companies=1", f"data.filings_dir={corpus_dir}",
                            f"data.labels_path={REPO_ROOT / 'data/labels/risk_factor_labels.csv'}",
                            f"experiments_dir={tmp_path / 'experiments'}", f"cache_dir={tmp_path / 'cache'}",
                            f"report_path={tmp_path / 'classification.md'}",
                            "+model_overrides.minilm_prototypes.epochs=20",
                            "+model_overrides.minilm_prototypes.calibration_folds=2"]}
    job = defs.resolve_job_def("train_classifier")
    result = job.execute_in_process(instance=instance, run_config={"ops": {
        "labeled_risk_factors": {"config": config}, "classifier_tournament": {"config": config}}})

    assert result.success
    assert {"sec_analyzer/git_sha", "sec_analyzer/training_config"} <= set(result.dagster_run.tags)
    labeled = result.asset_materializations_for_node("labeled_risk_factors")[0].metadata
    assert labeled["rows"].value > 50 and "JNJ" in labeled["gold_tickers"].value  # type: ignore[attr-defined]
    tournament = result.asset_materializations_for_node("classifier_tournament")[0].metadata
    assert "minilm_prototypes" in tournament["tournament"].value  # type: ignore[attr-defined]
    registered = {entry.model_name for entry in ModelRegistryManager.from_config().list()}
    assert registered == {"zero_shot", "minilm_prototypes"}
    assert (tmp_path / "classification.md").is_file()


def test_a_new_champion_reclassifies_every_published_filing(instance: dg.DagsterInstance, registry_dir: Path) -> None:
    artifacts = ArtifactStore(get_settings().artifacts_dir)
    keys = ["AAPL-2024", "KO-2024", "NVDA-2025"]
    instance.add_dynamic_partitions("filings", keys)
    for key in ("AAPL-2024", "KO-2024"):
        PUBLISHED.write_summary(artifacts, PUBLISHED.summary(StageStatus.OK, key, risk_factors=3))

    def tick(cursor: str | None) -> dg.SensorResult:
        with dg.build_sensor_context(instance=instance, cursor=cursor, resources=deployment_resources()) as context:
            result = champion_changed(context)
        assert isinstance(result, dg.SensorResult)
        return result

    first = tick(None)
    assert not first.run_requests and first.cursor, "the first tick records what serves today"
    assert not tick(first.cursor).run_requests, "nothing changed"

    history = registry_dir / "champion_history.jsonl"
    history.parent.mkdir(parents=True, exist_ok=True)
    history.write_text('{"event": "promote", "key": "minilm_logreg/v9"}\n', encoding="utf-8")
    changed = tick(first.cursor)
    assert [(request.tags["dagster/asset_partition_range_start"], request.tags["dagster/asset_partition_range_end"])
            for request in changed.run_requests] == [("AAPL-2024", "KO-2024")]
