"""How many EDGAR requests one tick of the new-filings sensor costs, counted by the local EDGAR.

The poll (`acquisition.new_filings`) runs against a local EDGAR serving the shared corpus and the
recorded EDGAR submissions (with their older page files), with a watch-list of ten companies. Beside
it, in the same run, the baseline: the poll as it was before it filtered first (company lookups,
then every submissions page of every watch-listed company and of every feed entry, each tick).

    .venv/bin/python benchmarks/sensor_requests.py

Prints a table and writes benchmarks/results/sensor_requests.md.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

from sec_analyzer.acquisition.edgar_client import EdgarClient
from sec_analyzer.acquisition.fetch import FilingFetcher
from sec_analyzer.acquisition.new_filings import PollCursor, poll_new_filings
from sec_analyzer.acquisition.rate_limit import RateLimiter
from sec_analyzer.acquisition.raw_store import LocalRawStore
from sec_analyzer.edgar_mirror.server import EdgarMirror
from sec_analyzer.errors import SecAnalyzerError

SHARED = Path(os.environ.get("SEC_ANALYZER_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))
RESULTS = Path(__file__).parent / "results" / "sensor_requests.md"
WATCHLIST = ["AAPL", "NVDA", "TSLA", "AMZN", "GOOGL", "META", "JNJ", "KO", "PG", "WMT"]
NEW_DOCUMENT = "10-K/AAPL/0000320193-24-000123/primary-document.html"


def client_for(mirror: EdgarMirror, work: Path) -> EdgarClient:
    return EdgarClient(user_agent="sec-analyzer benchmark benchmark@example.com", base_url=mirror.base_url,
                       data_url=mirror.base_url, cache_dir=work / "cache",
                       limiter=RateLimiter(10.0, state_dir=work / "rate"))


def baseline_poll(client: EdgarClient, seen: set[str]) -> None:
    """The pre-filtering poll: resolve and read every page for each watched company and feed entry
    (a company EDGAR fails for is skipped, as that poll did)."""
    for ticker in WATCHLIST:
        with contextlib.suppress(SecAnalyzerError):
            seen.update(ref.accession_number for ref in client.annual_reports(client.company(ticker).cik))
    for entry in client.latest_filings(form="10-K"):
        with contextlib.suppress(SecAnalyzerError):
            seen.update(ref.accession_number for ref in client.annual_reports(entry.cik))


def counted(mirror: EdgarMirror, action: Callable[[], object]) -> int:
    before = len(mirror.requests)
    action()
    return len(mirror.requests) - before


def main() -> None:
    if not (SHARED / "corpus").is_dir():
        raise SystemExit(f"the shared corpus is missing under {SHARED} (set SEC_ANALYZER_SHARED_DIR)")
    html = (SHARED / "corpus" / NEW_DOCUMENT).read_bytes()
    rows: list[tuple[str, int, int, str]] = []
    with tempfile.TemporaryDirectory() as folder, EdgarMirror(
        SHARED / "corpus", samples_dir=SHARED / "edgar-samples", requests_per_second=None
    ) as mirror:
        work = Path(folder)
        cursor = PollCursor()
        baseline_seen: set[str] = set()

        def poll() -> None:
            client = client_for(mirror, work)  # the sensor builds a client each tick
            poll_new_filings(client, FilingFetcher(client, LocalRawStore(work / "raw")), cursor, WATCHLIST)

        def baseline() -> None:
            baseline_poll(client_for(mirror, work), baseline_seen)

        def tick(label: str, bound: str) -> None:
            rows.append((label, counted(mirror, poll), counted(mirror, baseline), bound))

        tick("first tick (records the baseline)", "—")
        tick("idle tick", f"≤ {1 + len(WATCHLIST)}")
        mirror.add_filing(ticker="NEWCO", cik=9_800_001, company_name="Newco Inc.", html=html,
                          filing_date=date(2026, 11, 30), report_date=date(2026, 9, 26))
        tick("a new 10-K of a company not on the watch-list", f"≤ {1 + len(WATCHLIST) + 2}")
        mirror.add_filing(ticker="NVDA", cik=1_045_810, company_name="NVIDIA CORP", html=html,
                          filing_date=date(2026, 12, 1), report_date=date(2026, 10, 25))
        tick("a new 10-K of a watch-listed company", f"≤ {1 + len(WATCHLIST) + 1}")
        tick("idle tick", f"≤ {1 + len(WATCHLIST)}")

    header = "| tick | requests (sensor poll) | requests (baseline: unfiltered poll) | bound |"
    lines = [header, "|---|---:|---:|---|", *(f"| {label} | {ours} | {theirs} | {bound} |"
                                            for label, ours, theirs, bound in rows)]
    table = "\n".join(lines)
    print(table)
    RESULTS.write_text(
        "# EDGAR requests per sensor tick\n\n"
        f"Watch-list of {len(WATCHLIST)} companies; local EDGAR over the shared corpus and the recorded "
        "submissions (with their older page files). Written by `benchmarks/sensor_requests.py`.\n\n"
        f"{table}\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
