"""Cleanliness: no residue of HTML, page furniture or broken decoding in headings, segment texts
and the cleaned Item 1A text.

The page-number and back-link rules are the ones the parser and the cleaner apply
(`preprocessing.page_furniture`), written for one line of a longer text: what this suite flags is
exactly what those stages should have dropped. Only their severities are configured here.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from sec_analyzer.preprocessing.page_furniture import BACK_LINK_LINE, PAGE_NUMBER_LINE
from sec_analyzer.quality.frames import FilingFrames
from sec_analyzer.quality.inputs import FilingUnderTest
from sec_analyzer.quality.outcomes import Observation, PlannedCheck, expect
from sec_analyzer.quality.thresholds import (
    ExpectationSettings,
    PatternSettings,
    QualityConfigError,
    QualityThresholds,
)

GROUP = "cleanliness"

TARGETS = (
    ("segment_headings", "segments", "heading", "segment headings"),
    ("segment_texts", "segments", "text", "segment texts"),
    ("item_1a_text", "document", "item_1a_text", "the Item 1A text"),
)
FAULTS = {
    "html_residue": "HTML tag or entity residue",
    "table_of_contents_lines": "'Table of Contents' lines",
    "page_number_lines": "bare page-number lines",
    "control_characters": "control characters, U+FFFD or broken surrogates",
}

FURNITURE_RULES = {"table_of_contents_lines": BACK_LINK_LINE, "page_number_lines": PAGE_NUMBER_LINE}
_INLINE_FLAGS = {re.IGNORECASE: "i", re.MULTILINE: "m", re.DOTALL: "s", re.VERBOSE: "x"}


def inline_pattern(rule: re.Pattern[str]) -> str:
    """A compiled rule as one regular expression with its flags inline, as GX takes it."""
    flags = "".join(letter for flag, letter in _INLINE_FLAGS.items() if rule.flags & flag)
    return f"(?{flags}){rule.pattern}" if flags else rule.pattern


def plan(filing: FilingUnderTest, frames: FilingFrames, thresholds: QualityThresholds) -> list[PlannedCheck]:
    checks = []
    for fault, label in FAULTS.items():
        settings: ExpectationSettings = getattr(thresholds.cleanliness, fault)
        pattern = _pattern(fault, settings)
        for target, frame, column, where in TARGETS:
            checks.append(
                PlannedCheck(
                    GROUP,
                    f"no_{fault}_in_{target}",
                    settings.severity,
                    frame,
                    [expect("ExpectColumnValuesToNotMatchRegex", column=column, regex=pattern)],
                    {"pattern": pattern},
                    _describe_residue(label, where, per_row=frame != "document"),
                    sample_pattern=pattern,
                )
            )
    return checks


def _pattern(fault: str, settings: ExpectationSettings) -> str:
    rule = FURNITURE_RULES.get(fault)
    if rule is not None:
        return inline_pattern(rule)
    if not isinstance(settings, PatternSettings):
        raise QualityConfigError(f"cleanliness.yaml must give {fault} a pattern")
    return settings.pattern


def _describe_residue(label: str, where: str, per_row: bool) -> Callable[[Observation], str]:
    def describe(seen: Observation) -> str:
        if seen.passed:
            return f"no {label} in {where}"
        if per_row:
            return f"{seen.failing_rows} of {seen.total_rows} {where} contain {label}"
        return f"{label} in {where}"

    return describe
