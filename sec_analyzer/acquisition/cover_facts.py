"""What a downloaded 10-K's inline-XBRL cover says about itself, read from the raw bytes.

`dei:DocumentFiscalYearFocus` (the fiscal year), `dei:DocumentPeriodEndDate` (the last day of
that year) and `dei:DocumentType` (10-K, 10-K/A, 10-KT ...) are found with a byte-level scan of
the `ix:nonNumeric` elements, so reading them costs milliseconds even on a 4 MB document and
never builds a DOM. Which fiscal year those facts mean is `sec_analyzer.fiscal_year`'s rule.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date

from sec_analyzer.fiscal_year import fiscal_year_of, parse_cover_date, parse_cover_year

_DEI_OPEN_TAG = re.compile(
    rb"<ix:nonnumeric\b[^>]*?\bname\s*=\s*[\"']dei:(?P<name>DocumentFiscalYearFocus|DocumentPeriodEndDate|DocumentType)[\"'][^>]*>",
    re.IGNORECASE,
)
_NON_NUMERIC_BOUNDARY = re.compile(rb"<(?P<closing>/?)ix:nonnumeric\b[^>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class CoverFacts:
    """The DEI cover facts of one document; any of them may be absent."""

    stated_fiscal_year: int | None
    period_end: date | None
    document_type: str | None

    @property
    def fiscal_year(self) -> int | None:
        return fiscal_year_of(self.stated_fiscal_year, self.period_end)


def cover_facts_from_document(document: bytes | str) -> CoverFacts | None:
    """The DEI cover facts of an inline-XBRL document, or None when it carries none of them."""
    content = document.encode("utf-8", errors="replace") if isinstance(document, str) else document
    texts: dict[str, str] = {}
    for match in _DEI_OPEN_TAG.finditer(content):
        name = match["name"].decode("ascii")
        if name not in texts:
            texts[name] = _element_text(content, match.end())
        if len(texts) == 3:
            break
    if not texts:
        return None
    facts = CoverFacts(
        stated_fiscal_year=parse_cover_year(texts.get("DocumentFiscalYearFocus")),
        period_end=parse_cover_date(texts.get("DocumentPeriodEndDate")),
        document_type=texts.get("DocumentType") or None,
    )
    if facts == CoverFacts(None, None, None):
        return None
    return facts


def _element_text(content: bytes, start: int) -> str:
    """The text of the `ix:nonNumeric` element whose body starts at `start`, nested tags included.

    Cover pages nest facts (`DocumentPeriodEndDate` wraps `CurrentFiscalYearEndDate`), so the
    element ends at the matching close tag, not the first one.
    """
    depth = 1
    position = start
    while depth:
        boundary = _NON_NUMERIC_BOUNDARY.search(content, position)
        if boundary is None:
            break
        depth += -1 if boundary["closing"] else 1
        position = boundary.end()
        if not depth:
            position = boundary.start()
    raw = content[start:position].decode("utf-8", errors="replace")
    text = html.unescape(_ANY_TAG.sub("", raw))
    return " ".join(text.replace("\xa0", " ").split())
