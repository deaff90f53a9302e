"""Backfills from the command line, Dagster side: add the filing partitions that
`acquisition.backfill_plan` found on EDGAR and materialize them in as few in-process runs as the
partition order allows (one per contiguous block of keys; usually one), recorded in the Dagster
instance like any other run so the UI shows them."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import dagster as dg

from sec_analyzer.acquisition.backfill_plan import contiguous_blocks
from sec_analyzer.defs.jobs import PIPELINE_ASSETS
from sec_analyzer.defs.partitions import FILINGS, FISCAL_YEAR_TAG, TICKER_TAG
from sec_analyzer.defs.quality.checks_report import BACKFILL_TAGS
from sec_analyzer.domain import parse_filing_key
from sec_analyzer.errors import SecAnalyzerError

BACKFILL_TAG = BACKFILL_TAGS[1]


def filing_pipeline_job() -> dg.JobDefinition:
    from sec_analyzer.definitions import defs

    return defs.resolve_job_def("filing_pipeline")


def materialize_filings(
    instance: dg.DagsterInstance,
    keys: Sequence[str],
    *,
    asset_names: Sequence[str] = PIPELINE_ASSETS,
    progress: Callable[[str], None] = print,
    run_config: Mapping[str, Any] | None = None,
) -> list[dg.DagsterRun]:
    """Add the partitions and run the selected assets over them; returns the finished runs.

    `run_config` configures the runs' resources (e.g. where EDGAR is); console logs stay quiet."""
    new_keys = [key for key in dict.fromkeys(keys) if not instance.has_dynamic_partition(FILINGS, key)]
    if new_keys:
        instance.add_dynamic_partitions(FILINGS, new_keys)
    ordered = instance.get_dynamic_partitions(FILINGS)
    backfill_id = uuid.uuid4().hex[:8]
    runs: list[dg.DagsterRun] = []
    for first, last in contiguous_blocks(ordered, keys):
        tags = {BACKFILL_TAG: backfill_id}
        if first == last:
            key = parse_filing_key(first)
            tags.update({"dagster/partition": first, TICKER_TAG: key.company, FISCAL_YEAR_TAG: str(key.fiscal_year)})
        else:
            tags.update({"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last})
        label = first if first == last else f"{first} … {last}"
        progress(f"run {len(runs) + 1}: {label}")
        earlier = {run.run_id for run in runs}
        runs.append(_execute_with_progress(instance, tags, earlier, asset_names, progress, run_config or {}))
    return runs


def _execute_with_progress(
    instance: dg.DagsterInstance, tags: dict[str, str], earlier_run_ids: set[str], asset_names: Sequence[str],
    progress: Callable[[str], None], run_config: Mapping[str, Any],
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
            run_config={**run_config, "loggers": {"console": {"config": {"log_level": "ERROR"}}}},
        )
    finally:
        done.set()
        watcher.join(timeout=5)
    run = instance.get_run_by_id(result.run_id)
    if run is None:
        raise SecAnalyzerError(f"run {result.run_id} finished but is not in the Dagster instance")
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
