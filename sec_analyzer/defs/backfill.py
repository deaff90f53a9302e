"""Backfills from the command line: resolve tickers and years on EDGAR, add the filing
partitions, and materialize them in as few in-process runs as the partition order allows
(one per contiguous block of keys; usually one), recorded in the Dagster instance like any
other run so the UI shows them."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import dagster as dg

from sec_analyzer.artifacts import ArtifactStore
from sec_analyzer.defs.batch import OK
from sec_analyzer.defs.jobs import PIPELINE_ASSETS
from sec_analyzer.defs.partitions import FILINGS, FISCAL_YEAR_TAG, TICKER_TAG
from sec_analyzer.defs.quality.checks import VERDICT_STAGE
from sec_analyzer.domain import filing_key, normalize_ticker, split_filing_key
from sec_analyzer.errors import SecAnalyzerError
from sec_analyzer.quality.report import BACKFILL_TAGS

BACKFILL_TAG = BACKFILL_TAGS[1]


def filing_pipeline_job() -> dg.JobDefinition:
    from sec_analyzer.definitions import defs

    return defs.resolve_job_def("filing_pipeline")


@dataclass
class BackfillPlan:
    keys: list[str] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)


def parse_years(spec: str) -> list[int]:
    """`2024`, `2022-2024`, `2021,2023` → sorted distinct years."""
    years: set[int] = set()
    try:
        for part in spec.split(","):
            part = part.strip()
            if "-" in part:
                first, last = (int(value) for value in part.split("-", 1))
                if last < first or last - first > 50:
                    raise ValueError(part)
                years.update(range(first, last + 1))
            elif part:
                years.add(int(part))
    except ValueError as error:
        raise SecAnalyzerError(f"--years must look like 2024, 2022-2024 or 2021,2023 (got {spec!r})") from error
    if not years or min(years) < 1993:
        raise SecAnalyzerError(f"--years must name fiscal years from 1993 on (got {spec!r})")
    return sorted(years)


def plan_backfill(client: Any, pairs: Iterable[tuple[str, int]]) -> BackfillPlan:
    """Check each (ticker, year) on EDGAR; unknown tickers and years without a 10-K are reported by name."""
    from sec_analyzer.acquisition.edgar_client import NoFilingForYearError, UnknownTickerError

    plan = BackfillPlan()
    unknown: set[str] = set()
    for ticker, year in pairs:
        ticker = normalize_ticker(ticker)
        if ticker in unknown:
            continue
        try:
            client.filing_for_fiscal_year(ticker, year)
        except UnknownTickerError as error:
            unknown.add(ticker)
            plan.not_found.append(f"{ticker}: {error}")
            continue
        except NoFilingForYearError as error:
            plan.not_found.append(f"{ticker} {year}: {error}")
            continue
        plan.keys.append(filing_key(ticker, year))
    return plan


def contiguous_blocks(ordered_keys: Sequence[str], wanted: Iterable[str]) -> list[tuple[str, str]]:
    """The fewest (first, last) ranges of the instance's key order that cover exactly `wanted`."""
    wanted_set = set(wanted)
    blocks: list[tuple[str, str]] = []
    start: str | None = None
    previous: str | None = None
    for key in ordered_keys:
        if key in wanted_set:
            start = start or key
            previous = key
        elif start is not None and previous is not None:
            blocks.append((start, previous))
            start = None
    if start is not None and previous is not None:
        blocks.append((start, previous))
    return blocks


