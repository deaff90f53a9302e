"""Run one stage over every filing of a (possibly batched) step, each filing on its own.

A filing that cannot go further records a typed outcome (`absent`/`failed` with its reason)
in its artifact instead of failing the step, so the other filings of the run proceed and the
quality gate stops the bad one with a readable reason. Errors that concern every filing
(EDGAR unreachable, misconfiguration) still fail the step.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import dagster as dg

from sec_analyzer.artifacts import ArtifactStore
from sec_analyzer.errors import SecAnalyzerError

if TYPE_CHECKING:
    from sec_analyzer.storage.filing_index_repo import FilingIndex

OK = "ok"
ABSENT = "absent"
FAILED = "failed"
BLOCKED = "blocked"
# How a stage outcome reads in the filing index, whose statuses are the index's own vocabulary.
INDEX_STATUS = {OK: "succeeded", ABSENT: "absent", FAILED: "failed", BLOCKED: "blocked"}


@dataclass
class StageOutcome:
    """What one stage produced for one filing; `summary` is stored as the stage's JSON artifact."""

    status: str
    summary: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def carried_from(cls, upstream: dict[str, Any]) -> StageOutcome:
        return cls(upstream["status"], {"reason": upstream.get("reason"), "carried_from": upstream.get("stage")})


def upstream_summary(artifacts: ArtifactStore, stage: str, key: str) -> dict[str, Any]:
    if not artifacts.exists(stage, key):
        return {"status": FAILED, "stage": stage, "reason": f"{stage} has not been materialized for {key}"}
    summary: dict[str, Any] = artifacts.read_json(stage, key)
    return summary


def run_stage(
    context: dg.AssetExecutionContext,
    artifacts: ArtifactStore,
    stage: str,
    process: Callable[[str, dict[str, Any]], StageOutcome],
    *,
    upstream: str | None = None,
    filing_index: FilingIndex | None = None,
    fatal: tuple[type[BaseException], ...] = (),
    preview_fields: tuple[str, ...] = (),
) -> dg.MaterializeResult:
    """Process each partition key of the step and return the step's materialization metadata.

    `process(key, upstream_summary)` runs only for filings whose `upstream` stage succeeded; the
    others carry the upstream outcome and its reason forward. With a filing index, each filing's
    outcome is also recorded there as this stage's status.
    """
    keys = context.partition_keys
    rows: list[dict[str, Any]] = []
    for key in keys:
        started = time.perf_counter()
        previous = upstream_summary(artifacts, upstream, key) if upstream else {}
        try:
            if upstream and previous["status"] != OK:
                outcome = StageOutcome.carried_from(previous)
            else:
                outcome = process(key, previous)
        except fatal:
            raise
        except SecAnalyzerError as error:
            outcome = StageOutcome(FAILED, {"reason": str(error), "error_type": type(error).__name__})
        outcome.summary.update(status=outcome.status, stage=stage, partition_key=key,
                               seconds=round(time.perf_counter() - started, 3))
        artifacts.write_json(stage, key, outcome.summary)
        if filing_index is not None:
            _record_status(filing_index, artifacts, stage, key, outcome)
        if outcome.status != OK:
            context.log.warning(f"{stage} {key}: {outcome.status}: {outcome.summary.get('reason')}")
        rows.append({"filing": key, "status": outcome.status,
                     **{name: outcome.summary.get(name) for name in preview_fields},
                     "reason": outcome.summary.get("reason") or ""})
    counts = Counter(row["status"] for row in rows)
    metadata: dict[str, Any] = {
        "filings": len(rows),
        "ok": counts.get(OK, 0),
        "absent": counts.get(ABSENT, 0),
        "failed": counts.get(FAILED, 0),
        "per_filing": dg.MetadataValue.md(_markdown_table(rows)),
    }
    if len(rows) == 1:
        metadata.update({name: _metadata_value(rows[0][name]) for name in preview_fields if rows[0][name] is not None})
        if rows[0]["reason"]:
            metadata["reason"] = rows[0]["reason"]
    return dg.MaterializeResult(metadata=metadata)


def _record_status(
    filing_index: FilingIndex, artifacts: ArtifactStore, stage: str, key: str, outcome: StageOutcome
) -> None:
    accession = upstream_summary(artifacts, "raw_filing", key).get("accession")
    if accession:
        filing_index.set_stage_status(accession, stage, INDEX_STATUS[outcome.status], outcome.summary.get("reason"))


def _metadata_value(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        return dg.MetadataValue.url(value)
    if isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _markdown_table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "(no filings)"
    columns = list(rows[0])
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        cells = [str(row.get(column, "")).replace("|", "\\|").replace("\n", " ")[:160] for column in columns]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
