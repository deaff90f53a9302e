"""`sec-analyzer backfill`, `sec-analyzer run` and `sec-analyzer dagster-home`."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import socket
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any
from urllib.parse import urlparse

import click

from sec_analyzer.errors import ConfigurationError, SecAnalyzerError
from sec_analyzer.output_format import emit, format_option, print_json
from sec_analyzer.settings import Settings, get_settings


@contextlib.contextmanager
def edgar_endpoint(settings: Settings, announce: Callable[[str], None] = click.echo) -> Iterator[Settings]:
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
    announce(f"EDGAR mirror: serving {settings.edgar_mirror_dir} at {mirror.base_url}")
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


# Exit codes of `sec-analyzer backfill` and `sec-analyzer run`, which scripts can rely on.
EXIT_PUBLISHED = 0  # every requested filing is published (with --assets: went through the last one)
EXIT_INCOMPLETE = 1  # some filing is not (absent, blocked, failed, not on EDGAR), or an error
EXIT_INTERRUPTED = 130  # Ctrl-C: what finished stays; the same command finishes the rest

BACKFILL_EPILOG = """\b
Examples:
  sec-analyzer backfill --tickers AAPL,NVDA --years 2022-2024
  sec-analyzer backfill --tickers AAPL --years 2024 --format json | jq .filings
  sec-analyzer backfill --tickers AAPL --years 2024 --force      # redo finished filings

\b
Resuming: a backfill stopped by Ctrl-C or killed is finished by running the same command again;
filings already published from the same EDGAR document are skipped.

