"""Four filers whose fiscal-year labels are the hard cases, published on a local EDGAR.

Each files one annual report for fiscal year `AT_YEAR`; asking for the year before and the year
after must find nothing, by name, and asking for `AT_YEAR` must open only that report.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlparse

from sec_analyzer.edgar_mirror.server import EdgarMirror

AT_YEAR = 2024


@dataclass(frozen=True)
class Filer:
    ticker: str
    cik: int
    form: str
    report_date: date
    filing_date: date
    stated_year: int | None  # the cover's DocumentFiscalYearFocus; None: no inline XBRL at all


FILERS = (
    # names its year by the year it starts (Home Depot): FYE 2025-02-02 is fiscal 2024
    Filer("HDSY", 9_700_001, "10-K", date(2025, 2, 2), date(2025, 3, 20), AT_YEAR),
    # names its year by the year it ends, in January (NVIDIA, Walmart): FYE 2024-01-28 is fiscal 2024
    Filer("NVEY", 9_700_002, "10-K", date(2024, 1, 28), date(2024, 2, 21), AT_YEAR),
    # a 52/53-week year ending January 1-7, filed without XBRL: FYE 2025-01-04 is fiscal 2024
    Filer("SNWK", 9_700_003, "10-K", date(2025, 1, 4), date(2025, 3, 3), None),
    # a transition report after a change of fiscal year end, keyed by its own short period
    Filer("TRNS", 9_700_004, "10-KT", date(2024, 6, 30), date(2024, 9, 10), AT_YEAR),
)


def annual_report(filer: Filer) -> bytes:
    """A small annual report whose cover states what `filer` says, with or without inline XBRL."""
    period = f"{filer.report_date:%B} {filer.report_date.day}, {filer.report_date.year}"
    transition = filer.form == "10-KT"
    if filer.stated_year is None:
        cover = f"<p>FORM {filer.form}</p><p>ANNUAL REPORT PURSUANT TO SECTION 13 OR 15(d)</p>" \
                f"<p>For the fiscal year ended {period}</p>"
    else:
        cover = (
            '<div style="display:none"><ix:header><ix:hidden>'
            f'<ix:nonNumeric name="dei:DocumentFiscalYearFocus" contextRef="c-1">{filer.stated_year}</ix:nonNumeric>'
            "</ix:hidden></ix:header></div>"
            f'<p>FORM <ix:nonNumeric name="dei:DocumentType" contextRef="c-1">{filer.form}</ix:nonNumeric></p>'
            + ("<p>☒ TRANSITION REPORT PURSUANT TO SECTION 13 OR 15(d)</p>" if transition else
               "<p>ANNUAL REPORT PURSUANT TO SECTION 13 OR 15(d)</p>")
            + "<p>For the fiscal year ended "
            f'<ix:nonNumeric name="dei:DocumentPeriodEndDate" contextRef="c-1">{period}</ix:nonNumeric></p>'
        )
    body = (
        "<p>Item 1A. Risk Factors</p><p>Our business faces risks that could harm results.</p>"
        f"<p>Item 1B. Unresolved Staff Comments</p><p>None.</p><p>{uuid.uuid4()}</p>"
    )
    return f"<html><body>{cover}{body}</body></html>".encode()


def publish_filers(mirror: EdgarMirror) -> dict[str, str]:
    """Adds the four filers' reports; returns each ticker's document path on the mirror."""
    paths = {}
    for filer in FILERS:
        ref = mirror.add_filing(ticker=filer.ticker, cik=filer.cik, company_name=f"{filer.ticker} Holdings Inc.",
                                html=annual_report(filer), form=filer.form, filing_date=filer.filing_date,
                                report_date=filer.report_date)
        paths[filer.ticker] = urlparse(ref.url).path
    return paths
