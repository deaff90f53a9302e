"""Fetch the 10-K of one (ticker, fiscal year): find it, download it once, store it, confirm its year.

The reportDate rule only proposes a filing (see `fiscal_year.py`); the downloaded document's
inline-XBRL cover (`dei:DocumentFiscalYearFocus`) decides. When the cover names another year,
the neighbouring reports are tried: a filer that labels its year by the year it starts (Home
Depot) has fiscal 2024 in the report the rule calls 2025.

Every document obtained is remembered in the raw store under `accession/<accession number>`
(its hash and cover facts), so a re-run asks EDGAR only for the company's filing list and never
downloads a document again, whichever process or machine fetched it first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sec_analyzer.acquisition.edgar_client import EdgarClient, NoFilingForYearError
from sec_analyzer.acquisition.fiscal_year import (
    DocumentFiscalInfo,
    fiscal_year_from_document,
    provisional_fiscal_year,
)
from sec_analyzer.acquisition.raw_store import RawStore, StoredObject
from sec_analyzer.domain import FilingRef, normalize_ticker

FiscalYearSource = Literal["dei", "report_date"]


@dataclass(frozen=True)
class FetchedFiling:
    ref: FilingRef
    stored: StoredObject
    fiscal_year: int
    fiscal_year_source: FiscalYearSource
    period_end: date | None
    document_type: str | None


@dataclass(frozen=True)
class _Obtained:
    stored: StoredObject
    cover: DocumentFiscalInfo | None


def fetch_filing(client: EdgarClient, store: RawStore, ticker: str, fiscal_year: int) -> FetchedFiling:
    """The stored 10-K of `ticker` for `fiscal_year`, downloading it only if never stored before.

    Raises UnknownTickerError for a ticker SEC does not list and NoFilingForYearError when no
    annual report is, by its cover or (without one) by its reportDate, of that fiscal year.
    """
    candidates = client.fiscal_year_candidates(ticker, fiscal_year)
    covers_seen: list[str] = []
    for ref in candidates:
        fetched = _fetched(ref, _obtain(client, store, ref))
        if fetched.fiscal_year == fiscal_year:
            return fetched
        if fetched.fiscal_year_source == "dei":
            covers_seen.append(f"{ref.accession_number} (period {ref.report_date}) is fiscal {fetched.fiscal_year}")
    detail = f"; by their covers {', '.join(covers_seen)}" if covers_seen else ""
    raise NoFilingForYearError(
        f"{normalize_ticker(ticker)} has no 10-K for fiscal year {fiscal_year} on EDGAR{detail}"
    )


def fetch_reference(client: EdgarClient, store: RawStore, ref: FilingRef) -> FetchedFiling:
    """The stored document of a known filing (e.g. one the sensor just saw), with its fiscal year."""
    return _fetched(ref, _obtain(client, store, ref))


def _fetched(ref: FilingRef, obtained: _Obtained) -> FetchedFiling:
    """The filing's fiscal year by its cover when it states one, else by the reportDate rule."""
    cover = obtained.cover
    source: FiscalYearSource
    if cover is not None and cover.fiscal_year is not None:
        fiscal_year, source = cover.fiscal_year, "dei"
    else:
        fiscal_year, source = provisional_fiscal_year(ref.report_date, ref.filing_date), "report_date"
    return FetchedFiling(
        ref=ref,
        stored=obtained.stored,
        fiscal_year=fiscal_year,
        fiscal_year_source=source,
        period_end=(cover.period_end if cover else None) or ref.report_date,
        document_type=cover.document_type if cover else None,
    )


def _record_name(ref: FilingRef) -> str:
    return f"accession/{ref.accession_number}"


def _obtain(client: EdgarClient, store: RawStore, ref: FilingRef) -> _Obtained:
    record = store.get_record(_record_name(ref))
    if record is not None and store.exists(record["sha256"]):
        return _Obtained(
            stored=StoredObject(uri=record["uri"], sha256=record["sha256"], size=int(record["size"])),
            cover=_cover_from_record(record),
        )
    content = client.download(ref)
    stored = store.put(content, suffix=_suffix_of(ref.primary_document))
    cover = fiscal_year_from_document(content)
    store.put_record(_record_name(ref), _record_of(ref, stored, cover))
    return _Obtained(stored=stored, cover=cover)


def _suffix_of(primary_document: str) -> str:
    name = primary_document.rsplit("/", 1)[-1]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return f".{extension}" if extension.isalnum() and 0 < len(extension) <= 10 else ".html"


def _record_of(ref: FilingRef, stored: StoredObject, cover: DocumentFiscalInfo | None) -> dict[str, Any]:
    return {
        "accession_number": ref.accession_number,
        "url": ref.url,
        "sha256": stored.sha256,
        "uri": stored.uri,
        "size": stored.size,
        "has_cover": cover is not None,
        "fiscal_year": cover.fiscal_year if cover else None,
        "period_end": cover.period_end.isoformat() if cover and cover.period_end else None,
        "document_type": cover.document_type if cover else None,
    }


def _cover_from_record(record: dict[str, Any]) -> DocumentFiscalInfo | None:
    if not record.get("has_cover"):
        return None
    period_end = record.get("period_end")
    return DocumentFiscalInfo(
        fiscal_year=record.get("fiscal_year"),
        period_end=date.fromisoformat(period_end) if period_end else None,
        document_type=record.get("document_type"),
    )
