"""Filings to publish in the storage tests: a first version and a revised second version."""

from __future__ import annotations

from datetime import date

from sec_analyzer.domain import RiskFactor, filing_key
from sec_analyzer.storage.filing_index_repo import FilingIndexRecord
from sec_analyzer.storage.results_repo import FilingRecord, ItemRecord

ACCESSION = "0000320193-24-000123"


def filing(accession_number: str = ACCESSION, ticker: str = "AAPL", fiscal_year: int = 2024) -> FilingRecord:
    return FilingRecord(
        partition_key=filing_key(ticker, fiscal_year),
        accession_number=accession_number,
        cik=320193,
        ticker=ticker,
        company_name="Apple Inc.",
        form="10-K",
        fiscal_year=fiscal_year,
        filing_date=date(fiscal_year, 11, 1),
        report_date=date(fiscal_year, 9, 28),
        period_end=date(fiscal_year, 9, 28),
        url=f"https://www.sec.gov/Archives/edgar/data/320193/{accession_number.replace('-', '')}/aapl.htm",
        raw_uri=f"file:///data/raw/{ticker}/{fiscal_year}/primary-document.html",
        raw_sha256="ab" * 32,
        raw_size=1_534_221,
    )


def items() -> list[ItemRecord]:
    return [
        ItemRecord("1", "found", "Business", 21_000, None, None),
        ItemRecord("1A", "found", "Risk Factors", 68_000, None, None),
        ItemRecord("1B", "absent", None, 0, "not_found", "no heading for Item 1B"),
    ]


def risk_factor(ordinal: int, text: str | None = None) -> RiskFactor:
    return RiskFactor(
        ordinal=ordinal,
        heading=f"Risk heading {ordinal}",
        text=text or f"The company faces risk number {ordinal}, which could harm its business.",
        category="macroeconomic" if ordinal % 2 else None,
        is_general_risk=ordinal == 0,
        start_offset=ordinal * 1000,
        end_offset=ordinal * 1000 + 900,
        features={"flesch_reading_ease": 31.5 + ordinal, "negative": 0.25},
    )


def risk_factors(count: int) -> list[RiskFactor]:
    return [risk_factor(ordinal) for ordinal in range(count)]


def index_record(
    accession_number: str = ACCESSION, ticker: str = "AAPL", fiscal_year: int = 2024
) -> FilingIndexRecord:
    published = filing(accession_number, ticker, fiscal_year)
    return FilingIndexRecord(
        accession_number=accession_number,
        partition_key=published.partition_key,
        ticker=ticker,
        cik=published.cik,
        company_name=published.company_name,
        form=published.form,
        fiscal_year=fiscal_year,
        filing_date=published.filing_date,
        report_date=published.report_date,
        url=published.url,
    )
