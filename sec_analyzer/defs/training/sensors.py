"""Sensors of the training loop: a new champion re-classifies the stored filings; a critical drift
asks for a retraining (with a cooldown and a daily limit, so it never loops)."""

import dagster as dg

from sec_analyzer.defs.jobs import PIPELINE_ASSETS
from sec_analyzer.defs.partitions import FILINGS
from sec_analyzer.defs.resources import ArtifactsResource, ModelRegistryResource
from sec_analyzer.defs.training.assets import train_classifier

# A new champion recomputes what it serves and everything downstream of it.
RECLASSIFIED = PIPELINE_ASSETS[PIPELINE_ASSETS.index("risk_classifications"):]

reclassify_filings = dg.define_asset_job(
    "reclassify_filings",
    selection=dg.AssetSelection.assets(*RECLASSIFIED),
    description="Classify the published filings again with the current champion, gate and publish them again.",
)


@dg.sensor(job=reclassify_filings, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING,
           description="A promotion or rollback in the model registry re-classifies every published filing.")
def champion_changed(context: dg.SensorEvaluationContext, artifacts: ArtifactsResource,
                     model_registry: ModelRegistryResource) -> dg.SensorResult:
    from sec_analyzer.acquisition.backfill_plan import contiguous_blocks
    from sec_analyzer.pipeline.model_changes import champion_change, published_filings

    change = champion_change(model_registry.manager(), context.cursor)
    if change is None:
        return dg.SensorResult(skip_reason="the serving model has not changed")
    if context.cursor is None:  # the first tick records what serves today
        return dg.SensorResult(skip_reason=f"serving {change.champion or 'the zero-shot classifier'}",
                               cursor=change.cursor)
    keys = context.instance.get_dynamic_partitions(FILINGS)
    published = published_filings(artifacts.store(), keys)
    requests = [
        dg.RunRequest(run_key=f"{change.cursor}:{first}", tags={
            "dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last,
            "sec_analyzer/champion": change.champion or "zero-shot"})
        for first, last in contiguous_blocks(keys, published)
    ]
    return dg.SensorResult(run_requests=requests, cursor=change.cursor)


@dg.asset_sensor(asset_key=dg.AssetKey("risk_drift"), job=train_classifier,
                 default_status=dg.DefaultSensorStatus.RUNNING,
                 description="A critical drift of the risk landscape: an alert (log + webhook) and a retraining run.")
def drift_alert(context: dg.SensorEvaluationContext, asset_event: dg.EventLogEntry) -> dg.SkipReason | dg.RunRequest:
    from sec_analyzer.analysis.alerting import default_state_path, raise_drift_alert
    from sec_analyzer.analysis.analysis_config import load_analysis_settings
    from sec_analyzer.pipeline.insight_stages import latest_drift_report

    report = latest_drift_report()
    decision = raise_drift_alert(report, default_state_path(), load_analysis_settings().alerts)
    if not decision.alert:
        return dg.SkipReason(decision.reason)
    context.log.warning(f"drift alert: {decision.reason}; retraining requested")
    return dg.RunRequest(run_key=f"drift-{asset_event.run_id}", tags={"sec_analyzer/trigger": "drift"})
