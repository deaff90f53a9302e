"""A company the project has never seen, with years of 10-Ks, an amendment and a 10-Q beside them:
a backfill fetches exactly the requested fiscal years' primary documents and nothing else."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

import dagster as dg

from sec_analyzer.defs.backfill import materialize_filings
from sec_analyzer.edgar_mirror.server import EdgarMirror

AAPL_2024 = "10-K/AAPL/0000320193-24-000123/primary-document.html"


def as_fiscal_year(html: str, year: int) -> bytes:
    """The same document stating another fiscal year on its inline-XBRL cover."""
    html = re.sub(r'(name="dei:DocumentFiscalYearFocus"[^>]*>)\d{4}', rf"\g<1>{year}", html)
    html = re.sub(r'(name="dei:DocumentPeriodEndDate".*?</ix:nonNumeric>, )2024', rf"\g<1>{year}", html, count=1,
                  flags=re.S)
    return html.encode()


def test_backfill_fetches_exactly_the_requested_years(instance: dg.DagsterInstance, mirror: EdgarMirror,
                                                      corpus_dir: Path) -> None:
    html = (corpus_dir / AAPL_2024).read_text(encoding="utf-8")
    company = {"ticker": "ZYXW", "cik": 9_600_001, "company_name": "Zyxw Holdings Inc."}
    documents = {}
    for year in (2022, 2023, 2024):
        ref = mirror.add_filing(**company, html=as_fiscal_year(html, year), filing_date=date(year, 11, 1),
                                report_date=date(year, 9, 28), primary_document=f"zyxw-{year}0928.htm")
        documents[year] = urlparse(ref.url).path
    mirror.add_filing(**company, html=b"<html><body><p>FORM 10-K/A Amendment No. 1 (Part III only)</p></body></html>",
                      form="10-K/A", filing_date=date(2025, 1, 20), report_date=date(2024, 9, 28),
                      primary_document="zyxw-10ka.htm")
    mirror.add_filing(**company, html=as_fiscal_year(html, 2025), form="10-Q", filing_date=date(2025, 2, 1),
                      report_date=date(2024, 12, 28), primary_document="zyxw-10q.htm")

    runs = materialize_filings(instance, ["ZYXW-2022", "ZYXW-2024"], asset_names=["raw_filing"],
                               progress=lambda _: None)

    assert [run.status for run in runs] == [dg.DagsterRunStatus.SUCCESS]
    downloaded = sorted(request.path for request in mirror.requests if request.path.startswith("/Archives/"))
    assert downloaded == sorted(documents[year] for year in (2022, 2024))
