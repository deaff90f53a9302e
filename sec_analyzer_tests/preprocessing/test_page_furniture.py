"""The page-furniture rules in their one home, and the parser and cleaner applying them alike."""

from __future__ import annotations

import pytest

from sec_analyzer.preprocessing.cleaner import clean_item
from sec_analyzer.preprocessing.elements import Element, ElementKind
from sec_analyzer.preprocessing.page_furniture import (
    BACK_LINK_LINE,
    PAGE_NUMBER_LINE,
    is_furniture_row,
    is_furniture_text,
    mark_running_lines,
)
from sec_analyzer.preprocessing.parser import parse_html


@pytest.mark.parametrize(
    "text",
    [
        "12",
        "- 12 -",
        "—12—",
        "Page 12",
        "page 3 of 90",
        "12 of 90",
        "F-3",
        "A-12",
        "ii",
        "XIV",
        "12.",
        "Table of Contents",
        "TABLE OF CONTENTS",
        "Back to Table of Contents",
        "Return to Index",
        "Contents",
        "TOC",
    ],
)
def test_page_numbers_and_back_links_are_furniture(text: str) -> None:
    assert is_furniture_text(text)


@pytest.mark.parametrize(
    "text",
    [
        "2024",
        "Item 1A",
        "Item 7.",
        "Risk Factors",
        "1,234",
        "Table of Contents for the proxy",
        "None.",
        "PART II",
        "Index to Consolidated Financial Statements",
    ],
)
def test_words_numbers_and_headings_are_not_furniture(text: str) -> None:
    assert not is_furniture_text(text)


def test_a_one_row_table_is_furniture_when_it_is_a_back_link_or_a_page_number() -> None:
    assert is_furniture_row("Table of Contents | 12")
    assert is_furniture_row("- 7 -")
    assert not is_furniture_row("Table of Contents | 12\nItem 1A | 5")
    assert not is_furniture_row("Region | Net sales")


def test_the_line_rules_find_furniture_lines_in_a_longer_text_and_never_span_lines() -> None:
    cleaned = "A risk paragraph.\n\n  12  \n\nTable of Contents\n\nPage\n5 of the report says."
    assert [match.group().strip() for match in PAGE_NUMBER_LINE.finditer(cleaned)] == ["12"]
    assert [match.group() for match in BACK_LINK_LINE.finditer(cleaned)] == ["Table of Contents"]


BODIES = ("Demand fell.", "Costs rose.", "Rates moved.", "Suppliers failed.", "Laws changed.")


def running_document(pages: int, header: str = "Acme Corp. | 2024 Form 10-K | {n}") -> list[Element]:
    built: list[Element] = []
    for n in range(1, pages + 1):
        for kind, text in (
            (ElementKind.TEXT, BODIES[n - 1]),
            (ElementKind.TEXT, header.format(n=n)),
            (ElementKind.PAGE_BREAK, ""),
        ):
            built.append(Element(index=len(built), kind=kind, text=text))
    return built


def test_a_short_line_next_to_every_page_break_is_a_running_line_whatever_its_page_number() -> None:
    elements = running_document(5)
    mark_running_lines(elements)
    kinds = {element.text: element.kind for element in elements}
    assert kinds["Acme Corp. | 2024 Form 10-K | 4"] is ElementKind.PAGE_FURNITURE
    assert all(kinds[body] is ElementKind.TEXT for body in BODIES)


def test_without_page_breaks_a_repeated_line_is_a_sub_heading() -> None:
    elements = [
        Element(index=n, kind=ElementKind.TEXT, text="Backlog" if n % 2 else "Body.") for n in range(12)
    ]
    mark_running_lines(elements)
    assert all(element.kind is ElementKind.TEXT for element in elements)


def test_the_parser_and_the_cleaner_apply_the_same_rules() -> None:
    pages = "".join(
        f"<p>{body}</p><p>F-{n}</p><p>Acme | Annual Report</p><div style='page-break-after:always'></div>"
        for n, body in enumerate(BODIES[:4], start=1)
    )
    doc = parse_html(f"<html><body>{pages}</body></html>")
    furniture = [element.text for element in doc.elements if element.kind is ElementKind.PAGE_FURNITURE]
    assert furniture == [text for n in range(1, 5) for text in (f"F-{n}", "Acme | Annual Report")]
    page_numbers = [Element(index=n, kind=ElementKind.TEXT, text=f"F-{n}") for n in range(1, 5)]
    assert clean_item(page_numbers).text == ""
