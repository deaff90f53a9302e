"""risk_embeddings → risk_classifications: thin assets over `sec_analyzer.analysis`, the model
loaded once per process and shared by every filing of the step."""

from typing import TYPE_CHECKING

import dagster as dg

from sec_analyzer.contracts import (
    PUBLISHED,
    RISK_CHANGES,
    RISK_CLASSIFICATIONS,
    RISK_EMBEDDINGS,
    RISK_SEGMENTS,
    StageSummary,
)
from sec_analyzer.defs.batch import materialize_stage
from sec_analyzer.defs.partitions import stage_asset
from sec_analyzer.defs.resources import (
    ArtifactsResource,
    EmbeddingModelResource,
    FilingIndexResource,
    ModelRegistryResource,
    ResultsDatabaseResource,
)
from sec_analyzer.pipeline.runner import StageOutcome

if TYPE_CHECKING:
    from sec_analyzer.analysis.changes import FilingChanges

GROUP = "analysis"


@stage_asset(RISK_EMBEDDINGS, group_name=GROUP, kinds={"python", "pytorch", "parquet"})
def risk_embeddings(context: dg.AssetExecutionContext, artifacts: ArtifactsResource,
                    embedding_model: EmbeddingModelResource,
                    filing_index: FilingIndexResource) -> dg.MaterializeResult:
    from sec_analyzer.pipeline.model_stages import embed_gated_filing

    store, embedder = artifacts.store(), embedding_model.embedder()

    def embed(key: str, _: StageSummary) -> StageOutcome:
        return embed_gated_filing(store, embedder, key)

    return materialize_stage(context, RISK_EMBEDDINGS, embed, store, filing_index=filing_index.index(),
                             preview_fields=("risk_factors", "embedding_path", "risks_per_second", "model_version"))


@stage_asset(RISK_CLASSIFICATIONS, group_name=GROUP, kinds={"python", "scikitlearn", "parquet"})
def risk_classifications(context: dg.AssetExecutionContext, artifacts: ArtifactsResource,
                         embedding_model: EmbeddingModelResource, model_registry: ModelRegistryResource,
                         filing_index: FilingIndexResource) -> dg.MaterializeResult:
    from sec_analyzer.pipeline.model_stages import classify_stage, serving_classifier

    store = artifacts.store()
    classifier = serving_classifier(embedding_model.embedder(), model_registry.manager())

    def classify(key: str, _: StageSummary) -> StageOutcome:
        labels, outcome = classify_stage(classifier, key, RISK_SEGMENTS.read_table(store, key),
                                         RISK_EMBEDDINGS.read_table(store, key))
        RISK_CLASSIFICATIONS.write_table(store, key, labels)
        return outcome

    return materialize_stage(context, RISK_CLASSIFICATIONS, classify, store, filing_index=filing_index.index(),
                             preview_fields=("risk_factors", "model", "model_version", "primary_counts"))


@stage_asset(RISK_CHANGES, group_name="insights", kinds={"python", "sql"})
def risk_changes(context: dg.AssetExecutionContext, artifacts: ArtifactsResource,
                 results_database: ResultsDatabaseResource, filing_index: FilingIndexResource) -> dg.MaterializeResult:
    from sec_analyzer.analysis.analysis_config import load_analysis_settings
    from sec_analyzer.analysis.similarity import default_index_dir
    from sec_analyzer.pipeline.insight_stages import changes_stage, refresh_index
    from sec_analyzer.storage.analysis_repo import AnalysisRepository

    store, settings, index_dir = artifacts.store(), load_analysis_settings(), default_index_dir()
    repository = AnalysisRepository(results_database.engine())
    published = [key for key in context.partition_keys if PUBLISHED.read_summary(store, key).ok]
    index = None
    if published:
        index, summary = refresh_index(repository, index_dir, published, settings)
        context.log.info(f"similarity index: {summary}")

    refreshed: dict[tuple[str, str], FilingChanges] = {}  # a company's consecutive years share their pair

    def compare(key: str, _: StageSummary) -> StageOutcome:
        return changes_stage(repository, index, settings, key, refreshed)

    return materialize_stage(context, RISK_CHANGES, compare, store, filing_index=filing_index.index(),
                             preview_fields=("compared_with", "new", "removed", "modified", "unchanged",
                                             "new_headings", "closest_peers"))


@dg.asset(
    group_name="insights",
    deps=[RISK_CHANGES.name],
    kinds={"python", "json"},
    description=(
        "Drift of the risk landscape per fiscal year across every stored filing: the category "
        "distribution (PSI, Jensen–Shannon) and the embedding distribution (centroid shift, MMD) "
        "against the previous year, judged against the warn/critical thresholds of "
        "configs/analysis.yaml; a markdown and JSON report."
    ),
)
def risk_drift(context: dg.AssetExecutionContext, results_database: ResultsDatabaseResource) -> dg.MaterializeResult:
    from sec_analyzer.pipeline.insight_stages import drift_stage
    from sec_analyzer.storage.analysis_repo import AnalysisRepository

    report, markdown = drift_stage(AnalysisRepository(results_database.engine()))
    return dg.MaterializeResult(metadata={"status": str(report.status), "report": dg.MetadataValue.md(markdown)})
