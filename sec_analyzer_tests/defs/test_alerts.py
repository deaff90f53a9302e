"""The run-failure sensor: a real failed pipeline run is logged and posted to the alert webhook,
here a local HTTP receiver."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import dagster as dg
import pytest

from sec_analyzer.defs.alerts import run_failure_alert
from sec_analyzer.defs.backfill import materialize_filings

UNREACHABLE_EDGAR = "http://127.0.0.1:9"


class Receiver(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.posts: list[dict[str, Any]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks/alerts"


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.server.posts.append({"path": self.path, "json": json.loads(body)})
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the test reads the posts."""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def failed_run(instance: dg.DagsterInstance) -> tuple[dg.DagsterRun, dg.DagsterEvent]:
    """A pipeline run that fails for real: its EDGAR cannot be reached."""
    edgar = {"base_url": UNREACHABLE_EDGAR, "data_url": UNREACHABLE_EDGAR}
    (run,) = materialize_filings(instance, ["AAPL-2024"], asset_names=["raw_filing"], progress=lambda _: None,
                                 run_config={"resources": {"edgar": {"config": edgar}}})
    assert run.status == dg.DagsterRunStatus.FAILURE
    (failure,) = instance.all_logs(run.run_id, of_type=dg.DagsterEventType.RUN_FAILURE)
    assert failure.dagster_event is not None
    return run, failure.dagster_event


def alert_on_failed_run(instance: dg.DagsterInstance, caplog: pytest.LogCaptureFixture) -> dg.DagsterRun:
    """A run fails; the run-failure sensor sees it, with the alert log captured."""
    run, failure = failed_run(instance)
    context = dg.build_run_status_sensor_context(
        sensor_name="run_failure_alert", dagster_event=failure, dagster_instance=instance, dagster_run=run,
    ).for_run_failure()
    with caplog.at_level("ERROR", logger="sec_analyzer.defs.alerts"):
        run_failure_alert(context)
    return run


def test_a_failed_run_is_posted_to_the_webhook_and_logged(
    instance: dg.DagsterInstance, receiver: Receiver, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("SEC_ANALYZER_ALERT_WEBHOOK_URL", receiver.url)
    run = alert_on_failed_run(instance, caplog)

    (post,) = receiver.posts
    assert post["path"] == "/hooks/alerts"
    assert post["json"]["event"] == "run_failed"
    assert post["json"]["job"] == "filing_pipeline"
    assert post["json"]["run_id"] == run.run_id
    assert post["json"]["partitions"] == "AAPL-2024"
    assert post["json"]["message"]
    (line,) = [record.getMessage() for record in caplog.records if record.name == "sec_analyzer.defs.alerts"]
    assert line.startswith(f"run failed: job filing_pipeline, run {run.run_id}, filings AAPL-2024:")


def test_without_a_webhook_the_log_line_is_the_alert(
    instance: dg.DagsterInstance, receiver: Receiver, caplog: pytest.LogCaptureFixture,
) -> None:
    alert_on_failed_run(instance, caplog)
    assert not receiver.posts
    assert any(record.getMessage().startswith("run failed: job filing_pipeline") for record in caplog.records)
