"""The domain vocabulary shared by every stage: filings, items and risk factors.

These are plain data classes with no Dagster and no I/O, so that every stage, store and
check speaks the same language and can be tested alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from sec_analyzer.errors import SecAnalyzerError

# Tickers are 1-10 letters/digits with an optional share class (BRK-B); a filer EDGAR lists
# without a ticker is named by its CIK instead (CIK0001234567).
TICKER_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9.\-]{0,9}$")
CIK_LABEL_PATTERN = re.compile(r"^CIK(?P<cik>\d{10})$")
PARTITION_KEY_PATTERN = re.compile(r"^(?P<company>[A-Z0-9][A-Z0-9.\-]{0,12})-(?P<year>\d{4})$")
ECHO_LIMIT = 40


class InvalidFilingKeyError(SecAnalyzerError, ValueError):
    """A partition key (from the UI, GraphQL, a config file or the CLI) is not a filing key."""


@dataclass(frozen=True)
class FilingKey:
    """A filing partition: `AAPL-2024`, `BRK-B-2023`, or `CIK0001234567-2024` for a filer EDGAR
    lists without a ticker. Keys are file names downstream, so only this shape is ever accepted."""

    company: str  # a ticker, or the filer's CIK label
    fiscal_year: int

    def __str__(self) -> str:
        return f"{self.company}-{self.fiscal_year}"

    @property
    def cik(self) -> int | None:
        """The CIK a `CIK…` key names (None for a ticker key)."""
        match = CIK_LABEL_PATTERN.match(self.company)
        return int(match["cik"]) if match else None


def cik_label(cik: int) -> str:
    return f"CIK{int(cik):010d}"


def echo(text: str) -> str:
    """User input as shown in a message: cut, so a hostile value cannot flood a terminal or log."""
    if len(text) <= ECHO_LIMIT:
        return repr(text)
    return f"{text[:ECHO_LIMIT]!r}… ({len(text):,} characters)"


def filing_key(ticker: str, fiscal_year: int, *, cik: int | None = None) -> str:
    """The partition key of one filing: `AAPL-2024`, `BRK-B-2023`; by CIK when there is no ticker."""
    company = normalize_ticker(ticker) if ticker and ticker.strip() else cik_label(cik) if cik is not None else ""
    return str(parse_filing_key(f"{company}-{int(fiscal_year)}"))


def parse_filing_key(key: str) -> FilingKey:
    """The one parser of filing keys: every key from outside goes through it before use."""
    match = PARTITION_KEY_PATTERN.match(key) if isinstance(key, str) else None
    year = int(match["year"]) if match else 0
    company = match["company"] if match else ""
    if match is None or not (TICKER_PATTERN.match(company) or CIK_LABEL_PATTERN.match(company)) or year < 1993:
        raise InvalidFilingKeyError(
            f"not a filing key (expected TICKER-YYYY or CIK##########-YYYY, e.g. AAPL-2024): {echo(str(key))}"
        )
    return FilingKey(company, year)


def split_filing_key(key: str) -> tuple[str, int]:
    parsed = parse_filing_key(key)
    return parsed.company, parsed.fiscal_year


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
