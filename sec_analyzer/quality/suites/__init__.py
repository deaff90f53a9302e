"""The quality suites of one filing, one module per group.

Every verdict comes from a Great Expectations expectation: row-level rules run on the segment,
item, embedding, classification and label frames, document-level values (Item 1A length,
coverage, fiscal year, ...) run on a one-row document frame. GX is imported lazily by
`gx_runner`, so importing this package is cheap.

The text groups judge `risk_segments`; the model-output groups (vectors, classification) run only
when asked for, by the gate that judges the model's outputs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sec_analyzer.quality.frames import FilingFrames, QualityInputError, build_frames
from sec_analyzer.quality.gx_runner import ExpectationSpec, GxResult, validate_filings
from sec_analyzer.quality.inputs import FilingUnderTest
from sec_analyzer.quality.outcomes import PlannedCheck, outcome
from sec_analyzer.quality.suites import (
    classification,
    cleanliness,
    completeness,
    consistency,
    substance,
    vectors,
)
from sec_analyzer.quality.thresholds import QualityThresholds, load_thresholds, quality_config_dir
from sec_analyzer.quality.verdicts import GATES, QUALITY_GROUPS, TEXT_GATE, CheckOutcome

Planner = Callable[[FilingUnderTest, FilingFrames, QualityThresholds], list[PlannedCheck]]

# One suite module per quality group, in the order of `QUALITY_GROUPS`.
PLANNERS: dict[str, Planner] = {
    suite.GROUP: suite.plan
    for suite in (completeness, cleanliness, substance, consistency, vectors, classification)
}


@cache
def default_thresholds(directory: Path) -> QualityThresholds:
    return load_thresholds(directory)


@dataclass(frozen=True)
class PlannedFiling:
    """A filing's frames and the checks its selected groups plan on them, ready to validate."""

    frames: FilingFrames
    checks: list[PlannedCheck]


def plan_filing(
    filing: FilingUnderTest,
    groups: Sequence[str] | None = None,
    thresholds: QualityThresholds | None = None,
) -> PlannedFiling:
    """Frames and checks of the selected groups (default: the text gate's); a filing whose data has
    not the agreed shape, or lacks a frame a check reads, raises `QualityInputError` here."""
    selected = _selected_groups(groups)
    frames = build_frames(filing)
    checks = plan_checks(filing, frames, thresholds or default_thresholds(quality_config_dir()), selected)
    for frame_name in {check.frame for check in checks}:
        frames.frame(frame_name)
    return PlannedFiling(frames, checks)


def evaluate_planned(filings: Sequence[PlannedFiling]) -> list[list[CheckOutcome]]:
    """One outcome per named expectation of each filing, the filings validated together."""
    results: list[dict[str, GxResult]] = [{} for _ in filings]
    for frame_name in dict.fromkeys(check.frame for filing in filings for check in filing.checks):
        members = [position for position, filing in enumerate(filings)
                   if any(check.frame == frame_name for check in filing.checks)]
        validated = validate_filings(
            frame_name,
            [filings[position].frames.frame(frame_name) for position in members],
            [_specs(filings[position].checks, frame_name) for position in members],
        )
        for position, filing_results in zip(members, validated, strict=True):
            results[position].update(filing_results)
    return [
        [
            outcome(check, [results[position][f"{check.name}#{n}"] for n in range(len(check.gx))],
                    filing.frames.frame(check.frame))
            for check in filing.checks
        ]
        for position, filing in enumerate(filings)
    ]


def evaluate_filing(
    filing: FilingUnderTest,
    groups: Sequence[str] | None = None,
    thresholds: QualityThresholds | None = None,
) -> list[CheckOutcome]:
    """Run the selected groups (default: the text gate's) on one filing; one outcome per named expectation."""
    return evaluate_planned([plan_filing(filing, groups, thresholds)])[0]


def _specs(checks: list[PlannedCheck], frame_name: str) -> list[ExpectationSpec]:
    return [
        ExpectationSpec(key=f"{check.name}#{position}", gx_type=gx_type, kwargs=kwargs, severity=check.severity)
        for check in checks
        if check.frame == frame_name
        for position, (gx_type, kwargs) in enumerate(check.gx)
    ]


def plan_checks(
    filing: FilingUnderTest, frames: FilingFrames, thresholds: QualityThresholds, groups: Sequence[str]
) -> list[PlannedCheck]:
    """The checks of `groups`, in the order the groups are read."""
    return [
        check
        for group in QUALITY_GROUPS
        if group in groups
        for check in PLANNERS[group](filing, frames, thresholds)
    ]


def _selected_groups(groups: Sequence[str] | None) -> tuple[str, ...]:
    if groups is None:
        return GATES[TEXT_GATE]
    if isinstance(groups, str):
        groups = [groups]
    unknown = sorted(set(groups) - set(QUALITY_GROUPS))
    if unknown:
        raise QualityInputError(f"unknown quality group(s) {unknown}; choose from {list(QUALITY_GROUPS)}")
    return tuple(groups)
