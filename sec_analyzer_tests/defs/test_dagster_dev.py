"""With `dagster dev` running (webserver + daemon), a filing that appears on EDGAR is picked up by
the sensor and materialized without anyone acting."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import dagster as dg

from sec_analyzer.edgar_mirror.server import EdgarMirror
from sec_analyzer_tests.servers import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]
AAPL_2024 = "10-K/AAPL/0000320193-24-000123/primary-document.html"
FEED_PATH = "/cgi-bin/browse-edgar"


def wait_until(condition, timeout: float, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(1)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def feed_requests(mirror: EdgarMirror) -> int:
    return sum(1 for request in mirror.requests if request.path.startswith(FEED_PATH))


def test_new_filing_is_materialized_by_the_running_daemon(tmp_path: Path, mirror: EdgarMirror,
                                                          corpus_dir: Path) -> None:
    bin_dir = Path(sys.executable).parent
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("EDGAR_", "SEC_ANALYZER_", "DAGSTER_", "MONGODB_"))}
    env.update(
        DAGSTER_HOME=str(tmp_path / "dagster_home"), SEC_ANALYZER_DATA_DIR=str(tmp_path / "data"),
        EDGAR_USER_AGENT="sec-analyzer tests tests@sec-analyzer.invalid", SEC_ANALYZER_SENSOR_INTERVAL_SECONDS="5",
        SEC_ANALYZER_WATCHLIST="[]", **mirror.environment(),
    )
    for command in (["db", "upgrade"], ["dagster-home"]):
        subprocess.run([str(bin_dir / "sec-analyzer"), *command], env=env, cwd=tmp_path, check=True,
                       capture_output=True)
    log = (tmp_path / "dagster-dev.log").open("w")
    dev = subprocess.Popen(
        [str(bin_dir / "dagster"), "dev", "-w", str(REPO_ROOT / "workspace.yaml"), "-h", "127.0.0.1",
         "-p", str(free_port())],
        env=env, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        # The sensor's first tick only records a baseline; add the filing once that tick is over.
        wait_until(lambda: feed_requests(mirror) >= 2, 240, "two sensor ticks")
        html = (corpus_dir / AAPL_2024).read_bytes()
        ref = mirror.add_filing(ticker="NEWCO", cik=9_700_001, company_name="Newco Inc.", html=html,
                                filing_date=date(2024, 11, 1), report_date=date(2024, 9, 28))

        with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
            def finished_run() -> dg.DagsterRun | None:
                runs = instance.get_runs(dg.RunsFilter(tags={"sec_analyzer/accession": ref.accession_number}))
                return next((run for run in runs if run.is_finished), None)

            run = wait_until(finished_run, 300, "the sensor's run to finish")
            assert run.status == dg.DagsterRunStatus.SUCCESS, (tmp_path / "dagster-dev.log").read_text()[-3000:]
            assert run.tags["dagster/partition"] == "NEWCO-2024"
            assert instance.has_dynamic_partition("filings", "NEWCO-2024")
        published = tmp_path / "data" / "artifacts" / "analysis_results" / "NEWCO-2024.json"
        assert '"status": "ok"' in published.read_text()
    finally:
        os.killpg(dev.pid, signal.SIGKILL)
        dev.wait(timeout=30)
        log.close()
