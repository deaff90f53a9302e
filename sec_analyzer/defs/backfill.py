"""Backfills from the command line, Dagster side: add the filing partitions that
`acquisition.backfill_plan` finds on EDGAR, as it finds them, and materialize them in runs of at
most `batch_size` filings over contiguous blocks of the partition order, recorded in the Dagster
instance like any other run so the UI shows them. The lookups go on while the first runs run.

Runs of a bounded size keep memory flat in the number of filings and make a backfill resumable:
each finished run has published its filings, so a backfill interrupted or killed in a later run
loses at most that run's work (`pipeline.resume` skips what is finished)."""

from __future__ import annotations

import os
import queue
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import dagster as dg

from sec_analyzer.acquisition.backfill_plan import (
    BackfillPlan,
    Finding,
    MissingFiling,
    SameDocument,
    find_filings,
)
from sec_analyzer.contracts import RAW_FILING
from sec_analyzer.defs.jobs import PIPELINE_ASSETS
from sec_analyzer.defs.partitions import FILINGS, FISCAL_YEAR_TAG, TICKER_TAG
from sec_analyzer.defs.quality.checks_report import BACKFILL_TAGS
from sec_analyzer.domain import FilingRef, parse_filing_key
from sec_analyzer.errors import SecAnalyzerError

if TYPE_CHECKING:
    from sec_analyzer.acquisition.fetch import FilingFetcher

BACKFILL_TAG = BACKFILL_TAGS[1]
# Filings per run: large enough that what a run pays once (starting it, and each step's set-up,
# events and one Great Expectations run per gate and frame for all its filings) is small beside
# its filings' work, small enough that an interruption loses little (a couple of minutes) and
# memory stays flat (benchmarks/results/pipeline.md).
DEFAULT_BATCH_SIZE = 16

# Called when a step ends, with its step key and the number of filings of its run.
StepListener = Callable[[str, int], None]
# Which process on which machine executes a backfill's run (in process), so a later backfill can
# tell a run whose process was killed from one still going.
HOST_TAG = "sec_analyzer/host"
PID_TAG = "sec_analyzer/pid"
POLL_SECONDS = 1.0  # how often the progress display reads the run's new step events
UNFINISHED = [dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]


def filing_pipeline_job() -> dg.JobDefinition:
    from sec_analyzer.definitions import defs

    return defs.resolve_job_def("filing_pipeline")


