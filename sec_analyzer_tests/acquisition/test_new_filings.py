"""What a sensor poll costs EDGAR, counted on the server side of the local EDGAR, and what it finds."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from sec_analyzer.acquisition.edgar_client import EdgarClient
from sec_analyzer.acquisition.fetch import FilingFetcher
from sec_analyzer.acquisition.new_filings import PollCursor, PollResult, poll_new_filings
from sec_analyzer.acquisition.rate_limit import RateLimiter
from sec_analyzer.acquisition.raw_store import LocalRawStore
from sec_analyzer.edgar_mirror.server import EdgarMirror

WATCHLIST = ["AAPL", "NVDA", "TSLA"]
AAPL_2024 = "10-K/AAPL/0000320193-24-000123/primary-document.html"


@pytest.fixture
def mirror(corpus_dir: Path) -> Iterator[EdgarMirror]:
    with EdgarMirror(corpus_dir) as running:
        yield running


class Poller:
    """Polls as the sensor does: a fresh client each tick, one cursor carried between ticks."""

    def __init__(self, mirror: EdgarMirror, tmp_path: Path) -> None:
        self.mirror, self.tmp_path = mirror, tmp_path
        self.cursor = PollCursor()

    def tick(self) -> tuple[PollResult, int]:
        """The poll's result and how many requests the local EDGAR received for it."""
        before = len(self.mirror.requests)
        client = EdgarClient(user_agent="sec-analyzer tests tests@example.com", base_url=self.mirror.base_url,
                             data_url=self.mirror.base_url, cache_dir=self.tmp_path / "cache",
                             limiter=RateLimiter(8.0, state_dir=self.tmp_path / "rate"), max_retries=1,
                             backoff_base_seconds=0.01, backoff_max_seconds=0.02)
        fetcher = FilingFetcher(client, LocalRawStore(self.tmp_path / "raw"))
        self.cursor = PollCursor.from_json(self.cursor.to_json())  # as stored between ticks
        result = poll_new_filings(client, fetcher, self.cursor, WATCHLIST)
        return result, len(self.mirror.requests) - before


def test_an_idle_poll_costs_one_request_plus_one_per_watched_company(mirror: EdgarMirror, tmp_path: Path) -> None:
    poller = Poller(mirror, tmp_path)
    baseline, _ = poller.tick()
    assert not baseline.new and baseline.baseline_recorded and not baseline.warnings

    for _ in range(2):
        idle, requests = poller.tick()
        assert not idle.new and not idle.warnings
        assert requests <= 1 + len(WATCHLIST)


def test_a_new_filing_costs_a_bounded_few_more(mirror: EdgarMirror, tmp_path: Path, corpus_dir: Path) -> None:
    poller = Poller(mirror, tmp_path)
    poller.tick()
    html = (corpus_dir / AAPL_2024).read_bytes()

    outside = mirror.add_filing(ticker="NEWCO", cik=9_800_001, company_name="Newco Inc.", html=html,
                                filing_date=date(2024, 11, 1), report_date=date(2024, 9, 28))
    found, requests = poller.tick()
    assert [(filing.ref.accession_number, filing.partition_key) for filing in found.new] == [
        (outside.accession_number, "NEWCO-2024")]
    assert requests <= 1 + len(WATCHLIST) + 2  # its company's submissions and its document

    watched = mirror.add_filing(ticker="NVDA", cik=1_045_810, company_name="NVIDIA CORP", html=html,
                                filing_date=date(2026, 11, 20), report_date=date(2026, 10, 25))
    found, requests = poller.tick()
    assert [filing.ref.accession_number for filing in found.new] == [watched.accession_number]
    assert requests <= 1 + len(WATCHLIST) + 1  # its document; the submissions were read anyway

    assert poller.tick()[0].new == []


def test_a_filer_without_a_ticker_is_keyed_by_cik(mirror: EdgarMirror, tmp_path: Path, corpus_dir: Path) -> None:
    poller = Poller(mirror, tmp_path)
    poller.tick()
    trust = mirror.add_filing(ticker="", cik=1_234_567, company_name="Example Receivables Trust 2024-1",
                              html=(corpus_dir / AAPL_2024).read_bytes(), filing_date=date(2024, 11, 1),
                              report_date=date(2024, 9, 28))
    found, _ = poller.tick()
    assert [(filing.ref.accession_number, filing.partition_key) for filing in found.new] == [
        (trust.accession_number, "CIK0001234567-2024")]


def test_one_unreadable_filing_does_not_hold_back_the_others(mirror: EdgarMirror, tmp_path: Path,
                                                              corpus_dir: Path) -> None:
    poller = Poller(mirror, tmp_path)
    poller.tick()
    html = (corpus_dir / AAPL_2024).read_bytes()
    broken = mirror.add_filing(ticker="BRKN", cik=9_800_002, company_name="Broken Inc.", html=html,
                               filing_date=date(2024, 11, 2), report_date=date(2024, 9, 28))
    fine = mirror.add_filing(ticker="FINE", cik=9_800_003, company_name="Fine Inc.", html=html,
                             filing_date=date(2024, 11, 3), report_date=date(2024, 9, 28))
    mirror.inject_failure(f"/Archives/edgar/data/9800002/{broken.accession_nodash}/*", "unavailable", times=2)

    found, _ = poller.tick()
    assert [filing.ref.accession_number for filing in found.new] == [fine.accession_number]
    assert len(found.warnings) == 1 and broken.accession_number in found.warnings[0]

    retried, _ = poller.tick()  # EDGAR answers again: the filing left unseen is picked up now
    assert [filing.partition_key for filing in retried.new] == ["BRKN-2024"]
