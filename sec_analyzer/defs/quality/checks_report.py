"""`sec-analyzer checks-report`: the asset-check results of a run, read from a Dagster instance.

Reads the check evaluations recorded in the instance of `DAGSTER_HOME` and turns them into the
plain rows of `quality.report`, one per asset, check and partition. A check that evaluated
several partitions in one step (a batched run) is expanded from the `partitions` key of its
metadata (see `quality.metadata.check_metadata`). A check that was planned but never evaluated
(its step was skipped after an upstream failure) is reported as skipped.

`--latest` picks the most recent run that recorded check evaluations; when that run belongs to a
backfill (a daemon backfill, or `sec-analyzer backfill`), the report covers every run of that
backfill, so a backfill split into many runs reads as one report.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import click
import dagster as dg

from sec_analyzer.defs.instance import dagster_home_path
from sec_analyzer.errors import ConfigurationError, SecAnalyzerError
from sec_analyzer.output_format import format_option
from sec_analyzer.quality.metadata import status_of
from sec_analyzer.quality.report import CheckRow, ChecksReport, render_json, render_markdown

# The run tags that make several runs one backfill, reported as one scope: a daemon backfill
# launched from the UI, or `sec-analyzer backfill`.
BACKFILL_TAGS = ("dagster/backfill", "sec_analyzer/backfill")
PARTITION_TAG = "dagster/partition"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
RUN_PAGE_SIZE = 50


class ChecksReportError(SecAnalyzerError):
    """The requested run does not exist or recorded no asset checks."""


def current_instance() -> dg.DagsterInstance:
    """The instance of `DAGSTER_HOME` (default ./.dagster_home, as for `backfill` and `run`)."""
    home = dagster_home_path()
    if not home.is_dir():
        raise ConfigurationError(
            f"no Dagster instance at {home}: run the pipeline first (`make run`) or set DAGSTER_HOME "
            "to the folder of the Dagster instance whose checks to report"
        )
    try:
        return dg.DagsterInstance.from_config(str(home))
    except dg.DagsterInvariantViolationError as error:
        raise ConfigurationError(f"cannot open the Dagster instance at {home}: {error}") from error


def build_report(instance: dg.DagsterInstance, run_id: str | None = None) -> ChecksReport:
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


def _latest_run_with_checks(instance: dg.DagsterInstance) -> dg.DagsterRun:
    cursor = None
    while True:
        runs = instance.get_runs(limit=RUN_PAGE_SIZE, cursor=cursor)
        for run in runs:
            records = instance.get_records_for_run(
                run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION, limit=1
            ).records
            if records:
                return run
        if len(runs) < RUN_PAGE_SIZE:
            raise ChecksReportError(
                f"no run in the Dagster instance at {instance.root_directory} recorded asset-check evaluations"
            )
        cursor = runs[-1].run_id


def _backfill_runs(instance: dg.DagsterInstance, backfill_tag: str, backfill_id: str) -> list[dg.DagsterRun]:
    """Oldest first (the instance lists newest first; run ids are random and order nothing)."""
    return list(reversed(instance.get_runs(filters=dg.RunsFilter(tags={backfill_tag: backfill_id}))))


def _rows_for_run(instance: dg.DagsterInstance, run: dg.DagsterRun) -> list[CheckRow]:
    run_partition = _partition_label(run)
    rows: list[CheckRow] = []
    evaluated: set[tuple[str, str]] = set()
    records = instance.get_records_for_run(
        run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
    ).records
    reported: set[tuple[str, str, str | None]] = set()
    for record in records:
        evaluation = _dagster_event(record).asset_check_evaluation_data
        asset_key = evaluation.asset_key.to_user_string()
        evaluated.add((asset_key, evaluation.check_name))
        # A batched step records each filing's evaluation and a step-wide one whose metadata
        # repeats every filing's verdict: report each partition once.
        for row in _evaluation_rows(run.run_id, evaluation, run_partition, record.event_log_entry.timestamp):
            if (row.asset_key, row.check_name, row.partition) not in reported:
                reported.add((row.asset_key, row.check_name, row.partition))
                rows.append(row)
    planned = instance.get_records_for_run(
        run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED
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


def _partition_label(run: dg.DagsterRun) -> str | None:
    """The run's partition, or its range (`A...B`) for a batched run."""
    start, end = run.tags.get(RANGE_START_TAG), run.tags.get(RANGE_END_TAG)
    if start and end:
        return start if start == end else f"{start}...{end}"
    return run.tags.get(PARTITION_TAG)


def _dagster_event(record: dg.EventLogRecord) -> dg.DagsterEvent:
    event = record.event_log_entry.dagster_event
    if event is None:
        raise ChecksReportError(f"event record {record.storage_id} of the instance carries no Dagster event")
    return event


def _evaluation_rows(
    run_id: str, evaluation: dg.AssetCheckEvaluation, run_partition: str | None, timestamp: float
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


@click.command("checks-report")
@click.option("--run-id", help="Report this run.")
@click.option(
    "--latest",
    is_flag=True,
    help="Report the latest run with check results, or all runs of its backfill (the default).",
)
@format_option(("markdown", "json"))
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout."
)
@click.option("--fail-on-error", is_flag=True, help="Exit 1 when any ERROR-severity check failed (for CI).")
def checks_report(
    run_id: str | None, latest: bool, output_format: str, output: Path | None, fail_on_error: bool
) -> None:
    """Report asset-check results recorded in the Dagster instance of DAGSTER_HOME."""
    if run_id and latest:
        raise click.UsageError("give either --run-id or --latest, not both")
    report = build_report(current_instance(), run_id=run_id)
    rendered = render_json(report) if output_format == "json" else render_markdown(report)
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(rendered, encoding="utf-8")
    else:
        click.echo(rendered, nl=False)
    if fail_on_error and report.has_error_failures:
        click.echo(f"asset checks failed with ERROR severity ({report.scope})", err=True)
        sys.exit(1)
