"""The filing a quality gate judges, assembled from the stage artifacts through their contracts."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sec_analyzer.artifacts import ArtifactStore
from sec_analyzer.contracts import (
    CLEANED_TEXT,
    ITEMS,
    PARSED_FILING,
    RISK_CLASSIFICATIONS,
    RISK_EMBEDDINGS,
    RISK_SEGMENTS,
    ArtifactSchemaError,
    StageContract,
    StageStatus,
    StageSummary,
)
from sec_analyzer.domain import split_filing_key
from sec_analyzer.quality.verdicts import MODEL_OUTPUT_GATE, TEXT_GATE, gate_groups

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

# Stages whose failure the gate reports by its reason, downstream first: a stage carries the
# outcome of a failed upstream stage, so the first one found names the cause.
_WATCHED_STAGES: dict[str, tuple[StageContract[Any], ...]] = {
    TEXT_GATE: (RISK_SEGMENTS, CLEANED_TEXT, ITEMS, PARSED_FILING),
    MODEL_OUTPUT_GATE: (
        RISK_CLASSIFICATIONS,
        RISK_EMBEDDINGS,
        RISK_SEGMENTS,
        CLEANED_TEXT,
        ITEMS,
        PARSED_FILING,
    ),
}
_FAILURES = (StageStatus.FAILED, StageStatus.BLOCKED)


@dataclass(frozen=True)
class FilingUnderTest:
    """Everything the suites judge about one filing (one partition)."""

    partition_key: str
    expected_fiscal_year: int
    document_fiscal_year: int | None
    document_type: str | None
    items: pd.DataFrame
    item_1a_text: str | None
    segments: pd.DataFrame
    # The model outputs, one row per segment in segment order; None when the stage produced none.
    embeddings: np.ndarray | None = None
    embedding_dimension: int | None = None
    classifications: pd.DataFrame | None = None
    # Why an upstream stage produced nothing for this filing (e.g. the document could not be
    # parsed); reported as such instead of only as the empty data it leaves behind.
    upstream_failure: str | None = None


def filing_under_test(artifacts: ArtifactStore, partition_key: str, gate: str = TEXT_GATE) -> FilingUnderTest:
    """The filing as the `gate` judges it; the model outputs are read for the model-output gate only.

    A stage's table belongs to the filing when the stage processed the filing itself (`ok`, or
    `absent` for a stated reason); a table left by an earlier run of a stage that now carries an
    upstream outcome is ignored.
    """
    gate_groups(gate)
    _, fiscal_year = split_filing_key(partition_key)
    summaries = {
        contract.name: contract.read_summary(artifacts, partition_key) for contract in _WATCHED_STAGES[gate]
    }
    parsed = summaries[PARSED_FILING.name]
    cleaned = summaries[CLEANED_TEXT.name]
    text = None
    if cleaned.ok:
        document = CLEANED_TEXT.document_path(artifacts, partition_key).read_text(encoding="utf-8")
        text = str(json.loads(document)["text"])
    upstream_failure = next(
        (summary.reason for summary in summaries.values() if summary.status in _FAILURES and summary.reason),
        None,
    )
    filing = FilingUnderTest(
        partition_key=partition_key,
        expected_fiscal_year=fiscal_year,
        document_fiscal_year=getattr(parsed, "document_fiscal_year", None),
        document_type=getattr(parsed, "document_type", None),
        items=_own_table(artifacts, ITEMS, summaries[ITEMS.name]),
        item_1a_text=text,
        segments=_own_table(artifacts, RISK_SEGMENTS, summaries[RISK_SEGMENTS.name]),
        upstream_failure=upstream_failure,
    )
    if gate != MODEL_OUTPUT_GATE:
        return filing
    return _with_model_outputs(artifacts, filing, summaries)


def _with_model_outputs(
    artifacts: ArtifactStore, filing: FilingUnderTest, summaries: dict[str, StageSummary]
) -> FilingUnderTest:
    embedded = summaries[RISK_EMBEDDINGS.name]
    dimension = getattr(embedded, "dimension", None)
    embeddings = None
    if _owns_table(embedded) or embedded.status is StageStatus.ABSENT:
        table = _own_table(artifacts, RISK_EMBEDDINGS, embedded).sort_values("ordinal", kind="stable")
        embeddings = _stacked(list(table["vector"]), dimension or 0)
    classified = summaries[RISK_CLASSIFICATIONS.name]
    classifications = None
    if _owns_table(classified) or classified.status is StageStatus.ABSENT:
        classifications = _own_table(artifacts, RISK_CLASSIFICATIONS, classified)
    return dataclasses.replace(
        filing, embeddings=embeddings, embedding_dimension=dimension, classifications=classifications
    )


def _stacked(vectors: list[Any], dimension: int) -> np.ndarray:
    """One row per vector; a vector shorter than the longest (or missing) is padded with NaN, so
    the suites report it as a vector with non-finite values instead of failing to read it."""
    import numpy as np

    width = max((len(vector) for vector in vectors if vector is not None), default=dimension)
    stacked = np.full((len(vectors), width), np.nan, dtype=np.float32)
    for row, vector in enumerate(vectors):
        if vector is not None:
            stacked[row, : len(vector)] = np.asarray(vector, dtype=np.float32)
    return stacked


def _owns_table(summary: StageSummary) -> bool:
    return summary.carried_from is None and summary.status in (StageStatus.OK, StageStatus.ABSENT)


def _own_table(artifacts: ArtifactStore, contract: StageContract[Any], summary: StageSummary) -> pd.DataFrame:
    """The stage's table for this filing, or the contract's empty table when the stage wrote none."""
    if _owns_table(summary) and contract.has_table(artifacts, summary.partition_key):
        return contract.read_table(artifacts, summary.partition_key)
    if contract.table is None:
        raise ArtifactSchemaError(f"stage {contract.name} keeps no table")
    return contract.table.empty_frame()
