"""The model tournament: every model on the same labeled set, split and seed; register; promote by the gate.

`python -m finetuning.tournament` (what `make train` runs). Each model of `models` is trained and
evaluated by `finetuning.train.run_model` (its own run folder) and registered as a candidate; then
the candidates are offered to the champion/challenger gate best gold macro-F1 first, and the first
one the gate accepts becomes champion (the others stay candidates, their refusals recorded with
numbers). The tournament's own run folder holds the summary (`metrics.json`) and `report.md`,
which is also written to `report_path`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hydra
from omegaconf import DictConfig, OmegaConf

from finetuning.lineage import RunContext
from finetuning.train import ModelRun, run_model, set_threads
from sec_analyzer.analysis.labels import LabeledSet
from sec_analyzer.errors import SecAnalyzerError
from sec_analyzer.registry.manager import ModelRegistryManager

MODEL_CONFIG_DIR = Path(__file__).resolve().parents[1] / "configs" / "finetuning" / "model"


@dataclass(frozen=True)
class TournamentResult:
    run_id: str
    directory: Path
    runs: list[ModelRun]
    promotions: list[str]
    champion: str | None


def model_config(name: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    path = MODEL_CONFIG_DIR / f"{name}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in MODEL_CONFIG_DIR.glob("*.yaml")))
        raise SecAnalyzerError(f"no model config {path} (known: {known})")
    merged = OmegaConf.merge(OmegaConf.load(path), overrides or {})
    return OmegaConf.to_container(merged, resolve=True)  # type: ignore[return-value]


def promote_best(registry: ModelRegistryManager, runs: Sequence[ModelRun]) -> list[str]:
    """Offer the registered candidates to the gate, best gold macro-F1 first, until one is promoted."""
    lines = []
    ranked = sorted(runs, key=lambda run: -run.metrics["gold"]["primary"]["macro_f1"])
    for run, entry in ((run, run.entry) for run in ranked if run.entry is not None):
        outcome = registry.promote(entry.model_name, entry.version, f"tournament {run.run_id}")
        verdict = "promoted" if outcome.promoted else "refused, stays candidate"
        lines.append(f"{entry.key} ({run.name}): {verdict} — {outcome.decision.summary()}")
        if outcome.promoted:
            break
    return lines


def run_tournament(
    labeled: LabeledSet,
    model_names: Sequence[str],
    *,
    seed: int,
    experiments_dir: Path,
    cache_dir: Path,
    registry: ModelRegistryManager | None,
    promote: bool,
    model_overrides: dict[str, Any] | None = None,
    resolved_config: dict[str, Any] | None = None,
    report_path: Path | None = None,
) -> TournamentResult:
    from finetuning.report import tournament_markdown

    run = RunContext.start("tournament", experiments_dir)
    base = dict(resolved_config or {})
    run.write_config(base, data_version=labeled.data_version, seed=seed)
    runs = []
    for name in model_names:
        model = model_config(name, (model_overrides or {}).get(name))
        runs.append(run_model(model, labeled, seed=seed, experiments_dir=experiments_dir, cache_dir=cache_dir,
                              registry=registry, resolved_config={**base, "model": model, "tournament_run_id": run.run_id}))
        gold = runs[-1].metrics["gold"]
        print(f"{name}: gold macro-F1 {gold['primary']['macro_f1']:.3f}, ECE {gold['ece']:.3f}, "
              f"train {runs[-1].metrics['train_seconds']:.1f} s", flush=True)
    promotions = promote_best(registry, runs) if registry is not None and promote else []
    champion = registry.champion() if registry is not None else None
    report = tournament_markdown(run_id=run.run_id, data_summary=labeled.summary(), seed=seed, runs=runs,
                                 promotions=promotions, champion=champion.key if champion else None)
    (run.directory / "report.md").write_text(report, encoding="utf-8")
    if report_path is not None:
        report_path.parent.mkdir(parents=True, exist_ok=True)
        report_path.write_text(report, encoding="utf-8")
    run.write_metrics({
        "data_version": labeled.data_version, "seed": seed, "promotions": promotions,
        "champion": champion.key if champion else None,
        "models": {r.name: {"run_id": r.run_id, "registered": r.entry.key if r.entry else None,
                            "gold": r.metrics["gold"], "train_seconds": r.metrics["train_seconds"]} for r in runs},
    })
    return TournamentResult(run.run_id, run.directory, runs, promotions, champion.key if champion else None)


@hydra.main(config_path="../configs/finetuning", config_name="tournament", version_base=None)
def main(config: DictConfig) -> None:
    from finetuning.synthesize_dataset import synthesize

    try:
        set_threads(config.threads)
        labeled = synthesize(config.data, config.seed)
        print(f"labeled set {labeled.data_version}: {labeled.summary()['by_split']}", flush=True)
        result = run_tournament(
            labeled, list(config.models), seed=config.seed, experiments_dir=Path(config.experiments_dir),
            cache_dir=Path(config.cache_dir), registry=ModelRegistryManager.from_config() if config.register else None,
            promote=config.promote, model_overrides=OmegaConf.to_container(config.model_overrides, resolve=True),  # type: ignore[arg-type]
            resolved_config=OmegaConf.to_container(config, resolve=True),  # type: ignore[arg-type]
            report_path=Path(config.report_path) if config.report_path else None,
        )
    except SecAnalyzerError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)
    for line in result.promotions:
        print(line)
    print(f"champion: {result.champion}; run {result.directory}; report {config.report_path}")


if __name__ == "__main__":
    main()