def materialize_filings(
    instance: dg.DagsterInstance,
    keys: Sequence[str],
    *,
    asset_names: Sequence[str] = PIPELINE_ASSETS,
    progress: Callable[[str], None] = print,
) -> list[dg.DagsterRun]:
    """Add the partitions and run the selected assets over them; returns the finished runs."""
    new_keys = [key for key in dict.fromkeys(keys) if not instance.has_dynamic_partition(FILINGS, key)]
    if new_keys:
        instance.add_dynamic_partitions(FILINGS, new_keys)
    ordered = instance.get_dynamic_partitions(FILINGS)
    backfill_id = uuid.uuid4().hex[:8]
    runs: list[dg.DagsterRun] = []
    for first, last in contiguous_blocks(ordered, keys):
        tags = {BACKFILL_TAG: backfill_id}
        if first == last:
            ticker, fiscal_year = split_filing_key(first)
            tags.update({"dagster/partition": first, TICKER_TAG: ticker, FISCAL_YEAR_TAG: str(fiscal_year)})
        else:
            tags.update({"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last})
        label = first if first == last else f"{first} … {last}"
        progress(f"run {len(runs) + 1}: {label}")
        earlier = {run.run_id for run in runs}
        runs.append(_execute_with_progress(instance, tags, earlier, asset_names, progress))
    return runs


def _execute_with_progress(
    instance: dg.DagsterInstance, tags: dict[str, str], earlier_run_ids: set[str], asset_names: Sequence[str],
    progress: Callable[[str], None],
) -> dg.DagsterRun:
    done = threading.Event()
    watcher = threading.Thread(target=_report_steps, args=(instance, tags[BACKFILL_TAG], earlier_run_ids, done, progress),
                               daemon=True)
    watcher.start()
    try:
        result = dg.execute_job(
            dg.reconstructable(filing_pipeline_job),
            instance=instance,
            tags=tags,
            asset_selection=[dg.AssetKey(name) for name in asset_names],
            run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
        )
    finally:
        done.set()
        watcher.join(timeout=5)
    run = instance.get_run_by_id(result.run_id)
    assert run is not None
    return run


def _report_steps(instance: dg.DagsterInstance, backfill_id: str, earlier_run_ids: set[str], done: threading.Event,
                  progress: Callable[[str], None]) -> None:
    """Print each step as it starts and ends, from the run's event log (the run is in-process).

    The runs of one backfill share its tag, so the run to follow is the one not seen before.
    """
    watched = {dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE,
               dg.DagsterEventType.STEP_SKIPPED}
    seen = 0
    started: dict[str, float] = {}
    run_id = None
    while True:
        finished = done.is_set()
        if run_id is None:
            runs = instance.get_runs(dg.RunsFilter(tags={BACKFILL_TAG: backfill_id}))
            run_id = next((run.run_id for run in runs if run.run_id not in earlier_run_ids), None)
        if run_id is not None:
            records = instance.all_logs(run_id)
            for record in records[seen:]:
                event = record.dagster_event
                if event is None or event.event_type not in watched:
                    continue
                step = event.step_key or "?"
                if event.event_type == dg.DagsterEventType.STEP_START:
                    started[step] = record.timestamp
                    progress(f"  ▸ {step} …")
                else:
                    took = record.timestamp - started.get(step, record.timestamp)
                    status = event.event_type.value.removeprefix("STEP_").lower()
                    progress(f"  {'✓' if status == 'success' else '✗'} {step} {status} ({took:.1f} s)")
            seen = len(records)
        if finished:
            return
        time.sleep(0.3)


def filing_summary(artifacts: ArtifactStore, key: str) -> dict[str, Any]:
    """One line of the per-filing report, from the stage artifacts of that filing."""

    def stage(name: str) -> dict[str, Any]:
        return artifacts.read_json(name, key) if artifacts.exists(name, key) else {}

    raw, items, segments = stage("raw_filing"), stage("item_1a"), stage("risk_segments")
    verdict, published = stage(VERDICT_STAGE), stage("analysis_results")
    outcome = published.get("status") or "not run"
    reason = ""
    for summary in (raw, stage("parsed_filing"), items, segments, published):
        if summary and summary.get("status") not in (OK, None) and summary.get("reason"):
            reason = summary["reason"]
            break
    return {
        "filing": key,
        "accession": raw.get("accession", ""),
        "form": raw.get("form", ""),
        "item_1a_chars": items.get("item_1a_chars", ""),
        "risk_factors": segments.get("risk_factors", ""),
        "gate": ("passed" if verdict.get("passed") else "blocked") if verdict else "",
        "outcome": "published" if outcome == OK else outcome,
        "reason": reason,
    }
