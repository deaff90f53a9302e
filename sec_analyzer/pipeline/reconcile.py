"""The daily reconcile: which watch-listed companies' latest 10-K has no published results yet."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sec_analyzer.domain import FilingRef, filing_key
from sec_analyzer.errors import SecAnalyzerError

if TYPE_CHECKING:
    from sec_analyzer.acquisition.edgar_client import EdgarClient
    from sec_analyzer.acquisition.fetch import FilingFetcher
    from sec_analyzer.storage.results_repo import ResultsRepository


@dataclass
class Unpublished:
    filings: list[tuple[FilingRef, str]] = field(default_factory=list)  # (filing, partition key)
    warnings: list[str] = field(default_factory=list)


def unpublished_latest_filings(client: EdgarClient, fetcher: FilingFetcher, results: ResultsRepository,
                               watchlist: Sequence[str]) -> Unpublished:
    """Each company's latest 10-K (first submissions page only) that the database does not hold;
    a company EDGAR cannot answer for is a warning, never a failure of the others."""
    found = Unpublished()
    for ticker in watchlist:
        try:
            reports = client.annual_reports(client.company(ticker).cik, recent_only=True)
            latest = max(reports, key=lambda ref: ref.filing_date, default=None)
            if latest is None or results.filing(latest.accession_number) is not None:
                continue
            found.filings.append((latest, filing_key(latest.ticker, fetcher.fetch_reference(latest).fiscal_year,
                                                     cik=latest.cik)))
        except SecAnalyzerError as error:
            found.warnings.append(f"reconcile {ticker}: {error}")
    return found
