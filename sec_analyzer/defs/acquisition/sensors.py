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
from sec_analyzer.defs.partitions import FILINGS, FISCAL_YEAR_TAG, TICKER_TAG, filings_partitions
from sec_analyzer.defs.resources import PlatformResource
from sec_analyzer.domain import filing_key
from sec_analyzer.errors import SecAnalyzerError
from sec_analyzer.settings import get_settings

if TYPE_CHECKING:
    from sec_analyzer.acquisition.edgar_client import EdgarClient
    from sec_analyzer.acquisition.raw_store import RawStore
    from sec_analyzer.domain import FilingRef

SEEN_LIMIT = 50_000


def watchlist_reports(client: "EdgarClient", watchlist: list[str], log: Any) -> dict[str, list["FilingRef"]]:
    """Every 10-K of each watch-listed company that EDGAR answered for, by ticker."""
    reports: dict[str, list[FilingRef]] = {}
    for ticker in watchlist:
        try:
            reports[ticker] = client.annual_reports(client.company(ticker).cik)
        except SecAnalyzerError as error:
            log.warning(f"watch-list {ticker}: {error}")
    return reports


def feed_reports(client: "EdgarClient", log: Any) -> list["FilingRef"] | None:
    """The 10-Ks of EDGAR's latest-filings feed (None when the feed cannot be read)."""
    try:
        entries = client.latest_filings(form="10-K")
    except SecAnalyzerError as error:
        log.warning(f"latest-filings feed: {error}")
        return None
    refs: list[FilingRef] = []
    for entry in entries:
        try:
            refs.extend(ref for ref in client.annual_reports(entry.cik) if ref.accession_number == entry.accession_number)
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
        tags={"sec_analyzer/accession": ref.accession_number, TICKER_TAG: ref.ticker,
              FISCAL_YEAR_TAG: key.rsplit("-", 1)[1]},
    )


@dg.sensor(
    job=filing_pipeline,
    minimum_interval_seconds=get_settings().sensor_interval_seconds,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Watches EDGAR (watch-list submissions and the latest-filings feed) for new 10-K filings.",
)
def new_edgar_filings(context: dg.SensorEvaluationContext, platform: PlatformResource) -> dg.SensorResult:
    """The cursor holds the accessions seen, and which sources have had their baseline taken: a
    company added to the watch-list later, or a feed read for the first time, only adds what it
    already lists to the baseline, so its history is never mistaken for new filings."""
    client = platform.edgar_client()
    cursor: dict[str, Any] = json.loads(context.cursor) if context.cursor else {}
    seen: dict[str, None] = dict.fromkeys(cursor.get("seen", []))  # insertion-ordered, oldest first
    baselined: set[str] = set(cursor.get("baselined", []))
    feed_baselined: bool = cursor.get("feed_baselined", False)
    by_ticker = watchlist_reports(client, list(platform.settings.watchlist), context.log)
    feed = feed_reports(client, context.log)
    first_seen = [ticker for ticker in by_ticker if ticker not in baselined]
    baseline = [ref for ticker in first_seen for ref in by_ticker[ticker]]
    if feed is not None and not feed_baselined:
        baseline += feed
    candidates = [ref for ticker, refs in by_ticker.items() if ticker not in first_seen for ref in refs]
    candidates += feed if feed is not None and feed_baselined else []
    seen.update(dict.fromkeys(ref.accession_number for ref in baseline))
    new_refs = list({ref.accession_number: ref for ref in candidates if ref.accession_number not in seen}.values())

    def next_cursor() -> str:
        return json.dumps({
            "seen": list(seen)[-SEEN_LIMIT:],
            "baselined": sorted(baselined | set(by_ticker)),
            "feed_baselined": feed_baselined or feed is not None,
        })

    if not new_refs:
        reason = f"baseline recorded for {len(baseline)} existing 10-K filing(s)" if baseline else "no new 10-K filings"
        return dg.SensorResult(skip_reason=reason, cursor=next_cursor())
    store = platform.raw_store()
    requests, keys = [], []
    for ref in new_refs:
        try:
            key = partition_key_for(client, store, ref)
        except SecAnalyzerError as error:
            context.log.warning(f"new filing {ref.accession_number} of {ref.ticker}: {error}; will retry")
            continue
        seen[ref.accession_number] = None
        keys.append(key)
        requests.append(run_request(ref, key))
    return dg.SensorResult(
        run_requests=requests,
        dynamic_partitions_requests=[filings_partitions.build_add_request(sorted(set(keys)))] if keys else [],
        cursor=next_cursor(),
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
