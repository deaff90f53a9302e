"""A tiny tournament on real filings and the real model: lineage, registry, gate, serving, report.

Four small companies (JNJ is the gold one), every model, a fine-tune of two steps: the whole loop
in a minute or two; the figures mean nothing at this size, only that the pieces fit.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from finetuning.synthesize_dataset import synthesize
from finetuning.tournament import TournamentResult, run_tournament
from sec_analyzer.analysis.classifier import Classification
from sec_analyzer.analysis.labels import LabeledSet
from sec_analyzer.registry.config import GateConfig
from sec_analyzer.registry.entry import ModelStatus
from sec_analyzer.registry.loaders import load_champion, load_classifier
from sec_analyzer.registry.manager import ModelRegistryManager

REPO_ROOT = Path(__file__).resolve().parents[2]
CONFIG_DIR = REPO_ROOT / "configs" / "finetuning"
MODELS = ["zero_shot", "minilm_logreg", "minilm_prototypes", "minilm_finetune"]
TINY = {"minilm_finetune": {"max_steps": 2, "batch_size": 8}, "minilm_prototypes": {"epochs": 20, "calibration_folds": 2},
        "minilm_logreg": {"calibration_folds": 2}}
# nothing trained on a hundred rows reaches the real floor; the gate's rules are tested in registry/
LENIENT = GateConfig(min_macro_f1_gain=0.0, max_category_f1_drop=1.0, min_category_support=1, max_ece=1.0, min_macro_f1=0.0)


def tiny_data_config(corpus_dir: Path) -> dict[str, object]:
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base=None):
        config = compose("tournament", overrides=["data.tickers=[GE,PG,NVDA,JNJ]", "data.validation_companies=1",
                                                  f"data.filings_dir={corpus_dir}", f"data.labels_path={REPO_ROOT / 'data/labels/risk_factor_labels.csv'}"])
    return OmegaConf.to_container(config.data, resolve=True)  # type: ignore[return-value]


@pytest.fixture(scope="module")
def labeled(corpus_dir: Path) -> LabeledSet:
    return synthesize(tiny_data_config(corpus_dir), seed=7)


@pytest.fixture(scope="module")
def tournament(labeled: LabeledSet, tmp_path_factory: pytest.TempPathFactory) -> tuple[TournamentResult, ModelRegistryManager]:
    root = tmp_path_factory.mktemp("tournament")
    registry = ModelRegistryManager(root / "registry", LENIENT)
    result = run_tournament(labeled, MODELS, seed=7, experiments_dir=root / "experiments", cache_dir=root / "cache",
                            registry=registry, promote=True, model_overrides=TINY, resolved_config={"test": True},
                            report_path=root / "classification.md")
    return result, registry


def test_the_configs_compose_as_documented() -> None:
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base=None):
        train = compose("train", overrides=["model=minilm_prototypes", "data=labeled_weak", "seed=3"])
        evaluate = compose("evaluate")
    assert train.model.kind == "embedding_head" and train.model.method == "prototypes" and train.seed == 3
    assert train.data.weak_labels.keywords and train.data.labels_path == "data/labels/risk_factor_labels.csv"
    assert evaluate.model is None and evaluate.data.texts == "filings"
    for name in MODELS:
        assert (CONFIG_DIR / "model" / f"{name}.yaml").is_file()


def test_splits_of_the_tiny_set(labeled: LabeledSet) -> None:
    assert {r.ticker for r in labeled.split("gold")} == {"JNJ"}
    assert labeled.split("train") and labeled.split("validation")


def test_every_run_writes_its_lineage(tournament: tuple[TournamentResult, ModelRegistryManager], labeled: LabeledSet) -> None:
    result, _ = tournament
    assert [run.name for run in result.runs] == MODELS
    for run in result.runs:
        assert run.directory.name == run.run_id and f"_{run.name}_" in run.run_id
        config = yaml.safe_load((run.directory / "run_config.yaml").read_text())
        metrics = json.loads((run.directory / "metrics.json").read_text())
        assert config["run_id"] == metrics["run_id"] == run.run_id
        assert config["seed"] == 7 and config["data_version"] == labeled.data_version == metrics["data_version"]
        assert config["config"]["model"]["name"] == run.name
        gold = metrics["gold"]
        assert gold["count"] == len(labeled.split("gold")) and 0.0 <= gold["primary"]["macro_f1"] <= 1.0
        assert {"per_category", "confusion", "ece", "multilabel", "inference_ms_per_risk"} <= set(gold)
        predictions = (run.directory / "predictions_gold.csv").read_text().splitlines()
        assert all(line.startswith(run.run_id) for line in predictions[1:])
    assert json.loads((result.directory / "metrics.json").read_text())["run_id"] == result.run_id


def test_candidates_are_registered_and_one_is_promoted(tournament: tuple[TournamentResult, ModelRegistryManager]) -> None:
    result, registry = tournament
    entries = registry.list()
    assert sorted(entry.model_name for entry in entries) == sorted(MODELS)
    assert [entry.status for entry in entries].count(ModelStatus.CHAMPION) == 1
    champion = registry.champion()
    assert champion is not None and result.champion == champion.key
    best = max(result.runs, key=lambda run: run.metrics["gold"]["primary"]["macro_f1"])
    assert champion.model_name == best.name
    assert result.promotions[0].startswith(f"{champion.key} ({best.name}): promoted")


def test_every_registered_model_serves_through_the_protocol(
    tournament: tuple[TournamentResult, ModelRegistryManager], labeled: LabeledSet
) -> None:
    from sec_analyzer.analysis.embedding import get_embedder

    _, registry = tournament
    risks = labeled.split("gold")[:3]
    vectors = get_embedder("fast").embed([(r.heading, r.text) for r in risks])
    for entry in registry.list():
        results = load_classifier(registry, entry).classify([r.risk_id for r in risks], vectors, [r.heading for r in risks], [r.text for r in risks])
        assert [r.risk_id for r in results] == [r.risk_id for r in risks]
        for classification in results:
            assert isinstance(classification, Classification)
            assert (classification.model_name, classification.model_version) == (entry.model_name, entry.version)
            assert 1 <= len(classification.labels) <= 3 and classification.primary == classification.labels[0][0]
            assert all(0.0 <= score <= 1.0 and category in labeled.categories for category, score in classification.labels)
    champion = load_champion(registry)
    assert champion is not None and champion.classify([], np.zeros((0, 384)), [], []) == []


def test_the_report_lists_every_model(tournament: tuple[TournamentResult, ModelRegistryManager]) -> None:
    result, _ = tournament
    report = (result.directory / "report.md").read_text()
    for name in MODELS:
        assert f"| {name} |" in report and f"## {name}" in report
    assert "Champion after the tournament" in report and "Confusion matrix" in report


def test_evaluate_serves_the_champion_on_a_label_sheet_of_other_companies(
    tournament: tuple[TournamentResult, ModelRegistryManager], corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from finetuning.evaluate import run_evaluation
    from sec_analyzer.analysis.labels import read_label_sheet, write_label_sheet
    from sec_analyzer.analysis.taxonomy import load_taxonomy

    _, registry = tournament
    sheet = tmp_path / "unseen.csv"
    every = read_label_sheet(REPO_ROOT / "data/labels/risk_factor_labels.csv", load_taxonomy().ids)
    write_label_sheet(sheet, [label for label in every if label.ticker == "GE"])
    monkeypatch.setenv("SEC_ANALYZER_REGISTRY_DIR", str(registry.root))
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base=None):
        config = compose("evaluate", overrides=[
            f"eval_labels={sheet}", "data.tickers=[GE]", f"data.filings_dir={corpus_dir}",
            f"experiments_dir={tmp_path / 'experiments'}", f"cache_dir={tmp_path / 'cache'}",
            f"report_path={tmp_path / 'evaluation.md'}",
        ])
    payload = run_evaluation(config)
    champion = registry.champion()
    assert champion is not None and payload["model"] == champion.key
    assert payload["gold"]["count"] == payload["zero_shot"]["count"] == 17
    assert "zero-shot prototypes (same run)" in (tmp_path / "evaluation.md").read_text()