\b
Exit codes: 0 every filing published; 1 some not published (or an error, on one line);
2 usage error; 130 interrupted.
"""


def run_backfill(
    pairs: Sequence[tuple[str, int]],
    asset_names: Sequence[str] | None = None,
    *,
    force: bool = False,
    batch_size: int | None = None,
    output_format: str = "text",
) -> int:
    """Resolve, skip what is finished, materialize the rest and report; returns the exit code."""
    import dagster as dg

    from sec_analyzer.acquisition.edgar_client import EdgarClient
    from sec_analyzer.acquisition.fetch import FilingFetcher
    from sec_analyzer.acquisition.raw_store import raw_store_from_settings
    from sec_analyzer.artifacts import ArtifactStore
    from sec_analyzer.defs.backfill import DEFAULT_BATCH_SIZE, backfill_filings
    from sec_analyzer.defs.instance import prepare_dagster_home
    from sec_analyzer.defs.jobs import PIPELINE_ASSETS
    from sec_analyzer.pipeline.report import filing_outcome
    from sec_analyzer.pipeline.resume import finished_filings, last_stage_of
    from sec_analyzer.storage.db_clients import create_db_engine
    from sec_analyzer.storage.schema import ensure_schema_current

    selected = list(asset_names or PIPELINE_ASSETS)
    as_json = output_format == "json"
    # With --format json, stdout carries the JSON document alone; what a person reads goes to stderr.
    say = functools.partial(click.echo, err=as_json)
    prepare_dagster_home()
    with edgar_endpoint(get_settings(), announce=say) as settings:
        ensure_schema_current(create_db_engine(settings.resolved_database_url))
        fetcher = FilingFetcher(EdgarClient.from_settings(settings), raw_store_from_settings(settings))
        artifacts = ArtifactStore(settings.artifacts_dir)

        def needs_run(key: str, sha256: str) -> bool:
            return force or not finished_filings(artifacts, {key: sha256}, last_stage_of(selected))

        with dg.DagsterInstance.get() as instance, _progress_display(
                len(pairs) * len(selected), selected, say, quiet=as_json) as display:
            backfill = backfill_filings(instance, fetcher, pairs, asset_names=selected, needs_run=needs_run,
                                        announce=lambda line: display.announce(line, err=as_json),
                                        warn=lambda line: display.announce(line, err=True),
                                        found_all=display.expect,
                                        progress=display.line, run_config=edgar_run_config(settings),
                                        batch_size=batch_size or DEFAULT_BATCH_SIZE,
                                        step_finished=display.step_finished)
        plan, runs = backfill.plan, backfill.runs
        if not plan.keys and backfill.lookup_error is not None:
            raise backfill.lookup_error
        if not plan.keys and not backfill.interrupted:
            raise SecAnalyzerError("none of the requested filings exists on EDGAR; nothing to do")
        outcomes = [filing_outcome(artifacts, key) for key in in_asked_order(plan.keys, pairs)]
        # Finished: the last selected stage succeeded (for the whole pipeline: published).
        done = len(finished_filings(artifacts, plan.documents, last_stage_of(selected)))
    published = sum(outcome.published for outcome in outcomes)
    if backfill.interrupted:
        looked_up = "" if backfill.looked_up_all else " (found so far; the lookups had not ended)"
        click.echo(f"interrupted: {done} of {len(outcomes)} filing(s) finished{looked_up}; "
                   "run the same command again to finish the rest", err=True)
        return EXIT_INTERRUPTED
    failed_runs = [run.run_id for run in runs if run.status != dg.DagsterRunStatus.SUCCESS]
    complete = done == len(outcomes) and not plan.not_found and not failed_runs and backfill.looked_up_all
    exit_code = EXIT_PUBLISHED if complete else EXIT_INCOMPLETE
    if as_json:
        print_json({
            "exit_code": exit_code,
            "published": published,
            "finished": done,
            "filings": [dataclasses.asdict(outcome) for outcome in outcomes],
            "skipped_as_finished": in_asked_order(backfill.skipped, pairs),
            "not_found": plan.not_found,
            "lookup_error": None if backfill.lookup_error is None else str(backfill.lookup_error),
            "same_document": plan.same_document,
            "runs": [{"run_id": run.run_id, "status": run.status.value} for run in runs],
        })
    else:
        from sec_analyzer.pipeline.report import render_outcomes

        click.echo("")
        click.echo(render_outcomes(outcomes))
    for run_id in failed_runs:
        click.echo(f"run {run_id} did not succeed: see it in the UI or `sec-analyzer checks-report --run-id {run_id}`",
                   err=True)
    if backfill.lookup_error is not None:
        click.echo(f"error: the lookups on EDGAR stopped, the filings found before ran: {backfill.lookup_error}; "
                   "run the same command again to finish the rest", err=True)
    return exit_code


def in_asked_order(keys: Sequence[str], pairs: Sequence[tuple[str, int]]) -> list[str]:
    """The keys in the order their (company, year) was asked for; the lookups go latest year first."""
    from sec_analyzer.domain import normalize_ticker, parse_filing_key

    asked = {(normalize_ticker(company), int(year)): position for position, (company, year) in enumerate(pairs)}

    def position(key: str) -> int:
        filing = parse_filing_key(key)
        return asked.get((filing.company, filing.fiscal_year), len(asked))

    return sorted(keys, key=position)


class _LineDisplay:
    """A line per run and step (or nothing, when stdout carries JSON)."""

    def __init__(self, say: Callable[[str], None], quiet: bool) -> None:
        self.say, self.quiet = say, quiet

    def line(self, text: str) -> None:
        if not self.quiet:
            self.say(text)

    def step_finished(self, step: str, filings: int) -> None:
        """The lines already name each step's end."""

    def expect(self, filings: int) -> None:
        """Lines need no total."""

    def announce(self, line: str, err: bool) -> None:
        click.echo(line, err=err)


