"""The asset-check report: what the checks of a run (or of a whole backfill) concluded.

Reads the check evaluations recorded in a Dagster instance and renders one row per asset, check
and partition. A check that evaluated several partitions in one step (a batched backfill) is
expanded from the `partitions` key of its metadata (see `metadata.check_metadata`). A check that
was planned but never evaluated (its step was skipped after an upstream failure) is reported as
skipped.

`--latest` picks the most recent run that recorded check evaluations; when that run belongs to a
backfill (a daemon backfill, or `sec-analyzer backfill`), the report covers every run of that
backfill, so a backfill split into many runs reads as one report.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sec_analyzer.errors import ConfigurationError, SecAnalyzerError
from sec_analyzer.quality.metadata import STATUS_ICONS, status_of

if TYPE_CHECKING:
    from dagster import AssetCheckEvaluation, DagsterEvent, DagsterInstance, DagsterRun, EventLogRecord

# The runs of one backfill: a daemon backfill launched from the UI, or `sec-analyzer backfill`.
BACKFILL_TAGS = ("dagster/backfill", "sec_analyzer/backfill")
PARTITION_TAG = "dagster/partition"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
RUN_PAGE_SIZE = 50
STATUS_ORDER = ("failed", "warned", "skipped", "passed")
MARKDOWN_SAMPLE_CHARS = 300


class ChecksReportError(SecAnalyzerError):
    """The requested run does not exist or recorded no asset checks."""


@dataclass(frozen=True)
class CheckRow:
    """One check's verdict on one partition in one run."""

    run_id: str
    asset_key: str
    check_name: str
    partition: str | None
    status: str  # passed | failed | warned | skipped
    severity: str | None
    blocking: bool | None
    group: str | None
    description: str | None
    evaluated_at: str | None
    failing_expectations: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class ChecksReport:
    scope: str
    run_ids: list[str]
    rows: list[CheckRow]

    def counts(self) -> dict[str, int]:
        tally = Counter(row.status for row in self.rows)
        return {status: tally.get(status, 0) for status in ("passed", "failed", "warned", "skipped")}

    @property
    def has_error_failures(self) -> bool:
        return any(row.status == "failed" for row in self.rows)


def current_instance() -> DagsterInstance:
    """The instance of `DAGSTER_HOME` (default ./.dagster_home, as for `backfill` and `run`)."""
    from dagster import DagsterInstance
    from dagster._core.errors import DagsterInvariantViolationError

    from sec_analyzer.dagster_home import dagster_home_path

    home = dagster_home_path()
    if not home.is_dir():
        raise ConfigurationError(
            f"no Dagster instance at {home}: run the pipeline first (`make run`) or set DAGSTER_HOME "
            "to the folder of the Dagster instance whose checks to report"
        )
    try:
        return DagsterInstance.from_config(str(home))
    except DagsterInvariantViolationError as error:
        raise ConfigurationError(f"cannot open the Dagster instance at {home}: {error}") from error


def build_report(instance: DagsterInstance, run_id: str | None = None) -> ChecksReport:
    """Rows for `run_id`, or for the latest run with check evaluations (and its backfill's runs)."""
    if run_id is not None:
        run = instance.get_run_by_id(run_id)
        if run is None:
            raise ChecksReportError(f"no run {run_id} in the Dagster instance at {instance.root_directory}")
        runs = [run]
        scope = f"run {run_id}"
    else:
        latest = _latest_run_with_checks(instance)
        backfill_tag = next((tag for tag in BACKFILL_TAGS if tag in latest.tags), None)
        if backfill_tag:
            backfill_id = latest.tags[backfill_tag]
            runs = _backfill_runs(instance, backfill_tag, backfill_id)
            scope = f"backfill {backfill_id} ({len(runs)} runs)"
        else:
            runs = [latest]
            scope = f"run {latest.run_id}"
    rows = [row for run in runs for row in _rows_for_run(instance, run)]
    return ChecksReport(scope=scope, run_ids=[run.run_id for run in runs], rows=rows)


def _latest_run_with_checks(instance: DagsterInstance) -> DagsterRun:
    from dagster import DagsterEventType

    cursor = None
    while True:
        runs = instance.get_runs(limit=RUN_PAGE_SIZE, cursor=cursor)
        for run in runs:
            records = instance.get_records_for_run(
                run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION, limit=1
            ).records
            if records:
                return run
        if len(runs) < RUN_PAGE_SIZE:
            raise ChecksReportError(
                f"no run in the Dagster instance at {instance.root_directory} recorded asset-check evaluations"
            )
        cursor = runs[-1].run_id


def _backfill_runs(instance: DagsterInstance, backfill_tag: str, backfill_id: str) -> list[DagsterRun]:
    """Oldest first (the instance lists newest first; run ids are random and order nothing)."""
    from dagster import RunsFilter

    return list(reversed(instance.get_runs(filters=RunsFilter(tags={backfill_tag: backfill_id}))))


