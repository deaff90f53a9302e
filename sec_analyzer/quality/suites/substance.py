"""Substance: is there enough real risk-factor text to analyse, split into plausible pieces?

Applied only when Item 1A is expected (not an accepted omission, see `completeness`).
"""

from __future__ import annotations

from collections.abc import Callable

from sec_analyzer.quality.frames import FilingFrames
from sec_analyzer.quality.inputs import FilingUnderTest
from sec_analyzer.quality.outcomes import Observation, PlannedCheck, describe_rows, expect, share
from sec_analyzer.quality.suites.completeness import item_1a_expected
from sec_analyzer.quality.thresholds import QualityThresholds

GROUP = "substance"


def plan(filing: FilingUnderTest, frames: FilingFrames, thresholds: QualityThresholds) -> list[PlannedCheck]:
    if not item_1a_expected(frames, thresholds):
        return []
    document = frames.document.iloc[0]
    config = thresholds.substance
    length, count = config.item_1a_length, config.segment_count
    chars, segments = int(document["item_1a_chars"]), int(document["segment_count"])
    shortest, longest = config.segment_min_length, config.segment_max_length
    boilerplate, duplicates = config.boilerplate_share, config.duplicate_texts
    return [
        PlannedCheck(
            GROUP,
            "item_1a_length",
            length.severity,
            "document",
            [
                expect(
                    "ExpectColumnValuesToBeBetween",
                    column="item_1a_chars",
                    min_value=length.min_chars,
                    max_value=length.max_chars,
                )
            ],
            {"min_chars": length.min_chars, "max_chars": length.max_chars},
            _against_range(f"Item 1A is {chars:,} characters", chars, length.min_chars, length.max_chars),
            value=chars,
        ),
        PlannedCheck(
            GROUP,
            "segment_count",
            count.severity,
            "document",
            [
                expect(
                    "ExpectColumnValuesToBeBetween",
                    column="segment_count",
                    min_value=count.min_segments,
                    max_value=count.max_segments,
                )
            ],
            {"min_segments": count.min_segments, "max_segments": count.max_segments},
            _against_range(
                f"{segments} risk-factor segments", segments, count.min_segments, count.max_segments
            ),
            value=segments,
        ),
        PlannedCheck(
            GROUP,
            "segment_min_length",
            shortest.severity,
            "segments",
            [expect("ExpectColumnValueLengthsToBeBetween", column="text", min_value=shortest.min_chars)],
            {"min_chars": shortest.min_chars},
            describe_rows(
                f"every segment has at least {shortest.min_chars} characters",
                f"{{failing}} of {{total}} segments are shorter than {shortest.min_chars} characters "
                "(less than a sentence)",
            ),
        ),
        PlannedCheck(
            GROUP,
            "segment_max_length",
            longest.severity,
            "segments",
            [expect("ExpectColumnValueLengthsToBeBetween", column="text", max_value=longest.max_chars)],
            {"max_chars": longest.max_chars},
            describe_rows(
                f"no segment exceeds {longest.max_chars:,} characters",
                f"{{failing}} of {{total}} segments exceed {longest.max_chars:,} characters (missed headings?)",
            ),
        ),
        PlannedCheck(
            GROUP,
            "boilerplate_share",
            boilerplate.severity,
            "segments",
            [
                expect(
                    "ExpectColumnValuesToNotMatchRegex",
                    column="opening",
                    regex=boilerplate.pattern,
                    mostly=1 - boilerplate.max_share,
                )
            ],
            {"max_share": boilerplate.max_share},
            lambda seen: (
                f"{share(seen)} of segments are boilerplate (at most {boilerplate.max_share:.0%} allowed)"
            ),
            sample_pattern=boilerplate.pattern,
        ),
        PlannedCheck(
            GROUP,
            "duplicate_texts",
            duplicates.severity,
            "segments",
            [expect("ExpectColumnValuesToBeUnique", column="text_key", mostly=1 - duplicates.max_share)],
            {"max_share": duplicates.max_share},
            lambda seen: (
                f"{share(seen)} of segments repeat another segment's text "
                f"(at most {duplicates.max_share:.0%} allowed)"
            ),
        ),
    ]


def _against_range(stated: str, value: int, minimum: int, maximum: int) -> Callable[[Observation], str]:
    """`stated` (which shows the value) and where the value stands against [minimum, maximum]."""

    def describe(seen: Observation) -> str:
        if seen.passed:
            return f"{stated} (within {minimum:,}–{maximum:,})"
        if value < minimum:
            return f"{stated}; at least {minimum:,} expected"
        return f"{stated}; at most {maximum:,} expected"

    return describe
