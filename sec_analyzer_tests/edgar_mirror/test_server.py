"""The local EDGAR mirror, exercised over real HTTP with `requests` as a client would."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
import requests

from sec_analyzer.edgar_mirror.content import MirrorContentError
from sec_analyzer.edgar_mirror.server import EdgarMirror, MirrorError, serve_in_background

USER_AGENT = "Sec Analyzer Tests tests@example.com"
ATOM = "{http://www.w3.org/2005/Atom}"
NEW_FILING_HTML = (
    b"<html><body><ix:header></ix:header><p>Annual report for the period ended "
    b'<ix:nonNumeric name="dei:DocumentPeriodEndDate" contextRef="c-1">March 31, 2026</ix:nonNumeric>'
    b"</p><p>Item 1A. Risk Factors</p></body></html>"
)


def _session() -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    return session


@pytest.fixture(scope="module")
def mirror(corpus_dir: Path, edgar_samples_dir: Path) -> Iterator[EdgarMirror]:
    # no rate limit here: these tests check content, and the limiter has its own tests
    with EdgarMirror(corpus_dir, samples_dir=edgar_samples_dir, requests_per_second=None) as running:
        yield running


@pytest.fixture
def plain_mirror(corpus_dir: Path) -> Iterator[EdgarMirror]:
    """A fresh corpus-only mirror (built-in error bodies), rate-limited like EDGAR."""
    with EdgarMirror(corpus_dir, rate_limit_block_seconds=0.5, timeout_failure_seconds=1.0) as running:
        yield running


def _recorded_samples(samples_dir: Path) -> list[tuple[str, int, str, Path]]:
    """(url, status, content type, body file) for every recording that names its URL."""
    found = []
    for sidecar in sorted(samples_dir.rglob("*.response-meta.json")):
        body = sidecar.with_name(sidecar.name.removesuffix(".response-meta.json"))
        if not body.is_file():
            continue  # the 304 recording has no body: conditional GET is tested separately
        meta = json.loads(sidecar.read_text())
        content_type = {key.lower(): values[0] for key, values in meta["headers"].items()}["content-type"]
        found.append((meta["uri"], meta["status"]["code"], content_type, body))
    return found


def test_every_recorded_response_is_replayed_at_its_url(mirror: EdgarMirror, edgar_samples_dir: Path) -> None:
    session = _session()
    recorded = _recorded_samples(edgar_samples_dir)
    assert len(recorded) >= 6
    for url, status, content_type, body in recorded:
        parts = urlsplit(url)
        response = session.get(f"{mirror.base_url}{parts.path}?{parts.query}")
        assert response.status_code == status, url
        assert response.headers["Content-Type"] == content_type, url
        if content_type == "application/json":  # merged with the corpus, so re-serialised
            assert response.json() == json.loads(body.read_bytes())
        else:
            assert response.content == body.read_bytes(), url


@pytest.mark.parametrize(
    ("path", "sample", "content_type"),
    [
        (
            "/Archives/edgar/data/320193/000032019324000123/aapl-20240928.htm",
            "archives/aapl-20240928.htm",
            "text/html",
        ),
        (
            "/Archives/edgar/data/1648960/000121390024004875/index.json",
            "archives/000121390024004875-index.json",
            "application/json",
        ),
        (
            "/Archives/edgar/daily-index/2020/QTR1/form.20200318.idx",
            "index/daily-index-form.20200318.idx",
            "text/plain",
        ),
        (
            "/Archives/edgar/daily-index/2020/QTR1/master.20200103.idx",
            "index/daily-index-master.20200103.idx",
            "text/plain",
        ),
        (
            "/Archives/edgar/full-index/2021/QTR1/form.idx",
            "index/full-index-form.idx.excerpt-2021QTR1.txt",
            "text/plain",
        ),
        (
            "/submissions/CIK0001318605-submissions-001.json",
            "submissions/CIK0001318605-submissions-001.json",
            "application/json",
        ),
    ],
)
def test_recordings_without_sidecar_are_served_at_their_url(
    mirror: EdgarMirror, edgar_samples_dir: Path, path: str, sample: str, content_type: str
) -> None:
    response = _session().get(mirror.base_url + path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    expected = (edgar_samples_dir / sample).read_bytes()
    if path.endswith(".json"):
        assert response.json() == json.loads(expected)
    else:
        assert response.content == expected


def test_company_tickers_merge_recording_and_corpus(mirror: EdgarMirror) -> None:
    rows = _session().get(mirror.base_url + "/files/company_tickers.json").json()
    assert list(rows)[:3] == ["0", "1", "2"]
    by_ticker = {row["ticker"]: row for row in rows.values()}
    assert by_ticker["GOOG"]["cik_str"] == by_ticker["GOOGL"]["cik_str"] == 1652044
    assert isinstance(by_ticker["AAPL"]["cik_str"], int)
    assert by_ticker["AAPL"]["title"] == "Apple Inc."
    assert len(rows) >= 9610


def test_company_tickers_from_corpus_alone(plain_mirror: EdgarMirror) -> None:
    rows = _session().get(plain_mirror.base_url + "/files/company_tickers.json").json()
    by_ticker = {row["ticker"]: row for row in rows.values()}
    assert len(rows) == 19
    assert by_ticker["GOOG"]["cik_str"] == by_ticker["GOOGL"]["cik_str"] == 1652044
    assert by_ticker["NVDA"]["title"] == "NVIDIA CORP"


def _recent_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Parse the columnar `filings.recent` the way a client does: index i across columns."""
    recent = document["filings"]["recent"]
    lengths = {len(values) for values in recent.values()}
    assert len(lengths) == 1, "columns must be parallel"
    return [{column: recent[column][i] for column in recent} for i in range(lengths.pop())]


