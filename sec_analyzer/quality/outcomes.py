"""From planned checks and Great Expectations results to `CheckOutcome`s with readable evidence.

A suite plans `PlannedCheck`s (one named expectation = one or more GX expectations on one frame);
`outcome` folds their GX results into the verdict, its observed value, a description and a
sample of the failing rows, all plain JSON-able values.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sec_analyzer.quality.gx_runner import GxResult
from sec_analyzer.quality.verdicts import CheckOutcome, Severity

SAMPLE_ROWS = 5
SAMPLE_TEXT_CHARS = 160
MATCH_CONTEXT_CHARS = 40

# Marks a row check, whose observed value is its number of failing rows; a value check may well
# observe None (an unknown fiscal year), so None cannot mark it.
COUNT_FAILING_ROWS: Any = object()

# Columns a failing row is shown by, whichever frame it comes from.
SAMPLE_COLUMNS = (
    "ordinal",
    "heading",
    "text",
    "start_offset",
    "end_offset",
    "item_id",
    "status",
    "absent_reason",
    "row",
    "norm",
    "nonfinite_values",
    "texts_sharing_vector",
    "primary_category",
    "labels",
    "label_count",
    "category",
    "score",
)
TRUNCATED_COLUMNS = ("heading", "text", "labels")


@dataclass(frozen=True)
class Observation:
    """What GX saw for one check, as its description needs it."""

    passed: bool
    failing_rows: int
    total_rows: int
    value: Any


@dataclass(frozen=True)
class PlannedCheck:
    """One named expectation of a group, made of one or more GX expectations on one frame.

    Row checks observe the number of failing rows (or GX's observed value for an aggregate
    expectation) and sample them; value checks observe a document-level `value` computed in `frames`.
    """

    group: str
    name: str
    severity: Severity
    frame: str
    gx: list[tuple[str, dict[str, Any]]]
    threshold: Any
    describe: Callable[[Observation], str]
    value: Any = COUNT_FAILING_ROWS
    sample_pattern: str | None = None


def expect(gx_type: str, **kwargs: Any) -> tuple[str, dict[str, Any]]:
    """One GX expectation of a `PlannedCheck`: its class name in `great_expectations.expectations`
    and its arguments."""
    return gx_type, kwargs


def describe_rows(passed: str, failed: str) -> Callable[[Observation], str]:
    """A row check's description; `failed` may name `{failing}` and `{total}` rows."""

    def describe(seen: Observation) -> str:
        return passed if seen.passed else failed.format(failing=seen.failing_rows, total=seen.total_rows)

    return describe


def outcome(check: PlannedCheck, results: list[GxResult], frame: pd.DataFrame) -> CheckOutcome:
    errors = [result.error for result in results if result.error]
    failing_indexes = sorted({index for result in results for index in result.unexpected_index_list})
    passed = all(result.success for result in results)
    if check.value is not COUNT_FAILING_ROWS:
        observed: Any = plain(check.value)
    else:
        aggregate = [result.observed_value for result in results if result.observed_value is not None]
        observed = plain(aggregate[0]) if aggregate else len(failing_indexes)
    seen = Observation(
        passed=passed, failing_rows=len(failing_indexes), total_rows=len(frame), value=observed
    )
    description = check.describe(seen)
    if errors:
        description = f"{check.name} could not be evaluated: {errors[0]}"
    return CheckOutcome(
        group=check.group,
        expectation=check.name,
        severity=check.severity,
        passed=passed,
        observed=observed,
        threshold=check.threshold,
        description=description,
        failing_sample=[] if passed else _sample(frame, failing_indexes, check.sample_pattern),
    )


def share(seen: Observation) -> str:
    """The failing rows' share of all rows, as a percentage."""
    return f"{seen.failing_rows / seen.total_rows:.0%}" if seen.total_rows else "0%"


def plain(value: Any) -> Any:
    """A JSON-able Python value (numpy scalars and NaN become int/float/None)."""
    if value is None or value is pd.NA:
        return None
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value) if isinstance(value, (set, frozenset)) else list(value)
    return value


def _sample(frame: pd.DataFrame, indexes: list[int], pattern: str | None) -> list[dict[str, Any]]:
    rows = []
    for index in indexes[:SAMPLE_ROWS]:
        record = frame.iloc[index]
        row = {column: plain(record[column]) for column in SAMPLE_COLUMNS if column in frame.columns}
        for column in TRUNCATED_COLUMNS:
            if isinstance(row.get(column), str):
                row[column] = _truncate(row[column], SAMPLE_TEXT_CHARS)
        if pattern:
            matched = _match_excerpt(record, pattern)
            if matched:
                row["match"] = matched
        if row:
            rows.append(row)
    return rows


def _match_excerpt(record: pd.Series, pattern: str) -> str | None:
    for column in ("heading", "text", "opening", "item_1a_text"):
        value = record.get(column)
        if isinstance(value, str):
            match = re.search(pattern, value)
            if match:
                start = max(0, match.start() - MATCH_CONTEXT_CHARS)
                return value[start : match.end() + MATCH_CONTEXT_CHARS]
    return None


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
