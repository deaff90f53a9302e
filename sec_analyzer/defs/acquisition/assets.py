"""raw_filing: the 10-K primary document of each filing partition, fetched from EDGAR."""

import dagster as dg

from sec_analyzer.contracts import RAW_FILING, StageSummary
from sec_analyzer.defs.batch import materialize_stage
from sec_analyzer.defs.partitions import stage_asset
from sec_analyzer.defs.resources import (
    ArtifactsResource,
    EdgarResource,
    FilingIndexResource,
    RawStoreResource,
)
from sec_analyzer.pipeline.runner import StageOutcome

PREVIEW_FIELDS = ("accession", "cik", "form", "filing_date", "fiscal_year", "fiscal_year_source",
                  "period_end", "size", "sha256", "url", "raw_uri")


@stage_asset(RAW_FILING, group_name="acquisition", kinds={"python", "html"}, pool="edgar")
def raw_filing(context: dg.AssetExecutionContext, edgar: EdgarResource, raw_store: RawStoreResource,
               artifacts: ArtifactsResource, filing_index: FilingIndexResource) -> dg.MaterializeResult:
    from sec_analyzer.acquisition.edgar_client import (
        EdgarUnavailableError,
        RateLimitedError,
        UndeclaredToolError,
    )
    from sec_analyzer.acquisition.fetch import FilingFetcher
    from sec_analyzer.errors import ConfigurationError
    from sec_analyzer.pipeline.stages import acquire_stage

    fetcher, index = FilingFetcher(edgar.client(), raw_store.store()), filing_index.index()

    def fetch(key: str, _: StageSummary) -> StageOutcome:
        return acquire_stage(fetcher, index, key)

    return materialize_stage(
        context, RAW_FILING, fetch, artifacts.store(), filing_index=index,
        fatal=(ConfigurationError, UndeclaredToolError, RateLimitedError, EdgarUnavailableError),
        preview_fields=PREVIEW_FIELDS,
    )
