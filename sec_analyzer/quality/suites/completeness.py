"""Completeness: is everything there that the later stages need?

An Item 1A that is absent for an accepted reason (smaller reporting company, asset-backed issuer)
is not bad data: completeness reports it as a WARN, and the checks that judge the Item 1A text
(substance, coverage) do not apply to that filing (`item_1a_expected`).
"""

from __future__ import annotations

from collections.abc import Callable

from sec_analyzer.quality.frames import FilingFrames
from sec_analyzer.quality.inputs import FilingUnderTest
from sec_analyzer.quality.outcomes import Observation, PlannedCheck, expect
from sec_analyzer.quality.thresholds import QualityThresholds

GROUP = "completeness"


def item_1a_expected(frames: FilingFrames, thresholds: QualityThresholds) -> bool:
    """False when Item 1A is omitted for an accepted reason, so its text is not judged."""
    accepted = thresholds.completeness.item_1a_present_or_explained.accepted_omission_reasons
    return frames.document.iloc[0]["item_1a_state"] not in accepted


def plan(filing: FilingUnderTest, frames: FilingFrames, thresholds: QualityThresholds) -> list[PlannedCheck]:
    document = frames.document.iloc[0]
    config = thresholds.completeness
    checks = [
        PlannedCheck(
            GROUP,
            f"segment_{column}_present",
            config.segment_fields_present.severity,
            "segments",
            [expect("ExpectColumnValuesToNotBeNull", column=column)],
            "no missing values",
            _describe_missing_field(column),
        )
        for column in config.segment_fields_present.columns
    ]
    upstream_failure = document["upstream_failure"]
    checks.append(
        PlannedCheck(
            GROUP,
            "upstream_stages_succeeded",
            config.upstream_stages_succeeded.severity,
            "document",
            [expect("ExpectColumnValuesToBeNull", column="upstream_failure")],
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
            GROUP,
            "expected_items_listed",
            config.expected_items_listed.severity,
            "items",
            [expect("ExpectColumnDistinctValuesToContainSet", column="item_id", value_set=required)],
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
            GROUP,
            "items_found_or_explained",
            config.items_found_or_explained.severity,
            "items",
            [expect("ExpectColumnValuesToNotBeInSet", column="reason_if_absent", value_set=unexplained)],
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
            GROUP,
            "item_1a_present_or_explained",
            config.item_1a_present_or_explained.severity,
            "document",
            [expect("ExpectColumnValuesToBeInSet", column="item_1a_state", value_set=["found", *accepted])],
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
            GROUP,
            "item_1a_found",
            config.item_1a_found.severity,
            "document",
            [expect("ExpectColumnValuesToBeInSet", column="item_1a_state", value_set=["found"])],
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


def _describe_missing_field(column: str) -> Callable[[Observation], str]:
    def describe(seen: Observation) -> str:
        if seen.passed:
            return f"no segment lacks its {column}"
        return f"{seen.failing_rows} of {seen.total_rows} segments have no {column}"

    return describe