def materialize_filings(
    instance: dg.DagsterInstance,
    keys: Iterable[str],
    *,
    asset_names: Sequence[str] = PIPELINE_ASSETS,
    progress: Callable[[str], None] = print,
    run_config: Mapping[str, Any] | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    step_finished: StepListener = lambda step, filings: None,
    planned: Mapping[str, FilingRef] | None = None,
) -> list[dg.DagsterRun]:
    """Add the partitions and run the selected assets over them; returns the finished runs.

    `keys` may still be arriving (a backfill's plan hands them over as it finds them): each
    `batch_size` of them, or what is left when they end, is added and run before the next are
    awaited. `run_config` configures the runs' resources (e.g. where EDGAR is); console logs stay
    quiet. `progress` gets a line per batch, run and step, `step_finished` each step's end.
    `planned` is what the backfill plan found on EDGAR for each key, handed to each run's
    raw_filing step; a key's entry must be there when the key arrives."""
    if batch_size < 1:
        raise SecAnalyzerError(f"the batch size must be at least 1 (got {batch_size})")
    for run_id in release_dead_runs(instance):
        progress(f"run {run_id} of a backfill process that died is marked failed and its pool slots freed")
    backfill_id = uuid.uuid4().hex[:8]
    position = {key: index for index, key in enumerate(instance.get_dynamic_partitions(FILINGS))}
    next_position = len(position)
    runs: list[dg.DagsterRun] = []
    for chunk in _chunks(keys, batch_size):
        progress(f"materializing {len(chunk)} filing(s): {', '.join(chunk)}")
        new_keys = years_ascending([key for key in chunk if key not in position])
        if new_keys:
            instance.add_dynamic_partitions(FILINGS, new_keys)
            # Keys added by one call are contiguous in the instance's order, but another process
            # may have added keys before them: a gap keeps them from extending an older range.
            position.update({key: next_position + 1 + offset for offset, key in enumerate(new_keys)})
            next_position += len(new_keys) + 1
        for run_keys in contiguous_runs(chunk, position):
            first, last, filings = run_keys[0], run_keys[-1], len(run_keys)
            tags = {BACKFILL_TAG: backfill_id, HOST_TAG: socket.gethostname(), PID_TAG: str(os.getpid())}
            if first == last:
                key = parse_filing_key(first)
                tags.update({"dagster/partition": first, TICKER_TAG: key.company,
                             FISCAL_YEAR_TAG: str(key.fiscal_year)})
            else:
                tags.update({"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last})
            progress(f"run {len(runs) + 1}: {first if first == last else f'{first} … {last}'}")
            earlier = {run.run_id for run in runs}
            reporter = _StepReporter(progress, step_finished, filings)
            runs.append(_execute_with_progress(instance, tags, earlier, asset_names, reporter,
                                               _with_plan(run_config or {}, asset_names, planned or {}, run_keys)))
    return runs


def years_ascending(keys: Sequence[str]) -> list[str]:
    """The keys with each company's years in ascending order, companies in the order they came:
    the order the UI lists partitions in (a backfill looks a company's latest year up first)."""
    companies: dict[str, int] = {}
    parsed = {key: parse_filing_key(key) for key in keys}
    for key in keys:
        companies.setdefault(parsed[key].company, len(companies))
    return sorted(keys, key=lambda key: (companies[parsed[key].company], parsed[key].fiscal_year))


def _chunks(keys: Iterable[str], size: int) -> Iterator[list[str]]:
    """Each of `keys` once, in lists of `size` (the last may be shorter), each handed on as soon
    as it is full: `keys` may still be arriving."""
    seen: set[str] = set()
    chunk: list[str] = []
    for key in keys:
        if key in seen:
            continue
        seen.add(key)
        chunk.append(key)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _with_plan(run_config: Mapping[str, Any], asset_names: Sequence[str], planned: Mapping[str, FilingRef],
               run_keys: Sequence[str]) -> dict[str, Any]:
    """The run config, quiet on the console, with the plan's findings for the run's raw_filing step."""
    from sec_analyzer.defs.acquisition.assets import PlannedFiling

    config: dict[str, Any] = {**run_config, "loggers": {"console": {"config": {"log_level": "ERROR"}}}}
    found = {key: PlannedFiling.of(planned[key]).model_dump() for key in run_keys if key in planned}
    if found and RAW_FILING.name in asset_names:
        config["ops"] = {**config.get("ops", {}), RAW_FILING.name: {"config": {"planned": found}}}
    return config


@dataclass
class Backfill:
    """What a backfill found on EDGAR, skipped as finished and ran: complete once
    `backfill_filings` returns, as far as it got when it was interrupted or EDGAR failed."""

    plan: BackfillPlan = field(default_factory=BackfillPlan)
    skipped: list[str] = field(default_factory=list)
    runs: list[dg.DagsterRun] = field(default_factory=list)
    interrupted: bool = False
    looked_up_all: bool = False
    # Why the lookups stopped early (EDGAR unreachable, blocking us): the filings found before ran.
    lookup_error: SecAnalyzerError | None = None


def backfill_filings(
    instance: dg.DagsterInstance,
    fetcher: FilingFetcher,
    pairs: Sequence[tuple[str, int]],
    *,
    asset_names: Sequence[str] = PIPELINE_ASSETS,
    needs_run: Callable[[str, str], bool] = lambda key, sha256: True,
    announce: Callable[[str], None] = print,
    warn: Callable[[str], None] = print,
    found_all: Callable[[int], None] = lambda filings: None,
    progress: Callable[[str], None] = print,
    run_config: Mapping[str, Any] | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    step_finished: StepListener = lambda step, filings: None,
) -> Backfill:
    """Find each (company, year) on EDGAR and run what is found, both at once.

    A thread looks the filings up, which is mostly waiting on EDGAR's rate limit, and hands each
    over as it is found; this thread runs them (`materialize_filings`, which the other options
    are for) in batches as they fill, so runs start after one batch's lookups, not all of them.
    Filings that `needs_run` (key, document SHA-256) turns down are skipped. From the first
    filing to run, the first run's loading goes on beside the lookups (`RunPreparation`).

    `warn` gets a line for each filing not found; `announce` one for each key whose 10-K is
    another key's document, and one naming the filings skipped before each filing to run;
    `found_all` the number of filings to run once the lookups are over. When EDGAR fails in
    the middle, the filings found so far still run and the error is `lookup_error`. Ctrl-C ends
    it with `interrupted` set; what the finished runs published stays."""
    backfill = Backfill()
    findings: queue.Queue[Finding | BaseException | None] = queue.Queue()
    stop = threading.Event()
    preparation = RunPreparation(asset_names)

    def look_up() -> None:
        try:
            for finding in find_filings(fetcher, pairs):
                if stop.is_set():
                    return
                findings.put(finding)
        except BaseException as error:  # handed to the running thread
            findings.put(error)
        findings.put(None)

    def to_run() -> Iterator[str]:
        handed = 0
        unannounced: list[str] = []  # skipped since the last filing handed over: one line for all

        def announce_skipped() -> None:
            if unannounced:
                announce(f"already finished, skipped (--force redoes them): {', '.join(unannounced)}")
                unannounced.clear()

        while (finding := findings.get()) is not None:
            if isinstance(finding, SecAnalyzerError):
                backfill.lookup_error = finding  # what was found runs all the same
                continue
            if isinstance(finding, BaseException):
                raise finding
            backfill.plan.add(finding)
            if isinstance(finding, MissingFiling):
                warn(f"not found: {finding.reason}")
            elif isinstance(finding, SameDocument):
                announce(f"same 10-K: {finding.key} is the document of {finding.kept}, which is processed once")
            elif not needs_run(finding.key, finding.sha256):
                backfill.skipped.append(finding.key)
                unannounced.append(finding.key)
            else:
                announce_skipped()
                preparation.start()
                preparation.wait()  # at once after the first; the lookups go on meanwhile
                handed += 1
                yield finding.key
        announce_skipped()
        backfill.looked_up_all = backfill.lookup_error is None
        found_all(handed)

    lookups = threading.Thread(target=look_up, name="backfill-lookups", daemon=True)
    lookups.start()
    try:
        backfill.runs = materialize_filings(instance, to_run(), asset_names=asset_names, progress=progress,
                                            run_config=run_config, batch_size=batch_size,
                                            step_finished=step_finished, planned=backfill.plan.refs)
    except KeyboardInterrupt:
        backfill.interrupted = True
        for finding in _found_so_far(findings):
            backfill.plan.add(finding)
            if isinstance(finding, MissingFiling):
                warn(f"not found: {finding.reason}")
    finally:
        stop.set()
        # Also when it fails: a process must not exit while that thread is inside the model's
        # native libraries, or the exit code is a crash's instead of the documented one.
        preparation.wait()
    return backfill


def _found_so_far(findings: queue.Queue[Finding | BaseException | None]) -> list[Finding]:
    """What was found and not yet taken up, so an interrupted backfill's summary counts every
    filing found by then."""
    found: list[Finding] = []
    while True:
        try:
            finding = findings.get_nowait()
        except queue.Empty:
            return found
        if finding is not None and not isinstance(finding, BaseException):
            found.append(finding)


class RunPreparation:
    """Loads what a backfill's first run would otherwise load in its steps (the job, Great
    Expectations, the embedding model: seconds of CPU) in a background thread while the backfill
    plan waits on EDGAR's rate limit, which leaves the CPU idle. `start` once a filing to run is
    known; `wait` before the first run."""

    def __init__(self, asset_names: Sequence[str]) -> None:
        self.asset_names = set(asset_names)
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._load, name="run-preparation", daemon=True)
            self._thread.start()

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()

    def _load(self) -> None:
        from sec_analyzer.contracts import RISK_EMBEDDINGS
        from sec_analyzer.defs.resources import EmbeddingModelResource
        from sec_analyzer.quality.verdicts import GATES

        try:
            filing_pipeline_job()
            if self.asset_names & set(GATES):
                from sec_analyzer.quality import gx_runner

                gx_runner.prepare()
            if RISK_EMBEDDINGS.name in self.asset_names:
                EmbeddingModelResource().embedder()  # the model the step's resource gives (cached per process)
        except Exception:  # noqa: S110 — the step that needs it loads it again and reports the error
            pass


def release_dead_runs(instance: dg.DagsterInstance) -> list[str]:
    """Mark failed the unfinished runs of backfill processes of this machine that no longer exist
    (killed, or the machine restarted) and free the pool slots they held: a killed process never
    gives back its `edgar` slot, and every later raw_filing step would wait for it."""
    released = []
    for run in instance.get_runs(dg.RunsFilter(statuses=UNFINISHED, tags={HOST_TAG: socket.gethostname()})):
        if _process_exists(int(run.tags.get(PID_TAG, "0"))):
            continue
        instance.report_run_failed(run, f"the backfill process {run.tags.get(PID_TAG)} that ran it no longer exists")
        _free_pool_slots(instance, run.run_id)
        released.append(run.run_id)
    return released


def _process_exists(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: alive
    return True


def contiguous_runs(keys: Sequence[str], position: Mapping[str, int]) -> list[list[str]]:
    """`keys` in the instance's partition order (`position`), cut where another key lies between:
    each list is one range of partitions, so one run. Sorting the keys alone keeps it linear in
    the batch, whatever the number of partitions the instance holds."""
    runs: list[list[str]] = []
    for key in sorted(keys, key=position.__getitem__):
        if runs and position[key] == position[runs[-1][-1]] + 1:
            runs[-1].append(key)
        else:
            runs.append([key])
    return runs


class _StepReporter:
    """Turns a run's step events into progress lines and step-end notices."""

    def __init__(self, progress: Callable[[str], None], step_finished: StepListener, filings: int) -> None:
        self.progress, self.step_finished, self.filings = progress, step_finished, filings

    def started(self, step: str) -> None:
        self.progress(f"  ▸ {step} …")

    def ended(self, step: str, status: str, seconds: float) -> None:
        self.progress(f"  {'✓' if status == 'success' else '✗'} {step} {status} ({seconds:.1f} s)")
        self.step_finished(step, self.filings)


def _execute_with_progress(
    instance: dg.DagsterInstance, tags: dict[str, str], earlier_run_ids: set[str], asset_names: Sequence[str],
    reporter: _StepReporter, run_config: Mapping[str, Any],
) -> dg.DagsterRun:
    """Execute one run in a worker thread while this thread waits, so that Ctrl-C reaches this
    thread at once: in the main thread Dagster captures SIGINT itself and, for an in-process run,
    honours it only inside asset code (between steps it is dropped and the backfill goes on).
    On Ctrl-C the run is marked canceled, its pool slots are freed, and KeyboardInterrupt goes up."""
    done = threading.Event()
    watcher = threading.Thread(target=_report_steps, args=(instance, tags[BACKFILL_TAG], earlier_run_ids, done, reporter),
                               daemon=True)
    outcome: dict[str, Any] = {}

    def execute() -> None:
        try:
            outcome["result"] = dg.execute_job(
                dg.reconstructable(filing_pipeline_job),
                instance=instance,
                tags=tags,
                asset_selection=[dg.AssetKey(name) for name in asset_names],
                run_config=dict(run_config),
            )
        except BaseException as error:  # handed to the waiting thread, which raises it
            outcome["error"] = error

    # A daemon thread: when the interrupted process exits, the run's thread ends with it.
    runner = threading.Thread(target=execute, name="backfill-run", daemon=True)
    watcher.start()
    runner.start()
    try:
        while runner.is_alive():
            runner.join(timeout=0.5)
    except KeyboardInterrupt:
        _cancel_unfinished_runs(instance, tags[BACKFILL_TAG])
        raise
    finally:
        done.set()
        watcher.join(timeout=5)
    if "error" in outcome:
        raise outcome["error"]
    result = outcome["result"]
    run = instance.get_run_by_id(result.run_id)
    if run is None:
        raise SecAnalyzerError(f"run {result.run_id} finished but is not in the Dagster instance")
    return run


def _cancel_unfinished_runs(instance: dg.DagsterInstance, backfill_id: str) -> None:
    for run in instance.get_runs(dg.RunsFilter(statuses=UNFINISHED, tags={BACKFILL_TAG: backfill_id})):
        instance.report_run_canceled(run, "the backfill was interrupted (Ctrl-C); run it again to finish")
        _free_pool_slots(instance, run.run_id)


def _free_pool_slots(instance: dg.DagsterInstance, run_id: str) -> None:
    if instance.event_log_storage.supports_global_concurrency_limits:
        instance.event_log_storage.free_concurrency_slots_for_run(run_id)


def _report_steps(instance: dg.DagsterInstance, backfill_id: str, earlier_run_ids: set[str], done: threading.Event,
                  reporter: _StepReporter) -> None:
    """Print each step as it starts and ends, from the run's event log (the run is in-process).

    The runs of one backfill share its tag, so the run to follow is the one not seen before. Each
    poll reads only the step events after the last one seen: a step holds the model's thread,
    and re-reading a growing log would take its CPU.
    """
    watched = {dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE,
               dg.DagsterEventType.STEP_SKIPPED}
    cursor: str | None = None
    started: dict[str, float] = {}
    run_id = None
    while True:
        finished = done.is_set()
        if run_id is None:
            runs = instance.get_runs(dg.RunsFilter(tags={BACKFILL_TAG: backfill_id}))
            run_id = next((run.run_id for run in runs if run.run_id not in earlier_run_ids), None)
        if run_id is not None:
            connection = instance.get_records_for_run(run_id, cursor=cursor, of_type=watched)
            cursor = connection.cursor
            for record in connection.records:
                event = record.event_log_entry.dagster_event
                if event is None:
                    continue
                step = event.step_key or "?"
                if event.event_type == dg.DagsterEventType.STEP_START:
                    started[step] = record.timestamp
                    reporter.started(step)
                else:
                    took = record.timestamp - started.get(step, record.timestamp)
                    reporter.ended(step, event.event_type.value.removeprefix("STEP_").lower(), took)
        if finished:
            return
        time.sleep(POLL_SECONDS)
