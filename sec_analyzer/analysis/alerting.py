"""Critical drift alerts: decide, log, post to a webhook, and never loop.

`evaluate_alerts` is a pure decision: alert only on critical drift, only when the cooldown since
the last alert has passed, and only while today's (UTC) count is under the daily limit. Its state
(the last alert's time and today's count) lives in a small JSON file; `raise_drift_alert` reads
it under a lock, decides, logs one line and posts the JSON payload to the configured webhook
(`SEC_ANALYZER_ALERT_WEBHOOK_URL`), then records the alert. The alert is recorded even when the
webhook cannot be reached, because the same decision also triggers retraining: a failing
receiver must not turn every sensor tick into a new training run.
"""

from __future__ import annotations

import fcntl
import json
import logging
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sec_analyzer.analysis.analysis_config import AlertSettings
from sec_analyzer.analysis.drift import DriftReport, DriftStatus
from sec_analyzer.atomic_files import write_atomically
from sec_analyzer.errors import SecAnalyzerError
from sec_analyzer.redaction import masked_url

LOGGER = logging.getLogger(__name__)
EVENT = "risk_drift_critical"


class AlertStateError(SecAnalyzerError):
    """The alert state file cannot be read or written."""


@dataclass(frozen=True)
class AlertState:
    last_alert_at: datetime | None = None
    day: date | None = None  # the UTC day `alerts_that_day` counts
    alerts_that_day: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "last_alert_at": None if self.last_alert_at is None else self.last_alert_at.isoformat(),
            "day": None if self.day is None else self.day.isoformat(),
            "alerts_that_day": self.alerts_that_day,
        }

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> AlertState:
        last = document.get("last_alert_at")
        day = document.get("day")
        return cls(
            last_alert_at=None if last is None else datetime.fromisoformat(last),
            day=None if day is None else date.fromisoformat(day),
            alerts_that_day=int(document.get("alerts_that_day", 0)),
        )


@dataclass(frozen=True)
class AlertDecision:
    alert: bool  # log, post and trigger retraining
    reason: str
    state: AlertState  # the state to keep after this decision
    payload: dict[str, Any] | None = None
    delivered: bool | None = None  # the webhook's answer; None when nothing was posted


def evaluate_alerts(
    report: DriftReport, state: AlertState, settings: AlertSettings, now: datetime | None = None
) -> AlertDecision:
    """Whether this report raises an alert now, and the state after deciding."""
    now = now or datetime.now(UTC)
    if report.status is not DriftStatus.CRITICAL:
        return AlertDecision(False, f"drift status is {report.status.value}, not critical", state)
    if state.last_alert_at is not None:
        quiet_until = state.last_alert_at + timedelta(hours=settings.cooldown_hours)
        if now < quiet_until:
            return AlertDecision(False, f"cooldown: the last alert was at {state.last_alert_at.isoformat()}, "
                                        f"next one allowed from {quiet_until.isoformat()}", state)
    today = now.astimezone(UTC).date()
    sent_today = state.alerts_that_day if state.day == today else 0
    if sent_today >= settings.daily_limit:
        return AlertDecision(False, f"daily limit: {sent_today} alert(s) already sent on {today.isoformat()}", state)
    years = ", ".join(str(year.fiscal_year) for year in report.critical_years)
    payload = {
        "event": EVENT,
        "critical_years": [year["fiscal_year"] for year in report.to_json()["years"] if year["status"] == "critical"],
        "retraining_requested": True,
        "report": report.to_json(),
    }
    return AlertDecision(
        True,
        f"critical drift in fiscal year(s) {years}",
        AlertState(last_alert_at=now, day=today, alerts_that_day=sent_today + 1),
        payload,
    )


def post_alert(url: str, payload: dict[str, Any], timeout_seconds: float) -> bool:
    """POST the payload as JSON; True on a 2xx answer. Failures are logged, never raised."""
    import requests

    try:
        response = requests.post(url, json=payload, timeout=timeout_seconds)
    except requests.RequestException as error:
        LOGGER.error("alert: webhook %s unreachable: %s", masked_url(url), type(error).__name__)
        return False
    if not response.ok:
        LOGGER.error("alert: webhook %s answered HTTP %s", masked_url(url), response.status_code)
    return bool(response.ok)


def load_state(path: Path) -> AlertState:
    if not path.is_file():
        return AlertState()
    try:
        return AlertState.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError) as error:
        raise AlertStateError(f"the alert state file {path} is unreadable ({error}); fix or delete it") from error


def save_state(path: Path, state: AlertState) -> None:
    document = json.dumps(state.to_json())
    write_atomically(path, lambda temporary: temporary.write_text(document, encoding="utf-8"),
                     prefix=f".{path.name}-")


def raise_drift_alert(
    report: DriftReport, state_path: Path, settings: AlertSettings, now: datetime | None = None
) -> AlertDecision:
    """Decide on this report under the state file's lock; on an alert, log a line, post to the
    webhook (when configured) and record the alert."""
    state_path.parent.mkdir(parents=True, exist_ok=True)
    with state_path.with_name(f".{state_path.name}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        decision = evaluate_alerts(report, load_state(state_path), settings, now)
        if not decision.alert or decision.payload is None:
            return decision
        LOGGER.warning("drift alert: %s; retraining requested", decision.reason)
        delivered = None
        if settings.webhook_url:
            delivered = post_alert(settings.webhook_url, decision.payload, settings.timeout_seconds)
        save_state(state_path, decision.state)
    return replace(decision, delivered=delivered)


def default_state_path() -> Path:
    from sec_analyzer.settings import get_settings

    return get_settings().data_dir / "alerts" / "drift-alert-state.json"
