"""The suites on real Item 1A text from the shared corpus (a crude extraction, made in the test).

The crude extraction keeps page furniture; the suites must catch exactly that, and pass the same
text once the furniture is dropped: real prose must not trip the HTML, control-character,
boilerplate or length rules.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from lxml import html

from sec_analyzer.quality.inputs import FilingUnderTest
from sec_analyzer.quality.suites import evaluate_filing
from sec_analyzer_tests.quality.filings import item_rows

BLOCK_TAGS = {"p", "div", "li", "td", "tr", "h1", "h2", "h3", "h4", "table", "br"}
FURNITURE = re.compile(r"^(?:\d{1,3}|Table of Contents)$")


def visible_lines(path: Path) -> list[str]:
    tree = html.parse(str(path))
    for hidden in tree.xpath(
        "//*[local-name()='header' or local-name()='hidden' or self::script or self::style]"
    ):
        hidden.getparent().remove(hidden)
    for element in tree.iter():
        if isinstance(element.tag, str) and element.tag.split("}")[-1] in BLOCK_TAGS:
            element.tail = "\n" + (element.tail or "")
    text = tree.getroot().text_content().replace("\xa0", " ")
    return [re.sub(r"\s+", " ", line).strip() for line in text.split("\n") if line.strip()]


def crude_item_1a(lines: list[str]) -> list[str]:
    """The longest run of lines from an `Item 1A` heading to the next `Item 1B` heading."""
    starts = [n for n, line in enumerate(lines) if re.match(r"(?i)^item\s*1a\.?(\s|$)", line)]
    ends = [n for n, line in enumerate(lines) if re.match(r"(?i)^item\s*1b\.?(\s|$)", line)]
    spans = [(start, min((end for end in ends if end > start), default=start)) for start in starts]
    start, end = max(spans, key=lambda span: span[1] - span[0])
    return lines[start + 1 : end]


def crude_filing(lines: list[str], ticker: str) -> FilingUnderTest:
    """Paragraphs become segments; short unpunctuated lines are headings of what follows."""
    text = ""
    rows: list[dict[str, object]] = []
    heading = ""
    for line in lines:
        start = len(text)
        text += line + "\n\n"
        if len(line) < 80 or (len(line) < 200 and not line.endswith((".", ":"))):
            heading = line
            continue
        rows.append(
            {
                "ordinal": len(rows) + 1,
                "heading": heading,
                "category": None,
                "text": line,
                "start_offset": start,
                "end_offset": start + len(line),
                "is_general_risk": False,
            }
        )
    return FilingUnderTest(
        partition_key=f"{ticker}-2024",
        expected_fiscal_year=2024,
        document_fiscal_year=2024,
        document_type="10-K",
        items=item_rows(),
        item_1a_text=text.rstrip("\n"),
        segments=pd.DataFrame(rows),
    )


def primary_document(corpus_dir: Path, ticker: str) -> Path:
    documents = sorted((corpus_dir / "10-K" / ticker).glob("*/primary-document.html"))
    assert documents, f"the shared corpus has no 10-K of {ticker}"
    return documents[-1]


@pytest.mark.parametrize(
    ("ticker", "furniture_expectation"),
    [
        ("TSLA", "no_table_of_contents_lines_in_segment_headings"),
        ("KO", "no_page_number_lines_in_segment_headings"),
    ],
)
def test_real_item_1a_passes_once_clean_and_furniture_is_caught(
    corpus_dir: Path, ticker: str, furniture_expectation: str
) -> None:
    lines = crude_item_1a(visible_lines(primary_document(corpus_dir, ticker)))

    raw = evaluate_filing(crude_filing(lines, ticker))
    raw_failures = {outcome.expectation for outcome in raw if not outcome.passed}
    assert furniture_expectation in raw_failures
    assert all(outcome.severity == "WARN" for outcome in raw if not outcome.passed)

    clean = evaluate_filing(crude_filing([line for line in lines if not FURNITURE.match(line)], ticker))
    assert [(o.expectation, o.description) for o in clean if not o.passed] == []