def test_synthesised_submissions_have_edgars_shape_and_real_period_ends(plain_mirror: EdgarMirror) -> None:
    response = _session().get(plain_mirror.base_url + "/submissions/CIK0001652044.json")
    assert response.headers["Content-Type"] == "application/json"
    document = response.json()
    assert document["cik"] == "0001652044"
    assert document["name"] == "Alphabet Inc."
    assert sorted(document["tickers"]) == ["GOOG", "GOOGL"]
    assert len(document["exchanges"]) == 2
    assert document["fiscalYearEnd"] == "1231"
    assert document["filings"]["files"] == []
    rows = _recent_rows(document)
    assert [row["filingDate"] for row in rows] == sorted((row["filingDate"] for row in rows), reverse=True)
    assert [row["reportDate"] for row in rows] == ["2024-12-31", "2023-12-31"]
    assert rows[1]["accessionNumber"] == "0001652044-24-000022"
    assert {row["form"] for row in rows} == {"10-K"}
    assert all(str(row["acceptanceDateTime"]).endswith(".000Z") for row in rows)
    assert list(document["filings"]["recent"])[:4] == [
        "accessionNumber",
        "filingDate",
        "reportDate",
        "acceptanceDateTime",
    ]


def test_period_end_comes_from_inline_xbrl_not_the_filing_year(plain_mirror: EdgarMirror) -> None:
    rows = _recent_rows(_session().get(plain_mirror.base_url + "/submissions/CIK0001045810.json").json())
    by_filing_date = {row["filingDate"]: row for row in rows}
    assert by_filing_date["2025-02-26"]["reportDate"] == "2025-01-26"  # NVDA's 52-week year


def test_filed_date_folders_get_stable_accession_numbers(corpus_dir: Path, plain_mirror: EdgarMirror) -> None:
    again = EdgarMirror(corpus_dir)
    try:
        first = {f.accession_number for f in plain_mirror.catalog.filings()}
        assert {f.accession_number for f in again.catalog.filings()} == first
        assert len(first) == 29
    finally:
        again.stop()


def test_recorded_submissions_lend_their_accession_to_corpus_filings(mirror: EdgarMirror) -> None:
    session = _session()
    rows = _recent_rows(session.get(mirror.base_url + "/submissions/CIK0001318605.json").json())
    tenk_2025 = next(row for row in rows if row["form"] == "10-K" and row["filingDate"] == "2025-01-30")
    cik, accession = 1318605, str(tenk_2025["accessionNumber"]).replace("-", "")
    document = session.get(
        f"{mirror.base_url}/Archives/edgar/data/{cik}/{accession}/{tenk_2025['primaryDocument']}"
    )
    assert document.status_code == 200
    assert document.headers["Content-Type"] == "text/html"
    assert b"Tesla" in document.content


