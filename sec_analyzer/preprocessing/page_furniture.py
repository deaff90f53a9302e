"""Page furniture: what a printed page repeats around its content, and the one place its rules live.

A 10-K laid out for print carries page numbers ("12", "- 12 -", "Page 12 of 90", "F-3", "ii"),
"Table of Contents" back-links and running headers/footers ("Apple Inc. | 2024 Form 10-K | 12")
between its paragraphs. The parser classifies them as `ElementKind.PAGE_FURNITURE`
(`is_furniture_text`, `mark_running_lines`); the cleaner drops them and applies the same text
rule to blocks that did not come from the parser; the quality suite searches cleaned text for
lines the cleaner missed with `PAGE_NUMBER_LINE` and `BACK_LINK_LINE`, the same rules written
for one line of a longer text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import MutableSequence
from dataclasses import replace

from sec_analyzer.preprocessing.elements import Element, ElementKind

# Written with [ \t] rather than \s so that the line-searching versions below never span lines;
# an element's text has single spaces only, so the element rules are unaffected.
_PAGE_NUMBER = (
    r"(?:page[ \t]+)?[-–—]?[ \t]*(?:[A-Z]?-?\d{1,3}|[ivxlc]{1,7})[ \t]*[-–—]?\.?"
    r"|(?:page[ \t]+)?\d{1,3}[ \t]+of[ \t]+\d{1,3}"
)
_BACK_LINK = (
    r"(?:back[ \t]+to[ \t]+|return[ \t]+to[ \t]+)?(?:table[ \t]+of[ \t]+contents|index|contents|toc)\.?"
)

PAGE_NUMBER = re.compile(rf"^(?:{_PAGE_NUMBER})$", re.IGNORECASE)
BACK_LINK = re.compile(rf"^(?:{_BACK_LINK})$", re.IGNORECASE)
# For searching a multi-line text (the cleaned Item 1A) for a furniture line left in it.
PAGE_NUMBER_LINE = re.compile(rf"^[ \t]*(?:{_PAGE_NUMBER})[ \t]*$", re.IGNORECASE | re.MULTILINE)
BACK_LINK_LINE = re.compile(rf"^[ \t]*(?:{_BACK_LINK})[ \t]*$", re.IGNORECASE | re.MULTILINE)

RUNNING_LINE_WINDOW = 2  # blocks next to a page break that may be a running header or footer
RUNNING_LINE_MAX_CHARS = 150
RUNNING_LINE_MIN_REPEATS = 3
# A running line is on a good share of the pages; a phrase such as "Not applicable." that
# happens to end a few pages is not.
RUNNING_LINE_MIN_PAGE_SHARE = 8
_DIGITS = re.compile(r"\d+")


def is_furniture_text(text: str) -> bool:
    """A block whose whole text is a page number or a "Table of Contents" back-link."""
    return bool(PAGE_NUMBER.match(text) or BACK_LINK.match(text))


def is_furniture_row(text: str) -> bool:
    """A one-row table that is furniture: "Table of Contents | 12", or a bare page number set in a cell."""
    return "\n" not in text and (is_furniture_text(text) or bool(BACK_LINK.match(text.split(" | ", 1)[0])))


def mark_running_lines(elements: MutableSequence[Element]) -> None:
    """Mark running headers and footers as page furniture, in place.

    A running line is a short block that sits next to a page break (within two blocks of it)
    on a good share of the pages, with its digits (the page number) ignored. A document without
    page breaks has none: a short line that merely repeats ("Backlog", "Google Cloud") is a
    sub-heading, not furniture.
    """
    breaks = [element.index for element in elements if element.kind is ElementKind.PAGE_BREAK]
    if len(breaks) < RUNNING_LINE_MIN_REPEATS:
        return
    near: dict[str, list[int]] = {}
    for position in breaks:
        for step in (-1, 1):
            seen = 0
            cursor = position + step
            # Each element lies between two page breaks, so it is visited at most twice.
            while 0 <= cursor < len(elements) and seen < RUNNING_LINE_WINDOW:
                element = elements[cursor]
                if element.kind is ElementKind.PAGE_BREAK:
                    break
                if element.kind is not ElementKind.PAGE_FURNITURE:
                    seen += 1
                    if _is_running_line_candidate(element):
                        near.setdefault(_DIGITS.sub("#", element.text.lower()), []).append(cursor)
                cursor += step
    min_repeats = max(RUNNING_LINE_MIN_REPEATS, len(breaks) // RUNNING_LINE_MIN_PAGE_SHARE)
    for indexes in near.values():
        repeated = set(indexes)
        if len(repeated) < min_repeats:
            continue
        # A running header is set the same way on every page; the section heading it repeats
        # ("Item 1A. Risk Factors" atop each page) is set differently and stays a heading.
        usual = Counter(_line_style(elements[index]) for index in repeated).most_common(1)[0][0]
        for index in repeated:
            if _line_style(elements[index]) == usual:
                elements[index] = replace(elements[index], kind=ElementKind.PAGE_FURNITURE)


def _line_style(element: Element) -> tuple[bool, float | None]:
    return element.bold, element.font_size


def _is_running_line_candidate(element: Element) -> bool:
    if len(element.text) > RUNNING_LINE_MAX_CHARS:
        return False
    return element.kind is ElementKind.TEXT or (
        element.kind is ElementKind.TABLE and "\n" not in element.text
    )
