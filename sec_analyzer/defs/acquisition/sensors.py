"""Noticing new 10-K filings on EDGAR without anyone acting.

The sensor asks `acquisition.new_filings` what is new since its cursor (the latest-filings feed
and the watch-list, at a bounded EDGAR request cost) and, for each new 10-K, adds the filing's
partition and requests one run keyed by accession (so a filing is never run twice). Its first
tick only records what is already on EDGAR: backfilling history is the CLI's job. The daily
schedule reconciles: a watch-listed company whose latest 10-K has no published results gets a
run, whatever the sensor missed.
"""

from typing import TYPE_CHECKING, Any

import dagster as dg

from sec_analyzer.defs.jobs import filing_pipeline
from sec_analyzer.defs.partitions import FILINGS, FISCAL_YEAR_TAG, TICKER_TAG, filings_partitions
from sec_analyzer.defs.resources import EdgarResource, RawStoreResource, ResultsDatabaseResource
from sec_analyzer.domain import parse_filing_key
from sec_analyzer.settings import get_settings

if TYPE_CHECKING:
    from sec_analyzer.domain import FilingRef


def run_request(ref: "FilingRef", key: str) -> dg.RunRequest:
    parsed = parse_filing_key(key)
    return dg.RunRequest(
        run_key=ref.accession_number,
        partition_key=key,
        tags={"sec_analyzer/accession": ref.accession_number, TICKER_TAG: parsed.company,
              FISCAL_YEAR_TAG: str(parsed.fiscal_year)},
    )


@dg.sensor(
    job=filing_pipeline,
    minimum_interval_seconds=get_settings().sensor_interval_seconds,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Watches EDGAR (the latest-filings feed and the watch-list's submissions) for new 10-K filings.",
)
def new_edgar_filings(context: dg.SensorEvaluationContext, edgar: EdgarResource,
                      raw_store: RawStoreResource) -> dg.SensorResult:
    from sec_analyzer.acquisition.fetch import FilingFetcher
    from sec_analyzer.acquisition.new_filings import PollCursor, poll_new_filings

    client = edgar.client()
    cursor = PollCursor.from_json(context.cursor)
    polled = poll_new_filings(client, FilingFetcher(client, raw_store.store()), cursor,
                              list(get_settings().watchlist))
    for warning in polled.warnings:
        context.log.warning(warning)
    if not polled.new:
        reason = (f"baseline recorded for {polled.baseline_recorded} existing 10-K filing(s)"
                  if polled.baseline_recorded else "no new 10-K filings")
        return dg.SensorResult(skip_reason=reason, cursor=cursor.to_json())
    keys = sorted({filing.partition_key for filing in polled.new})
    return dg.SensorResult(
        run_requests=[run_request(filing.ref, filing.partition_key) for filing in polled.new],
        dynamic_partitions_requests=[filings_partitions.build_add_request(keys)],
        cursor=cursor.to_json(),
    )


@dg.schedule(
    job=filing_pipeline,
    cron_schedule=get_settings().reconcile_cron,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Daily: runs the latest 10-K of every watch-listed company that has no published results.",
)
def reconcile_watchlist(context: dg.ScheduleEvaluationContext, edgar: EdgarResource, raw_store: RawStoreResource,
                        results_database: ResultsDatabaseResource) -> Any:
    from sec_analyzer.acquisition.fetch import FilingFetcher
    from sec_analyzer.pipeline.reconcile import unpublished_latest_filings

    client = edgar.client()
    found = unpublished_latest_filings(client, FilingFetcher(client, raw_store.store()),
                                       results_database.repository(), get_settings().watchlist)
    for warning in found.warnings:
        context.log.warning(warning)
    if not found.filings:
        return dg.SkipReason("every watch-listed company's latest 10-K is published")
    context.instance.add_dynamic_partitions(FILINGS, [key for _, key in found.filings])
    return [run_request(ref, key) for ref, key in found.filings]
