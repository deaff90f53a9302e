"""parsed_filing → item_1a → cleaned_risk_text → risk_segments: thin assets over
`sec_analyzer.preprocessing`, each reading the previous stage's artifacts through its contract."""

import dagster as dg

from sec_analyzer.contracts import (
    CLEANED_TEXT,
    ITEMS,
    PARSED_FILING,
    RISK_SEGMENTS,
    CleanedTextSummary,
    ItemsSummary,
    ParsedFilingSummary,
    RawFilingSummary,
)
from sec_analyzer.defs.batch import materialize_stage
from sec_analyzer.defs.partitions import stage_asset
from sec_analyzer.defs.resources import ArtifactsResource, FilingIndexResource, RawStoreResource
from sec_analyzer.pipeline.runner import StageOutcome

GROUP = "preprocessing"


@stage_asset(PARSED_FILING, group_name=GROUP, kinds={"python", "parquet"})
def parsed_filing(context: dg.AssetExecutionContext, artifacts: ArtifactsResource, raw_store: RawStoreResource,
                  filing_index: FilingIndexResource) -> dg.MaterializeResult:
    from sec_analyzer.pipeline.stages import parse_stage
    from sec_analyzer.settings import get_settings

    store, raw, limit = artifacts.store(), raw_store.store(), get_settings().max_document_bytes

    def parse(key: str, upstream: RawFilingSummary) -> StageOutcome:
        return parse_stage(raw.get(upstream.raw_uri or ""), PARSED_FILING.document_path(store, key), limit)

    return materialize_stage(context, PARSED_FILING, parse, store, filing_index=filing_index.index(),
                             preview_fields=("elements", "document_type", "document_fiscal_year"))


@stage_asset(ITEMS, group_name=GROUP, kinds={"python", "parquet"})
def item_1a(context: dg.AssetExecutionContext, artifacts: ArtifactsResource,
            filing_index: FilingIndexResource) -> dg.MaterializeResult:
    from sec_analyzer.pipeline.stages import extract_stage

    store = artifacts.store()

    def extract(key: str, _: ParsedFilingSummary) -> StageOutcome:
        items, outcome = extract_stage(PARSED_FILING.document_path(store, key))
        ITEMS.write_table(store, key, items)
        return outcome

    return materialize_stage(context, ITEMS, extract, store, filing_index=filing_index.index(),
                             preview_fields=("item_1a_chars", "located_by", "items_found", "preview"))


@stage_asset(CLEANED_TEXT, group_name=GROUP, kinds={"python", "json"})
def cleaned_risk_text(context: dg.AssetExecutionContext, artifacts: ArtifactsResource,
                      filing_index: FilingIndexResource) -> dg.MaterializeResult:
    from sec_analyzer.pipeline.stages import clean_stage

    store = artifacts.store()

    def clean(key: str, _: ItemsSummary) -> StageOutcome:
        return clean_stage(PARSED_FILING.document_path(store, key), ITEMS.read_table(store, key),
                           CLEANED_TEXT.document_path(store, key))

    return materialize_stage(context, CLEANED_TEXT, clean, store, filing_index=filing_index.index(),
                             preview_fields=("chars", "paragraphs", "preview"))


@stage_asset(RISK_SEGMENTS, group_name=GROUP, kinds={"python", "parquet"})
def risk_segments(context: dg.AssetExecutionContext, artifacts: ArtifactsResource,
                  filing_index: FilingIndexResource) -> dg.MaterializeResult:
    from sec_analyzer.pipeline.stages import segment_stage

    store = artifacts.store()

    def segment(key: str, _: CleanedTextSummary) -> StageOutcome:
        risks, outcome = segment_stage(CLEANED_TEXT.document_path(store, key))
        RISK_SEGMENTS.write_table(store, key, risks)
        return outcome

    return materialize_stage(context, RISK_SEGMENTS, segment, store, filing_index=filing_index.index(),
                             preview_fields=("risk_factors", "categories", "first_headings"))

