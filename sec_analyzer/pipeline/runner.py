"""Run one stage over every filing of a (possibly batched) step, each filing on its own.

A filing that cannot go further records a typed outcome (`absent`/`failed` with its reason) in
its summary instead of failing the step, so the other filings of the run proceed and the quality
gate stops the bad one with a readable reason. Errors that concern every filing (EDGAR
unreachable, misconfiguration) are listed as `fatal` and still fail the step. This module knows
nothing of Dagster: the asset hands it the step's partition keys and turns the report into
materialization metadata.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sec_analyzer.artifacts import ArtifactStore
from sec_analyzer.contracts import RAW_FILING, STAGES, StageContract, StageStatus, StageSummary
from sec_analyzer.domain import InvalidFilingKeyError, split_filing_key
from sec_analyzer.errors import SecAnalyzerError
from sec_analyzer.markdown import markdown_table

if TYPE_CHECKING:
    from sec_analyzer.storage.filing_index_repo import FilingIndex

# How a stage outcome reads in the filing index, whose statuses are the index's own vocabulary.
INDEX_STATUS = {StageStatus.OK: "succeeded", StageStatus.ABSENT: "absent", StageStatus.FAILED: "failed",
                StageStatus.BLOCKED: "blocked"}
PREVIEW_CHARS = 160


@dataclass(frozen=True)
class StageOutcome:
    """What one stage produced for one filing: a status and the stage's own summary fields."""

    status: StageStatus
    fields: dict[str, Any]

    @classmethod
    def ok(cls, **fields: Any) -> StageOutcome:
        return cls(StageStatus.OK, fields)

    @classmethod
    def absent(cls, reason: str, **fields: Any) -> StageOutcome:
        return cls(StageStatus.ABSENT, {"reason": reason, **fields})

    @classmethod
    def failed(cls, reason: str, **fields: Any) -> StageOutcome:
        return cls(StageStatus.FAILED, {"reason": reason, **fields})

    @classmethod
    def blocked(cls, reason: str) -> StageOutcome:
        return cls(StageStatus.BLOCKED, {"reason": reason})


# The stage body for one filing, given the summary its upstream stage recorded for it.
Process = Callable[[str, Any], StageOutcome]


@dataclass(frozen=True)
class StageReport:
    """Every filing's summary for one step of one stage."""

    stage: str
    summaries: list[StageSummary]

    def counts(self) -> Counter[str]:
        return Counter(str(summary.status) for summary in self.summaries)

    def rows(self, preview_fields: Sequence[str]) -> list[dict[str, Any]]:
        return [
            {"filing": summary.partition_key, "status": str(summary.status),
             **{name: getattr(summary, name) for name in preview_fields},
             "reason": summary.reason or ""}
            for summary in self.summaries
        ]

    def markdown(self, preview_fields: Sequence[str]) -> str:
        return markdown_table(self.rows(preview_fields), limit=PREVIEW_CHARS)


def upstream_of(contract: StageContract[Any]) -> StageContract[Any] | None:
    return STAGES[contract.upstream] if contract.upstream else None


def process_filings(
    partition_keys: Sequence[str],
    contract: StageContract[Any],
    process: Process,
    artifacts: ArtifactStore,
    *,
    filing_index: FilingIndex | None = None,
    fatal: tuple[type[BaseException], ...] = (),
    warn: Callable[[str], None] = lambda message: None,
) -> StageReport:
    """Process each filing whose upstream stage succeeded; the others carry the upstream outcome.

    `process(key, upstream_summary)` returns the filing's outcome. Each summary is written as the
    stage's artifact and, with a filing index, recorded as the stage's status of that filing.
    """
    upstream = upstream_of(contract)
    summaries: list[StageSummary] = []
    for key in partition_keys:
        try:
            split_filing_key(key)
        except InvalidFilingKeyError as error:
            # Such a key never names a file: it is reported, and nothing is written for it.
            summary = contract.summary(StageStatus.FAILED, key, reason=str(error), error_type=type(error).__name__)
            warn(f"{contract.name}: {summary.reason}")
            summaries.append(summary)
            continue
        started = time.perf_counter()
        outcome = _outcome(key, contract, upstream, process, artifacts, fatal)
        summary = contract.summary(outcome.status, key, seconds=round(time.perf_counter() - started, 3),
                                   **outcome.fields)
        contract.write_summary(artifacts, summary)
        if filing_index is not None:
            _record_status(filing_index, artifacts, contract, summary)
        if not summary.ok:
            warn(f"{contract.name} {key}: {summary.status}: {summary.reason}")
        summaries.append(summary)
    return StageReport(contract.name, summaries)


def _outcome(
    key: str,
    contract: StageContract[Any],
    upstream: StageContract[Any] | None,
    process: Process,
    artifacts: ArtifactStore,
    fatal: tuple[type[BaseException], ...],
) -> StageOutcome:
    previous = upstream.read_summary(artifacts, key) if upstream else contract.summary(StageStatus.OK, key)
    if not previous.ok:
        return StageOutcome(previous.status, {"reason": previous.reason, "carried_from": previous.stage})
    try:
        return process(key, previous)
    except fatal:
        raise
    except SecAnalyzerError as error:
        return StageOutcome.failed(str(error), error_type=type(error).__name__)


def _record_status(
    filing_index: FilingIndex, artifacts: ArtifactStore, contract: StageContract[Any], summary: StageSummary
) -> None:
    accession = RAW_FILING.read_summary(artifacts, summary.partition_key).accession
    if accession:
        filing_index.set_stage_status(accession, contract.name, INDEX_STATUS[summary.status], summary.reason)