def test_unknown_cik_answers_no_such_key(mirror: EdgarMirror, plain_mirror: EdgarMirror) -> None:
    for running in (mirror, plain_mirror):
        response = _session().get(running.base_url + "/submissions/CIK0000000042.json")
        assert response.status_code == 404
        assert response.headers["Content-Type"] == "application/xml"
        assert b"<Code>NoSuchKey</Code>" in response.content
        assert b"<Key>submissions/CIK0000000042.json</Key>" in response.content


def test_filing_folder_listing_and_index_page(plain_mirror: EdgarMirror) -> None:
    session = _session()
    base = plain_mirror.base_url + "/Archives/edgar/data/320193/000032019324000123"
    listing = session.get(base + "/index.json").json()["directory"]
    assert listing["name"] == "/Archives/edgar/data/320193/000032019324000123"
    assert listing["parent-dir"] == "/Archives/edgar/data/320193"
    document_item = next(item for item in listing["item"] if item["name"].endswith("20240928.htm"))
    assert int(document_item["size"]) > 1_000_000
    for index_page in (
        base + "/0000320193-24-000123-index.htm",
        base[: base.rindex("/")] + "/0000320193-24-000123-index.html",
    ):
        page = session.get(index_page)
        assert page.status_code == 200
        assert "Period of Report" in page.text and "2024-09-28" in page.text


def _feed_entries(body: bytes) -> list[ElementTree.Element]:
    return ElementTree.fromstring(body).findall(f"{ATOM}entry")


def test_current_feed_pages_and_ends_with_503(plain_mirror: EdgarMirror) -> None:
    session = _session()
    url = plain_mirror.base_url + "/cgi-bin/browse-edgar"
    query = {
        "action": "getcurrent",
        "type": "10-K",
        "company": "",
        "dateb": "",
        "owner": "include",
        "output": "atom",
    }
    first = session.get(url, params={**query, "start": "0", "count": "20"})
    assert first.status_code == 200
    assert first.headers["Content-Type"] == "application/atom+xml"
    second = session.get(url, params={**query, "start": "20", "count": "20"})
    entries = _feed_entries(first.content) + _feed_entries(second.content)
    assert len(entries) == 29
    accessions = [entry.findtext(f"{ATOM}id", "").rsplit("=", 1)[1] for entry in entries]
    assert len(set(accessions)) == 29
    updated = [entry.findtext(f"{ATOM}updated", "") for entry in entries]
    assert updated[0] >= updated[-1]
    first_entry = entries[0]
    assert first_entry.find(f"{ATOM}category").get("term") == "10-K"  # type: ignore[union-attr]
    assert (first_entry.findtext(f"{ATOM}title") or "").endswith("(Filer)")
    past_end = session.get(url, params={**query, "start": "40", "count": "20"})
    assert past_end.status_code == 503
    assert "File Unavailable" in past_end.text


def test_company_feed_lists_a_companys_10ks(mirror: EdgarMirror) -> None:
    response = _session().get(
        mirror.base_url + "/cgi-bin/browse-edgar",
        params={
            "action": "getcompany",
            "CIK": "1318605",
            "type": "10-K",
            "owner": "include",
            "count": "40",
            "output": "atom",
        },
    )
    assert response.status_code == 200
    forms = [entry.find(f"{ATOM}category").get("term") for entry in _feed_entries(response.content)]  # type: ignore[union-attr]
    assert "10-K" in forms and "10-K/A" in forms  # type is a prefix, as on EDGAR
    assert set(forms) <= {"10-K", "10-K/A"}


