"""Which fiscal year a 10-K belongs to: the one rule every stage applies.

The filer's own answer is on the cover page, as inline XBRL: `dei:DocumentFiscalYearFocus`.
When a cover states it, that is the year. Otherwise only the last day of the year is known
(the cover's `dei:DocumentPeriodEndDate` or "for the fiscal year ended ..." text, or EDGAR's
`reportDate`), and no single rule reproduces every filer's label: companies whose fiscal year
ends in late January or early February disagree. NVIDIA (FYE 2025-01-26) and Walmart
(2025-01-31) call that year 2025, after the calendar year it ends in, while Home Depot
(2025-02-02) calls it 2024, after the year it starts in. Compustat's "FYE month <= 5 -> year - 1"
gets NVIDIA and Walmart wrong, and year(period end) gets Home Depot wrong. The fallback is
year(period end), except that a year ending on January 1-7 belongs to the year before: those
are 52/53-week calendars whose year really ended on December 31 and spilled over by a few days
(SanDisk FYE 2010-01-03 is fiscal 2009).

Reading a cover is the caller's business (acquisition scans the raw bytes, preprocessing the
parsed elements); both hand what they read to `fiscal_year_of`.
"""

from __future__ import annotations

import re
from datetime import date, datetime

# Cover dates as filers write them, after `_normalised_date_text`: "September 28 2024",
# "Sept 28 2024", "28 September 2024", "2024-09-28", "09/28/2024".
_DATE_PATTERNS = (
    "%B %d %Y",
    "%b %d %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%m/%d/%y",
    "%m-%d-%Y",
    "%d.%m.%Y",
)
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_SPILLOVER_DAYS = 7


def fiscal_year_of_period_end(period_end: date) -> int:
    """year(period_end), except that a year ending January 1-7 is labelled with the year before."""
    if period_end.month == 1 and period_end.day <= _SPILLOVER_DAYS:
        return period_end.year - 1
    return period_end.year


def fiscal_year_of(stated_year: int | None, period_end: date | None) -> int | None:
    """The fiscal year a cover gives: the year it states, else the rule on its period end."""
    if stated_year is not None:
        return stated_year
    return fiscal_year_of_period_end(period_end) if period_end is not None else None


def provisional_fiscal_year(report_date: date | None, filing_date: date) -> int:
    """The label of a listed filing before its cover is read: the rule on its reportDate, or
    without one the year before it was filed (annual reports are filed after their year ends)."""
    if report_date is not None:
        return fiscal_year_of_period_end(report_date)
    return filing_date.year - 1


def parse_cover_year(text: str | None) -> int | None:
    """The four-digit year in a `DocumentFiscalYearFocus` text ("2024", "FY2024")."""
    match = _YEAR.search(text or "")
    return int(match.group(1)) if match else None


def parse_cover_date(text: str | None) -> date | None:
    """A period-end date as covers write it ("September 28, 2024", "Sept. 28,2024", "2024-09-28")."""
    if not text:
        return None
    cleaned = _normalised_date_text(text)
    for pattern in _DATE_PATTERNS:
        try:
            return datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
    if cleaned[:4].lower() == "sept":  # strptime knows only "Sep"
        return parse_cover_date("Sep" + cleaned[4:])
    return None


def _normalised_date_text(text: str) -> str:
    # Filers drop or double the space around the comma ("September 28,2024", "28 ,") and
    # abbreviate with a period ("Sept. 28").
    spaced = text.replace("\xa0", " ").replace(",", " ").replace(". ", " ")
    return " ".join(spaced.rstrip(".").split())
