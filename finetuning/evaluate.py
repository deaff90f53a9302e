"""Evaluate classifiers the way the classified stage serves them, on the gold split.

`evaluate_classifier` runs any `RiskClassifier` over labeled risks and returns the metrics of
`finetuning.metrics` plus inference time. `python -m finetuning.evaluate` evaluates the registry's
champion (or `model=name/version`) beside the zero-shot classifier measured in the same run, on
the gold split or on a label sheet of other companies (`eval_labels=PATH`: every row counts),
writes an evaluation run folder and a markdown report.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hydra
import numpy as np
from omegaconf import DictConfig, OmegaConf

from finetuning.lineage import RunContext
from finetuning.metrics import classification_metrics
from sec_analyzer.analysis.classifier import RiskClassifier
from sec_analyzer.analysis.labels import LabeledRisk
from sec_analyzer.errors import SecAnalyzerError


@dataclass(frozen=True)
class Evaluation:
    metrics: dict[str, Any]
    predictions: list[dict[str, Any]]


def evaluate_classifier(
    classifier: RiskClassifier, risks: Sequence[LabeledRisk], vectors: np.ndarray, categories: Sequence[str]
) -> Evaluation:
    started = time.perf_counter()
    results = classifier.classify([r.risk_id for r in risks], vectors, [r.heading for r in risks], [r.text for r in risks])
    seconds = time.perf_counter() - started
    predicted = [[category for category, _ in result.labels] for result in results]
    metrics = classification_metrics([list(r.labels) for r in risks], predicted, [result.labels[0][1] for result in results], categories)
    metrics["inference_seconds"] = round(seconds, 3)
    metrics["inference_ms_per_risk"] = round(1000 * seconds / max(len(risks), 1), 2)
    predictions = [
        {"risk_id": r.risk_id, "true": ";".join(r.labels), "predicted": ";".join(p),
         "confidence": result.labels[0][1], "model": f"{result.model_name}/{result.model_version}"}
        for r, p, result in zip(risks, predicted, results, strict=True)
    ]
    return Evaluation(metrics, predictions)


def write_predictions(path: Path, run_id: str, predictions: Sequence[dict[str, Any]]) -> Path:
    import csv

    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=["run_id", *predictions[0]] if predictions else ["run_id"], lineterminator="\n")
        writer.writeheader()
        writer.writerows({"run_id": run_id, **row} for row in predictions)
    return path


def _evaluation_risks(config: DictConfig) -> tuple[list[LabeledRisk], str, str]:
    """(risks, data version, what they are) of the gold split or of an external label sheet."""
    from finetuning.synthesize_dataset import load_texts, synthesize
    from sec_analyzer.analysis.labels import build_labeled_set, read_label_sheet
    from sec_analyzer.analysis.taxonomy import load_taxonomy

    if not config.eval_labels:
        labeled = synthesize(config.data, config.seed)
        return labeled.split("gold", human_only=True), labeled.data_version, "gold split"
    texts = load_texts(config.data)
    labels = read_label_sheet(Path(config.eval_labels), load_taxonomy().ids)
    companies = sorted({label.ticker for label in labels})
    # every company of the sheet is a "gold" company here: all its rows are evaluated
    labeled = build_labeled_set(labels, texts, load_taxonomy().ids, gold_tickers=companies, validation_companies=0)
    return labeled.split("gold", human_only=True), labeled.data_version, f"{config.eval_labels} ({', '.join(companies)})"


def run_evaluation(config: DictConfig) -> dict[str, Any]:
    import torch

    from finetuning.features import risk_vectors
    from finetuning.report import evaluation_markdown
    from sec_analyzer.analysis.classifier import get_classifier
    from sec_analyzer.analysis.embedding import get_embedder
    from sec_analyzer.analysis.taxonomy import load_taxonomy
    from sec_analyzer.registry.entry import RegistryError
    from sec_analyzer.registry.loaders import load_classifier
    from sec_analyzer.registry.manager import ModelRegistryManager

    torch.set_num_threads(config.threads)
    manager = ModelRegistryManager.from_config()
    if config.model:
        name, _, version = str(config.model).partition("/")
        entry = manager.load(name, version)
    else:
        champion = manager.champion()
        if champion is None:
            raise RegistryError(f"the registry {manager.root} has no champion; run `make train` first")
        entry = champion
    run = RunContext.start("evaluate", Path(config.experiments_dir))
    risks, data_version, described = _evaluation_risks(config)
    categories = load_taxonomy().ids
    embedder = get_embedder("fast")
    vectors = risk_vectors(embedder, risks, Path(config.cache_dir))
    served = evaluate_classifier(load_classifier(manager, entry), risks, vectors, categories)
    baseline = evaluate_classifier(get_classifier(embedder), risks, vectors, categories)
    write_predictions(run.directory / "predictions.csv", run.run_id, served.predictions + baseline.predictions)
    run.write_config(OmegaConf.to_container(config, resolve=True), data_version=data_version, seed=config.seed)  # type: ignore[arg-type]
    payload = {"evaluated": described, "model": entry.key, "data_version": data_version,
               "gold": served.metrics, "zero_shot": baseline.metrics,
               "macro_f1_gain_over_zero_shot": served.metrics["primary"]["macro_f1"] - baseline.metrics["primary"]["macro_f1"]}
    run.write_metrics(payload)
    report = evaluation_markdown(run.run_id, entry.key, described, data_version, served.metrics, baseline.metrics)
    (run.directory / "report.md").write_text(report, encoding="utf-8")
    Path(config.report_path).parent.mkdir(parents=True, exist_ok=True)
    Path(config.report_path).write_text(report, encoding="utf-8")
    print(report)
    print(f"wrote {run.directory} and {config.report_path}")
    return payload


@hydra.main(config_path="../configs/finetuning", config_name="evaluate", version_base=None)
def main(config: DictConfig) -> None:
    try:
        run_evaluation(config)
    except SecAnalyzerError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
