"""Consistency: do the segments agree with each other, with the Item 1A text and with the partition?"""

from __future__ import annotations

from typing import Any

import pandas as pd

from sec_analyzer.quality.frames import FilingFrames
from sec_analyzer.quality.inputs import FilingUnderTest
from sec_analyzer.quality.outcomes import PlannedCheck, describe_rows, expect
from sec_analyzer.quality.suites.completeness import item_1a_expected
from sec_analyzer.quality.thresholds import ExpectationSettings, QualityThresholds

GROUP = "consistency"


def plan(filing: FilingUnderTest, frames: FilingFrames, thresholds: QualityThresholds) -> list[PlannedCheck]:
    document = frames.document.iloc[0]
    config = thresholds.consistency
    text_length = int(document["item_1a_chars"])
    checks: list[PlannedCheck] = []
    if item_1a_expected(frames, thresholds):
        coverage, minimum = float(document["coverage"]), config.coverage.min_share
        checks.append(
            PlannedCheck(
                GROUP,
                "coverage",
                config.coverage.severity,
                "document",
                [expect("ExpectColumnValuesToBeBetween", column="coverage", min_value=minimum)],
                {"min_share": minimum},
                lambda seen: (
                    f"segments cover {coverage:.1%} of Item 1A"
                    + ("" if seen.passed else f"; at least {minimum:.0%} expected")
                ),
                value=round(coverage, 4),
            )
        )
    checks += [
        PlannedCheck(
            GROUP,
            "ordinals_unique",
            config.ordinals_unique.severity,
            "segments",
            [expect("ExpectColumnValuesToBeUnique", column="ordinal")],
            "unique",
            describe_rows(
                "segment ordinals are unique", "{failing} segments share an ordinal with another segment"
            ),
        ),
        PlannedCheck(
            GROUP,
            "ordinals_consecutive",
            config.ordinals_consecutive.severity,
            "segments",
            [expect("ExpectColumnPairValuesToBeEqual", column_A="ordinal", column_B="expected_ordinal")],
            "consecutive from 0 or 1",
            describe_rows(
                "segment ordinals are consecutive",
                "{failing} of {total} segments break the consecutive ordinal sequence",
            ),
        ),
        PlannedCheck(
            GROUP,
            "offsets_within_text",
            config.offsets_within_text.severity,
            "segments",
            [
                expect("ExpectColumnValuesToNotBeNull", column="start_offset"),
                expect("ExpectColumnValuesToNotBeNull", column="end_offset"),
                expect("ExpectColumnValuesToBeBetween", column="start_offset", min_value=0),
                expect("ExpectColumnValuesToBeBetween", column="end_offset", min_value=0),
                # Against the filing's own length as a column, so the filings of a step share it.
                expect("ExpectColumnPairValuesAToBeGreaterThanB", column_A="item_1a_chars",
                       column_B="end_offset", or_equal=True),
                expect("ExpectColumnValuesToBeBetween", column="span_length", min_value=1),
            ],
            {"min_offset": 0, "max_offset": text_length},
            describe_rows(
                "every segment span lies inside Item 1A",
                f"{{failing}} of {{total}} segment spans are empty or outside Item 1A (0–{text_length:,})",
            ),
        ),
        PlannedCheck(
            GROUP,
            "spans_non_overlapping",
            config.spans_non_overlapping.severity,
            "segments",
            [expect("ExpectColumnValuesToBeBetween", column="gap_to_previous", min_value=0)],
            {"min_gap": 0},
            describe_rows(
                "segment spans do not overlap", "{failing} segments start before the previous segment ends"
            ),
        ),
    ]
    checks += _document_identity(filing, document, thresholds)
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
            GROUP,
            "fiscal_year_matches_partition",
            config.fiscal_year_matches_partition.severity,
            "document",
            [
                expect(
                    "ExpectColumnPairValuesToBeEqual",
                    column_A="document_fiscal_year",
                    column_B="expected_fiscal_year",
                    ignore_row_if="either_value_is_missing",
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
        _stated(
            "fiscal_year_known",
            config.fiscal_year_known,
            "document_fiscal_year",
            fiscal_year,
            "its fiscal year",
            "no fiscal year (no dei:DocumentFiscalYearFocus)",
        ),
        PlannedCheck(
            GROUP,
            "document_type_is_10k",
            config.document_type_is_10k.severity,
            "document",
            [expect("ExpectColumnValuesToBeInSet", column="document_type", value_set=accepted_types)],
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
        _stated(
            "document_type_known",
            config.document_type_known,
            "document_type",
            document_type,
            "its type",
            "no type (no dei:DocumentType)",
        ),
    ]


def _stated(
    name: str, settings: ExpectationSettings, column: str, value: Any, stated: str, missing: str
) -> PlannedCheck:
    """The document states a value of its cover page (`column` of the document frame)."""
    return PlannedCheck(
        GROUP,
        name,
        settings.severity,
        "document",
        [expect("ExpectColumnValuesToNotBeNull", column=column)],
        "present",
        describe_rows(f"the document states {stated}", f"the document states {missing}"),
        value=value,
    )
