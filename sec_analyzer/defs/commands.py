"""`sec-analyzer backfill`, `sec-analyzer run` and `sec-analyzer dagster-home`."""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Iterator, Sequence
from urllib.parse import urlparse

import click

from sec_analyzer.errors import ConfigurationError, SecAnalyzerError
from sec_analyzer.settings import Settings, get_settings


@contextlib.contextmanager
def edgar_endpoint() -> Iterator[Settings]:
    """EDGAR itself, or the local EDGAR server over EDGAR_MIRROR_DIR when that is set."""
    settings = get_settings()
    if settings.edgar_mirror_dir is None:
        _require_reachable(settings.edgar_base_url)
        yield settings
        return
    from sec_analyzer.acquisition.mirror import serve_in_background

    if not settings.edgar_mirror_dir.is_dir():
        raise ConfigurationError(f"EDGAR_MIRROR_DIR={settings.edgar_mirror_dir} is not a folder of filings")
    mirror = serve_in_background(settings.edgar_mirror_dir)
    saved = {name: os.environ.get(name) for name in ("EDGAR_BASE_URL", "EDGAR_DATA_URL")}
    os.environ["EDGAR_BASE_URL"] = os.environ["EDGAR_DATA_URL"] = mirror.base_url
    get_settings.cache_clear()
    click.echo(f"EDGAR mirror: serving {settings.edgar_mirror_dir} at {mirror.base_url}")
    try:
        yield get_settings()
    finally:
        mirror.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()


def _require_reachable(base_url: str) -> None:
    parsed = urlparse(base_url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        with socket.create_connection((parsed.hostname or "", port), timeout=5):
            return
    except OSError as error:
        raise ConfigurationError(
            f"EDGAR cannot be reached at {base_url} ({error.strerror or error}); to run offline, set "
            "EDGAR_MIRROR_DIR to a folder of filings laid out like ../shared/corpus"
        ) from None


def run_backfill(pairs: Sequence[tuple[str, int]], asset_names: Sequence[str] | None = None) -> int:
    """Resolve, materialize and report; returns the exit code (0 when every filing was published)."""
    import dagster as dg

    from sec_analyzer.acquisition.edgar_client import EdgarClient
    from sec_analyzer.artifacts import ArtifactStore
    from sec_analyzer.dagster_home import prepare_dagster_home
    from sec_analyzer.defs.backfill import filing_summary, materialize_filings, plan_backfill
    from sec_analyzer.defs.jobs import PIPELINE_ASSETS
    from sec_analyzer.storage.db_clients import create_db_engine
    from sec_analyzer.storage.schema import ensure_schema_current

    prepare_dagster_home()
    with edgar_endpoint() as settings:
        ensure_schema_current(create_db_engine(settings.resolved_database_url))
        plan = plan_backfill(EdgarClient.from_settings(settings), pairs)
        for missing in plan.not_found:
            click.echo(f"not found: {missing}", err=True)
        if not plan.keys:
            raise SecAnalyzerError("none of the requested filings exists on EDGAR; nothing to do")
        click.echo(f"materializing {len(plan.keys)} filing(s): {', '.join(plan.keys)}")
        with dg.DagsterInstance.get() as instance:
            runs = materialize_filings(instance, plan.keys, asset_names=asset_names or PIPELINE_ASSETS,
                                       progress=click.echo)
        artifacts = ArtifactStore(settings.artifacts_dir)
        rows = [filing_summary(artifacts, key) for key in plan.keys]
    _print_summary(rows)
    failed_runs = [run.run_id for run in runs if run.status != dg.DagsterRunStatus.SUCCESS]
    for run_id in failed_runs:
        click.echo(f"run {run_id} did not succeed: see it in the UI or `sec-analyzer checks-report --run-id {run_id}`",
                   err=True)
    complete = all(row["outcome"] == "published" for row in rows) and not plan.not_found and not failed_runs
    return 0 if complete else 1


def _print_summary(rows: list[dict[str, object]]) -> None:
    columns = ["filing", "accession", "item_1a_chars", "risk_factors", "gate", "outcome", "reason"]
    widths = {c: max(len(c), *(len(str(row[c])) for row in rows)) for c in columns[:-1]}
    click.echo("")
    click.echo("  ".join(c.ljust(widths[c]) for c in columns[:-1]) + "  reason")
    for row in rows:
        line = "  ".join(str(row[c]).ljust(widths[c]) for c in columns[:-1])
        click.echo(f"{line}  {str(row['reason'])[:160]}")


@click.command()
@click.option("--tickers", required=True, help="Comma-separated tickers, e.g. AAPL,NVDA,BRK-B.")
@click.option("--years", required=True, help="Fiscal years: 2024, 2022-2024 or 2021,2023.")
@click.option("--assets", default=None, help="Comma-separated asset names (default: the main pipeline).")
def backfill(tickers: str, years: str, assets: str | None) -> None:
    """Fetch and process every 10-K of TICKERS for YEARS, in as few runs as possible."""
    from sec_analyzer.defs.backfill import parse_years
    from sec_analyzer.defs.jobs import PIPELINE_ASSETS

    ticker_list = [t for t in (part.strip() for part in tickers.split(",")) if t]
    if not ticker_list:
        raise SecAnalyzerError("--tickers is empty")
    pairs = [(ticker, year) for ticker in ticker_list for year in parse_years(years)]
    asset_names = [name.strip() for name in assets.split(",") if name.strip()] if assets else None
    unknown = sorted(set(asset_names or ()) - set(PIPELINE_ASSETS))
    if unknown:
        raise SecAnalyzerError(f"--assets: no pipeline asset named {', '.join(unknown)} "
                               f"(choose from {', '.join(PIPELINE_ASSETS)})")
    raise SystemExit(run_backfill(pairs, asset_names))


@click.command("run")
def run_default() -> None:
    """Materialize the main job for the filings listed in configs/settings.yaml (default_run_filings)."""
    from sec_analyzer.domain import split_filing_key

    keys = get_settings().default_run_filings
    if not keys:
        raise ConfigurationError("default_run_filings is empty in configs/settings.yaml")
    raise SystemExit(run_backfill([split_filing_key(key) for key in keys]))


@click.command("dagster-home")
def dagster_home() -> None:
    """Create $DAGSTER_HOME (default ./.dagster_home) with the project's dagster.yaml; print its path."""
    from sec_analyzer.dagster_home import prepare_dagster_home

    click.echo(prepare_dagster_home())
