"""The thin Dagster side of a stage step: hand the step's filings to the plain runner and turn its
report into what the UI shows — counts, a per-filing table, and on the partition of each filing the
step did not carry through, that filing's own outcome (a batched step covers many filings, and a
user looks at one)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import dagster as dg

from sec_analyzer.contracts import StageContract, StageStatus
from sec_analyzer.markdown import markdown_table
from sec_analyzer.pipeline.runner import Process, StageReport, process_filings

if TYPE_CHECKING:
    from sec_analyzer.artifacts import ArtifactStore
    from sec_analyzer.storage.filing_index_repo import FilingIndex


def materialize_stage(
    context: dg.AssetExecutionContext,
    contract: StageContract[Any],
    process: Process,
    artifacts: ArtifactStore,
    *,
    filing_index: FilingIndex | None = None,
    fatal: tuple[type[BaseException], ...] = (),
    preview_fields: Sequence[str] = (),
) -> dg.MaterializeResult:
    report = process_filings(context.partition_keys, contract, process, artifacts, filing_index=filing_index,
                             fatal=fatal, warn=context.log.warning)
    if len(report.summaries) > 1:
        record_partition_outcomes(context, report, preview_fields)
    return dg.MaterializeResult(metadata=step_metadata(report, preview_fields))


def step_metadata(report: StageReport, preview_fields: Sequence[str]) -> dict[str, Any]:
    counts = report.counts()
    metadata: dict[str, Any] = {
        "filings": len(report.summaries),
        **{str(status): counts.get(str(status), 0) for status in (StageStatus.OK, StageStatus.ABSENT,
                                                                 StageStatus.FAILED, StageStatus.BLOCKED)},
        "per_filing": dg.MetadataValue.md(report.markdown(preview_fields)),
    }
    if len(report.summaries) == 1:
        metadata.update(filing_metadata(report.summaries[0], preview_fields))
    return metadata


def filing_metadata(summary: Any, preview_fields: Sequence[str]) -> dict[str, Any]:
    metadata: dict[str, Any] = {"status": str(summary.status)}
    for name in preview_fields:
        value = getattr(summary, name)
        if isinstance(value, dict):  # counts (e.g. risks per category) read best as a small table
            metadata[name] = dg.MetadataValue.md(markdown_table([{"": key, "count": count} for key, count in value.items()]))
        elif value is not None:
            metadata[name] = metadata_value(value)
    if summary.reason:
        metadata["reason"] = summary.reason
    return metadata


def record_partition_outcomes(context: dg.AssetExecutionContext, report: StageReport,
                              preview_fields: Sequence[str]) -> None:
    """Each filing of a batched step that is not ok gets its outcome on its partition (an
    observation). An ok filing's figures are its row of the per-filing table every partition of
    the step shows: an event each (~8 ms on SQLite) would slow every backfill for no new fact."""
    for summary in report.summaries:
        if summary.status == StageStatus.OK:
            continue
        context.log_event(dg.AssetObservation(asset_key=context.asset_key, partition=summary.partition_key,
                                              metadata=filing_metadata(summary, preview_fields)))


def metadata_value(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        return dg.MetadataValue.url(value)
    if isinstance(value, str) and "\n" in value:
        return dg.MetadataValue.md(value)
    if isinstance(value, dict | list):
        return dg.MetadataValue.json(value)
    if isinstance(value, str | int | float | bool):
        return value
    return str(value)
