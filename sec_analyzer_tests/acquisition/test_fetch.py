"""FilingFetcher against the local EDGAR server: confirmation by the cover, dedupe, typed errors."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from sec_analyzer.acquisition.edgar_client import EdgarClient, NoFilingForYearError, UnknownTickerError
from sec_analyzer.acquisition.fetch import FilingFetcher, fetch_filing
from sec_analyzer.acquisition.rate_limit import RateLimiter
from sec_analyzer.acquisition.raw_store import LocalRawStore, S3RawStore
from sec_analyzer.edgar_mirror.server import EdgarMirror

USER_AGENT = "sec-analyzer tests sec-analyzer-tests@example.com"


@pytest.fixture
def mirror(corpus_dir: Path, edgar_samples_dir: Path) -> Iterator[EdgarMirror]:
    with EdgarMirror(corpus_dir, samples_dir=edgar_samples_dir) as running:
        yield running


@pytest.fixture
def client(mirror: EdgarMirror, tmp_path: Path) -> EdgarClient:
    return new_client(mirror, tmp_path)


def new_client(mirror: EdgarMirror, tmp_path: Path) -> EdgarClient:
    return EdgarClient(
        user_agent=USER_AGENT,
        base_url=mirror.base_url,
        data_url=mirror.base_url,
        limiter=RateLimiter(8.0, state_dir=tmp_path / "edgar-rate"),
        max_retries=2,
        backoff_base_seconds=0.01,
        backoff_max_seconds=0.05,
    )


def archive_requests(mirror: EdgarMirror) -> list[str]:
    return [request.path for request in mirror.requests if request.path.startswith("/Archives/")]


def cover(fiscal_year: int | None, period_end: str) -> bytes:
    """A minimal inline-XBRL 10-K cover page."""
    year_tag = (
        f'<ix:nonNumeric name="dei:DocumentFiscalYearFocus" contextRef="c-1">{fiscal_year}</ix:nonNumeric>'
        if fiscal_year is not None
        else ""
    )
    return (
        f"<html><body><ix:header><ix:hidden>{year_tag}</ix:hidden></ix:header>"
        '<p>FORM <ix:nonNumeric name="dei:DocumentType" contextRef="c-1">10-K</ix:nonNumeric></p>'
        '<p>For the fiscal year ended <ix:nonNumeric name="dei:DocumentPeriodEndDate" contextRef="c-1">'
        f"{period_end}</ix:nonNumeric></p><p>{uuid.uuid4()}</p></body></html>"
    ).encode()


def test_fetch_confirms_the_year_from_the_cover_and_stores_the_document(
    client: EdgarClient, mirror: EdgarMirror, tmp_path: Path, corpus_dir: Path
) -> None:
    store = LocalRawStore(tmp_path / "raw")
    fetched = fetch_filing(client, store, "AAPL", 2024)
    assert fetched.ref.accession_number == "0000320193-24-000123"
    assert (fetched.fiscal_year, fetched.fiscal_year_source) == (2024, "dei")
    assert (fetched.period_end, fetched.document_type) == (date(2024, 9, 28), "10-K")
    original = (corpus_dir / "10-K" / "AAPL" / "0000320193-24-000123" / "primary-document.html").read_bytes()
    assert store.get(fetched.stored.uri) == original
    assert fetched.stored.uri.endswith(".htm")


def test_a_second_fetch_downloads_nothing(client: EdgarClient, mirror: EdgarMirror, tmp_path: Path) -> None:
    store = LocalRawStore(tmp_path / "raw")
    first = fetch_filing(client, store, "NVDA", 2024)
    assert len(archive_requests(mirror)) == 1
    # a new client, as a new process would build, with the same store
    again = fetch_filing(new_client(mirror, tmp_path), LocalRawStore(tmp_path / "raw"), "NVDA", 2024)
    assert again == first
    assert len(archive_requests(mirror)) == 1
    assert (first.period_end, first.fiscal_year_source) == (date(2024, 1, 28), "dei")


def test_a_lost_object_is_downloaded_again(client: EdgarClient, mirror: EdgarMirror, tmp_path: Path) -> None:
    store = LocalRawStore(tmp_path / "raw")
    first = fetch_filing(client, store, "NVDA", 2025)
    Path(first.stored.uri.removeprefix("file://")).unlink()
    assert fetch_filing(client, store, "NVDA", 2025) == first
    assert len(archive_requests(mirror)) == 2


def test_a_filer_labelling_by_the_year_its_fiscal_year_starts_is_confirmed_by_its_cover(
    client: EdgarClient, mirror: EdgarMirror, tmp_path: Path
) -> None:
    """Home Depot style: FYE 2025-02-02 is fiscal 2024, FYE 2024-01-28 is fiscal 2023."""
    company: dict[str, Any] = {"ticker": "HDLK", "cik": 9900001, "company_name": "Home Lookalike Inc."}
    mirror.add_filing(
        **company,
        html=cover(2023, "January 28, 2024"),
        filing_date=date(2024, 3, 13),
        report_date=date(2024, 1, 28),
    )
    mirror.add_filing(
        **company,
        html=cover(2024, "February 2, 2025"),
        filing_date=date(2025, 3, 21),
        report_date=date(2025, 2, 2),
    )
    store = LocalRawStore(tmp_path / "raw")
    fetched = fetch_filing(client, store, "HDLK", 2024)
    assert (fetched.ref.report_date, fetched.fiscal_year, fetched.fiscal_year_source) == (
        date(2025, 2, 2),
        2024,
        "dei",
    )
    assert fetch_filing(client, store, "HDLK", 2023).ref.report_date == date(2024, 1, 28)
    with pytest.raises(NoFilingForYearError, match=r"HDLK .*2025.*fiscal 2024"):
        fetch_filing(client, store, "HDLK", 2025)
    assert len(archive_requests(mirror)) == 2  # each document downloaded once across all three


def test_without_a_cover_the_report_date_rule_stands(
    client: EdgarClient, mirror: EdgarMirror, tmp_path: Path
) -> None:
    mirror.add_filing(
        ticker="OLDCO",
        cik=9900002,
        company_name="Old Company",
        html=b"<html><body>ANNUAL REPORT</body></html>",
        filing_date=date(2009, 3, 2),
        report_date=date(2008, 12, 31),
    )
    fetched = fetch_filing(client, LocalRawStore(tmp_path / "raw"), "OLDCO", 2008)
    assert (fetched.fiscal_year, fetched.fiscal_year_source) == (2008, "report_date")
    assert (fetched.period_end, fetched.document_type) == (date(2008, 12, 31), None)


def test_unknown_ticker_and_missing_year_are_typed_errors_naming_them(
    client: EdgarClient, mirror: EdgarMirror, tmp_path: Path
) -> None:
    store = LocalRawStore(tmp_path / "raw")
    with pytest.raises(UnknownTickerError, match="NOSUCHCO"):
        fetch_filing(client, store, "NOSUCHCO", 2024)
    with pytest.raises(NoFilingForYearError, match=r"AAPL .*2031"):
        fetch_filing(client, store, "AAPL", 2031)
    assert archive_requests(mirror) == []


def test_fetch_into_s3_also_downloads_once(
    client: EdgarClient, mirror: EdgarMirror, s3_endpoint_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import boto3

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    s3 = boto3.client("s3", endpoint_url=s3_endpoint_url, region_name="us-east-1")
    bucket = f"fetch-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    first = fetch_filing(client, S3RawStore(s3, bucket, "sa"), "TSLA", 2024)
    assert first.ref.form == "10-K" and first.stored.uri.startswith(f"s3://{bucket}/sa/raw/sha256/")
    assert fetch_filing(client, S3RawStore(s3, bucket, "sa"), "TSLA", 2024) == first
    assert len(archive_requests(mirror)) == 1


def test_a_corrupt_stored_object_is_downloaded_again(client: EdgarClient, mirror: EdgarMirror, tmp_path: Path) -> None:
    store = LocalRawStore(tmp_path / "raw")
    first = fetch_filing(client, store, "NVDA", 2025)
    path = Path(first.stored.uri.removeprefix("file://"))
    path.chmod(0o644)
    path.write_bytes(b"<html>tampered</html>")
    assert fetch_filing(client, store, "NVDA", 2025) == first
    assert store.get(first.stored.uri) != b"<html>tampered</html>"
    assert len(archive_requests(mirror)) == 2


def test_one_fetcher_learns_a_start_year_filer_and_opens_only_the_requested_years(
    client: EdgarClient, mirror: EdgarMirror, tmp_path: Path
) -> None:
    company: dict[str, Any] = {"ticker": "HDLR", "cik": 9900003, "company_name": "Home Learner Inc."}
    for year in (2021, 2022, 2023, 2024):
        end = date(year + 1, 1, 31 - (year % 4))
        mirror.add_filing(**company, html=cover(year, end.strftime("%B %d, %Y")), filing_date=date(year + 1, 3, 20),
                          report_date=end)
    fetcher = FilingFetcher(client, LocalRawStore(tmp_path / "raw"))
    found = {year: fetcher.fetch("HDLR", year).ref.report_date.year for year in (2024, 2023, 2022)}  # type: ignore[union-attr]
    assert found == {2024: 2025, 2023: 2024, 2022: 2023}
    # the first cover opened (provisional 2024 = fiscal 2023) was itself requested: nothing wasted
    assert len(archive_requests(mirror)) == 3


def test_one_client_asks_for_a_companys_filing_list_once_for_all_its_years(
    client: EdgarClient, mirror: EdgarMirror, tmp_path: Path
) -> None:
    """Each request waits its turn under EDGAR's rate limit: a backfill plan of a company's years
    reads its submissions once; a new client (a later step) asks again, so it sees new filings."""
    fetcher = FilingFetcher(client, LocalRawStore(tmp_path / "raw"))
    for year in (2025, 2024):
        fetcher.fetch("NVDA", year)
    listing = [request.path for request in mirror.requests if request.path.startswith("/submissions/")]
    assert listing == ["/submissions/CIK0001045810.json"]
    FilingFetcher(new_client(mirror, tmp_path), LocalRawStore(tmp_path / "raw")).fetch("NVDA", 2024)
    assert len([request for request in mirror.requests if request.path.startswith("/submissions/")]) == 2


def test_a_client_keeps_only_the_last_companys_filing_list(client: EdgarClient, mirror: EdgarMirror,
                                                          tmp_path: Path) -> None:
    """A backfill's client looks up hundreds of companies, one after another: it keeps the filing
    list of the company it is on, not of every company it has seen (memory flat in companies)."""
    fetcher = FilingFetcher(client, LocalRawStore(tmp_path / "raw"))
    for company in ("NVDA", "NVDA", "AAPL", "NVDA"):
        fetcher.fetch(company, 2024)
    listing = [request.path for request in mirror.requests if request.path.startswith("/submissions/")]
    assert listing == ["/submissions/CIK0001045810.json", "/submissions/CIK0000320193.json",
                       "/submissions/CIK0001045810.json"]

