"""A backfill plan finds each fiscal year by its cover: start-year and end-year filers, a Jan 1-7 year
end without XBRL and a 10-KT, each asked for the year before, at and after."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from sec_analyzer.acquisition.backfill_plan import BackfillPlan, FoundFiling, find_filings
from sec_analyzer.acquisition.edgar_client import EdgarClient
from sec_analyzer.acquisition.fetch import FilingFetcher
from sec_analyzer.acquisition.rate_limit import RateLimiter
from sec_analyzer.acquisition.raw_store import LocalRawStore
from sec_analyzer.edgar_mirror.server import EdgarMirror
from sec_analyzer_tests.acquisition.fiscal_year_filers import AT_YEAR, FILERS, annual_report, publish_filers
from sec_analyzer_tests.planning import plan_backfill


@pytest.fixture
def mirror() -> Iterator[EdgarMirror]:
    with EdgarMirror(None) as running:
        yield running


def test_each_filer_is_found_at_its_year_only_and_only_its_report_is_opened(mirror: EdgarMirror,
                                                                               tmp_path: Path) -> None:
    documents = publish_filers(mirror)
    client = EdgarClient(user_agent="sec-analyzer tests tests@example.com", base_url=mirror.base_url,
                         data_url=mirror.base_url, limiter=RateLimiter(8.0, state_dir=tmp_path / "rate"))
    fetcher = FilingFetcher(client, LocalRawStore(tmp_path / "raw"))
    years = (AT_YEAR - 1, AT_YEAR, AT_YEAR + 1)

    plan = BackfillPlan()
    requested_at_first_find: list[str] | None = None
    for finding in find_filings(fetcher, [(filer.ticker, year) for filer in FILERS for year in years]):
        plan.add(finding)
        if isinstance(finding, FoundFiling) and requested_at_first_find is None:
            requested_at_first_find = [request.path for request in mirror.requests]

    assert plan.keys == [f"{filer.ticker}-{AT_YEAR}" for filer in FILERS]
    # Each finding is handed over as soon as it is made: the first before the last company is asked for.
    assert requested_at_first_find is not None
    assert not any(f"{FILERS[-1].cik:010d}" in path for path in requested_at_first_find), requested_at_first_find
    assert any(f"{FILERS[-1].cik:010d}" in request.path for request in mirror.requests)
    for filer in FILERS:
        for year in (AT_YEAR - 1, AT_YEAR + 1):
            assert any(line.startswith(f"{filer.ticker} {year}: {filer.ticker} has no 10-K for fiscal year {year}")
                       for line in plan.not_found), (filer.ticker, year, plan.not_found)
    assert len(plan.not_found) == 2 * len(FILERS)
    opened = sorted(request.path for request in mirror.requests if request.path.startswith("/Archives/"))
    assert opened == sorted(documents.values())


def test_a_combined_10k_of_two_registrants_is_planned_once(mirror: EdgarMirror, tmp_path: Path) -> None:
    """A combined 10-K (a utility and its operating subsidiary file one document under two CIKs):
    asked for under both, it is processed once, under the first, and the second names it."""
    parent, subsidiary = FILERS[0], dataclasses.replace(FILERS[0], ticker="HDSU", cik=9_700_011)
    html = annual_report(parent)
    for filer in (parent, subsidiary):
        mirror.add_filing(ticker=filer.ticker, cik=filer.cik, company_name=f"{filer.ticker} Inc.", html=html,
                          form=filer.form, filing_date=filer.filing_date, report_date=filer.report_date)
    client = EdgarClient(user_agent="sec-analyzer tests tests@example.com", base_url=mirror.base_url,
                         data_url=mirror.base_url, limiter=RateLimiter(8.0, state_dir=tmp_path / "rate"))
    plan = plan_backfill(FilingFetcher(client, LocalRawStore(tmp_path / "raw")),
                         [(subsidiary.ticker, AT_YEAR), (parent.ticker, AT_YEAR)])
    assert plan.keys == [f"HDSU-{AT_YEAR}"]
    assert plan.same_document == {f"{parent.ticker}-{AT_YEAR}": f"HDSU-{AT_YEAR}"}
