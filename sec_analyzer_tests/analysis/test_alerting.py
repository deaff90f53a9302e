"""Critical drift raises exactly one alert at a real local webhook; the cooldown and the daily
limit hold later triggers back; a dead webhook still counts, so retraining never loops."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sec_analyzer.analysis.alerting import AlertState, evaluate_alerts, load_state, raise_drift_alert
from sec_analyzer.analysis.analysis_config import AlertSettings, load_analysis_settings
from sec_analyzer.analysis.drift import DriftReport, DriftStatus, year_drift
from sec_analyzer_tests.servers import free_port

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class Receiver:
    """A webhook on 127.0.0.1 that records every JSON body posted to it."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        received = self.bodies

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                received.append(json.loads(self.rfile.read(length)))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/drift"

    def __enter__(self) -> Receiver:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


def _report(shifted: bool) -> DriftReport:
    """Two synthetic years: the second either drawn like the first or moved to other categories
    and another region of the embedding space."""
    settings = load_analysis_settings().drift
    rng = np.random.default_rng(7)
    # like sentence embeddings: a shared direction plus each risk's own part
    base = 2.0 * np.eye(32)[0] + rng.normal(size=(300, 32))
    before = base[:150] / np.linalg.norm(base[:150], axis=1, keepdims=True)
    after_raw = base[150:] + (1.5 * np.eye(32)[1] if shifted else 0)
    after = after_raw / np.linalg.norm(after_raw, axis=1, keepdims=True)
    counts_before = {"macroeconomic": 50, "cybersecurity": 50, "regulatory": 50}
    counts_after = {"macroeconomic": 20, "cybersecurity": 110, "regulatory": 20} if shifted else counts_before
    year = year_drift(2025, 2024, (counts_before, counts_after), (before, after), 10, settings)
    return DriftReport("2026-12-01T09:00:00+00:00", (year,), {2024: 150, 2025: 150})


def _settings(url: str | None, cooldown_hours: float = 24, daily_limit: int = 1) -> AlertSettings:
    configured = load_analysis_settings().alerts
    return configured.model_copy(update={"webhook_url": url, "cooldown_hours": cooldown_hours,
                                         "daily_limit": daily_limit, "timeout_seconds": 5})


def test_the_synthetic_shift_is_critical_and_the_same_distribution_is_not() -> None:
    assert _report(shifted=True).status is DriftStatus.CRITICAL
    assert _report(shifted=False).status is DriftStatus.OK


def test_a_critical_shift_posts_exactly_one_alert_and_the_cooldown_holds_the_second(
    receiver: Receiver, tmp_path: Path
) -> None:
    state_path = tmp_path / "alerts" / "state.json"
    settings = _settings(receiver.url)
    first = raise_drift_alert(_report(shifted=True), state_path, settings, now=NOW)
    second = raise_drift_alert(_report(shifted=True), state_path, settings, now=NOW + timedelta(hours=1))

    assert first.alert and first.delivered is True
    assert not second.alert and second.reason.startswith("cooldown")
    assert len(receiver.bodies) == 1
    body = receiver.bodies[0]
    assert body["event"] == "risk_drift_critical"
    assert body["critical_years"] == [2025]
    assert body["retraining_requested"] is True
    assert load_state(state_path) == AlertState(last_alert_at=NOW, day=NOW.date(), alerts_that_day=1)


def test_no_alert_without_critical_drift(receiver: Receiver, tmp_path: Path) -> None:
    decision = raise_drift_alert(_report(shifted=False), tmp_path / "state.json", _settings(receiver.url), now=NOW)
    assert not decision.alert
    assert receiver.bodies == []
    assert not (tmp_path / "state.json").exists()


def test_the_daily_limit_holds_back_alerts_the_cooldown_would_allow() -> None:
    settings = _settings(None, cooldown_hours=1, daily_limit=2)
    report = _report(shifted=True)
    state = AlertState()
    sent = []
    for hour in range(0, 12, 2):
        decision = evaluate_alerts(report, state, settings, now=NOW + timedelta(hours=hour))
        sent.append(decision.alert)
        state = decision.state
    assert sent == [True, True, False, False, False, False]
    next_day = evaluate_alerts(report, state, settings, now=NOW.replace(hour=0) + timedelta(days=1))
    assert next_day.alert


def test_an_unreachable_webhook_still_counts_so_the_trigger_cannot_loop(tmp_path: Path) -> None:
    dead_url = f"http://127.0.0.1:{free_port()}/hooks/drift"
    state_path = tmp_path / "state.json"
    settings = _settings(dead_url)
    first = raise_drift_alert(_report(shifted=True), state_path, settings, now=NOW)
    again = raise_drift_alert(_report(shifted=True), state_path, settings, now=NOW + timedelta(minutes=1))
    assert first.alert and first.delivered is False
    assert not again.alert


def test_a_corrupt_state_file_is_a_clear_error(tmp_path: Path) -> None:
    from sec_analyzer.analysis.alerting import AlertStateError

    state_path = tmp_path / "state.json"
    state_path.write_text("{not json", encoding="utf-8")
    with pytest.raises(AlertStateError, match="unreadable"):
        raise_drift_alert(_report(shifted=True), state_path, _settings(None), now=NOW)
