"""The plain data a quality suite reads and the verdicts it returns (no Dagster, no GX)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

Severity = Literal["ERROR", "WARN"]

# The order analysts read a filing's quality in: is it all there, is it clean, is it meaningful,
# does it add up.
GROUPS: tuple[str, ...] = ("completeness", "cleanliness", "substance", "consistency")

ITEM_COLUMNS: tuple[str, ...] = ("item_id", "status", "char_count", "absent_reason")
SEGMENT_COLUMNS: tuple[str, ...] = (
    "ordinal",
    "heading",
    "category",
    "text",
    "start_offset",
    "end_offset",
    "is_general_risk",
)


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
    embeddings: np.ndarray | None = None
    embedding_dimension: int | None = None
    # Why an upstream stage produced nothing for this filing (e.g. the document could not be
    # parsed); reported as such instead of only as the empty data it leaves behind.
    upstream_failure: str | None = None


@dataclass(frozen=True)
class CheckOutcome:
    """The verdict of one expectation on one filing."""

    group: str
    expectation: str
    severity: Severity
    passed: bool
    observed: Any
    threshold: Any
    description: str
    failing_sample: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class GroupVerdict:
    """One group's verdict: `passed` only when every expectation passed; `severity` is the worst
    failure (ERROR blocks downstream writes, WARN only informs), None when nothing failed."""

    group: str
    passed: bool
    severity: Severity | None
    evaluated: int
    failures: list[CheckOutcome]


def group_verdict(outcomes: Sequence[CheckOutcome], group: str) -> GroupVerdict:
    in_group = [outcome for outcome in outcomes if outcome.group == group]
    failures = [outcome for outcome in in_group if not outcome.passed]
    severity: Severity | None = None
    if failures:
        severity = "ERROR" if any(outcome.severity == "ERROR" for outcome in failures) else "WARN"
    return GroupVerdict(
        group=group, passed=not failures, severity=severity, evaluated=len(in_group), failures=failures
    )
