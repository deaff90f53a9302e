"""`sec-analyzer models list|show|promote|rollback`: the model registry from the terminal."""

from __future__ import annotations

import sys

import click

from sec_analyzer.output_format import emit, format_option, print_json
from sec_analyzer.registry.entry import ModelRegistryEntry, RegistryError
from sec_analyzer.registry.manager import ModelRegistryManager


def _split_key(key: str) -> tuple[str, str]:
    name, _, version = key.partition("/")
    if not name or not version:
        raise click.BadParameter(f"{key!r} is not NAME/VERSION (e.g. minilm_logreg/v2)", param_hint="MODEL")
    return name, version


def _macro_f1(manager: ModelRegistryManager, entry: ModelRegistryEntry) -> float | None:
    try:
        return round(manager.gold_figures(entry).macro_f1, 4)
    except RegistryError:
        return None


@click.group()
def models() -> None:
    """Registered model versions: list, show, promote through the gate, roll back."""


@models.command("list")
@click.option("--name", default=None, help="Only versions of this model name.")
@format_option()
def list_models(name: str | None, output_format: str) -> None:
    """Every registered version, oldest first, with its status and gold macro-F1."""
    manager = ModelRegistryManager.from_config()
    entries = manager.list(name)
    if output_format == "json":
        print_json([{"model": entry.key, "status": entry.status.value,
                     "gold_macro_f1": _macro_f1(manager, entry), "created_at": entry.created_at.isoformat(),
                     "data_version": entry.data_version} for entry in entries])
        return
    if not entries:
        click.echo(f"no model versions in {manager.root}")
        return
    click.echo(f"{'model':<28} {'status':<10} {'gold macro-F1':>13}  {'created (UTC)':<19}  data version")
    for entry in entries:
        macro_f1 = _macro_f1(manager, entry)
        shown = "?" if macro_f1 is None else f"{macro_f1:.3f}"
        click.echo(f"{entry.key:<28} {entry.status.value:<10} {shown:>13}  "
                   f"{entry.created_at:%Y-%m-%d %H:%M:%S}  {entry.data_version}")


@models.command("show")
@click.argument("model", required=False)
@format_option(("json",))
def show(model: str | None, output_format: str) -> None:
    """MODEL (NAME/VERSION, the champion by default): its metadata and gold figures as JSON."""
    manager = ModelRegistryManager.from_config()
    if model is None:
        entry = manager.champion()
        if entry is None:
            raise RegistryError(f"the registry {manager.root} has no champion; name a version (NAME/VERSION)")
    else:
        entry = manager.load(*_split_key(model))
    figures = manager.gold_figures(entry)
    payload = entry.model_dump(mode="json") | {
        "directory": str(manager.version_dir(entry.model_name, entry.version)),
        "gold": {"macro_f1": figures.macro_f1, "ece": figures.ece,
                 "per_category_f1": {category: score.f1 for category, score in figures.per_category.items()}},
    }
    print_json(payload)


@models.command("promote")
@click.argument("model")
@click.option("--reason", default="promoted from the command line", show_default=True, help="Recorded with the promotion.")
@click.option("--force", is_flag=True, help="Promote even if the gate refuses (recorded as an override).")
@format_option()
def promote(model: str, reason: str, force: bool, output_format: str) -> None:
    """Make MODEL (NAME/VERSION) the champion if the champion/challenger gate lets it through.

    Exit codes: 0 promoted; 1 refused by the gate (the candidate stays a candidate)."""
    manager = ModelRegistryManager.from_config()
    outcome = manager.promote(*_split_key(model), reason, force=force)
    before = outcome.previous_champion.key if outcome.previous_champion else None
    payload = {"model": outcome.candidate.key, "promoted": outcome.promoted, "previous_champion": before,
               "decision": outcome.decision.summary()}
    if not outcome.promoted:
        if output_format == "json":
            print_json(payload)
        click.echo(f"refused: {outcome.candidate.key} stays a candidate: {outcome.decision.summary()}", err=True)
        sys.exit(1)
    emit(output_format, payload,
         f"promoted {outcome.candidate.key} (previous champion: {before or 'none'}): {outcome.decision.summary()}")


@models.command("rollback")
@click.option("--reason", default="rolled back from the command line", show_default=True, help="Recorded with the rollback.")
@format_option()
def rollback(reason: str, output_format: str) -> None:
    """Archive the champion and restore the champion before it."""
    manager = ModelRegistryManager.from_config()
    restored = manager.rollback(reason)
    emit(output_format, {"champion": restored.key}, f"champion is now {restored.key}")
