"""analysis_results: publishes each filing that passed every quality gate to the results database."""

import dagster as dg

from sec_analyzer.contracts import PUBLISHED, RISK_CLASSIFICATIONS, StageSummary
from sec_analyzer.defs.batch import materialize_stage
from sec_analyzer.defs.partitions import stage_asset
from sec_analyzer.defs.resources import ArtifactsResource, FilingIndexResource, ResultsDatabaseResource
from sec_analyzer.pipeline.runner import StageOutcome


@stage_asset(PUBLISHED, group_name="publish", kinds={"python", "sql"}, deps=[RISK_CLASSIFICATIONS.name])
def analysis_results(context: dg.AssetExecutionContext, artifacts: ArtifactsResource,
                     results_database: ResultsDatabaseResource,
                     filing_index: FilingIndexResource) -> dg.MaterializeResult:
    from sec_analyzer.pipeline.publish import publish_stage

    store, repository = artifacts.store(), results_database.repository()

    def publish(key: str, _: StageSummary) -> StageOutcome:
        return publish_stage(store, repository, key)

    return materialize_stage(context, PUBLISHED, publish, store, filing_index=filing_index.index(),
                             preview_fields=("risk_factors", "items", "new_filing", "risk_factors_removed"))
