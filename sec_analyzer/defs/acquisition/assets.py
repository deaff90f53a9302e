"""raw_filing: the 10-K primary document of each filing partition, fetched from EDGAR."""

from typing import Any

import dagster as dg

from sec_analyzer.defs.batch import OK, StageOutcome, run_stage
from sec_analyzer.defs.partitions import batched, filings_partitions
from sec_analyzer.defs.resources import PlatformResource
from sec_analyzer.domain import split_filing_key

RAW_FIELDS = ("accession", "cik", "form", "filing_date", "fiscal_year", "fiscal_year_source",
              "period_end", "size", "sha256", "url", "raw_uri")


@dg.asset(
    partitions_def=filings_partitions,
    backfill_policy=batched,
    group_name="acquisition",
    kinds={"python", "html"},
    pool="edgar",
    description=(
        "The 10-K primary document of the filing, fetched from EDGAR (politely: shared rate limit, "
        "retries) and stored immutably by content hash on local disk or S3. The fiscal year is "
        "confirmed from the document's inline XBRL cover tags. Re-runs do not re-download."
    ),
)
def raw_filing(context: dg.AssetExecutionContext, platform: PlatformResource) -> dg.MaterializeResult:
    from sec_analyzer.acquisition.edgar_client import (
        EdgarUnavailableError,
        RateLimitedError,
        UndeclaredToolError,
    )
    from sec_analyzer.acquisition.fetch import fetch_filing
    from sec_analyzer.errors import ConfigurationError
    from sec_analyzer.storage.filing_index_repo import FilingIndexRecord

    client = platform.edgar_client()
    store = platform.raw_store()
    index = platform.filing_index()

    def fetch(key: str, _: dict[str, Any]) -> StageOutcome:
        ticker, fiscal_year = split_filing_key(key)
        fetched = fetch_filing(client, store, ticker, fiscal_year)
        ref = fetched.ref
        index.upsert(FilingIndexRecord(
            accession_number=ref.accession_number, partition_key=key, ticker=ref.ticker, cik=ref.cik,
            company_name=ref.company_name, form=ref.form, fiscal_year=fetched.fiscal_year,
            filing_date=ref.filing_date, report_date=ref.report_date, url=ref.url,
            raw_uri=fetched.stored.uri, raw_sha256=fetched.stored.sha256, raw_size=fetched.stored.size,
        ))
        return StageOutcome(OK, {
            "accession": ref.accession_number, "cik": ref.cik, "ticker": ref.ticker,
            "company_name": ref.company_name, "form": ref.form, "filing_date": ref.filing_date.isoformat(),
            "report_date": ref.report_date.isoformat() if ref.report_date else None,
            "fiscal_year": fetched.fiscal_year, "fiscal_year_source": fetched.fiscal_year_source,
            "period_end": fetched.period_end.isoformat() if fetched.period_end else None,
            "document_type": fetched.document_type, "url": ref.url, "raw_uri": fetched.stored.uri,
            "sha256": fetched.stored.sha256, "size": fetched.stored.size,
        })

    return run_stage(
        context, platform.artifacts(), "raw_filing", fetch, filing_index=index,
        fatal=(ConfigurationError, UndeclaredToolError, RateLimitedError, EdgarUnavailableError),
        preview_fields=RAW_FIELDS,
    )
