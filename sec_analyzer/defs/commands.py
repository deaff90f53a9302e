"""`sec-analyzer backfill`, `sec-analyzer run` and `sec-analyzer dagster-home`."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import urlparse

import click

from sec_analyzer.errors import ConfigurationError, SecAnalyzerError
from sec_analyzer.settings import Settings, get_settings


@contextlib.contextmanager
def edgar_endpoint(settings: Settings) -> Iterator[Settings]:
    """`settings` pointed at EDGAR itself, or at a local EDGAR over EDGAR_MIRROR_DIR while it
    serves. The environment is left alone: the mirror's address travels in the settings copy and
    in the run config built from it."""
    if settings.edgar_mirror_dir is None:
        _require_reachable(settings.edgar_base_url)
        yield settings
        return
    from sec_analyzer.edgar_mirror.server import serve_in_background

    if not settings.edgar_mirror_dir.is_dir():
        raise ConfigurationError(f"EDGAR_MIRROR_DIR={settings.edgar_mirror_dir} is not a folder of filings")
    mirror = serve_in_background(settings.edgar_mirror_dir)
    click.echo(f"EDGAR mirror: serving {settings.edgar_mirror_dir} at {mirror.base_url}")
    try:
        yield settings.model_copy(update={"edgar_base_url": mirror.base_url, "edgar_data_url": mirror.base_url})
    finally:
        mirror.stop()


def edgar_run_config(settings: Settings) -> dict[str, Any]:
    """Run config that points the runs' EDGAR resource where `settings` point."""
    return {"resources": {"edgar": {"config": {"base_url": settings.edgar_base_url,
                                                "data_url": settings.edgar_data_url}}}}


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

    from sec_analyzer.acquisition.backfill_plan import plan_backfill
    from sec_analyzer.acquisition.edgar_client import EdgarClient
    from sec_analyzer.acquisition.fetch import FilingFetcher
    from sec_analyzer.acquisition.raw_store import raw_store_from_settings
    from sec_analyzer.artifacts import ArtifactStore
    from sec_analyzer.dagster_home import prepare_dagster_home
    from sec_analyzer.defs.backfill import materialize_filings
    from sec_analyzer.defs.jobs import PIPELINE_ASSETS
    from sec_analyzer.pipeline.report import filing_outcome, render_outcomes
    from sec_analyzer.storage.db_clients import create_db_engine
    from sec_analyzer.storage.schema import ensure_schema_current

    prepare_dagster_home()
    with edgar_endpoint(get_settings()) as settings:
        ensure_schema_current(create_db_engine(settings.resolved_database_url))
        fetcher = FilingFetcher(EdgarClient.from_settings(settings), raw_store_from_settings(settings))
        plan = plan_backfill(fetcher, pairs)
        for missing in plan.not_found:
            click.echo(f"not found: {missing}", err=True)
        if not plan.keys:
            raise SecAnalyzerError("none of the requested filings exists on EDGAR; nothing to do")
        click.echo(f"materializing {len(plan.keys)} filing(s): {', '.join(plan.keys)}")
        with dg.DagsterInstance.get() as instance:
            runs = materialize_filings(instance, plan.keys, asset_names=asset_names or PIPELINE_ASSETS,
                                       progress=click.echo, run_config=edgar_run_config(settings))
        artifacts = ArtifactStore(settings.artifacts_dir)
        outcomes = [filing_outcome(artifacts, key) for key in plan.keys]
    click.echo("")
    click.echo(render_outcomes(outcomes))
    failed_runs = [run.run_id for run in runs if run.status != dg.DagsterRunStatus.SUCCESS]
    for run_id in failed_runs:
        click.echo(f"run {run_id} did not succeed: see it in the UI or `sec-analyzer checks-report --run-id {run_id}`",
                   err=True)
    complete = all(outcome.published for outcome in outcomes) and not plan.not_found and not failed_runs
    return 0 if complete else 1


@click.command()
@click.option("--tickers", required=True, help="Comma-separated tickers, e.g. AAPL,NVDA,BRK-B.")
@click.option("--years", required=True, help="Fiscal years: 2024, 2022-2024 or 2021,2023.")
@click.option("--assets", default=None, help="Comma-separated asset names (default: the main pipeline).")
def backfill(tickers: str, years: str, assets: str | None) -> None:
    """Fetch and process every 10-K of TICKERS for YEARS, in as few runs as possible."""
    from sec_analyzer.acquisition.backfill_plan import parse_tickers, parse_years
    from sec_analyzer.defs.jobs import PIPELINE_ASSETS

    fiscal_years = parse_years(years)
    pairs = [(ticker, year) for ticker in parse_tickers(tickers) for year in fiscal_years]
    asset_names = [name.strip() for name in assets.split(",") if name.strip()] if assets else None
    unknown = sorted(set(asset_names or ()) - set(PIPELINE_ASSETS))
    if unknown:
        raise SecAnalyzerError(f"--assets: no pipeline asset named {', '.join(name[:40] for name in unknown)} "
                               f"(choose from {', '.join(PIPELINE_ASSETS)})")
    raise SystemExit(run_backfill(pairs, asset_names))


@click.command("run")
def run_default() -> None:
    """Materialize the main job for the filings listed in configs/settings.yaml (default_run_filings)."""
    from sec_analyzer.domain import parse_filing_key

    keys = [parse_filing_key(key) for key in get_settings().default_run_filings]
    if not keys:
        raise ConfigurationError("default_run_filings is empty in configs/settings.yaml")
    raise SystemExit(run_backfill([(key.company, key.fiscal_year) for key in keys]))


@click.command("dagster-home")
def dagster_home() -> None:
    """Create $DAGSTER_HOME (default ./.dagster_home) with the project's dagster.yaml; print its path."""
    from sec_analyzer.dagster_home import prepare_dagster_home

    click.echo(prepare_dagster_home())