def test_index_files_from_mirror_content_and_missing_ones_denied(plain_mirror: EdgarMirror) -> None:
    session = _session()
    daily = session.get(plain_mirror.base_url + "/Archives/edgar/daily-index/2025/QTR1/form.20250226.idx")
    assert daily.status_code == 200
    row = next(line for line in daily.text.splitlines() if line.startswith("10-K "))
    assert "1045810" in row and "20250226" in row and "edgar/data/1045810/" in row
    quarterly = session.get(plain_mirror.base_url + "/Archives/edgar/full-index/2025/QTR1/master.idx")
    assert "1045810|NVIDIA CORP|10-K|2025-02-26|edgar/data/1045810/" in quarterly.text
    compressed = session.get(plain_mirror.base_url + "/Archives/edgar/full-index/2025/QTR1/form.gz")
    assert b"NVIDIA CORP" in gzip.decompress(compressed.content)
    missing = session.get(plain_mirror.base_url + "/Archives/edgar/full-index/2099/QTR1/form.gz")
    assert missing.status_code == 403
    assert missing.headers["Content-Type"] == "application/xml"
    assert b"<Code>AccessDenied</Code>" in missing.content


def test_undeclared_user_agents_get_the_automated_tool_page(mirror: EdgarMirror) -> None:
    url = mirror.base_url + "/files/company_tickers.json"
    for headers in (
        {"User-Agent": "python-requests/2.32.3"},
        {"User-Agent": ""},
        {"User-Agent": "curl/8.5.0"},
    ):
        response = requests.get(url, headers=headers, timeout=10)
        assert response.status_code == 403
        assert response.headers["Content-Type"] == "text/html"
        assert "Undeclared Automated Tool" in response.text
    assert requests.get(url, headers={"User-Agent": USER_AGENT}, timeout=10).status_code == 200


def test_rate_limit_blocks_a_client_then_expires(plain_mirror: EdgarMirror) -> None:
    session = _session()
    url = plain_mirror.base_url + "/files/company_tickers.json"
    statuses: list[int] = []
    while 403 not in statuses and len(statuses) < 40:
        statuses.append(session.get(url).status_code)
    # the 11th request within one second is refused; a slow machine may spread them further
    assert statuses[-1] == 403
    assert statuses[:-1] == [200] * (len(statuses) - 1) and len(statuses) >= 11
    blocked = session.get(url)
    assert blocked.status_code == 403
    assert "Request Rate Threshold Exceeded" in blocked.text
    time.sleep(0.6)  # the fixture's block lasts 0.5 s
    assert session.get(url).status_code == 200


def test_conditional_get_answers_304(plain_mirror: EdgarMirror) -> None:
    session = _session()
    url = plain_mirror.base_url + "/Archives/edgar/data/320193/000032019324000123/aapl-20240928.htm"
    first = session.get(url)
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
    by_etag = session.get(url, headers={"If-None-Match": etag})
    assert by_etag.status_code == 304 and by_etag.content == b""
    by_date = session.get(url, headers={"If-Modified-Since": last_modified})
    assert by_date.status_code == 304
    assert session.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200
    assert session.get(url, headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}).status_code == 200


@pytest.mark.parametrize(
    ("kind", "status", "content_type", "phrase"),
    [
        ("rate_limit", 403, "text/html", b"Request Rate Threshold Exceeded"),
        ("undeclared", 403, "text/html", b"Undeclared Automated Tool"),
        ("not_found", 404, "application/xml", b"<Code>NoSuchKey</Code>"),
        ("access_denied", 403, "application/xml", b"<Code>AccessDenied</Code>"),
        ("unavailable", 503, "text/html", b"File Unavailable"),
        ("too_many", 429, "text/html", b"Too Many Requests"),
    ],
)
@pytest.mark.parametrize("recorded_bodies", [True, False], ids=["recorded", "built-in"])
def test_injected_failure_answers(
    corpus_dir: Path,
    edgar_samples_dir: Path,
    recorded_bodies: bool,
    kind: str,
    status: int,
    content_type: str,
    phrase: bytes,
) -> None:
    samples = edgar_samples_dir if recorded_bodies else None
    with EdgarMirror(corpus_dir, samples_dir=samples, requests_per_second=None) as running:
        session = _session()
        url = running.base_url + "/submissions/CIK0001652044.json"
        running.inject_failure("/submissions/*", kind, times=2)
        for _ in range(2):
            response = session.get(url)
            assert response.status_code == status
            assert response.headers["Content-Type"] == content_type
            assert phrase in response.content
        if kind == "too_many":
            assert response.headers["Retry-After"] == "1"
        assert session.get(url).status_code == 200


