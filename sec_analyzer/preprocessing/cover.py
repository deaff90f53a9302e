"""What the cover page says about a filing: its form type and fiscal period.

Inline XBRL `dei:` facts are authoritative when present; older filings without them fall
back to the cover-page text ("FORM 10-K", "For the fiscal year ended …").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sec_analyzer.fiscal_year import fiscal_year_of, parse_cover_date, parse_cover_year
from sec_analyzer.preprocessing.elements import ElementKind
from sec_analyzer.preprocessing.parser import ParsedDocument

_COVER_ELEMENTS = 80
# Covers space the form name freely ("FORM 10 - K", "FORM 10-K SB"); the spaces go before lookup.
_FORM_ON_COVER = re.compile(
    r"\bform\s+(10\s*-\s*k\s*(?:405|sb|t)?(?:/a)?|10\s*-\s*q(?:/a)?|8-k|6-k|11-k|10-d|20-f|40-f|n-csr|[sf]-[134]"
    r"|def\s*14a)\b"
    r"|\bschedule\s+14a\b",
    re.IGNORECASE,
)
# A notification of late filing (Form 12b-25) checks the "Form 10-K" box of the report it excuses.
_LATE_FILING_NOTICE = re.compile(r"\bform\s+12b-25\b|notification\s+of\s+late\s+filing|\bNT\s+10-K\b", re.IGNORECASE)
_REPORT_UNDER_SECTION_13 = r"\s+report\s+(?:pursuant\s+to|under)\s+section\s+13"
_ANNUAL_REPORT = re.compile("annual" + _REPORT_UNDER_SECTION_13, re.IGNORECASE)
_QUARTERLY_REPORT = re.compile("quarterly" + _REPORT_UNDER_SECTION_13, re.IGNORECASE)
_CHECKED_TRANSITION_REPORT = re.compile(r"(?:\[\s*x\s*\]|☒|þ|ý|■|☑)\s*transition" + _REPORT_UNDER_SECTION_13, re.IGNORECASE)
_FISCAL_YEAR_ENDED = re.compile(
    r"for\s+the\s+(?:fiscal\s+)?year\s+ended:?\s+([A-Z][a-z]+\.?\s+\d{1,2},?\s+\d{4})", re.IGNORECASE
)
_TEN_K_FAMILY = frozenset({"10-K", "10-K/A", "10-KT", "10-KT/A", "10-K405", "10-KSB", "10-KSB/A"})


@dataclass(frozen=True)
class FiscalInfo:
    fiscal_year: int | None
    period_end: date | None


def is_annual_report_form(form_type: str | None) -> bool:
    return form_type is not None and form_type.upper() in _TEN_K_FAMILY


def document_form_type(doc: ParsedDocument) -> str | None:
    """The form this document is ("10-K", "10-Q", …), or None when the cover does not say."""
    declared = doc.xbrl_facts.get("dei:DocumentType")
    if declared:
        return declared.strip().upper()
    cover = _cover_text(doc)
    if _LATE_FILING_NOTICE.search(cover):
        return "NT 10-K"
    named = _form_named_on_cover(cover)
    if named == "10-K" and _CHECKED_TRANSITION_REPORT.search(cover):
        return "10-KT"
    # A 20-F prints the annual-report wording too; only the 10-K/10-Q choice goes by it.
    if named is not None and not named.startswith(("10-K", "10-Q")):
        return named
    # The checked box decides between the annual and quarterly wording both forms print.
    if _ANNUAL_REPORT.search(cover) and not _QUARTERLY_REPORT.search(cover):
        return named if named is not None and named.startswith("10-K") else "10-K"
    if _QUARTERLY_REPORT.search(cover) and not _ANNUAL_REPORT.search(cover):
        return "10-Q"
    return named


def _form_named_on_cover(cover: str) -> str | None:
    match = _FORM_ON_COVER.search(cover)
    if match is None:
        return None
    if match.group(1) is None:
        return "DEF 14A"  # a proxy statement's cover says "SCHEDULE 14A"
    named = re.sub(r"\s+", " ", match.group(1)).upper()
    return named.replace(" ", "") if named.startswith("10") else named


def document_fiscal_info(doc: ParsedDocument) -> FiscalInfo:
    """Fiscal year and period end from the `dei:` facts or the cover-page text, by the one rule
    of `sec_analyzer.fiscal_year` (so the gate and the fetcher never disagree on a year)."""
    period_end = parse_cover_date(doc.xbrl_facts.get("dei:DocumentPeriodEndDate"))
    if period_end is None:
        match = _FISCAL_YEAR_ENDED.search(_cover_text(doc))
        period_end = parse_cover_date(match.group(1)) if match else None
    stated_year = parse_cover_year(doc.xbrl_facts.get("dei:DocumentFiscalYearFocus"))
    return FiscalInfo(fiscal_year=fiscal_year_of(stated_year, period_end), period_end=period_end)


def _cover_text(doc: ParsedDocument) -> str:
    visible = [e.text for e in doc.elements if e.kind is not ElementKind.PAGE_FURNITURE]
    return "\n".join(visible[:_COVER_ELEMENTS])

