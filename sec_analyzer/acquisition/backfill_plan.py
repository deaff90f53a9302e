"""What a backfill asks for, checked against EDGAR before anything runs.

`--tickers` and `--years` are read here (hostile or mistyped values get one line that names
them), each (company, year) is looked up by the fiscal-year rule of `fetch.py` (the cover
decides, so a filer that names its year by the year it starts is found too), and the partition
keys to materialize are listed with what does not exist, by name. The Dagster side only adds
the keys and runs them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
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


def plan_backfill(
    fetcher: FilingFetcher, pairs: Iterable[tuple[str, int]], *, progress: Callable[[str], None] = lambda _: None,
    found_one: Callable[[str, str], None] = lambda key, sha256: None,
) -> BackfillPlan:
    """Look up each (company, year) by its 10-K's cover; unknown tickers and years without a
    10-K are reported by name, and a 10-K asked for under two tickers is planned once, under the
    first asked for. A company's years are looked up latest first: the report the
    reportDate rule gives year Y is, for a filer naming years by their start, year Y - 1, which
    the next lookup then finds without another download. `found_one` hears of each filing found,
    with its document's SHA-256, as soon as it is found."""
    plan = BackfillPlan()
    wanted = list(dict.fromkeys((normalize_ticker(company), int(year)) for company, year in pairs))
    found: dict[tuple[str, int], str] = {}
    for company, group in groupby(sorted(wanted, key=lambda pair: (pair[0], -pair[1])), key=lambda pair: pair[0]):
        for _, year in group:
            progress(f"looking up {company} {year} on EDGAR")
            try:
                fetched = fetcher.fetch(company, year)
            except UnknownTickerError as error:
                plan.not_found.append(f"{company}: {error}")
                break
            except NoFilingForYearError as error:
                plan.not_found.append(f"{company} {year}: {error}")
                continue
            found[(company, year)] = filing_key(company, year, cik=fetched.ref.cik)
            plan.documents[found[(company, year)]] = fetched.stored.sha256
            plan.refs[found[(company, year)]] = fetched.ref
            found_one(found[(company, year)], fetched.stored.sha256)
    first_key_of: dict[str, str] = {}
    for key in (found[pair] for pair in wanted if pair in found):
        document = plan.documents[key]
        if document in first_key_of:
            plan.same_document[key] = first_key_of[document]
            del plan.documents[key], plan.refs[key]
        else:
            first_key_of[document] = key
            plan.keys.append(key)
    return plan


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