def test_recorded_error_bodies_are_served_verbatim(mirror: EdgarMirror, edgar_samples_dir: Path) -> None:
    mirror.inject_failure("/files/*", "rate_limit")
    response = _session().get(mirror.base_url + "/files/company_tickers.json")
    assert (
        response.content
        == (edgar_samples_dir / "errors/403-request-rate-threshold-exceeded.html").read_bytes()
    )


def test_connection_failures(plain_mirror: EdgarMirror) -> None:
    session = _session()
    url = plain_mirror.base_url + "/submissions/CIK0000320193.json"
    plain_mirror.inject_failure("/submissions/*", "reset")
    with pytest.raises(requests.ConnectionError):
        session.get(url)
    plain_mirror.inject_failure("/submissions/*", "truncate")
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        session.get(url)
    plain_mirror.inject_failure("/submissions/*", "timeout")
    with pytest.raises(requests.Timeout):
        session.get(url, timeout=0.2)
    assert session.get(url).status_code == 200


def test_failure_injection_matches_query_strings(mirror: EdgarMirror) -> None:
    mirror.inject_failure("/cgi-bin/browse-edgar?*action=getcurrent*", "unavailable")
    url = mirror.base_url + "/cgi-bin/browse-edgar?action=getcurrent&type=10-K&output=atom"
    assert _session().get(url).status_code == 503
    assert _session().get(url).status_code == 200


def test_unknown_failure_kind_is_refused(mirror: EdgarMirror) -> None:
    with pytest.raises(MirrorError, match="unknown failure kind"):
        mirror.inject_failure("/*", "explode")


def test_requests_are_recorded_with_headers(corpus_dir: Path) -> None:
    with EdgarMirror(corpus_dir) as running:
        _session().get(running.base_url + "/files/company_tickers.json")
        (recorded,) = running.requests
    assert recorded.method == "GET"
    assert recorded.path == "/files/company_tickers.json"
    assert recorded.headers["User-Agent"] == USER_AGENT
    assert recorded.time <= time.monotonic()


def test_added_filing_appears_everywhere(corpus_dir: Path) -> None:
    with EdgarMirror(corpus_dir, requests_per_second=None) as running:
        session = _session()
        ref = running.add_filing(
            ticker="newco",
            cik=9_999_001,
            company_name="New Co Holdings",
            html=NEW_FILING_HTML,
            filing_date=date(2026, 5, 20),
        )
        assert ref.ticker == "NEWCO"
        assert ref.report_date == date(2026, 3, 31)
        assert ref.primary_document == "newco-20260331.htm"
        assert session.get(ref.url).content == NEW_FILING_HTML

        rows = _recent_rows(session.get(running.base_url + "/submissions/CIK0009999001.json").json())
        assert rows[0]["accessionNumber"] == ref.accession_number
        assert rows[0]["reportDate"] == "2026-03-31"

        feed = session.get(
            running.base_url + "/cgi-bin/browse-edgar",
            params={"action": "getcurrent", "type": "10-K", "output": "atom", "count": "10"},
        )
        newest = _feed_entries(feed.content)[0]
        assert (newest.findtext(f"{ATOM}id") or "").endswith(ref.accession_number)

        tickers = session.get(running.base_url + "/files/company_tickers.json").json()
        assert {"cik_str": 9_999_001, "ticker": "NEWCO", "title": "New Co Holdings"} in tickers.values()


def test_added_filing_joins_a_recorded_company(corpus_dir: Path, edgar_samples_dir: Path) -> None:
    with EdgarMirror(corpus_dir, samples_dir=edgar_samples_dir) as mirror:
        ref = mirror.add_filing(
            ticker="AAPL",
            cik=320193,
            company_name="Apple Inc.",
            html=NEW_FILING_HTML,
            accession="0000320193-26-000999",
            filing_date=date(2026, 12, 1),
            report_date=date(2026, 9, 26),
        )
        rows = _recent_rows(_session().get(mirror.base_url + "/submissions/CIK0000320193.json").json())
    assert rows[0]["accessionNumber"] == ref.accession_number == "0000320193-26-000999"
    assert len(rows) == 1006  # the recording's 1,005 rows plus this one


