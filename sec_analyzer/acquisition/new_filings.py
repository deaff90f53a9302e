"""Which 10-Ks are new on EDGAR since the last look, at a small, bounded request cost.

EDGAR allows ten requests a second per user and blocks an address for ten minutes or more
beyond that, so a poll that runs every minute must be cheap when nothing happened. One poll:

1. reads one page of the latest-filings feed (1 request) and keeps only annual-report forms
   whose accession has not been seen;
2. reads the first submissions page of each watch-listed company due this poll (1 request
   each; their CIKs are remembered, so company_tickers.json is read only for a new name);
3. for each filing left, and only for those, reads the first submissions page of a feed
   company not read in step 2 and the filing's document (its cover gives the fiscal year).

An idle poll therefore costs 1 + (watch-listed companies polled) requests, and each new filing
at most two more. What has been seen, which sources have had their baseline taken and the
watch-list CIKs live in a JSON cursor; the first look at a source only records what it already
lists, so history is never mistaken for news.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sec_analyzer.acquisition.edgar_client import AMENDMENT_FORMS, ANNUAL_REPORT_FORMS, EdgarClient, FeedEntry
from sec_analyzer.acquisition.fetch import FilingFetcher
from sec_analyzer.domain import FilingRef, filing_key, normalize_ticker
from sec_analyzer.errors import SecAnalyzerError

SEEN_LIMIT = 50_000
FEED_PAGE_SIZE = 100
WATCHLIST_COMPANIES_PER_POLL = 10
WATCHED_FORMS = ANNUAL_REPORT_FORMS | AMENDMENT_FORMS


@dataclass
class PollCursor:
    seen: dict[str, None] = field(default_factory=dict)  # accessions, insertion-ordered, oldest first
    baselined: set[str] = field(default_factory=set)  # watch-listed tickers whose history is recorded
    feed_baselined: bool = False
    watch_ciks: dict[str, int] = field(default_factory=dict)
    next_watch: int = 0  # where the round over the watch-list resumes

    @classmethod
    def from_json(cls, text: str | None) -> PollCursor:
        if not text:
            return cls()
        state: dict[str, Any] = json.loads(text)
        return cls(
            seen=dict.fromkeys(state.get("seen", [])),
            baselined=set(state.get("baselined", [])),
            feed_baselined=bool(state.get("feed_baselined", False)),
            watch_ciks={str(ticker): int(cik) for ticker, cik in state.get("watch_ciks", {}).items()},
            next_watch=int(state.get("next_watch", 0)),
        )

    def to_json(self) -> str:
        return json.dumps({
            "seen": list(self.seen)[-SEEN_LIMIT:],
            "baselined": sorted(self.baselined),
            "feed_baselined": self.feed_baselined,
            "watch_ciks": self.watch_ciks,
            "next_watch": self.next_watch,
        })


@dataclass(frozen=True)
class NewFiling:
    ref: FilingRef
    partition_key: str


@dataclass
class PollResult:
    new: list[NewFiling] = field(default_factory=list)
    baseline_recorded: int = 0
    warnings: list[str] = field(default_factory=list)


def poll_new_filings(client: EdgarClient, fetcher: FilingFetcher, cursor: PollCursor,
                     watchlist: Sequence[str]) -> PollResult:
    """New annual reports since `cursor` (which is updated in place), each with its partition key.

    A filing that cannot be resolved now (EDGAR failed, its document is unreadable) is reported
    as a warning and left unseen, to be tried again next poll; it never holds back the others.
    """
    result = PollResult()
    candidates: dict[str, FilingRef] = {}
    listed_by_cik: dict[int, list[FilingRef]] = {}

    feed = _read_feed(client, result)
    for ticker in _due(cursor, [normalize_ticker(ticker) for ticker in watchlist]):
        try:
            cik = cursor.watch_ciks.get(ticker) or client.company(ticker).cik
            cursor.watch_ciks[ticker] = cik
            reports = client.annual_reports(cik, ticker=ticker, recent_only=True)
        except SecAnalyzerError as error:
            result.warnings.append(f"watch-list {ticker}: {error}")
            continue
        listed_by_cik[cik] = reports
        if ticker in cursor.baselined:
            candidates.update((ref.accession_number, ref) for ref in reports)
        else:
            result.baseline_recorded += _record_seen(cursor, reports)
            cursor.baselined.add(ticker)

    if feed is not None:
        fresh = [entry for entry in feed if entry.form in WATCHED_FORMS and entry.accession_number not in cursor.seen]
        if not cursor.feed_baselined:
            cursor.seen.update(dict.fromkeys(entry.accession_number for entry in fresh))
            result.baseline_recorded += len(fresh)
            cursor.feed_baselined = True
        else:
            for entry in fresh:
                if entry.accession_number in candidates:
                    continue
                try:
                    listed = listed_by_cik.get(entry.cik)
                    if listed is None:
                        listed = listed_by_cik[entry.cik] = client.annual_reports(entry.cik, recent_only=True)
                except SecAnalyzerError as error:
                    result.warnings.append(f"feed filing {entry.accession_number}: {error}")
                    continue
                candidates.update((ref.accession_number, ref) for ref in listed
                                  if ref.accession_number == entry.accession_number)

    for accession, ref in candidates.items():
        if accession in cursor.seen:
            continue
        try:
            fetched = fetcher.fetch_reference(ref)
            key = filing_key(ref.ticker, fetched.fiscal_year, cik=ref.cik)
        except SecAnalyzerError as error:
            result.warnings.append(f"new filing {accession} of {ref.ticker or ref.cik}: {error}; will retry")
            continue
        cursor.seen[accession] = None
        result.new.append(NewFiling(ref, key))
    return result


def _read_feed(client: EdgarClient, result: PollResult) -> list[FeedEntry] | None:
    try:
        return client.latest_filings_page("10-K", count=FEED_PAGE_SIZE)
    except SecAnalyzerError as error:
        result.warnings.append(f"latest-filings feed: {error}")
        return None


def _due(cursor: PollCursor, watchlist: list[str]) -> list[str]:
    """The watch-listed companies to poll now: a round of at most WATCHLIST_COMPANIES_PER_POLL."""
    if len(watchlist) <= WATCHLIST_COMPANIES_PER_POLL:
        return watchlist
    start = cursor.next_watch % len(watchlist)
    cursor.next_watch = start + WATCHLIST_COMPANIES_PER_POLL
    return [watchlist[(start + offset) % len(watchlist)] for offset in range(WATCHLIST_COMPANIES_PER_POLL)]


def _record_seen(cursor: PollCursor, refs: list[FilingRef]) -> int:
    before = len(cursor.seen)
    cursor.seen.update(dict.fromkeys(ref.accession_number for ref in refs))
    return len(cursor.seen) - before
