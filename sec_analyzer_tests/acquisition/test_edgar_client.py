"""The EDGAR client: parsing of recorded EDGAR bodies, the annual-report policy, and fair access
against the real local EDGAR server (`EdgarMirror`)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from sec_analyzer.acquisition.edgar_client import (
    EdgarClient,
    EdgarMalformedResponseError,
    EdgarNotFoundError,
    EdgarResponseTooLargeError,
    EdgarUnavailableError,
    ListedFiling,
    RateLimitedError,
    UndeclaredToolError,
    UnknownTickerError,
    annual_report_rows,
    candidates_for_fiscal_year,
    effective_annual_reports,
    parse_company_tickers,
    parse_latest_filings_feed,
    parse_submission_columns,
    validate_user_agent,
)
from sec_analyzer.acquisition.rate_limit import RateLimiter
from sec_analyzer.edgar_mirror.server import EdgarMirror
from sec_analyzer.errors import ConfigurationError
from sec_analyzer.settings import Settings
from sec_analyzer_tests.acquisition.test_rate_limit import busiest_window

USER_AGENT = "sec-analyzer tests sec-analyzer-tests@example.com"


def _load(edgar_samples_dir: Path, relative: str) -> Any:
    return json.loads((edgar_samples_dir / relative).read_bytes())


def _recent(edgar_samples_dir: Path, cik: int) -> list[ListedFiling]:
    payload = _load(edgar_samples_dir, f"submissions/CIK{cik:010d}.json")
    return parse_submission_columns(payload["filings"]["recent"])


# -- user agent --------------------------------------------------------------------------------


@pytest.mark.parametrize("user_agent", ["Jane Analyst jane@example.com", "Acme Research LLC ops@acme.io"])
def test_declared_user_agents_are_accepted(user_agent: str) -> None:
    assert validate_user_agent(f"  {user_agent} ") == user_agent


@pytest.mark.parametrize(
    "user_agent",
    [
        None,
        "",
        "   ",
        "python-requests/2.32",
        "jane@example.com",
        "Jane Analyst",
        "Jane jane@example",
        "A a@b.c\r\nX: y",
    ],
)
def test_undeclared_user_agents_are_refused_with_how_to(user_agent: str | None) -> None:
    with pytest.raises(ConfigurationError, match="EDGAR_USER_AGENT"):
        validate_user_agent(user_agent)


# -- company_tickers.json ------------------------------------------------------------------------


def test_company_tickers_resolve_share_classes_separately(edgar_samples_dir: Path) -> None:
    companies = parse_company_tickers(_load(edgar_samples_dir, "company_tickers.json"))
    assert len(companies) == 9610
    assert companies["AAPL"].cik == 320193 and companies["AAPL"].name == "Apple Inc."
    assert companies["GOOG"].cik == companies["GOOGL"].cik == 1652044
    assert companies["BRK-B"].cik == companies["BRK-A"].cik
    assert all(isinstance(company.cik, int) for company in companies.values())


# -- submissions ---------------------------------------------------------------------------------


def test_recent_submissions_are_parsed_whatever_new_columns_appear(edgar_samples_dir: Path) -> None:
    rows = _recent(edgar_samples_dir, 320193)
    assert len(rows) == 1005
    report = next(row for row in rows if row.accession_number == "0000320193-24-000123")
    assert report == ListedFiling(
        accession_number="0000320193-24-000123",
        form="10-K",
        filing_date=date(2024, 11, 1),
        report_date=date(2024, 9, 28),
        primary_document="aapl-20240928.htm",
        size=9759333,
        description="10-K",
    )
    assert sum(row.report_date is None for row in rows) == 227


def test_a_pagination_page_is_a_bare_column_object(edgar_samples_dir: Path) -> None:
    rows = parse_submission_columns(
        _load(edgar_samples_dir, "submissions/CIK0001318605-submissions-001.json")
    )
    assert len(rows) == 720
    assert min(row.filing_date for row in rows) == date(2005, 2, 17)
    reports = annual_report_rows(rows)
    assert [row.form for row in reports].count("10-K/A") == 1
    assert "NT 10-K" not in {row.form for row in reports}


def test_mismatched_columns_are_a_malformed_response() -> None:
    from sec_analyzer.acquisition.edgar_client import EdgarMalformedResponseError

    with pytest.raises(EdgarMalformedResponseError, match="form"):
        parse_submission_columns(
            {"accessionNumber": ["a", "b"], "form": ["10-K"], "filingDate": ["2024-01-01"] * 2}
        )


def test_tesla_part_three_amendments_do_not_replace_the_original(edgar_samples_dir: Path) -> None:
    recent = _recent(edgar_samples_dir, 1318605)
    listed = annual_report_rows(recent)
    assert [row.form for row in listed].count("10-K/A") == 4
    effective = {row.report_date: row for row in effective_annual_reports(recent)}
    assert len(effective) == len({row.report_date for row in listed})
    assert effective[date(2024, 12, 31)].accession_number == "0001628280-25-003063"
    assert effective[date(2024, 12, 31)].form == "10-K"
    assert all(row.form == "10-K" for row in effective.values())


def test_a_complete_amendment_replaces_the_original(edgar_samples_dir: Path) -> None:
    page = parse_submission_columns(
        _load(edgar_samples_dir, "submissions/CIK0001318605-submissions-001.json")
    )
    effective = {row.report_date: row for row in effective_annual_reports(page)}
    # TSLA FY2011: the 10-K/A re-filed the whole report (9.7 MB against 5.9 MB)
    assert effective[date(2011, 12, 31)].form == "10-K/A"
    assert effective[date(2011, 12, 31)].accession_number == "0001193125-12-137560"
    assert effective[date(2012, 12, 31)].form == "10-K"  # its NT 10-K notice is not a report


def test_an_amendment_alone_stands_for_its_period() -> None:
    amendment = ListedFiling(
        "0000000001-24-000001", "10-K/A", date(2024, 5, 1), date(2023, 12, 31), "a.htm", 10, ""
    )
    assert effective_annual_reports([amendment]) == [amendment]


def test_nvidia_january_year_end_is_provisionally_labelled_by_the_year_it_ends(
    edgar_samples_dir: Path,
) -> None:
    reports = effective_annual_reports(_recent(edgar_samples_dir, 1045810))
    candidates = candidates_for_fiscal_year(reports, 2024)
    assert candidates[0].accession_number == "0001045810-24-000029"
    assert candidates[0].report_date == date(2024, 1, 28)
    # the neighbours follow, for filers that label by the year their fiscal year starts
    assert [row.report_date for row in candidates[1:]] == [date(2025, 1, 26), date(2023, 1, 29)]


def test_apple_fiscal_2024_is_the_september_2024_report(edgar_samples_dir: Path) -> None:
    reports = effective_annual_reports(_recent(edgar_samples_dir, 320193))
    assert candidates_for_fiscal_year(reports, 2024)[0].accession_number == "0000320193-24-000123"
    assert candidates_for_fiscal_year(reports, 1990) == []


# -- the latest-filings feed -----------------------------------------------------------------------


def test_feed_entries_are_deduplicated_by_accession(edgar_samples_dir: Path) -> None:
    entries = parse_latest_filings_feed(
        (edgar_samples_dir / "feeds" / "getcurrent-type4-start0.atom.xml").read_bytes()
    )
    assert len(entries) == 46
    assert len({entry.accession_number for entry in entries}) == 46
    first = entries[0]
    assert first.accession_number == "0002063236-25-000004"
    # listed first under the reporting person, then under the company: the company is kept
    assert first.form == "4" and first.cik == 1673743 and first.company_name == "Hinge Health, Inc."
    assert first.role == "Issuer"
    assert all(entry.role == "Issuer" for entry in entries)
    assert first.filing_date == date(2025, 12, 12)
    assert first.updated == datetime(2025, 12, 12, 18, 2, 43, tzinfo=timezone(timedelta(hours=-5)))
    assert first.index_url.endswith("/0002063236-25-000004-index.htm")


# -- against the local EDGAR server ------------------------------------------------------------------


@pytest.fixture
def mirror(corpus_dir: Path, edgar_samples_dir: Path) -> Iterator[EdgarMirror]:
    with EdgarMirror(corpus_dir, samples_dir=edgar_samples_dir) as running:
        yield running


@pytest.fixture
def limiter(tmp_path: Path) -> RateLimiter:
    return RateLimiter(8.0, state_dir=tmp_path / "edgar-rate")


def make_client(mirror: EdgarMirror, limiter: RateLimiter, **overrides: Any) -> EdgarClient:
    options: dict[str, Any] = {
        "max_retries": 3,
        "timeout_seconds": 0.5,
        "rate_limit_pause_seconds": 0.3,
        "backoff_base_seconds": 0.01,
        "backoff_max_seconds": 0.05,
        **overrides,
    }
    return EdgarClient(
        user_agent=USER_AGENT, base_url=mirror.base_url, data_url=mirror.base_url, limiter=limiter, **options
    )


@pytest.fixture
def client(mirror: EdgarMirror, limiter: RateLimiter) -> EdgarClient:
    return make_client(mirror, limiter)


def _paths(mirror: EdgarMirror, prefix: str = "/") -> list[str]:
    return [request.path for request in mirror.requests if request.path.startswith(prefix)]


def test_client_refuses_to_start_without_a_declared_user_agent(
    mirror: EdgarMirror, limiter: RateLimiter
) -> None:
    with pytest.raises(ConfigurationError, match="EDGAR_USER_AGENT"):
        EdgarClient(user_agent=None, base_url=mirror.base_url, data_url=mirror.base_url, limiter=limiter)
    assert mirror.requests == []


def test_every_request_declares_itself_and_accepts_compression(
    client: EdgarClient, mirror: EdgarMirror
) -> None:
    client.company("AAPL")
    client.annual_reports(320193, since=date(2020, 1, 1))
    assert len(mirror.requests) == 2
    for request in mirror.requests:
        assert request.headers["User-Agent"] == USER_AGENT
        assert request.headers["Accept-Encoding"] == "gzip, deflate"


def test_tickers_resolve_with_share_classes_and_one_download_of_the_list(
    client: EdgarClient, mirror: EdgarMirror
) -> None:
    assert client.company("aapl").cik == 320193
    assert client.company("GOOG").cik == client.company("GOOGL").cik == 1652044
    assert client.company("GOOG").ticker == "GOOG"
    assert client.company("BRK.B") == client.company("brk-b")
    with pytest.raises(UnknownTickerError, match="ZZZQQ"):
        client.company("ZZZQQ")
    assert _paths(mirror) == ["/files/company_tickers.json"]


def test_annual_reports_include_the_older_page_files_only_when_needed(
    client: EdgarClient, mirror: EdgarMirror
) -> None:
    recent_only = client.annual_reports(1318605, since=date(2020, 1, 1))
    assert _paths(mirror, "/submissions/") == ["/submissions/CIK0001318605.json"]
    everything = client.annual_reports(1318605, ticker="TSLA")
    assert "/submissions/CIK0001318605-submissions-001.json" in _paths(mirror)
    assert len(everything) > len(recent_only)
    assert {ref.form for ref in everything} == {"10-K", "10-K/A"}
    oldest = everything[-1]
    assert (oldest.accession_number, oldest.report_date, oldest.ticker) == (
        "0001193125-11-054847",
        date(2010, 12, 31),
        "TSLA",
    )
    assert oldest.url == f"{mirror.base_url}/Archives/edgar/data/1318605/000119312511054847/d10k.htm"


def test_fiscal_year_candidates_put_the_report_date_rule_first(client: EdgarClient) -> None:
    apple = client.fiscal_year_candidates("AAPL", 2024)[0]
    assert (apple.accession_number, apple.primary_document) == ("0000320193-24-000123", "aapl-20240928.htm")
    assert client.fiscal_year_candidates("NVDA", 2024)[0].report_date == date(2024, 1, 28)
    tesla = client.fiscal_year_candidates("TSLA", 2024)[0]
    assert (tesla.form, tesla.accession_number) == ("10-K", "0001628280-25-003063")
    assert client.fiscal_year_candidates("AAPL", 2031) == []
    assert client.fiscal_year_candidates("TSLA", 2003) == []  # searched through the older page file too
    by_cik = client.fiscal_year_candidates("CIK0000320193", 2024)[0]
    assert (by_cik.accession_number, by_cik.ticker) == ("0000320193-24-000123", "CIK0000320193")


def test_download_returns_the_document_bytes(client: EdgarClient, edgar_samples_dir: Path) -> None:
    ref = client.fiscal_year_candidates("AAPL", 2024)[0]
    assert client.download(ref) == (edgar_samples_dir / "archives" / "aapl-20240928.htm").read_bytes()


def test_conditional_get_answers_not_modified(client: EdgarClient, mirror: EdgarMirror) -> None:
    url = f"{mirror.base_url}/files/company_tickers.json"
    first = client.get(url)
    assert first.status == 200 and first.validators.etag
    again = client.get(url, conditional=first.validators)
    assert again.not_modified and again.content == b""
    assert mirror.requests[-1].headers["If-None-Match"] == first.validators.etag


def test_the_ticker_list_is_cached_on_disk_and_revalidated(
    mirror: EdgarMirror, limiter: RateLimiter, tmp_path: Path
) -> None:
    cache_dir = tmp_path / "edgar-cache"
    assert make_client(mirror, limiter, cache_dir=cache_dir).company("MSFT").cik == 789019
    assert make_client(mirror, limiter, cache_dir=cache_dir).company("MSFT").cik == 789019
    first, second = mirror.requests
    assert "If-None-Match" not in first.headers
    assert second.headers["If-None-Match"]  # answered 304: the cached copy was used


def test_client_from_settings_uses_every_edgar_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEC_ANALYZER_EDGAR_RATE_DIR", str(tmp_path / "rate"))
    settings = Settings.model_validate(
        {
            "edgar_user_agent": USER_AGENT,
            "edgar_base_url": "http://127.0.0.1:9/",
            "edgar_data_url": "http://127.0.0.1:9",
            "edgar_requests_per_second": 5,
            "edgar_max_retries": 2,
            "edgar_timeout_seconds": 3,
            "edgar_rate_limit_pause_seconds": 60,
            "data_dir": tmp_path,
        }
    )
    client = EdgarClient.from_settings(settings)
    assert (client.base_url, client.data_url, client.max_retries) == (
        "http://127.0.0.1:9",
        "http://127.0.0.1:9",
        2,
    )
    assert (client.timeout_seconds, client.rate_limit_pause_seconds) == (3, 60)
    assert client.limiter.requests_per_second == 5 and client.limiter.state_dir == tmp_path / "rate"
    assert client.cache_dir == tmp_path / "edgar-cache"
    monkeypatch.delenv("EDGAR_USER_AGENT", raising=False)
    with pytest.raises(ConfigurationError, match="EDGAR_USER_AGENT"):
        EdgarClient.from_settings(Settings.model_validate({"data_dir": tmp_path}))


SUBMISSIONS = "/submissions/CIK0000320193.json"


@pytest.mark.parametrize(
    ("kind", "error", "message"),
    [
        ("not_found", EdgarNotFoundError, SUBMISSIONS),
        ("access_denied", EdgarNotFoundError, SUBMISSIONS),
        ("undeclared", UndeclaredToolError, "EDGAR_USER_AGENT"),
    ],
)
def test_final_answers_fail_at_once_with_typed_errors(
    client: EdgarClient, mirror: EdgarMirror, kind: str, error: type[Exception], message: str
) -> None:
    mirror.inject_failure(SUBMISSIONS, kind, times=10)
    with pytest.raises(error, match=message):
        client.get(f"{mirror.base_url}{SUBMISSIONS}")
    assert _paths(mirror) == [SUBMISSIONS]  # retrying cannot help, so nothing was retried


def test_undeclared_tool_is_a_configuration_error() -> None:
    assert issubclass(UndeclaredToolError, ConfigurationError)


def test_a_real_404_for_an_unknown_cik_is_not_found(client: EdgarClient) -> None:
    with pytest.raises(EdgarNotFoundError, match="CIK0000000001"):
        client.annual_reports(1)


@pytest.mark.parametrize("kind", ["unavailable", "too_many", "reset", "timeout", "truncate"])
def test_transient_failures_are_retried_until_success(
    client: EdgarClient, mirror: EdgarMirror, kind: str
) -> None:
    mirror.inject_failure(SUBMISSIONS, kind, times=2)
    payload = client.get(f"{mirror.base_url}{SUBMISSIONS}").json()
    assert payload["cik"] == "0000320193"
    assert _paths(mirror) == [SUBMISSIONS] * 3


@pytest.mark.parametrize("kind", ["unavailable", "too_many", "reset", "timeout", "truncate"])
def test_persistent_failures_end_as_unavailable(client: EdgarClient, mirror: EdgarMirror, kind: str) -> None:
    mirror.inject_failure(SUBMISSIONS, kind, times=4)
    with pytest.raises(EdgarUnavailableError, match="after 4 attempts"):
        client.get(f"{mirror.base_url}{SUBMISSIONS}")
    assert len(_paths(mirror)) == 4


def test_rate_threshold_page_pauses_everyone_then_retries(
    client: EdgarClient, mirror: EdgarMirror, limiter: RateLimiter, tmp_path: Path
) -> None:
    mirror.inject_failure(SUBMISSIONS, "rate_limit", times=1)
    assert client.get(f"{mirror.base_url}{SUBMISSIONS}").status == 200
    blocked, retried = mirror.requests
    assert retried.time - blocked.time >= 0.3  # the configured pause, not a quick backoff


def test_rate_threshold_pause_reaches_other_processes_sharing_the_limiter(
    mirror: EdgarMirror, limiter: RateLimiter, tmp_path: Path
) -> None:
    mirror.inject_failure(SUBMISSIONS, "rate_limit", times=1)
    blocked_client = make_client(mirror, limiter, max_retries=0, rate_limit_pause_seconds=60.0)
    with pytest.raises(RateLimitedError):
        blocked_client.get(f"{mirror.base_url}{SUBMISSIONS}")
    # what another process would build: its own limiter on the same folder
    another_process_limiter = RateLimiter(8.0, state_dir=tmp_path / "edgar-rate")
    assert another_process_limiter.paused_for() > 50


def test_persistent_rate_threshold_pauses_once_retries_once_and_says_how_long_it_waited(
    client: EdgarClient, mirror: EdgarMirror
) -> None:
    mirror.inject_failure(SUBMISSIONS, "rate_limit", times=4)
    with pytest.raises(RateLimitedError, match="Request Rate Threshold Exceeded") as refused:
        client.get(f"{mirror.base_url}{SUBMISSIONS}")
    assert len(mirror.requests) == 2  # the blocked request and one retry after the pause, no more
    waited = float(str(refused.value).split("paused for ", 1)[1].split(" s", 1)[0])
    blocked, retried = mirror.requests
    assert waited >= 0.3 and abs(waited - (retried.time - blocked.time)) < 0.2


def test_an_answer_above_the_size_cap_is_refused_clearly(mirror: EdgarMirror, limiter: RateLimiter) -> None:
    capped = make_client(mirror, limiter, max_response_bytes=1_000)
    with pytest.raises(EdgarResponseTooLargeError, match=r"1,000-byte limit .*EDGAR_MAX_RESPONSE_BYTES"):
        capped.get(f"{mirror.base_url}{SUBMISSIONS}")


def test_a_malformed_content_length_is_a_clear_error(limiter: RateLimiter) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        base_url = f"http://127.0.0.1:{listener.getsockname()[1]}"

        def answer_once() -> None:
            connection, _ = listener.accept()
            with connection:
                connection.recv(65536)
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\nConnection: close\r\n\r\n{}")

        server = threading.Thread(target=answer_once, daemon=True)
        server.start()
        client = EdgarClient(user_agent=USER_AGENT, base_url=base_url, data_url=base_url, limiter=limiter)
        with pytest.raises(EdgarMalformedResponseError, match="malformed Content-Length '12abc'"):
            client.get(f"{base_url}/files/company_tickers.json")
        server.join(timeout=5)


def test_latest_filings_are_deduplicated_and_stop_at_the_end_of_the_feed(
    client: EdgarClient, mirror: EdgarMirror
) -> None:
    entries = client.latest_filings("10-K", count=1000)
    assert len(entries) == len({entry.accession_number for entry in entries}) >= 29
    assert {entry.form for entry in entries} <= {"10-K", "10-K/A", "10-K405", "10-KT"}
    feed_requests = _paths(mirror, "/cgi-bin/browse-edgar")
    assert [path for path in feed_requests if "start=0&" in path] == feed_requests[:1]
    assert len(feed_requests) <= 3  # the page past the end is retried once, then taken as the end


def test_latest_filings_respects_count(client: EdgarClient) -> None:
    assert len(client.latest_filings("10-K", count=5)) == 5


def test_an_unavailable_first_feed_page_is_an_outage_not_an_empty_feed(
    client: EdgarClient, mirror: EdgarMirror
) -> None:
    mirror.inject_failure("/cgi-bin/browse-edgar", "unavailable", times=2)
    with pytest.raises(EdgarUnavailableError):
        client.latest_filings("10-K", count=10)


def test_concurrent_processes_and_threads_stay_under_the_sec_limit(
    mirror: EdgarMirror, tmp_path: Path
) -> None:
    """Three processes of three threads each, one client per thread, one shared limiter folder:
    the server-side arrival times never put more than 10 requests in any one-second window."""
    worker = textwrap.dedent(
        """
        import sys, threading
        from pathlib import Path
        from sec_analyzer.acquisition.edgar_client import EdgarClient
        from sec_analyzer.acquisition.rate_limit import RateLimiter

        base_url, state_dir, user_agent = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
        failures = []

        def hammer():
            client = EdgarClient(user_agent=user_agent, base_url=base_url, data_url=base_url, max_retries=0,
                                 limiter=RateLimiter(8.0, state_dir=state_dir))
            for _ in range(4):
                try:
                    client.get(base_url + "/submissions/CIK0001045810.json")
                except Exception as error:
                    failures.append(repr(error))

        threads = [threading.Thread(target=hammer) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        sys.exit(f"failures: {failures}" if failures else 0)
        """
    )
    state_dir = tmp_path / "shared-rate"
    workers = [
        subprocess.Popen([sys.executable, "-c", worker, mirror.base_url, str(state_dir), USER_AGENT])
        for _ in range(3)
    ]
    assert [process.wait(timeout=120) for process in workers] == [0, 0, 0]
    arrivals = [request.time for request in mirror.requests]
    assert len(arrivals) == 36
    assert busiest_window(arrivals) <= 10