def test_submissions_split_into_page_files(tmp_path: Path) -> None:
    with EdgarMirror(None, submissions_page_size=2, requests_per_second=None) as running:
        for year in range(2020, 2025):
            running.add_filing(
                ticker="PAGE",
                cik=7_000_007,
                company_name="Page Co",
                html=b"<html></html>",
                filing_date=date(year, 3, 2),
            )
        session = _session()
        document = session.get(running.base_url + "/submissions/CIK0007000007.json").json()
        assert [row["filingDate"] for row in _recent_rows(document)] == ["2024-03-02", "2023-03-02"]
        files = document["filings"]["files"]
        assert [entry["name"] for entry in files] == [
            "CIK0007000007-submissions-001.json",
            "CIK0007000007-submissions-002.json",
        ]
        assert files[0] == {
            "name": "CIK0007000007-submissions-001.json",
            "filingCount": 2,
            "filingFrom": "2021-03-02",
            "filingTo": "2022-03-02",
        }
        dates: list[str] = []
        for entry in files:
            page = session.get(f"{running.base_url}/submissions/{entry['name']}").json()
            assert "cik" not in page and "filings" not in page  # a bare column object
            dates += page["filingDate"]
        assert dates == ["2022-03-02", "2021-03-02", "2020-03-02"]
        assert (
            session.get(running.base_url + "/submissions/CIK0007000007-submissions-003.json").status_code
            == 404
        )


def test_period_end_guess_without_xbrl() -> None:
    with EdgarMirror(None) as running:
        ref = running.add_filing(
            ticker="OLD",
            cik=42,
            company_name="Old Co",
            html=b"<html>no xbrl</html>",
            filing_date=date(2025, 8, 4),
        )
    assert ref.report_date == date(2025, 6, 30)


def test_corpus_metadata_may_state_the_period_of_report(tmp_path: Path) -> None:
    folder = tmp_path / "10-K" / "SNWK" / "filed-2025-03-03"
    folder.mkdir(parents=True)
    (folder / "primary-document.html").write_bytes(b"<html>For the fiscal year ended January 4, 2025</html>")
    (folder / "metadata.json").write_text(json.dumps({"ticker": "SNWK", "cik": 43, "report_date": "2025-01-04"}))
    with EdgarMirror(tmp_path) as running:
        (filing,) = running.catalog.filings()
    assert (filing.report_date, filing.filing_date) == (date(2025, 1, 4), date(2025, 3, 3))
    (folder / "metadata.json").write_text(json.dumps({"ticker": "SNWK", "cik": 43, "report_date": "Jan 4"}))
    with pytest.raises(MirrorContentError, match="report_date 'Jan 4' is not YYYY-MM-DD"):
        EdgarMirror(tmp_path)


def test_the_mirror_loads_none_of_the_code_it_stands_in_for() -> None:
    """What the mirror serves must not come from the acquisition or preprocessing code under test."""
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, sec_analyzer.edgar_mirror.server, sec_analyzer.edgar_mirror.commands; "
         "print('\\n'.join(sorted(sys.modules)))"],
        capture_output=True, text=True, check=True,
    ).stdout.split()
    assert [name for name in loaded if name.startswith(("sec_analyzer.acquisition", "sec_analyzer.preprocessing",
                                                        "sec_analyzer.fiscal_year"))] == []


def test_bad_folders_raise_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(MirrorContentError, match="does not exist"):
        EdgarMirror(tmp_path / "missing")
    broken = tmp_path / "10-K" / "BAD" / "filed-2025-01-01"
    broken.mkdir(parents=True)
    (broken / "metadata.json").write_text("{not json")
    with pytest.raises(MirrorContentError, match="cannot read filing metadata"):
        EdgarMirror(tmp_path)


def test_serve_in_background_gives_environment(corpus_dir: Path) -> None:
    running = serve_in_background(corpus_dir)
    try:
        environment = running.environment()
        assert environment["EDGAR_BASE_URL"] == environment["EDGAR_DATA_URL"] == running.base_url
        assert _session().get(running.base_url + "/files/company_tickers.json").status_code == 200
    finally:
        running.stop()
