"""The registry on disk: entries, the champion/challenger gate, promotion, refusal and rollback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sec_analyzer.registry.config import GateConfig, load_registry_config
from sec_analyzer.registry.entry import GoldFigures, ModelRegistryEntry, ModelStatus, RegistryError
from sec_analyzer.registry.gate import judge
from sec_analyzer.registry.manager import ModelRegistryManager

GATE = GateConfig(min_macro_f1_gain=0.01, max_category_f1_drop=0.15, min_category_support=5, max_ece=0.15, min_macro_f1=0.5)


def metrics_file(directory: Path, macro_f1: float, ece: float = 0.05, **category_f1: float) -> Path:
    per_category = {
        category: {"precision": f1, "recall": f1, "f1": f1, "support": 10}
        for category, f1 in ({"tax": macro_f1, "supply_chain": macro_f1} | category_f1).items()
    }
    path = directory / f"metrics-{macro_f1}-{ece}-{len(list(directory.iterdir()))}.json"
    path.write_text(json.dumps({"run_id": "r", "gold": {"primary": {"macro_f1": macro_f1}, "per_category": per_category, "ece": ece}}))
    return path


@pytest.fixture
def registry(tmp_path: Path) -> ModelRegistryManager:
    return ModelRegistryManager(tmp_path / "registry", GATE)


def register(registry: ModelRegistryManager, tmp_path: Path, name: str, macro_f1: float, ece: float = 0.05, **category_f1: float) -> ModelRegistryEntry:
    inputs = tmp_path / "inputs"
    inputs.mkdir(exist_ok=True)
    config = inputs / "run_config.yaml"
    config.write_text("seed: 7\n")
    weights = inputs / "head.npz"
    weights.write_bytes(b"weights")
    return registry.create(
        model_name=name, kind="embedding_head", run_id=f"20261201_120000_{name}_abc", git_sha="abc",
        data_version="d1", run_config=config, metrics=metrics_file(inputs, macro_f1, ece, **category_f1),
        artifacts={"head.npz": weights},
    )


def test_create_numbers_versions_and_writes_a_valid_entry(registry: ModelRegistryManager, tmp_path: Path) -> None:
    first = register(registry, tmp_path, "minilm_logreg", 0.7)
    second = register(registry, tmp_path, "minilm_logreg", 0.72)
    assert (first.version, second.version) == ("v1", "v2")
    folder = registry.version_dir("minilm_logreg", "v2")
    assert ModelRegistryEntry.read(folder / "metadata.json") == second
    assert (folder / "artifacts" / "head.npz").read_bytes() == b"weights"
    assert second.status == ModelStatus.CANDIDATE and second.artifact_paths == ["artifacts/head.npz"]
    assert [entry.key for entry in registry.list()] == ["minilm_logreg/v1", "minilm_logreg/v2"]
    assert registry.gold_figures(second).macro_f1 == 0.72


def test_an_invalid_metadata_file_is_a_one_line_error(registry: ModelRegistryManager, tmp_path: Path) -> None:
    entry = register(registry, tmp_path, "minilm_logreg", 0.7)
    path = registry.version_dir(entry.model_name, entry.version) / "metadata.json"
    path.write_text(path.read_text().replace('"candidate"', '"winner"'))
    with pytest.raises(RegistryError, match=r"metadata.json is not a valid registry entry: status"):
        registry.load("minilm_logreg", "v1")


def test_first_champion_needs_the_floor_and_calibration(registry: ModelRegistryManager, tmp_path: Path) -> None:
    weak = register(registry, tmp_path, "zero_shot", 0.45)
    refused = registry.promote(weak.model_name, weak.version, "test")
    assert not refused.promoted and "macro-F1 0.450 < the floor 0.500" in refused.decision.summary()
    assert registry.load("zero_shot", "v1").status == ModelStatus.CANDIDATE
    overconfident = register(registry, tmp_path, "minilm_finetune", 0.8, ece=0.3)
    refused = registry.promote(overconfident.model_name, overconfident.version, "test")
    assert not refused.promoted and "ECE 0.300 > the bound 0.150" in refused.decision.summary()


def test_promotion_through_the_gate_and_refusal_with_numbers(registry: ModelRegistryManager, tmp_path: Path) -> None:
    baseline = register(registry, tmp_path, "zero_shot", 0.6)
    assert registry.promote("zero_shot", "v1", "first").promoted
    better = register(registry, tmp_path, "minilm_logreg", 0.8)
    outcome = registry.promote("minilm_logreg", "v1", "tournament")
    assert outcome.promoted and outcome.previous_champion is not None and outcome.previous_champion.key == baseline.key
    assert registry.champion() is not None and registry.champion().key == better.key  # type: ignore[union-attr]
    assert registry.load(baseline.model_name, baseline.version).status == ModelStatus.ARCHIVED

    worse = register(registry, tmp_path, "minilm_prototypes", 0.805, tax=0.5)
    refused = registry.promote(worse.model_name, worse.version, "tournament")
    assert not refused.promoted
    assert "gain +0.005 <= the margin 0.010" in refused.decision.summary()
    assert "tax 0.805 -> 0.500 (-0.305)" not in refused.decision.summary()  # judged against the champion's 0.800
    assert "tax 0.800 -> 0.500 (-0.300)" in refused.decision.summary()
    assert registry.load(worse.model_name, worse.version).status == ModelStatus.CANDIDATE
    assert registry.champion().key == better.key  # type: ignore[union-attr]


def test_small_categories_are_not_judged(tmp_path: Path) -> None:
    champion = GoldFigures.model_validate({"macro_f1": 0.7, "ece": 0.05, "per_category": {
        "tax": {"precision": 1, "recall": 1, "f1": 1.0, "support": 2}}})
    candidate = GoldFigures.model_validate({"macro_f1": 0.8, "ece": 0.05, "per_category": {
        "tax": {"precision": 0, "recall": 0, "f1": 0.0, "support": 2}}})
    assert judge(candidate, champion, GATE).passed


def test_rollback_restores_the_previous_champion_step_by_step(registry: ModelRegistryManager, tmp_path: Path) -> None:
    for name, f1 in (("zero_shot", 0.6), ("minilm_logreg", 0.7), ("minilm_prototypes", 0.8)):
        register(registry, tmp_path, name, f1)
        assert registry.promote(name, "v1", "test").promoted
    assert registry.rollback("bad rows").key == "minilm_logreg/v1"
    assert registry.load("minilm_prototypes", "v1").status == ModelStatus.ARCHIVED
    assert registry.rollback("again").key == "zero_shot/v1"
    with pytest.raises(RegistryError, match="no previous champion"):
        registry.rollback("once more")
    assert [event["action"] for event in registry.history()] == ["promote", "promote", "promote", "rollback", "rollback"]


def test_missing_version_and_missing_files_are_clear(registry: ModelRegistryManager, tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match=r"no model version minilm_logreg/v9 .* \(registered: none\)"):
        registry.load("minilm_logreg", "v9")
    with pytest.raises(RegistryError, match="does not exist"):
        registry.create(model_name="m", kind="embedding_head", run_id="r", git_sha="s", data_version="d",
                        run_config=tmp_path / "absent.yaml", metrics=tmp_path / "absent.json", artifacts={})


def test_the_configured_registry(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = load_registry_config()
    assert config.root == Path("models/registry") and config.gate.max_ece > 0
    monkeypatch.setenv("SEC_ANALYZER_REGISTRY_DIR", str(tmp_path))
    assert ModelRegistryManager.from_config().root == tmp_path
    broken = tmp_path / "registry.yaml"
    broken.write_text("root: x\ngate: {max_ece: 2}\n")
    with pytest.raises(RegistryError, match=r"registry.yaml is invalid: gate.min_macro_f1_gain: Field required"):
        load_registry_config(broken)


def test_models_commands(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from sec_analyzer.cli import cli

    monkeypatch.setenv("SEC_ANALYZER_REGISTRY_DIR", str(tmp_path / "registry"))
    registry = ModelRegistryManager.from_config()
    register(registry, tmp_path, "zero_shot", 0.6)
    register(registry, tmp_path, "minilm_logreg", 0.8)
    register(registry, tmp_path, "minilm_prototypes", 0.55)
    runner = CliRunner()
    assert runner.invoke(cli, ["models", "promote", "zero_shot/v1"]).exit_code == 0
    promoted = runner.invoke(cli, ["models", "promote", "minilm_logreg/v1", "--reason", "better"])
    assert promoted.exit_code == 0 and "promoted minilm_logreg/v1 (previous champion: zero_shot/v1)" in promoted.output
    refused = runner.invoke(cli, ["models", "promote", "minilm_prototypes/v1"])
    assert refused.exit_code == 1 and "refused: minilm_prototypes/v1 stays a candidate: macro-F1 0.550 vs champion 0.800" in refused.output
    listed = runner.invoke(cli, ["models", "list"]).output
    assert "minilm_logreg/v1" in listed and "champion" in listed and "0.800" in listed
    shown = json.loads(runner.invoke(cli, ["models", "show"]).output)
    assert shown["model_name"] == "minilm_logreg" and shown["promoted_by"].startswith("better: ")
    rolled = runner.invoke(cli, ["models", "rollback"])
    assert rolled.exit_code == 0 and "champion is now zero_shot/v1" in rolled.output
    bad = runner.invoke(cli, ["models", "show", "nonsense"])
    assert bad.exit_code != 0 and "NAME/VERSION" in bad.output
    # the same for scripts: one JSON document on stdout, the exit code still tells a refusal
    promoted = runner.invoke(cli, ["models", "promote", "minilm_logreg/v1", "--format", "json"])
    assert promoted.exit_code == 0 and json.loads(promoted.stdout) | {"decision": ""} == {
        "model": "minilm_logreg/v1", "promoted": True, "previous_champion": "zero_shot/v1", "decision": ""}
    refused = runner.invoke(cli, ["models", "promote", "minilm_prototypes/v1", "--format", "json"])
    assert refused.exit_code == 1 and json.loads(refused.stdout)["promoted"] is False
    rolled = runner.invoke(cli, ["models", "rollback", "--format", "json"])
    assert json.loads(rolled.stdout) == {"champion": "zero_shot/v1"}


def test_models_list_prints_json_for_scripts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sec_analyzer.registry.commands import models

    monkeypatch.setenv("SEC_ANALYZER_REGISTRY_DIR", str(tmp_path / "empty-registry"))
    result = CliRunner().invoke(models, ["list", "--format", "json"])
    assert result.exit_code == 0 and json.loads(result.output) == []
