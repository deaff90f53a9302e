"""Alerts on failed runs: one log line and a JSON post to the alert webhook for every run of this
code location that fails (a sensor backfill, the daily reconcile, a CLI backfill, a UI launch).

The webhook is the one the drift alerts use (`SEC_ANALYZER_ALERT_WEBHOOK_URL`, with the timeout of
`configs/analysis.yaml`); without it the log line is the alert. Each failure is one alert: a run
fails once, so there is nothing to rate-limit, unlike a drift report that every tick sees again.
"""

from __future__ import annotations

import logging
from typing import Any

import dagster as dg

LOGGER = logging.getLogger(__name__)
EVENT = "run_failed"
MESSAGE_CHARS = 500


def run_failure_payload(run: dg.DagsterRun, message: str | None) -> dict[str, Any]:
    """What the webhook receives: which job and filings failed, and Dagster's reason."""
    tags = run.tags
    partitions = tags.get("dagster/partition") or " … ".join(
        value for value in (tags.get("dagster/asset_partition_range_start"),
                            tags.get("dagster/asset_partition_range_end")) if value
    )
    return {
        "event": EVENT,
        "job": run.job_name,
        "run_id": run.run_id,
        "partitions": partitions or None,
        "message": " ".join((message or "").split())[:MESSAGE_CHARS],
    }


@dg.run_failure_sensor(
    name="run_failure_alert",
    description="Posts every failed run of this code location to the alert webhook and logs it.",
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def run_failure_alert(context: dg.RunFailureSensorContext) -> None:
    from sec_analyzer.analysis.alerting import post_alert
    from sec_analyzer.analysis.analysis_config import load_analysis_settings

    payload = run_failure_payload(context.dagster_run, context.failure_event.message)
    line = (f"run failed: job {payload['job']}, run {payload['run_id']}"
            f"{', filings ' + payload['partitions'] if payload['partitions'] else ''}: {payload['message']}")
    LOGGER.error(line)
    context.log.error(line)
    settings = load_analysis_settings().alerts
    if settings.webhook_url:
        delivered = post_alert(settings.webhook_url, payload, settings.timeout_seconds)
        context.log.info(f"run failure alert {'delivered' if delivered else 'NOT delivered'} to the webhook")
