"""Train one model of `configs/finetuning/model/`, evaluate it on the gold split, register it.

`python -m finetuning.train model=minilm_logreg data=labeled seed=7`

A run writes `models/experiments/{YYYYMMDD_HHMMSS}_{model}_{git_sha}/` with `run_config.yaml`
(resolved config, data version, seed), `metrics.json` (gold split; the validation split too when
the model did not train on it), `predictions_gold.csv` and `artifacts/`, then registers the
artifacts as a candidate version (`register=false` to skip). Promotion is a separate, gated step
(`sec-analyzer models promote`, or the tournament).
"""

from __future__ import annotations

import functools
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hydra
from omegaconf import DictConfig, OmegaConf

from finetuning.evaluate import evaluate_classifier, write_predictions
from finetuning.lineage import RunContext, seed_everything
from sec_analyzer.analysis.classifier import RiskClassifier
from sec_analyzer.analysis.labels import LabeledSet, LabelError
from sec_analyzer.errors import SecAnalyzerError
from sec_analyzer.registry.entry import ModelRegistryEntry
from sec_analyzer.registry.manager import ModelRegistryManager


@dataclass(frozen=True)
class TrainedModel:
    classifier: RiskClassifier
    kind: str
    artifacts: dict[str, Path]  # name under the version's artifacts/ -> file or folder
    train_seconds: float
    details: dict[str, Any]
    trained_on: tuple[str, ...]  # splits


@dataclass(frozen=True)
class ModelRun:
    name: str
    run_id: str
    directory: Path
    metrics: dict[str, Any]
    entry: ModelRegistryEntry | None


def train_model(model: dict[str, Any], labeled: LabeledSet, seed: int, run: RunContext, cache_dir: Path) -> TrainedModel:
    """Fit the model a model config describes; its artifacts are written under the run's artifacts/."""
    from finetuning import models
    from finetuning.features import risk_features
    from sec_analyzer.analysis.classifier import get_classifier
    from sec_analyzer.analysis.embedding import get_embedder
    from sec_analyzer.analysis.taxonomy import load_taxonomy, taxonomy_path

    seed_everything(seed)
    categories = labeled.categories
    started = time.perf_counter()
    if model["kind"] == "zero_shot":
        from sec_analyzer.registry.loaders import ZeroShotServed

        taxonomy_copy = run.artifacts_dir / "taxonomy.yaml"
        shutil.copy2(taxonomy_path(), taxonomy_copy)
        classifier: RiskClassifier = ZeroShotServed(model["name"], "unregistered", get_classifier(get_embedder("fast")))
        return TrainedModel(classifier, "zero_shot", {"taxonomy.yaml": taxonomy_copy}, time.perf_counter() - started, {}, ())
    if model["kind"] == "embedding_head":
        fitting = [*labeled.split("train"), *labeled.split("validation")]
        embedder = get_embedder("fast")
        blocks = list(model["features"])
        features = risk_features(blocks, embedder, fitting, cache_dir)
        if model["method"] == "logreg":
            fit: models.HeadFitter = models.fit_logreg_head
        elif model["method"] == "prototypes":
            if blocks != ["heading", "opening"]:
                raise LabelError(f"the prototype head works on features [heading, opening], not {blocks}")
            start = models.description_prototypes(embedder, load_taxonomy())
            fit = functools.partial(models.fit_prototype_head, description_prototypes=start)
        else:
            raise LabelError(f"model.method must be logreg or prototypes, not {model['method']!r}")
        zero_shot_version = get_classifier(embedder).version if "zero_shot" in blocks else None
        head, details = models.train_embedding_head(
            fit, features, fitting, categories, model, seed, model["name"], blocks, zero_shot_version
        )
        paths = head.save(run.artifacts_dir)
        return TrainedModel(head, "embedding_head", {path.name: path for path in paths},
                            time.perf_counter() - started, details, ("train", "validation"))
    if model["kind"] == "finetuned_minilm":
        classifier, details = models.train_finetuned_minilm(
            labeled.split("train"), labeled.split("validation", human_only=True), categories, model, seed, run.artifacts_dir, model["name"]
        )
        artifacts = {"model": run.artifacts_dir / "model", "head.json": run.artifacts_dir / "head.json"}
        return TrainedModel(classifier, "finetuned_minilm", artifacts, time.perf_counter() - started, details, ("train",))
    raise LabelError(f"unknown model kind {model['kind']!r} (zero_shot, embedding_head, finetuned_minilm)")


def run_model(
    model: dict[str, Any],
    labeled: LabeledSet,
    *,
    seed: int,
    experiments_dir: Path,
    cache_dir: Path,
    registry: ModelRegistryManager | None,
    resolved_config: dict[str, Any],
) -> ModelRun:
    """Train, evaluate on gold (and validation when unseen), write the run folder, register a candidate."""
    from finetuning.features import risk_vectors
    from sec_analyzer.analysis.embedding import get_embedder

    run = RunContext.start(model["name"], experiments_dir)
    run.write_config(resolved_config, data_version=labeled.data_version, seed=seed)
    trained = train_model(model, labeled, seed, run, cache_dir)
    embedder = get_embedder("fast")
    metrics: dict[str, Any] = {"model": model["name"], "kind": trained.kind, "data_version": labeled.data_version,
                               "seed": seed, "train_seconds": round(trained.train_seconds, 2), "training": trained.details,
                               "trained_on": list(trained.trained_on), "dataset": labeled.summary()}
    for split in ("gold", "validation"):
        if split in trained.trained_on:
            continue
        risks = labeled.split(split, human_only=True)
        evaluation = evaluate_classifier(trained.classifier, risks, risk_vectors(embedder, risks, cache_dir), labeled.categories)
        metrics[split] = evaluation.metrics
        write_predictions(run.directory / f"predictions_{split}.csv", run.run_id, evaluation.predictions)
    run.write_metrics(metrics)
    entry = None
    if registry is not None:
        entry = registry.create(
            model_name=model["name"], kind=trained.kind, run_id=run.run_id, git_sha=run.git_sha,
            data_version=labeled.data_version, run_config=run.run_config_path, metrics=run.metrics_path,
            artifacts=trained.artifacts,
        )
    return ModelRun(model["name"], run.run_id, run.directory, metrics, entry)


def set_threads(threads: int) -> None:
    import torch

    torch.set_num_threads(threads)


@hydra.main(config_path="../configs/finetuning", config_name="train", version_base=None)
def main(config: DictConfig) -> None:
    from finetuning.synthesize_dataset import synthesize

    try:
        set_threads(config.threads)
        labeled = synthesize(config.data, config.seed)
        resolved: dict[str, Any] = OmegaConf.to_container(config, resolve=True)  # type: ignore[assignment]
        registry = ModelRegistryManager.from_config() if config.register else None
        result = run_model(resolved["model"], labeled, seed=config.seed, experiments_dir=Path(config.experiments_dir),
                           cache_dir=Path(config.cache_dir), registry=registry, resolved_config=resolved)
    except SecAnalyzerError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)
    gold = result.metrics["gold"]
    print(f"{result.name}: gold macro-F1 {gold['primary']['macro_f1']:.3f}, micro-F1 {gold['primary']['micro_f1']:.3f}, "
          f"ECE {gold['ece']:.3f}, train {result.metrics['train_seconds']:.1f} s")
    print(f"run {result.directory}" + (f"; registered {result.entry.key} (candidate)" if result.entry else ""))


if __name__ == "__main__":
    main()
