"""Bad filings made from a real one, for fault-injection tests of the whole pipeline."""

from __future__ import annotations

import random
import re

from sec_analyzer.preprocessing.items import extract_items
from sec_analyzer.preprocessing.parser import parse_html


def item_1a_html_span(html: str) -> tuple[int, int]:
    item = extract_items(parse_html(html)).items["1A"]
    start, end = item.html_span  # type: ignore[union-attr]
    return start, end


def truncated(html: str) -> bytes:
    """The first third of the document: the download of a killed transfer."""
    return html[: len(html) // 3].encode()


def without_item_1a(html: str) -> bytes:
    start, end = item_1a_html_span(html)
    return (html[:start] + html[end:]).encode()


def risk_section_replaced_by_toc(html: str) -> bytes:
    start, end = item_1a_html_span(html)
    toc_rows = "".join(
        f"<tr><td>Item {item}.</td><td>{title}</td><td>{page}</td></tr>"
        for item, title, page in [("1", "Business", 1), ("1A", "Risk Factors", 5), ("1B", "Unresolved Staff Comments", 17),
                                  ("2", "Properties", 18), ("3", "Legal Proceedings", 18), ("7", "Management's Discussion", 21)]
    )
    fake = f'<div><span style="font-weight:700">Item 1A.    Risk Factors</span></div><table>{toc_rows}</table>'
    return (html[:start] + fake + html[end:]).encode()


def quarterly_report(html: str) -> bytes:
    """The same document declaring itself a 10-Q, as a mislabelled submission would."""
    html = re.sub(r'(<ix:nonNumeric[^>]*name="dei:DocumentType"[^>]*>)\s*10-K', r"\g<1>10-Q", html)
    html = html.replace("FORM 10-K", "FORM 10-Q").replace("ANNUAL REPORT PURSUANT", "QUARTERLY REPORT PURSUANT")
    return html.encode()


def binary_garbage() -> bytes:
    return random.Random(7).randbytes(300_000)
