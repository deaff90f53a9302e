"""Runs Great Expectations 1.x suites in process, on one cached ephemeral context, over the
filings of a step at once.

Great Expectations costs seconds to import, so it is imported on the first validation only;
modules that merely describe expectations (`suites`) never import it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pandas as pd

from sec_analyzer.quality.verdicts import Severity

_DATASOURCE_NAME = "sec_analyzer_quality"
_GX_SEVERITY = {"ERROR": "critical", "WARN": "warning"}


@dataclass(frozen=True)
class ExpectationSpec:
    """One GX expectation described as plain data: `gx_type` is the class name in
    `great_expectations.expectations`, `kwargs` its arguments; `key` identifies the result."""

    key: str
    gx_type: str
    kwargs: dict[str, Any]
    severity: Severity


@dataclass(frozen=True)
class GxResult:
    success: bool
    observed_value: Any = None
    unexpected_index_list: list[int] = field(default_factory=list)
    error: str | None = None


# Expectations that judge each row on its own: run once over the filings stacked into one frame,
# they fail exactly the rows each filing would fail alone. Uniqueness within a filing runs there
# too, as uniqueness of (value, filing). The others (row counts, distinct values, a `mostly` share)
# judge a filing as a whole and run on the filing's own frame.
ROW_WISE = frozenset({
    "ExpectColumnValuesToNotBeNull", "ExpectColumnValuesToBeNull", "ExpectColumnValuesToBeBetween",
    "ExpectColumnValuesToBeInSet", "ExpectColumnValuesToNotBeInSet", "ExpectColumnValueLengthsToBeBetween",
    "ExpectColumnValuesToMatchRegex", "ExpectColumnValuesToNotMatchRegex", "ExpectColumnPairValuesToBeEqual",
    "ExpectColumnPairValuesAToBeGreaterThanB",
})
UNIQUE = "ExpectColumnValuesToBeUnique"
STACKABLE = ROW_WISE | {UNIQUE}
FILING_COLUMN = "__filing__"  # the position of a row's filing in the stacked frame


def validate_filings(frame_name: str, frames: Sequence[pd.DataFrame],
                     specs: Sequence[list[ExpectationSpec]]) -> list[dict[str, GxResult]]:
    """Validate each filing's `frames[i]` against its `specs[i]`; each filing's results keyed by
    `ExpectationSpec.key`, with row indexes into its own frame.

    A GX expectation costs about the same whatever the number of rows, so the row-wise
    expectations the filings have in common run once over all their rows, not once per filing.
    """
    shared: dict[tuple[str, str, str], list[tuple[int, ExpectationSpec]]] = {}
    own: dict[int, list[ExpectationSpec]] = {}
    for position, filing_specs in enumerate(specs):
        for spec in filing_specs:
            if spec.gx_type in STACKABLE and "mostly" not in spec.kwargs:
                signature = (spec.gx_type, json.dumps(spec.kwargs, sort_keys=True, default=str), spec.severity)
                shared.setdefault(signature, []).append((position, spec))
            else:
                own.setdefault(position, []).append(spec)
    results: list[dict[str, GxResult]] = [{} for _ in frames]
    if shared:
        starts = [0]
        for frame in frames:
            starts.append(starts[-1] + len(frame))
        pieces = [frame.reset_index(drop=True).assign(**{FILING_COLUMN: position})
                  for position, frame in enumerate(frames)]
        # An empty frame adds no rows; left in, its all-NA columns would bear on the stacked dtypes.
        stacked = pd.concat([piece for piece in pieces if len(piece)] or pieces[:1], ignore_index=True)
        groups = {f"shared{number}": members for number, members in enumerate(shared.values())}
        raw = _validate(frame_name, stacked,
                        [(name, _over_stacked(members[0][1])) for name, members in groups.items()])
        for name, members in groups.items():
            result = raw[name]
            if result.error is not None and len(members) > 1:
                # One filing's data may be what GX cannot evaluate: each filing then runs it alone,
                # so only that filing fails.
                for position, spec in members:
                    own.setdefault(position, []).append(spec)
                continue
            for position, spec in members:
                start, end = starts[position], starts[position + 1]
                rows = [index - start for index in result.unexpected_index_list if start <= index < end]
                # A row-wise expectation passes a filing exactly when none of the filing's rows failed.
                results[position][spec.key] = GxResult(success=result.error is None and not rows,
                                                       unexpected_index_list=rows, error=result.error)
    for position, filing_specs in own.items():
        results[position].update(_validate(frame_name, frames[position].reset_index(drop=True),
                                           [(spec.key, spec) for spec in filing_specs]))
    return results


def _over_stacked(spec: ExpectationSpec) -> ExpectationSpec:
    """The expectation that judges the stacked frames as `spec` judges each filing's own."""
    if spec.gx_type != UNIQUE:
        return spec
    kwargs = {key: value for key, value in spec.kwargs.items() if key != "column"}
    # Like the single-column expectation, a row without a value is not judged.
    return ExpectationSpec(spec.key, "ExpectCompoundColumnsToBeUnique",
                           {**kwargs, "column_list": [spec.kwargs["column"], FILING_COLUMN],
                            "ignore_row_if": "any_value_is_missing"}, spec.severity)


def _validate(frame_name: str, frame: pd.DataFrame, runs: list[tuple[str, ExpectationSpec]]) -> dict[str, GxResult]:
    """One GX suite run over `frame`; the results keyed by the names `runs` give the expectations."""
    gx = _great_expectations()
    import great_expectations.expectations as gxe

    expectations = [
        getattr(gxe, spec.gx_type)(**spec.kwargs, meta={"key": name}, severity=_GX_SEVERITY[spec.severity])
        for name, spec in runs
    ]
    suite = gx.ExpectationSuite(name=f"sec_analyzer_{frame_name}", expectations=expectations)
    batch = _batch_definition(frame_name).get_batch(batch_parameters={"dataframe": frame})
    validation = batch.validate(suite, result_format="COMPLETE")
    results: dict[str, GxResult] = {}
    for result in validation.results:
        details = result.result or {}
        error = _exception_message(result.exception_info or {})
        results[result.expectation_config.meta["key"]] = GxResult(
            success=bool(result.success) and error is None,
            observed_value=details.get("observed_value"),
            unexpected_index_list=[int(index) for index in details.get("unexpected_index_list") or []],
            error=error,
        )
    return results


def _exception_message(exception_info: dict[str, Any]) -> str | None:
    """The first error GX caught; it reports one flat record, or one per failed metric."""
    records = [exception_info] if "raised_exception" in exception_info else list(exception_info.values())
    for record in records:
        if isinstance(record, dict) and record.get("raised_exception"):
            return str(record.get("exception_message") or "unknown error")
    return None


def _great_expectations() -> Any:
    # Earlier 1.x releases sent usage analytics; this project never phones home.
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations

    return great_expectations


def prepare() -> None:
    """Import Great Expectations and build its context now, ahead of the first validation."""
    _context()


@cache
def _context() -> Any:
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = _great_expectations().get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.data_sources.add_pandas(_DATASOURCE_NAME)
    return context


@cache
def _batch_definition(frame_name: str) -> Any:
    datasource = _context().data_sources.get(_DATASOURCE_NAME)
    return datasource.add_dataframe_asset(frame_name).add_batch_definition_whole_dataframe("whole")
