"""After a real batched run of a good and a faulty filing (`sec-analyzer backfill` through the local
EDGAR), read in a real browser: the Dagster UI — the asset graph with every stage, each filing's
own gate verdict on its partition — and the dashboard of `sec-analyzer serve` over the database
the run wrote."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import requests

from sec_analyzer.contracts import PIPELINE
from sec_analyzer.edgar_mirror.server import EdgarMirror
from sec_analyzer_tests.defs import faults
from sec_analyzer_tests.servers import free_port
from sec_analyzer_tests.ui.browser import browser_page, save_screenshot

REPO_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
AAPL_2024 = "10-K/AAPL/0000320193-24-000123/primary-document.html"
STAGES = [contract.name for contract in PIPELINE]


@dataclass(frozen=True)
class DagsterUi:
    url: str
    home: Path
    dashboard_url: str


@pytest.fixture(scope="module")
def dagster_ui(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Iterator[DagsterUi]:
    root = tmp_path_factory.mktemp("dagster-ui")
    with EdgarMirror(corpus_dir) as mirror:
        html = (corpus_dir / AAPL_2024).read_text(encoding="utf-8")
        mirror.add_filing(ticker="NOIA", cik=9_800_001, company_name="No Item 1A Corp",
                          html=faults.without_item_1a(html), filing_date=date(2024, 11, 1),
                          report_date=date(2024, 9, 28))
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("EDGAR_", "SEC_ANALYZER_", "DAGSTER_", "MONGODB_"))}
        env.update(DAGSTER_HOME=str(root / "dagster_home"), SEC_ANALYZER_DATA_DIR=str(root / "data"),
                   SEC_ANALYZER_DATABASE_URL=f"sqlite:///{root / 'results.db'}",
                   EDGAR_USER_AGENT="sec-analyzer tests tests@sec-analyzer.invalid", **mirror.environment())
        backfill = subprocess.run([str(BIN / "sec-analyzer"), "backfill", "--tickers", "AAPL,NOIA", "--years", "2024"],
                                  env=env, cwd=REPO_ROOT, capture_output=True, text=True)
        assert "AAPL-2024" in backfill.stdout and "NOIA-2024" in backfill.stdout, backfill.stdout + backfill.stderr
        port, dashboard_port = free_port(), free_port()
        log = (root / "servers.log").open("w")
        servers = [
            subprocess.Popen([str(BIN / "dagster-webserver"), "-w", str(REPO_ROOT / "workspace.yaml"), "-h", "127.0.0.1",
                              "-p", str(port)], env=env, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT,
                             start_new_session=True),
            subprocess.Popen([str(BIN / "sec-analyzer"), "serve", "--port", str(dashboard_port)], env=env, cwd=REPO_ROOT,
                             stdout=log, stderr=subprocess.STDOUT, start_new_session=True),
        ]
        ui = DagsterUi(f"http://127.0.0.1:{port}", root, f"http://127.0.0.1:{dashboard_port}")
        try:
            for probe in (f"{ui.url}/server_info", f"{ui.dashboard_url}/api/health"):
                wait_for_http(probe, root / "servers.log")
            yield ui
        finally:
            for server in servers:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=30)
            log.close()


def wait_for_http(url: str, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.ConnectionError:
            pass
        time.sleep(1)
    pytest.fail(f"{url} did not answer: " + log.read_text()[-2000:])


def open_page(page: Any, url: str) -> None:
    # The first-visit newsletter dialog may open at any moment after the page loads and then
    # covers every button: dismiss it whenever it shows up, before the test's next action.
    skip = page.get_by_role("button", name="Skip")
    page.add_locator_handler(skip, lambda _: skip.click())
    page.goto(url)
    page.wait_for_load_state("networkidle")


def open_check_partitions(page: Any, ui: DagsterUi, asset: str, check: str) -> None:
    open_page(page, f"{ui.url}/assets/{asset}?view=checks&checkDetail={check}")
    page.get_by_text("Execution history").first.wait_for()
    page.get_by_text("Partitions", exact=True).last.click()
    page.get_by_placeholder("Filter by partition…").wait_for()


def select_partition(page: Any, key: str) -> str:
    panel = page.get_by_placeholder("Filter by partition…").locator("xpath=../../..")
    panel.locator("span", has_text=key).first.click()
    page.get_by_role("heading", name=key).wait_for() if page.get_by_role("heading", name=key).count() else None
    page.wait_for_timeout(1500)
    return str(page.inner_text("body"))


def test_the_asset_graph_shows_every_stage_in_its_group(dagster_ui: DagsterUi) -> None:
    with browser_page(width=1800) as page:
        # The lineage of the last stage, all the way up: every stage, drawn inside its group.
        open_page(page, f"{dagster_ui.url}/assets/risk_changes?view=lineage&lineageScope=upstream&lineageDepth=12")
        page.get_by_text("raw_filing", exact=True).first.wait_for()
        save_screenshot(page, "dagster-asset-graph")
        text = page.inner_text("body")
    for name in ("acquisition", "preprocessing", "analysis", "publish", "insights", *STAGES):
        # the UI shortens long names in the middle (risk_cla…fications): compare their ends
        assert name in text or (name[:7] in text and name[-7:] in text), name


def test_each_filing_of_a_batched_run_shows_its_own_gate_verdict(dagster_ui: DagsterUi) -> None:
    with browser_page() as page:
        open_check_partitions(page, dagster_ui, "risk_segments", "completeness")
        summary = page.inner_text("body")
        assert "Failed (1)" in summary and "Passed (1)" in summary and "Missing (0)" in summary
        assert "Skipped (0)" in summary
        blocked = select_partition(page, "NOIA-2024")
        save_screenshot(page, "dagster-check-partition-blocked")
        assert "FAILED (ERROR)" in blocked and "item_1a_present_or_explained" in blocked
        published = select_partition(page, "AAPL-2024")
        save_screenshot(page, "dagster-check-partition-passed")
        assert "PASSED" in published


def test_the_publish_asset_says_which_filing_was_blocked_and_why(dagster_ui: DagsterUi) -> None:
    with browser_page() as page:
        open_page(page, f"{dagster_ui.url}/assets/analysis_results?view=partitions")
        page.get_by_text("AAPL-2024").first.click()
        page.wait_for_timeout(2000)
        save_screenshot(page, "dagster-publish-partition")
        text = page.inner_text("body")
    assert "blocked by the quality gate: completeness/" in text


def test_the_dashboard_reads_what_the_pipeline_published(dagster_ui: DagsterUi) -> None:
    filings = requests.get(f"{dagster_ui.dashboard_url}/api/companies/AAPL/filings", timeout=30).json()["filings"]
    assert [filing["fiscal_year"] for filing in filings] == [2024]
    risks = requests.get(f"{dagster_ui.dashboard_url}/api/filings/AAPL/2024/risks?limit=50", timeout=30).json()
    assert len(risks["risks"]) >= 25 and all(risk["labels"] for risk in risks["risks"])
    with browser_page() as page:
        open_page(page, f"{dagster_ui.dashboard_url}/companies/AAPL")
        save_screenshot(page, "dashboard-after-pipeline-run")
        text = page.inner_text("body")
    assert "The Company's operations and performance depend significantly on global and regional" in text
