"""Which fiscal year a 10-K belongs to.

The filer's own answer is on the cover page, as inline XBRL: `dei:DocumentFiscalYearFocus`
(the fiscal year), `dei:DocumentPeriodEndDate` (the last day of that year) and
`dei:DocumentType` (10-K, 10-K/A, 10-KT ...). `fiscal_year_from_document` reads those tags
with a byte-level scan of the `ix:nonNumeric` elements, so it costs milliseconds even on a
4 MB document and never builds a DOM.

Without inline XBRL (filings before 2019, some small filers) only EDGAR's `reportDate` is
known, and no single rule reproduces every filer's label. Companies whose fiscal year ends in
late January or early February disagree: NVIDIA (FYE 2025-01-26) and Walmart (2025-01-31) call
that year 2025, after the calendar year it ends in, while Home Depot (2025-02-02) calls it 2024,
after the year it starts in. Compustat's "FYE month <= 5 -> year - 1" rule gets NVIDIA and
Walmart wrong, and year(reportDate) gets Home Depot wrong. `fiscal_year_fallback` therefore
uses year(reportDate), except that a year ending on January 1-7 belongs to the previous year:
those are 52/53-week calendars whose year really ended on December 31 and spilled over by a
few days (SanDisk FYE 2010-01-03 is fiscal 2009). That is right for the majority and is only
ever a provisional label: the DEI tag confirms or corrects it once the document is downloaded.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date, datetime

_DEI_OPEN_TAG = re.compile(
    rb"<ix:nonnumeric\b[^>]*?\bname\s*=\s*[\"']dei:(?P<name>DocumentFiscalYearFocus|DocumentPeriodEndDate|DocumentType)[\"'][^>]*>",
    re.IGNORECASE,
)
_NON_NUMERIC_BOUNDARY = re.compile(rb"<(?P<closing>/?)ix:nonnumeric\b[^>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]*>")
_YEAR = re.compile(r"\b(\d{4})\b")

# The inline-XBRL transformation formats filers use for dates, reduced to strptime patterns
# that are tried in turn after the text has been normalised (entities decoded, spaces collapsed).
_DATE_PATTERNS = (
    "%B %d, %Y",
    "%B %d %Y",
    "%b %d, %Y",
    "%b. %d, %Y",
    "%d %B %Y",
    "%d %B, %Y",
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%m/%d/%y",
    "%m-%d-%Y",
    "%d.%m.%Y",
)


@dataclass(frozen=True)
class DocumentFiscalInfo:
    """What a 10-K's inline-XBRL cover page says about itself; any tag may be absent."""

    fiscal_year: int | None
    period_end: date | None
    document_type: str | None


def fiscal_year_from_document(document: bytes | str) -> DocumentFiscalInfo | None:
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
    fiscal_year = _parse_year(texts.get("DocumentFiscalYearFocus"))
    period_end = _parse_date(texts.get("DocumentPeriodEndDate"))
    document_type = texts.get("DocumentType") or None
    if fiscal_year is None and period_end is None and document_type is None:
        return None
    return DocumentFiscalInfo(fiscal_year=fiscal_year, period_end=period_end, document_type=document_type)


def fiscal_year_fallback(report_date: date) -> int:
    """year(report_date), except that a year ending January 1-7 is labelled with the year before."""
    if report_date.month == 1 and report_date.day <= 7:
        return report_date.year - 1
    return report_date.year


def provisional_fiscal_year(report_date: date | None, filing_date: date) -> int:
    """The fallback label of a listed filing; without a reportDate, the year before it was filed
    (annual reports are filed after their year ends)."""
    if report_date is not None:
        return fiscal_year_fallback(report_date)
    return filing_date.year - 1


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


def _parse_year(text: str | None) -> int | None:
    if not text:
        return None
    match = _YEAR.search(text)
    return int(match.group(1)) if match else None


def _parse_date(text: str | None) -> date | None:
    if not text:
        return None
    # Filers drop or double the space around the comma ("September 28,2024", "28 ,").
    cleaned = " ".join(text.replace(",", ", ").split()).replace(" ,", ",")
    for pattern in _DATE_PATTERNS:
        try:
            return datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
    return None