class _BarDisplay:
    """One progress bar on stderr over (filing, stage) pairs, labelled with the last step."""

    def __init__(self, bar: Any, stages: Sequence[str]) -> None:
        self.bar, self.stages = bar, set(stages)

    def line(self, text: str) -> None:
        """The bar stands for the lines."""

    def step_finished(self, step: str, filings: int) -> None:
        # Quality-check steps have no share of the bar; every selected stage has one per filing.
        if step in self.stages:
            self.bar.update(filings, step)

    def expect(self, filings: int) -> None:
        """The bar's length, once the lookups know how many filings run (until then: all asked for)."""
        self.bar.length = max(filings * len(self.stages), self.bar.pos)
        self.bar.render_progress()

    def announce(self, line: str, err: bool) -> None:
        click.echo(f"\r\033[K{line}", err=err)  # over the bar's line, then the bar again below it
        click.echo(f"\r{self.bar.format_progress_line()}", file=sys.stderr, nl=False)


@contextlib.contextmanager
def _progress_display(total: int, stages: Sequence[str], say: Callable[[str], None],
                      quiet: bool) -> Iterator[_LineDisplay | _BarDisplay]:
    """A bar when a person watches (stdout and stderr are terminals), plain lines otherwise."""
    if not (sys.stdout.isatty() and sys.stderr.isatty()):
        yield _LineDisplay(say, quiet)
        return
    with click.progressbar(length=total, label="backfill", file=sys.stderr, show_pos=True, show_eta=True,
                           item_show_func=lambda step: step or "") as bar:
        yield _BarDisplay(bar, stages)


@click.command(epilog=BACKFILL_EPILOG)
@click.option("--tickers", required=True, help="Comma-separated tickers, e.g. AAPL,NVDA,BRK-B.")
@click.option("--years", required=True, help="Fiscal years: 2024, 2022-2024 or 2021,2023.")
@click.option("--assets", default=None, help="Comma-separated asset names (default: the main pipeline).")
@click.option("--force", is_flag=True, help="Redo filings a previous backfill already finished.")
@click.option("--batch-size", type=click.IntRange(min=1, max=1000), default=None,
              help="Filings per run (default 16); a finished run's filings are kept when interrupted.")
@format_option(help_text="The summary as a table, or as one JSON document on stdout.")
def backfill(tickers: str, years: str, assets: str | None, force: bool, batch_size: int | None,
             output_format: str) -> None:
    """Fetch and process every 10-K of TICKERS for YEARS, in runs of a few filings each."""
    from sec_analyzer.acquisition.backfill_plan import parse_tickers, parse_years
    from sec_analyzer.defs.jobs import PIPELINE_ASSETS

    try:
        fiscal_years = parse_years(years)
        pairs = [(ticker, year) for ticker in parse_tickers(tickers) for year in fiscal_years]
    except SecAnalyzerError as error:
        raise click.UsageError(str(error)) from None
    asset_names = [name.strip() for name in assets.split(",") if name.strip()] if assets else None
    unknown = sorted(set(asset_names or ()) - set(PIPELINE_ASSETS))
    if unknown:
        raise click.UsageError(f"--assets: no pipeline asset named {', '.join(name[:40] for name in unknown)} "
                               f"(choose from {', '.join(PIPELINE_ASSETS)})")
    raise SystemExit(run_backfill(pairs, asset_names, force=force, batch_size=batch_size,
                                  output_format=output_format))


@click.command("run")
@format_option(help_text="The summary as a table, or as one JSON document on stdout.")
def run_default(output_format: str) -> None:
    """Materialize the main job for the filings listed in configs/settings.yaml (default_run_filings)."""
    from sec_analyzer.domain import parse_filing_key

    keys = [parse_filing_key(key) for key in get_settings().default_run_filings]
    if not keys:
        raise ConfigurationError("default_run_filings is empty in configs/settings.yaml")
    raise SystemExit(run_backfill([(key.company, key.fiscal_year) for key in keys], output_format=output_format))


@click.command("dagster-home")
@format_option()
def dagster_home(output_format: str) -> None:
    """Create $DAGSTER_HOME (default ./.dagster_home) with the project's dagster.yaml; print its path."""
    from sec_analyzer.defs.instance import prepare_dagster_home

    home = prepare_dagster_home()
    emit(output_format, {"dagster_home": str(home)}, str(home))
