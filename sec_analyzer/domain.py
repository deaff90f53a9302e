"""The domain vocabulary shared by every stage: filings, items and risk factors.

These are plain data classes with no Dagster and no I/O, so that every stage, store and
check speaks the same language and can be tested alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

PARTITION_KEY_PATTERN = re.compile(r"^(?P<ticker>[A-Z0-9][A-Z0-9.\-]*)-(?P<year>\d{4})$")


def filing_key(ticker: str, fiscal_year: int) -> str:
    """The partition key of one filing: `AAPL-2024`, `BRK-B-2023`."""
    return f"{normalize_ticker(ticker)}-{int(fiscal_year)}"


def split_filing_key(key: str) -> tuple[str, int]:
    match = PARTITION_KEY_PATTERN.match(key)
    if not match:
        raise ValueError(f"not a filing key (expected TICKER-YYYY, e.g. AAPL-2024): {key!r}")
    return match["ticker"], int(match["year"])


def normalize_ticker(ticker: str) -> str:
    """EDGAR writes share classes with a dash (BRK-B); users often type BRK.B or brk/b."""
    return ticker.strip().upper().replace(".", "-").replace("/", "-")


@dataclass(frozen=True)
class Company:
    cik: int
    ticker: str
    name: str


@dataclass(frozen=True)
class FilingRef:
    """One EDGAR filing, as listed in a company's submissions."""

    cik: int
    ticker: str
    company_name: str
    accession_number: str
    form: str
    filing_date: date
    report_date: date | None
    primary_document: str
    url: str

    @property
    def accession_nodash(self) -> str:
        return self.accession_number.replace("-", "")


class AbsenceReason(StrEnum):
    """Why an item has no text, when it has none."""

    NOT_FOUND = "not_found"
    OMITTED_SMALLER_REPORTING_COMPANY = "omitted_smaller_reporting_company"
    OMITTED_ASSET_BACKED_ISSUER = "omitted_asset_backed_issuer"
    INCORPORATED_BY_REFERENCE = "incorporated_by_reference"
    RESERVED = "reserved"
    NOT_APPLICABLE = "not_applicable"
    NOT_A_10K = "not_a_10k"
    UNPARSEABLE_DOCUMENT = "unparseable_document"


@dataclass(frozen=True)
class RiskFactor:
    """One individual risk factor of a filing's Item 1A."""

    ordinal: int
    heading: str
    text: str
    category: str | None
    is_general_risk: bool
    start_offset: int
    end_offset: int
    features: dict[str, float] = field(default_factory=dict)
