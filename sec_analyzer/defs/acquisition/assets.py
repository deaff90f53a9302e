"""raw_filing: the 10-K primary document of each filing partition, fetched from EDGAR."""

import dataclasses
from datetime import date

import dagster as dg
from pydantic import Field

from sec_analyzer.contracts import RAW_FILING, StageSummary
from sec_analyzer.defs.batch import materialize_stage
from sec_analyzer.defs.partitions import stage_asset
from sec_analyzer.defs.resources import (
    ArtifactsResource,
    EdgarResource,
    FilingIndexResource,
    RawStoreResource,
)
from sec_analyzer.domain import FilingRef
from sec_analyzer.pipeline.runner import StageOutcome

PREVIEW_FIELDS = ("accession", "cik", "form", "filing_date", "fiscal_year", "fiscal_year_source",
                  "period_end", "size", "sha256", "url", "raw_uri")


class PlannedFiling(dg.Config):
    """A filing's EDGAR listing as a backfill plan found it (`FilingRef`, dates in ISO form)."""

    cik: int
    ticker: str
    company_name: str
    accession_number: str
    form: str
    filing_date: str
    report_date: str | None
    primary_document: str
    url: str

    @classmethod
    def of(cls, ref: FilingRef) -> "PlannedFiling":
        fields = dataclasses.asdict(ref)
        return cls(**{**fields, "filing_date": ref.filing_date.isoformat(),
                      "report_date": ref.report_date.isoformat() if ref.report_date else None})

    def ref(self) -> FilingRef:
        return FilingRef(**{**self.model_dump(), "filing_date": date.fromisoformat(self.filing_date),
                            "report_date": date.fromisoformat(self.report_date) if self.report_date else None})


class RawFilingConfig(dg.Config):
    """What a backfill's plan found for the run's filings (by partition key): each is taken from
    the raw store without looking it up on EDGAR again. A run launched from the UI has none."""

    planned: dict[str, PlannedFiling] = Field(default_factory=dict)


@stage_asset(RAW_FILING, group_name="acquisition", kinds={"python", "html"}, pool="edgar")
def raw_filing(context: dg.AssetExecutionContext, config: RawFilingConfig, edgar: EdgarResource,
               raw_store: RawStoreResource, artifacts: ArtifactsResource,
               filing_index: FilingIndexResource) -> dg.MaterializeResult:
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
        planned = config.planned.get(key)
        return acquire_stage(fetcher, index, key, planned.ref() if planned is not None else None)

    return materialize_stage(
        context, RAW_FILING, fetch, artifacts.store(), filing_index=index,
        fatal=(ConfigurationError, UndeclaredToolError, RateLimitedError, EdgarUnavailableError),
        preview_fields=PREVIEW_FIELDS,
    )
