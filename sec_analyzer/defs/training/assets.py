"""The training loop in the asset graph: the labeled set, the model tournament that consumes it,
and the champion/challenger gate — wired over `finetuning/` (training, kept apart from the
inference code) and `sec_analyzer.registry`. The training code is imported only when these run."""

import hashlib
from pathlib import Path
from typing import Any

import dagster as dg
from pydantic import Field

from sec_analyzer.defs.resources import ModelRegistryResource
from sec_analyzer.research_docs import short_commit

TRAINING = "training"
CONFIG_DIR_NAME = "finetuning"


class TrainingConfig(dg.Config):
    """Which labeled data and which models; the defaults are configs/finetuning/tournament.yaml."""

    data: str = "database"  # a file of configs/finetuning/data/: database | labeled | labeled_weak
    tickers: list[str] = Field(default_factory=list)  # only these companies' labels (all when empty)
    models: list[str] = Field(default_factory=list)  # the tournament's models (configs/finetuning/model/)
    overrides: list[str] = Field(default_factory=list)  # more Hydra overrides, e.g. "seed=11"


def tournament_config(config: TrainingConfig) -> Any:
    """configs/finetuning/tournament.yaml composed with the run's choices (Hydra)."""
    from hydra import compose, initialize_config_dir

    from sec_analyzer.settings import config_dir

    overrides = [f"data={config.data}", *config.overrides]
    if config.tickers:
        overrides.append(f"data.tickers=[{','.join(config.tickers)}]")
    if config.models:
        overrides.append(f"models=[{','.join(config.models)}]")
    with initialize_config_dir(config_dir=str((config_dir() / CONFIG_DIR_NAME).resolve()), version_base=None):
        return compose(config_name="tournament", overrides=overrides)


@dg.asset(group_name=TRAINING, kinds={"python", "json"}, description=(
    "The training set: the team's labels (data/labels/risk_factor_labels.csv) over the stored risk "
    "factors, plus weak labels when the data config asks; split by company with the gold companies "
    "fixed and never trained on. Its data version is a content hash of the set."))
def labeled_risk_factors(context: dg.AssetExecutionContext, config: TrainingConfig) -> dg.MaterializeResult:
    from finetuning.synthesize_dataset import synthesize, write_dataset
    from sec_analyzer.settings import get_settings

    composed = tournament_config(config)
    labeled = synthesize(composed.data, composed.seed)
    path = get_settings().data_dir / "training" / "labeled_risk_factors.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_dataset(labeled, path)
    summary = labeled.summary()
    return dg.MaterializeResult(
        data_version=dg.DataVersion(labeled.data_version),
        metadata={"rows": summary["rows"], "data_version": labeled.data_version, "path": str(path),
                  "by_split": summary["by_split"], "by_source": summary["by_source"],
                  "by_primary_category": summary["by_primary_category"], "gold_tickers": summary["gold_tickers"]},
    )


@dg.asset(group_name=TRAINING, deps=[labeled_risk_factors], kinds={"python", "pytorch", "scikitlearn"}, description=(
    "The model tournament on the labeled set: every model trained and evaluated on the same split "
    "and seed, registered as a candidate, the best that beats the champion under the "
    "champion/challenger gate (configs/registry.yaml) promoted. risk_classifications serves the champion."))
def classifier_tournament(context: dg.AssetExecutionContext, config: TrainingConfig,
                          model_registry: ModelRegistryResource) -> dg.MaterializeResult:
    from omegaconf import OmegaConf

    from finetuning.synthesize_dataset import synthesize
    from finetuning.tournament import run_tournament

    composed = tournament_config(config)
    labeled = synthesize(composed.data, composed.seed)
    resolved = OmegaConf.to_container(composed, resolve=True)
    result = run_tournament(
        labeled, list(composed.models), seed=composed.seed, experiments_dir=Path(composed.experiments_dir),
        cache_dir=Path(composed.cache_dir), registry=model_registry.manager() if composed.register else None,
        promote=composed.promote, model_overrides=resolved.get("model_overrides"),  # type: ignore[union-attr]
        resolved_config=resolved, report_path=Path(composed.report_path),  # type: ignore[arg-type]
    )
    rows = ["| model | gold macro-F1 (primary) | ECE | train s |", "|---|---|---|---|"]
    rows += [f"| {run.name} | {run.metrics['gold']['primary']['macro_f1']:.3f} | {run.metrics['gold']['ece']:.3f} "
             f"| {run.metrics['train_seconds']:.1f} |" for run in result.runs]
    return dg.MaterializeResult(metadata={
        "run_id": result.run_id, "data_version": labeled.data_version, "champion": result.champion or "none",
        "promotions": result.promotions, "tournament": dg.MetadataValue.md("\n".join(rows)),
    })


def _config_hash() -> str:
    from sec_analyzer.settings import config_dir

    folder = config_dir() / CONFIG_DIR_NAME
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*.yaml")):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


train_classifier = dg.define_asset_job(
    "train_classifier",
    selection=dg.AssetSelection.assets(labeled_risk_factors, classifier_tournament),
    description="Build the labeled set, run the model tournament, register the candidates, apply the gate.",
    tags={"sec_analyzer/git_sha": short_commit(Path(__file__).parent) or "unknown",
          "sec_analyzer/training_config": _config_hash()},
)

