"""risk_embeddings → risk_classifications: thin assets over `sec_analyzer.analysis`, the model
loaded once per process and shared by every filing of the step."""

import dagster as dg

from sec_analyzer.contracts import RISK_CLASSIFICATIONS, RISK_EMBEDDINGS, RISK_SEGMENTS, StageSummary
from sec_analyzer.defs.batch import materialize_stage
from sec_analyzer.defs.partitions import stage_asset
from sec_analyzer.defs.resources import ArtifactsResource, EmbeddingModelResource, FilingIndexResource
from sec_analyzer.pipeline.runner import StageOutcome

GROUP = "analysis"


@stage_asset(RISK_EMBEDDINGS, group_name=GROUP, kinds={"python", "pytorch", "parquet"})
def risk_embeddings(context: dg.AssetExecutionContext, artifacts: ArtifactsResource,
                    embedding_model: EmbeddingModelResource,
                    filing_index: FilingIndexResource) -> dg.MaterializeResult:
    from sec_analyzer.pipeline.model_stages import embed_stage

    store, embedder = artifacts.store(), embedding_model.embedder()

    def embed(key: str, _: StageSummary) -> StageOutcome:
        vectors, outcome = embed_stage(embedder, RISK_SEGMENTS.read_table(store, key))
        RISK_EMBEDDINGS.write_table(store, key, vectors)
        return outcome

    return materialize_stage(context, RISK_EMBEDDINGS, embed, store, filing_index=filing_index.index(),
                             preview_fields=("risk_factors", "embedding_path", "risks_per_second", "model_version"))


@stage_asset(RISK_CLASSIFICATIONS, group_name=GROUP, kinds={"python", "scikitlearn", "parquet"})
def risk_classifications(context: dg.AssetExecutionContext, artifacts: ArtifactsResource,
                         embedding_model: EmbeddingModelResource,
                         filing_index: FilingIndexResource) -> dg.MaterializeResult:
    from sec_analyzer.pipeline.model_stages import classify_stage, serving_classifier

    store = artifacts.store()
    classifier = serving_classifier(embedding_model.embedder())

    def classify(key: str, _: StageSummary) -> StageOutcome:
        labels, outcome = classify_stage(classifier, key, RISK_SEGMENTS.read_table(store, key),
                                         RISK_EMBEDDINGS.read_table(store, key))
        RISK_CLASSIFICATIONS.write_table(store, key, labels)
        return outcome

    return materialize_stage(context, RISK_CLASSIFICATIONS, classify, store, filing_index=filing_index.index(),
                             preview_fields=("risk_factors", "model", "model_version", "primary_counts"))
