"""When the drift report is refreshed (daily), and what a critical drift sets off."""

import dagster as dg

from sec_analyzer.defs.jobs import drift_monitoring

daily_drift_report = dg.ScheduleDefinition(
    name="daily_drift_report",
    job=drift_monitoring,
    cron_schedule="0 8 * * *",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Daily, after the reconcile: the drift report over every stored filing.",
)
