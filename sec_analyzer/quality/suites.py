"""The four quality suites (completeness, cleanliness, substance, consistency) of one filing.

Every verdict comes from a Great Expectations expectation: row-level rules run on the segment,
item and embedding frames, document-level values (Item 1A length, coverage, fiscal year, ...)
run on a one-row document frame. GX is imported lazily by `gx_runner`, so importing this module
is cheap.

An Item 1A that is absent for an accepted reason (smaller reporting company, asset-backed issuer)
is not bad data: completeness reports it as a WARN, and the checks that judge the Item 1A text
(substance, coverage and spans) do not apply to that filing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from sec_analyzer.quality.frames import FilingFrames, QualityInputError, build_frames
from sec_analyzer.quality.gx_runner import ExpectationSpec, GxResult, validate_frame
from sec_analyzer.quality.metadata import check_metadata
from sec_analyzer.quality.model import (
    GROUPS,
    CheckOutcome,
    FilingUnderTest,
    GroupVerdict,
    Severity,
    group_verdict,
)
from sec_analyzer.quality.thresholds import (
    PatternSettings,
    QualityThresholds,
    load_thresholds,
    quality_config_dir,
)

# What the Dagster layer imports: the suites, their input and verdict types, and the metadata.
__all__ = [
    "CheckOutcome",
    "FilingUnderTest",
    "GroupVerdict",
    "check_metadata",
    "evaluate_filing",
    "group_verdict",
]

SAMPLE_ROWS = 5
SAMPLE_TEXT_CHARS = 160
MATCH_CONTEXT_CHARS = 40

# Marks a row check, whose observed value is its number of failing rows; a value check may well
# observe None (an unknown fiscal year), so None cannot mark it.
COUNT_FAILING_ROWS: Any = object()


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


@cache
def default_thresholds(directory: Path) -> QualityThresholds:
    return load_thresholds(directory)


def evaluate_filing(
    filing: FilingUnderTest,
    groups: Sequence[str] | None = None,
    thresholds: QualityThresholds | None = None,
) -> list[CheckOutcome]:
    """Run the selected groups (default: all) on one filing; one outcome per named expectation."""
    selected = _selected_groups(groups)
    thresholds = thresholds or default_thresholds(quality_config_dir())
    frames = build_frames(filing)
    checks = [check for check in plan_checks(filing, frames, thresholds) if check.group in selected]
    results: dict[str, GxResult] = {}
    for frame_name in dict.fromkeys(check.frame for check in checks):
        specs = [
            ExpectationSpec(
                key=f"{check.name}#{position}", gx_type=gx_type, kwargs=kwargs, severity=check.severity
            )
            for check in checks
            if check.frame == frame_name
            for position, (gx_type, kwargs) in enumerate(check.gx)
        ]
        results.update(validate_frame(frame_name, frames.frame(frame_name), specs))
    return [
        _outcome(
            check, [results[f"{check.name}#{n}"] for n in range(len(check.gx))], frames.frame(check.frame)
        )
        for check in checks
    ]


def _selected_groups(groups: Sequence[str] | None) -> set[str]:
    if groups is None:
        return set(GROUPS)
    if isinstance(groups, str):
        groups = [groups]
    unknown = sorted(set(groups) - set(GROUPS))
    if unknown:
        raise QualityInputError(f"unknown quality group(s) {unknown}; choose from {list(GROUPS)}")
    return set(groups)


def plan_checks(
    filing: FilingUnderTest, frames: FilingFrames, thresholds: QualityThresholds
) -> list[PlannedCheck]:
    document = frames.document.iloc[0]
    item_1a_expected = (
        document["item_1a_state"]
        not in thresholds.completeness.item_1a_present_or_explained.accepted_omission_reasons
    )
    checks = _completeness(frames, thresholds) + _cleanliness(thresholds)
    if item_1a_expected:
        checks += _substance(document, thresholds)
    checks += _consistency(filing, document, thresholds, item_1a_expected)
    return checks


def _completeness(frames: FilingFrames, thresholds: QualityThresholds) -> list[PlannedCheck]:
    document = frames.document.iloc[0]
    config = thresholds.completeness
    checks = [
        PlannedCheck(
            "completeness",
            f"segment_{column}_present",
            config.segment_fields_present.severity,
            "segments",
            [("ExpectColumnValuesToNotBeNull", {"column": column})],
            "no missing values",
            _describe_missing_field(column),
        )
        for column in config.segment_fields_present.columns
    ]
    upstream_failure = document["upstream_failure"]
    checks.append(
        PlannedCheck(
            "completeness",
            "upstream_stages_succeeded",
            config.upstream_stages_succeeded.severity,
            "document",
            [("ExpectColumnValuesToBeNull", {"column": "upstream_failure"})],
            None,
            lambda seen: (
                "every upstream stage produced its output"
                if seen.passed
                else f"an upstream stage failed: {upstream_failure}"
            ),
            value=upstream_failure,
        )
    )
    required = config.expected_items_listed.items
    listed = set(frames.items["item_id"])
    unlisted = [item for item in required if item not in listed]
    checks.append(
        PlannedCheck(
            "completeness",
            "expected_items_listed",
            config.expected_items_listed.severity,
            "items",
            [("ExpectColumnDistinctValuesToContainSet", {"column": "item_id", "value_set": required})],
            required,
            lambda seen: (
                f"the extractor lists {len(required)} expected items (found or absent)"
                if seen.passed
                else f"expected item(s) not listed by the extractor: {', '.join(unlisted)}"
            ),
            value=unlisted,
        )
    )
    unexplained = config.items_found_or_explained.unexplained_reasons
    unexplained_items = list(frames.items.loc[frames.items["reason_if_absent"].isin(unexplained), "item_id"])
    checks.append(
        PlannedCheck(
            "completeness",
            "items_found_or_explained",
            config.items_found_or_explained.severity,
            "items",
            [("ExpectColumnValuesToNotBeInSet", {"column": "reason_if_absent", "value_set": unexplained})],
            {"unexplained_reasons": unexplained},
            lambda seen: (
                "every item is found or absent with a reason"
                if seen.passed
                else f"{seen.failing_rows} item(s) are absent without an explanation "
                f"(reason missing or {', '.join(repr(r) for r in unexplained if r)}): {', '.join(unexplained_items)}"
            ),
        )
    )
    accepted = config.item_1a_present_or_explained.accepted_omission_reasons
    state = document["item_1a_state"]
    checks.append(
        PlannedCheck(
            "completeness",
            "item_1a_present_or_explained",
            config.item_1a_present_or_explained.severity,
            "document",
            [("ExpectColumnValuesToBeInSet", {"column": "item_1a_state", "value_set": ["found", *accepted]})],
            ["found", *accepted],
            lambda seen: (
                (
                    "Item 1A is found"
                    if state == "found"
                    else f"Item 1A is omitted ({state}), an accepted omission"
                )
                if seen.passed
                else f"Item 1A is missing ({state or 'no reason given'}); it must be found or omitted "
                f"for an accepted reason ({', '.join(accepted)})"
            ),
            value=state,
        )
    )
    checks.append(
        PlannedCheck(
            "completeness",
            "item_1a_found",
            config.item_1a_found.severity,
            "document",
            [("ExpectColumnValuesToBeInSet", {"column": "item_1a_state", "value_set": ["found"]})],
            "found",
            lambda seen: (
                "Item 1A is found"
                if seen.passed
                else f"Item 1A is not found ({state or 'no reason given'}): this filing yields no risk factors"
            ),
            value=state,
        )
    )
    return checks


_CLEANLINESS_TARGETS = (
    ("segment_headings", "segments", "heading", "segment headings"),
    ("segment_texts", "segments", "text", "segment texts"),
    ("item_1a_text", "document", "item_1a_text", "the Item 1A text"),
)
_CLEANLINESS_FAULTS = {
    "html_residue": "HTML tag or entity residue",
    "table_of_contents_lines": "'Table of Contents' lines",
    "page_number_lines": "bare page-number lines",
    "control_characters": "control characters, U+FFFD or broken surrogates",
}


def _cleanliness(thresholds: QualityThresholds) -> list[PlannedCheck]:
    checks = []
    for fault, label in _CLEANLINESS_FAULTS.items():
        settings: PatternSettings = getattr(thresholds.cleanliness, fault)
        for target, frame, column, where in _CLEANLINESS_TARGETS:
            checks.append(
                PlannedCheck(
                    "cleanliness",
                    f"no_{fault}_in_{target}",
                    settings.severity,
                    frame,
                    [("ExpectColumnValuesToNotMatchRegex", {"column": column, "regex": settings.pattern})],
                    {"pattern": settings.pattern},
                    _describe_residue(label, where, per_row=frame != "document"),
                    sample_pattern=settings.pattern,
                )
            )
    return checks


def _describe_missing_field(column: str) -> Callable[[Observation], str]:
    def describe(seen: Observation) -> str:
        if seen.passed:
            return f"no segment lacks its {column}"
        return f"{seen.failing_rows} of {seen.total_rows} segments have no {column}"

    return describe


def _describe_residue(label: str, where: str, per_row: bool) -> Callable[[Observation], str]:
    def describe(seen: Observation) -> str:
        if seen.passed:
            return f"no {label} in {where}"
        if per_row:
            return f"{seen.failing_rows} of {seen.total_rows} {where} contain {label}"
        return f"{label} in {where}"

    return describe


def _substance(document: pd.Series, thresholds: QualityThresholds) -> list[PlannedCheck]:
    config = thresholds.substance
    length = config.item_1a_length
    chars = int(document["item_1a_chars"])
    count_settings = config.segment_count
    count = int(document["segment_count"])
    boilerplate = config.boilerplate_share
    duplicates = config.duplicate_texts
    return [
        PlannedCheck(
            "substance",
            "item_1a_length",
            length.severity,
            "document",
            [
                (
                    "ExpectColumnValuesToBeBetween",
                    {"column": "item_1a_chars", "min_value": length.min_chars, "max_value": length.max_chars},
                )
            ],
            {"min_chars": length.min_chars, "max_chars": length.max_chars},
            lambda seen: (
                f"Item 1A is {chars:,} characters"
                + (
                    f" (within {length.min_chars:,}–{length.max_chars:,})"
                    if seen.passed
                    else f"; at least {length.min_chars:,} expected"
                    if chars < length.min_chars
                    else f"; at most {length.max_chars:,} expected"
                )
            ),
            value=chars,
        ),
        PlannedCheck(
            "substance",
            "segment_count",
            count_settings.severity,
            "segments",
            [
                (
                    "ExpectTableRowCountToBeBetween",
                    {
                        "min_value": count_settings.min_segments,
                        "max_value": count_settings.max_segments,
                    },
                )
            ],
            {"min_segments": count_settings.min_segments, "max_segments": count_settings.max_segments},
            lambda seen: (
                f"{count} risk-factor segments"
                + (
                    f" (within {count_settings.min_segments}–{count_settings.max_segments})"
                    if seen.passed
                    else f"; at least {count_settings.min_segments} expected"
                    if count < count_settings.min_segments
                    else f"; at most {count_settings.max_segments} expected"
                )
            ),
            value=count,
        ),
        PlannedCheck(
            "substance",
            "segment_min_length",
            config.segment_min_length.severity,
            "segments",
            [
                (
                    "ExpectColumnValueLengthsToBeBetween",
                    {"column": "text", "min_value": config.segment_min_length.min_chars},
                )
            ],
            {"min_chars": config.segment_min_length.min_chars},
            lambda seen: (
                f"every segment has at least {config.segment_min_length.min_chars} characters"
                if seen.passed
                else f"{seen.failing_rows} of {seen.total_rows} segments are shorter than "
                f"{config.segment_min_length.min_chars} characters (less than a sentence)"
            ),
        ),
        PlannedCheck(
            "substance",
            "segment_max_length",
            config.segment_max_length.severity,
            "segments",
            [
                (
                    "ExpectColumnValueLengthsToBeBetween",
                    {"column": "text", "max_value": config.segment_max_length.max_chars},
                )
            ],
            {"max_chars": config.segment_max_length.max_chars},
            lambda seen: (
                f"no segment exceeds {config.segment_max_length.max_chars:,} characters"
                if seen.passed
                else f"{seen.failing_rows} of {seen.total_rows} segments exceed "
                f"{config.segment_max_length.max_chars:,} characters (missed headings?)"
            ),
        ),
        PlannedCheck(
            "substance",
            "boilerplate_share",
            boilerplate.severity,
            "segments",
            [
                (
                    "ExpectColumnValuesToNotMatchRegex",
                    {"column": "opening", "regex": boilerplate.pattern, "mostly": 1 - boilerplate.max_share},
                )
            ],
            {"max_share": boilerplate.max_share},
            lambda seen: (
                f"{_share(seen)} of segments are boilerplate (at most {boilerplate.max_share:.0%} allowed)"
            ),
            sample_pattern=boilerplate.pattern,
        ),
        PlannedCheck(
            "substance",
            "duplicate_texts",
            duplicates.severity,
            "segments",
            [("ExpectColumnValuesToBeUnique", {"column": "text_key", "mostly": 1 - duplicates.max_share})],
            {"max_share": duplicates.max_share},
            lambda seen: (
                f"{_share(seen)} of segments repeat another segment's text "
                f"(at most {duplicates.max_share:.0%} allowed)"
            ),
        ),
    ]


def _consistency(
    filing: FilingUnderTest, document: pd.Series, thresholds: QualityThresholds, item_1a_expected: bool
) -> list[PlannedCheck]:
    config = thresholds.consistency
    text_length = int(document["item_1a_chars"])
    checks: list[PlannedCheck] = []
    if item_1a_expected:
        coverage = float(document["coverage"])
        checks.append(
            PlannedCheck(
                "consistency",
                "coverage",
                config.coverage.severity,
                "document",
                [
                    (
                        "ExpectColumnValuesToBeBetween",
                        {"column": "coverage", "min_value": config.coverage.min_share},
                    )
                ],
                {"min_share": config.coverage.min_share},
                lambda seen: (
                    f"segments cover {coverage:.1%} of Item 1A"
                    + ("" if seen.passed else f"; at least {config.coverage.min_share:.0%} expected")
                ),
                value=round(coverage, 4),
            )
        )
    checks += [
        PlannedCheck(
            "consistency",
            "ordinals_unique",
            config.ordinals_unique.severity,
            "segments",
            [("ExpectColumnValuesToBeUnique", {"column": "ordinal"})],
            "unique",
            lambda seen: (
                "segment ordinals are unique"
                if seen.passed
                else f"{seen.failing_rows} segments share an ordinal with another segment"
            ),
        ),
        PlannedCheck(
            "consistency",
            "ordinals_consecutive",
            config.ordinals_consecutive.severity,
            "segments",
            [("ExpectColumnPairValuesToBeEqual", {"column_A": "ordinal", "column_B": "expected_ordinal"})],
            "consecutive from 0 or 1",
            lambda seen: (
                "segment ordinals are consecutive"
                if seen.passed
                else f"{seen.failing_rows} of {seen.total_rows} segments break the consecutive ordinal sequence"
            ),
        ),
        PlannedCheck(
            "consistency",
            "offsets_within_text",
            config.offsets_within_text.severity,
            "segments",
            [
                ("ExpectColumnValuesToNotBeNull", {"column": "start_offset"}),
                ("ExpectColumnValuesToNotBeNull", {"column": "end_offset"}),
                (
                    "ExpectColumnValuesToBeBetween",
                    {"column": "start_offset", "min_value": 0, "max_value": text_length},
                ),
                (
                    "ExpectColumnValuesToBeBetween",
                    {"column": "end_offset", "min_value": 0, "max_value": text_length},
                ),
                ("ExpectColumnValuesToBeBetween", {"column": "span_length", "min_value": 1}),
            ],
            {"min_offset": 0, "max_offset": text_length},
            lambda seen: (
                "every segment span lies inside Item 1A"
                if seen.passed
                else f"{seen.failing_rows} of {seen.total_rows} segment spans are empty or outside "
                f"Item 1A (0–{text_length:,})"
            ),
        ),
        PlannedCheck(
            "consistency",
            "spans_non_overlapping",
            config.spans_non_overlapping.severity,
            "segments",
            [("ExpectColumnValuesToBeBetween", {"column": "gap_to_previous", "min_value": 0})],
            {"min_gap": 0},
            lambda seen: (
                "segment spans do not overlap"
                if seen.passed
                else f"{seen.failing_rows} segments start before the previous segment ends"
            ),
        ),
    ]
    checks += _document_identity(filing, document, thresholds)
    if filing.embeddings is not None:
        checks += _embedding_checks(filing, document, thresholds)
    return checks


def _document_identity(
    filing: FilingUnderTest, document: pd.Series, thresholds: QualityThresholds
) -> list[PlannedCheck]:
    config = thresholds.consistency
    fiscal_year = filing.document_fiscal_year
    document_type = document["document_type"]
    accepted_types = [kind.upper() for kind in config.document_type_is_10k.accepted_types]
    return [
        # GX skips missing values, so an unknown year passes here and fails `fiscal_year_known`.
        PlannedCheck(
            "consistency",
            "fiscal_year_matches_partition",
            config.fiscal_year_matches_partition.severity,
            "document",
            [
                (
                    "ExpectColumnPairValuesToBeEqual",
                    {
                        "column_A": "document_fiscal_year",
                        "column_B": "expected_fiscal_year",
                        "ignore_row_if": "either_value_is_missing",
                    },
                )
            ],
            filing.expected_fiscal_year,
            lambda seen: (
                f"the document's fiscal year {fiscal_year} "
                + (
                    f"matches partition {filing.partition_key}"
                    if seen.passed
                    else f"does not match partition {filing.partition_key} (fiscal year {filing.expected_fiscal_year})"
                )
                if fiscal_year is not None
                else "the document states no fiscal year to compare"
            ),
            value=fiscal_year,
        ),
        PlannedCheck(
            "consistency",
            "fiscal_year_known",
            config.fiscal_year_known.severity,
            "document",
            [("ExpectColumnValuesToNotBeNull", {"column": "document_fiscal_year"})],
            "present",
            lambda seen: (
                "the document states its fiscal year"
                if seen.passed
                else "the document states no fiscal year (no dei:DocumentFiscalYearFocus)"
            ),
            value=fiscal_year,
        ),
        PlannedCheck(
            "consistency",
            "document_type_is_10k",
            config.document_type_is_10k.severity,
            "document",
            [("ExpectColumnValuesToBeInSet", {"column": "document_type", "value_set": accepted_types})],
            accepted_types,
            lambda seen: (
                f"the document is a {document_type}"
                if seen.passed and document_type is not None
                else "the document states no type to compare"
                if seen.passed
                else f"the document is a {document_type}, not a 10-K ({', '.join(accepted_types)})"
            ),
            value=document_type,
        ),
        PlannedCheck(
            "consistency",
            "document_type_known",
            config.document_type_known.severity,
            "document",
            [("ExpectColumnValuesToNotBeNull", {"column": "document_type"})],
            "present",
            lambda seen: (
                "the document states its type"
                if seen.passed
                else "the document states no type (no dei:DocumentType)"
            ),
            value=document_type,
        ),
    ]


def _embedding_checks(
    filing: FilingUnderTest, document: pd.Series, thresholds: QualityThresholds
) -> list[PlannedCheck]:
    config = thresholds.consistency
    expected_dimension = filing.embedding_dimension or config.embedding_dimension.expected_dimension
    dimension = int(document["embedding_dimension"])
    rows = int(document["embedding_rows"])
    segments = int(document["segment_count"])
    tolerance = config.embedding_unit_norm.tolerance
    return [
        PlannedCheck(
            "consistency",
            "embedding_rows_match_segments",
            config.embedding_rows_match_segments.severity,
            "document",
            [
                (
                    "ExpectColumnPairValuesToBeEqual",
                    {"column_A": "embedding_rows", "column_B": "segment_count"},
                )
            ],
            segments,
            lambda seen: (
                f"{rows} embeddings for {segments} segments"
                + ("" if seen.passed else "; one per segment expected")
            ),
            value=rows,
        ),
        PlannedCheck(
            "consistency",
            "embedding_dimension",
            config.embedding_dimension.severity,
            "document",
            [
                (
                    "ExpectColumnValuesToBeInSet",
                    {"column": "embedding_dimension", "value_set": [expected_dimension]},
                )
            ],
            expected_dimension,
            lambda seen: (
                f"embeddings have {dimension} dimensions"
                + ("" if seen.passed else f"; the model's dimension is {expected_dimension}")
            ),
            value=dimension,
        ),
        PlannedCheck(
            "consistency",
            "embedding_unit_norm",
            config.embedding_unit_norm.severity,
            "embeddings",
            [
                (
                    "ExpectColumnValuesToBeBetween",
                    {"column": "norm", "min_value": 1 - tolerance, "max_value": 1 + tolerance},
                )
            ],
            {"norm": 1.0, "tolerance": tolerance},
            lambda seen: (
                "every embedding has unit norm"
                if seen.passed
                else f"{seen.failing_rows} of {seen.total_rows} embeddings are not unit-norm (±{tolerance})"
            ),
        ),
    ]


def _outcome(check: PlannedCheck, results: list[GxResult], frame: pd.DataFrame) -> CheckOutcome:
    errors = [result.error for result in results if result.error]
    failing_indexes = sorted({index for result in results for index in result.unexpected_index_list})
    passed = all(result.success for result in results)
    total_rows = len(frame)
    if check.value is not COUNT_FAILING_ROWS:
        observed: Any = _plain(check.value)
    else:
        aggregate = [result.observed_value for result in results if result.observed_value is not None]
        observed = _plain(aggregate[0]) if aggregate else len(failing_indexes)
    seen = Observation(
        passed=passed, failing_rows=len(failing_indexes), total_rows=total_rows, value=observed
    )
    description = check.describe(seen)
    if errors:
        description = f"{check.name} could not be evaluated: {errors[0]}"
    sample = [] if passed else _sample(frame, failing_indexes, check.sample_pattern)
    return CheckOutcome(
        group=check.group,
        expectation=check.name,
        severity=check.severity,
        passed=passed,
        observed=observed,
        threshold=check.threshold,
        description=description,
        failing_sample=sample,
    )


_SAMPLE_COLUMNS = (
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
)


def _sample(frame: pd.DataFrame, indexes: list[int], pattern: str | None) -> list[dict[str, Any]]:
    rows = []
    for index in indexes[:SAMPLE_ROWS]:
        record = frame.iloc[index]
        row = {column: _plain(record[column]) for column in _SAMPLE_COLUMNS if column in frame.columns}
        for column in ("heading", "text"):
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


def _share(seen: Observation) -> str:
    return f"{seen.failing_rows / seen.total_rows:.0%}" if seen.total_rows else "0%"


def _plain(value: Any) -> Any:
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