def _rows_for_run(instance: DagsterInstance, run: DagsterRun) -> list[CheckRow]:
    from dagster import DagsterEventType

    run_partition = _partition_label(run)
    rows: list[CheckRow] = []
    evaluated: set[tuple[str, str]] = set()
    records = instance.get_records_for_run(
        run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION
    ).records
    for record in records:
        evaluation = _dagster_event(record).asset_check_evaluation_data
        asset_key = evaluation.asset_key.to_user_string()
        evaluated.add((asset_key, evaluation.check_name))
        rows += _evaluation_rows(run.run_id, evaluation, run_partition, record.event_log_entry.timestamp)
    planned = instance.get_records_for_run(
        run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED
    ).records
    for record in planned:
        plan = _dagster_event(record).asset_check_planned_data
        asset_key = plan.asset_key.to_user_string()
        if (asset_key, plan.check_name) in evaluated:
            continue
        evaluated.add((asset_key, plan.check_name))
        rows.append(
            CheckRow(
                run_id=run.run_id,
                asset_key=asset_key,
                check_name=plan.check_name,
                partition=run_partition,
                status="skipped",
                severity=None,
                blocking=None,
                group=None,
                description="planned but not evaluated (an upstream step failed or was skipped)",
                evaluated_at=None,
            )
        )
    return rows


def _partition_label(run: DagsterRun) -> str | None:
    """The run's partition, or its range (`A...B`) for a batched run."""
    start, end = run.tags.get(RANGE_START_TAG), run.tags.get(RANGE_END_TAG)
    if start and end:
        return start if start == end else f"{start}...{end}"
    return run.tags.get(PARTITION_TAG)


def _dagster_event(record: EventLogRecord) -> DagsterEvent:
    event = record.event_log_entry.dagster_event
    assert event is not None, "records fetched by event type always carry a Dagster event"
    return event


def _evaluation_rows(
    run_id: str, evaluation: AssetCheckEvaluation, run_partition: str | None, timestamp: float
) -> list[CheckRow]:
    metadata = {key: getattr(value, "value", value) for key, value in (evaluation.metadata or {}).items()}
    severity = evaluation.severity.value if evaluation.severity is not None else None
    group = metadata.get("group")
    whole_check = CheckRow(
        run_id=run_id,
        asset_key=evaluation.asset_key.to_user_string(),
        check_name=evaluation.check_name,
        partition=evaluation.partition or run_partition,
        status=status_of(evaluation.passed, severity),
        severity=None if evaluation.passed else severity,
        blocking=evaluation.blocking,
        group=group if isinstance(group, str) else None,
        description=evaluation.description,
        evaluated_at=datetime.fromtimestamp(timestamp, tz=UTC).isoformat(timespec="seconds"),
    )
    partitions = metadata.get("partitions")
    if not isinstance(partitions, dict) or not partitions:
        return [whole_check]
    return [
        replace(
            whole_check,
            partition=partition_key,
            status=status_of(bool(verdict.get("passed")), verdict.get("severity")),
            severity=verdict.get("severity"),
            failing_expectations=[item for item in verdict.get("expectations", []) if not item.get("passed")],
        )
        for partition_key, verdict in partitions.items()
    ]


def render_json(report: ChecksReport) -> str:
    return json.dumps([asdict(row) for row in _sorted(report.rows)], indent=2, ensure_ascii=False)


def summary_line(report: ChecksReport) -> str:
    counts = report.counts()
    return " · ".join(f"{STATUS_ICONS[status]} {counts[status]} {status}" for status in counts)


def render_markdown(report: ChecksReport) -> str:
    lines = [f"# Asset checks: {report.scope}", "", f"**Summary:** {summary_line(report)}"]
    by_check: dict[tuple[str, str], list[CheckRow]] = {}
    for row in _sorted(report.rows):
        by_check.setdefault((row.asset_key, row.check_name), []).append(row)
    for (asset_key, check_name), rows in by_check.items():
        lines += [
            "",
            f"## {asset_key} · {check_name}",
            "",
            "| | partition | status | failing expectations (observed vs threshold) |",
            "|---|---|---|---|",
        ]
        for row in rows:
            lines.append(
                f"| {STATUS_ICONS[row.status]} | {row.partition or '—'} | {row.status} | {_failures_cell(row)} |"
            )
        samples = [
            (row.partition, item)
            for row in rows
            for item in row.failing_expectations
            if item.get("failing_sample")
        ]
        if samples:
            lines += ["", "Failing samples:"]
            for partition, item in samples:
                sample = json.dumps(item["failing_sample"], ensure_ascii=False)
                if len(sample) > MARKDOWN_SAMPLE_CHARS:
                    sample = sample[: MARKDOWN_SAMPLE_CHARS - 1] + "…"
                lines.append(f"- {partition or '—'} · `{item['expectation']}`: `{sample}`")
    return "\n".join(lines) + "\n"


def _failures_cell(row: CheckRow) -> str:
    if row.failing_expectations:
        return "<br>".join(
            f"`{item['expectation']}` ({item.get('severity')}): {_escape(str(item.get('description', '')))} "
            f"(observed {_compact(item.get('observed'))} vs {_compact(item.get('threshold'))})"
            for item in row.failing_expectations
        )
    if row.status != "passed" and row.description:
        return _escape(row.description)
    return ""


def _compact(value: Any) -> str:
    return _escape(json.dumps(value, ensure_ascii=False, default=str))


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _sorted(rows: list[CheckRow]) -> list[CheckRow]:
    return sorted(
        rows,
        key=lambda row: (row.asset_key, row.check_name, STATUS_ORDER.index(row.status), row.partition or ""),
    )
