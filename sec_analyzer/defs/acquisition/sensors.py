"""Noticing new 10-K filings on EDGAR without anyone acting.

The sensor polls the submissions of every watch-listed company and the latest-filings feed,
remembers the accession numbers it has seen in its cursor, and for each new 10-K adds the
filing's partition and requests one run keyed by accession (so a filing is never run twice).
Its first tick only records what is already on EDGAR: backfilling history is the CLI's job.
The daily schedule reconciles: a watch-listed company whose latest 10-K has no published
results gets a run, whatever the sensor missed.
"""

import json
from typing import TYPE_CHECKING, Any

import dagster as dg

from sec_analyzer.defs.jobs import filing_pipeline
from sec_analyzer.defs.partitions import FILINGS, filings_partitions
from sec_analyzer.defs.resources import PlatformResource
from sec_analyzer.domain import filing_key
from sec_analyzer.errors import SecAnalyzerError
from sec_analyzer.settings import get_settings

if TYPE_CHECKING:
    from sec_analyzer.acquisition.edgar_client import EdgarClient
    from sec_analyzer.acquisition.raw_store import RawStore
    from sec_analyzer.domain import FilingRef

SEEN_LIMIT = 50_000


def watched_annual_reports(client: "EdgarClient", watchlist: list[str], log: Any) -> dict[str, "FilingRef"]:
    """Every 10-K of the watch-listed companies and of the latest-filings feed, by accession."""
    refs: dict[str, FilingRef] = {}
    for ticker in watchlist:
        try:
            company = client.company(ticker)
            for ref in client.annual_reports(company.cik):
                refs[ref.accession_number] = ref
        except SecAnalyzerError as error:
            log.warning(f"watch-list {ticker}: {error}")
    try:
        entries = client.latest_filings(form="10-K")
    except SecAnalyzerError as error:
        log.warning(f"latest-filings feed: {error}")
        entries = []
    for entry in entries:
        if entry.accession_number in refs:
            continue
        try:
            for ref in client.annual_reports(entry.cik):
                if ref.accession_number == entry.accession_number:
                    refs[ref.accession_number] = ref
        except SecAnalyzerError as error:
            log.warning(f"feed entry {entry.accession_number}: {error}")
    return refs


def partition_key_for(client: "EdgarClient", store: "RawStore", ref: "FilingRef") -> str:
    """The filing's key, by the fiscal year its own cover page states (downloaded once, kept)."""
    from sec_analyzer.acquisition.fetch import fetch_reference

    fetched = fetch_reference(client, store, ref)
    return filing_key(ref.ticker, fetched.fiscal_year)


def run_request(ref: "FilingRef", key: str) -> dg.RunRequest:
    return dg.RunRequest(
        run_key=ref.accession_number,
        partition_key=key,
        tags={"sec_analyzer/accession": ref.accession_number, "sec_analyzer/ticker": ref.ticker,
              "sec_analyzer/fiscal_year": key.rsplit("-", 1)[1]},
    )


@dg.sensor(
    job=filing_pipeline,
    minimum_interval_seconds=get_settings().sensor_interval_seconds,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Watches EDGAR (watch-list submissions and the latest-filings feed) for new 10-K filings.",
)
def new_edgar_filings(context: dg.SensorEvaluationContext, platform: PlatformResource) -> dg.SensorResult:
    client = platform.edgar_client()
    refs = watched_annual_reports(client, list(platform.settings.watchlist), context.log)
    seen: list[str] | None = json.loads(context.cursor)["seen"] if context.cursor else None
    if seen is None:
        return dg.SensorResult(
            skip_reason=f"baseline recorded: {len(refs)} existing 10-K filings; new ones will run",
            cursor=json.dumps({"seen": sorted(refs)[-SEEN_LIMIT:]}),
        )
    already = set(seen)
    new_refs = [ref for accession, ref in sorted(refs.items()) if accession not in already]
    if not new_refs:
        return dg.SensorResult(skip_reason="no new 10-K filings")
    store = platform.raw_store()
    requests, keys, accepted = [], [], []
    for ref in new_refs:
        try:
            key = partition_key_for(client, store, ref)
        except SecAnalyzerError as error:
            context.log.warning(f"new filing {ref.accession_number} of {ref.ticker}: {error}; will retry")
            continue
        accepted.append(ref.accession_number)
        keys.append(key)
        requests.append(run_request(ref, key))
    return dg.SensorResult(
        run_requests=requests,
        dynamic_partitions_requests=[filings_partitions.build_add_request(sorted(set(keys)))] if keys else [],
        cursor=json.dumps({"seen": (seen + accepted)[-SEEN_LIMIT:]}),
    )


@dg.schedule(
    job=filing_pipeline,
    cron_schedule=get_settings().reconcile_cron,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Daily: runs the latest 10-K of every watch-listed company that has no published results.",
)
def reconcile_watchlist(context: dg.ScheduleEvaluationContext, platform: PlatformResource) -> Any:
    client = platform.edgar_client()
    store = platform.raw_store()
    results = platform.results()
    requests = []
    for ticker in platform.settings.watchlist:
        try:
            reports = client.annual_reports(client.company(ticker).cik)
            latest = max(reports, key=lambda ref: ref.filing_date, default=None)
            if latest is None:
                continue
            if results.filing(latest.accession_number) is not None:
                continue
            key = partition_key_for(client, store, latest)
        except SecAnalyzerError as error:
            context.log.warning(f"reconcile {ticker}: {error}")
            continue
        context.instance.add_dynamic_partitions(FILINGS, [key])
        requests.append(run_request(latest, key))
    return requests or dg.SkipReason("every watch-listed company's latest 10-K is published")
