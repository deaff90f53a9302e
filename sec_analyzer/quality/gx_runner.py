"""Runs Great Expectations 1.x suites in process, on one cached ephemeral context.

Great Expectations costs seconds to import, so it is imported on the first validation only;
modules that merely describe expectations (`suites`) never import it.
"""

from __future__ import annotations

import os
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


def validate_frame(frame_name: str, frame: pd.DataFrame, specs: list[ExpectationSpec]) -> dict[str, GxResult]:
    """Validate `frame` against `specs` in one GX suite run; results keyed by `ExpectationSpec.key`."""
    if not specs:
        return {}
    gx = _great_expectations()
    import great_expectations.expectations as gxe

    expectations = [
        getattr(gxe, spec.gx_type)(
            **spec.kwargs, meta={"key": spec.key}, severity=_GX_SEVERITY[spec.severity]
        )
        for spec in specs
    ]
    suite = gx.ExpectationSuite(name=f"sec_analyzer_{frame_name}", expectations=expectations)
    batch = _batch_definition(frame_name).get_batch(
        batch_parameters={"dataframe": frame.reset_index(drop=True)}
    )
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
