"""What a backfill asks for, looked up on EDGAR.

`--tickers` and `--years` are read here (hostile or mistyped values get one line that names
them, before anything is asked of EDGAR), each (company, year) is looked up by the fiscal-year
rule of `fetch.py` (the cover decides, so a filer that names its year by the year it starts is
found too), and each partition key to materialize, or what does not exist, by name, is said as
soon as it is known. The Dagster side adds the keys and runs them while the lookups go on.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby

from sec_analyzer.acquisition.edgar_client import NoFilingForYearError, UnknownTickerError
from sec_analyzer.acquisition.fetch import FilingFetcher
from sec_analyzer.domain import (
    CIK_LABEL_PATTERN,
    TICKER_PATTERN,
    FilingRef,
    echo,
    filing_key,
    normalize_ticker,
)
from sec_analyzer.errors import SecAnalyzerError

FIRST_FISCAL_YEAR = 1993  # EDGAR's electronic filings begin in 1993
MAX_YEARS_PER_RANGE = 50


@dataclass(frozen=True)
class FoundFiling:
    """A 10-K found for a key: its EDGAR listing and its document's SHA-256."""

    key: str
    ref: FilingRef
    sha256: str


@dataclass(frozen=True)
class MissingFiling:
    """A (company, year) without a 10-K on EDGAR, or an unknown ticker: one line that says which."""

    reason: str


@dataclass(frozen=True)
class SameDocument:
    """A key whose 10-K is the document already found for `kept` (GOOG and GOOGL are Alphabet's)."""

    key: str
    kept: str


Finding = FoundFiling | MissingFiling | SameDocument


@dataclass
class BackfillPlan:
    keys: list[str] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)
    # key -> SHA-256 of the document found for it, so a resumed backfill knows what it finished
    documents: dict[str, str] = field(default_factory=dict)
    # key -> the key processed instead: the same 10-K asked for under another ticker of the filer
    # (GOOG and GOOGL are Alphabet's), processed and stored once
    same_document: dict[str, str] = field(default_factory=dict)
    # key -> the EDGAR listing of the 10-K found for it, so its run need not look it up again
    refs: dict[str, FilingRef] = field(default_factory=dict)

    def add(self, finding: Finding) -> None:
        if isinstance(finding, FoundFiling):
            self.keys.append(finding.key)
            self.documents[finding.key] = finding.sha256
            self.refs[finding.key] = finding.ref
        elif isinstance(finding, MissingFiling):
            self.not_found.append(finding.reason)
        else:
            self.same_document[finding.key] = finding.kept


def parse_tickers(spec: str) -> list[str]:
    """`AAPL,brk.b, NVDA` → normalised tickers (or `CIK##########` labels), in the order given."""
    tickers: list[str] = []
    for part in spec.split(","):
        if not part.strip():
            continue
        ticker = normalize_ticker(part)
        if not (TICKER_PATTERN.match(ticker) or CIK_LABEL_PATTERN.match(ticker)):
            raise SecAnalyzerError(
                f"--tickers: {echo(part.strip())} is not a ticker (letters and digits, up to 10, e.g. AAPL or BRK-B)"
            )
        tickers.append(ticker)
    if not tickers:
        raise SecAnalyzerError("--tickers is empty")
    return list(dict.fromkeys(tickers))


def parse_years(spec: str, *, today: date | None = None) -> list[int]:
    """`2024`, `2022-2024`, `2021,2023` → sorted distinct years from 1993 to next year."""
    last_allowed = (today or date.today()).year + 1
    shape = f"--years must look like 2024, 2022-2024 or 2021,2023 (got {echo(spec)})"
    years: set[int] = set()
    for part in (part.strip() for part in spec.split(",")):
        if not part:
            continue
        bounds = part.split("-", 1)
        if not all(bound.strip().isdigit() and len(bound.strip()) <= 8 for bound in bounds):
            raise SecAnalyzerError(shape)
        first, last = int(bounds[0]), int(bounds[-1])
        if last < first or last - first >= MAX_YEARS_PER_RANGE:
            raise SecAnalyzerError(f"{shape}; a range runs forward over at most {MAX_YEARS_PER_RANGE} years")
        for year in (first, last):
            if year < FIRST_FISCAL_YEAR:
                raise SecAnalyzerError(f"--years: {year} is before {FIRST_FISCAL_YEAR}, the first year on EDGAR")
            if year > last_allowed:
                raise SecAnalyzerError(f"--years: fiscal year {year} is beyond next year ({last_allowed})")
        years.update(range(first, last + 1))
    if not years:
        raise SecAnalyzerError(shape)
    return sorted(years)


def find_filings(fetcher: FilingFetcher, pairs: Iterable[tuple[str, int]]) -> Iterator[Finding]:
    """Look up each (company, year) by its 10-K's cover and say what was found as soon as it is:
    unknown tickers and years without a 10-K by name, and a 10-K asked for under two tickers once,
    under the first asked for. Companies are looked up in the order asked, a company's years
    latest first: the report the reportDate rule gives year Y is, for a filer naming years by
    their start, year Y - 1, which the next lookup then finds without another download."""
    wanted = list(dict.fromkeys((normalize_ticker(company), int(year)) for company, year in pairs))
    asked = {company: position for position, company in enumerate(dict.fromkeys(company for company, _ in wanted))}
    first_key_of: dict[str, str] = {}
    lookups = sorted(wanted, key=lambda pair: (asked[pair[0]], -pair[1]))
    for company, group in groupby(lookups, key=lambda pair: pair[0]):
        for _, year in group:
            try:
                fetched = fetcher.fetch(company, year)
            except UnknownTickerError as error:
                yield MissingFiling(f"{company}: {error}")
                break
            except NoFilingForYearError as error:
                yield MissingFiling(f"{company} {year}: {error}")
                continue
            key = filing_key(company, year, cik=fetched.ref.cik)
            sha256 = fetched.stored.sha256
            if sha256 in first_key_of:
                yield SameDocument(key, first_key_of[sha256])
            else:
                first_key_of[sha256] = key
                yield FoundFiling(key, fetched.ref, sha256)


def contiguous_blocks(ordered_keys: Sequence[str], wanted: Iterable[str]) -> list[tuple[str, str]]:
    """The fewest (first, last) ranges of the instance's key order that cover exactly `wanted`."""
    wanted_set = set(wanted)
    blocks: list[tuple[str, str]] = []
    start: str | None = None
    previous: str | None = None
    for key in ordered_keys:
        if key in wanted_set:
            start = start or key
            previous = key
        elif start is not None and previous is not None:
            blocks.append((start, previous))
            start = None
    if start is not None and previous is not None:
        blocks.append((start, previous))
    return blocks
