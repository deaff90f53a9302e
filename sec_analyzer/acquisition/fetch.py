"""Fetch the 10-K of one (company, fiscal year): find it by its cover, download it once, store it.

A fiscal year is found when an annual report's cover says that year (`sec_analyzer.fiscal_year`
is the rule; a report without a cover is labelled by its reportDate). EDGAR's listing only
proposes which reports to open first: the one the reportDate rule labels with the year, then its
neighbours, since a filer that names its year by the year it starts (Home Depot: FYE 2025-02-02
is fiscal 2024) has that year in the report the rule calls 2025. Once one cover of a company has
shown how its labels relate to the rule, the next year of that company opens the right report
first, so a range of years downloads only the requested years' documents.

Every document obtained is remembered in the raw store under `accession/<accession number>`
(its hash and cover facts), so a re-run asks EDGAR only for the company's filing list and never
downloads a document again, whichever process or machine fetched it first. A stored object is
read back and checked against its hash before it is trusted; a corrupt or lost one is fetched
again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sec_analyzer.acquisition.cover_facts import CoverFacts, cover_facts_from_document
from sec_analyzer.acquisition.edgar_client import EdgarClient, NoFilingForYearError
from sec_analyzer.acquisition.raw_store import (
    RawIntegrityError,
    RawObjectNotFoundError,
    RawStore,
    StoredObject,
)
from sec_analyzer.domain import FilingRef, normalize_ticker
from sec_analyzer.fiscal_year import provisional_fiscal_year

FiscalYearSource = Literal["dei", "report_date"]


@dataclass(frozen=True)
class FetchedFiling:
    ref: FilingRef
    stored: StoredObject
    fiscal_year: int
    fiscal_year_source: FiscalYearSource
    period_end: date | None
    document_type: str | None


class FilingFetcher:
    """Finds and stores annual reports for one client and store; keep one per batch of filings so
    what a cover taught about a company's labels serves its other years."""

    def __init__(self, client: EdgarClient, store: RawStore) -> None:
        self.client = client
        self.store = store
        # per CIK: the filer's label minus the reportDate rule's (-1 for start-year filers)
        self._label_offsets: dict[int, int] = {}

    def fetch(self, company: str, fiscal_year: int) -> FetchedFiling:
        """The stored 10-K of `company` (ticker or CIK label) for `fiscal_year`.

        Raises UnknownTickerError for a company SEC does not list and NoFilingForYearError when no
        annual report is, by its cover or (without one) by its reportDate, of that fiscal year.
        """
        candidates = self.client.fiscal_year_candidates(company, fiscal_year)
        known = {ref.accession_number: self._known(ref) for ref in candidates}
        for ref in candidates:
            remembered = known[ref.accession_number]
            if remembered is not None and remembered.fiscal_year == fiscal_year:
                return self._checked(remembered)
        for ref in self._most_likely_first(candidates, fiscal_year):
            if known[ref.accession_number] is None:
                fetched = self._download(ref)
                known[ref.accession_number] = fetched
                if fetched.fiscal_year == fiscal_year:
                    return fetched
        covers = [
            f"{found.ref.accession_number} (period {found.ref.report_date}) is fiscal {found.fiscal_year}"
            for found in known.values()
            if found is not None and found.fiscal_year_source == "dei"
        ]
        detail = f"; by their covers {', '.join(covers)}" if covers else ""
        raise NoFilingForYearError(
            f"{normalize_ticker(company)} has no 10-K for fiscal year {fiscal_year} on EDGAR{detail}"
        )

    def fetch_reference(self, ref: FilingRef) -> FetchedFiling:
        """The stored document of a known filing (e.g. one the sensor just saw), with its fiscal year."""
        remembered = self._known(ref)
        return self._checked(remembered) if remembered is not None else self._download(ref)

    def _most_likely_first(self, candidates: list[FilingRef], fiscal_year: int) -> list[FilingRef]:
        if not candidates:
            return []
        offset = self._label_offsets.get(candidates[0].cik)
        if offset is None:
            return candidates
        expected = fiscal_year - offset
        return sorted(candidates, key=lambda ref: _provisional(ref) != expected)  # stable: ties keep EDGAR's rank

    def _learn(self, fetched: FetchedFiling) -> FetchedFiling:
        if fetched.fiscal_year_source == "dei":
            self._label_offsets[fetched.ref.cik] = fetched.fiscal_year - _provisional(fetched.ref)
        return fetched

    def _known(self, ref: FilingRef) -> FetchedFiling | None:
        """What the store remembers of this accession (not yet checked against its bytes)."""
        record = self.store.get_record(_record_name(ref))
        if record is None:
            return None
        try:
            stored = StoredObject(uri=str(record["uri"]), sha256=str(record["sha256"]), size=int(record["size"]))
            cover = _cover_from_record(record)
        except (KeyError, TypeError, ValueError):
            return None  # a damaged record is rebuilt by downloading the document again
        return self._learn(_fetched(ref, stored, cover))

    def _checked(self, remembered: FetchedFiling) -> FetchedFiling:
        """The remembered filing if its stored bytes are intact, else downloaded again."""
        try:
            self.store.get(remembered.stored.uri)
        except (RawObjectNotFoundError, RawIntegrityError):
            return self._download(remembered.ref)
        return remembered

    def _download(self, ref: FilingRef) -> FetchedFiling:
        content = self.client.download(ref)
        stored = self.store.put(content, suffix=_suffix_of(ref.primary_document))
        cover = cover_facts_from_document(content)
        self.store.put_record(_record_name(ref), _record_of(ref, stored, cover))
        return self._learn(_fetched(ref, stored, cover))


def fetch_filing(client: EdgarClient, store: RawStore, company: str, fiscal_year: int) -> FetchedFiling:
    """One lookup by a fresh fetcher; a batch of filings keeps one `FilingFetcher` instead."""
    return FilingFetcher(client, store).fetch(company, fiscal_year)


def _provisional(ref: FilingRef) -> int:
    return provisional_fiscal_year(ref.report_date, ref.filing_date)


def _fetched(ref: FilingRef, stored: StoredObject, cover: CoverFacts | None) -> FetchedFiling:
    """The filing's fiscal year by its cover when it gives one, else by the reportDate rule."""
    source: FiscalYearSource
    cover_year = cover.fiscal_year if cover is not None else None
    if cover_year is not None:
        fiscal_year, source = cover_year, "dei"
    else:
        fiscal_year, source = _provisional(ref), "report_date"
    return FetchedFiling(
        ref=ref,
        stored=stored,
        fiscal_year=fiscal_year,
        fiscal_year_source=source,
        period_end=(cover.period_end if cover else None) or ref.report_date,
        document_type=cover.document_type if cover else None,
    )


def _record_name(ref: FilingRef) -> str:
    return f"accession/{ref.accession_number}"


def _suffix_of(primary_document: str) -> str:
    name = primary_document.rsplit("/", 1)[-1]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return f".{extension}" if extension.isalnum() and 0 < len(extension) <= 10 else ".html"


def _record_of(ref: FilingRef, stored: StoredObject, cover: CoverFacts | None) -> dict[str, Any]:
    return {
        "accession_number": ref.accession_number,
        "url": ref.url,
        "sha256": stored.sha256,
        "uri": stored.uri,
        "size": stored.size,
        "has_cover": cover is not None,
        "fiscal_year": cover.stated_fiscal_year if cover else None,
        "period_end": cover.period_end.isoformat() if cover and cover.period_end else None,
        "document_type": cover.document_type if cover else None,
    }


def _cover_from_record(record: dict[str, Any]) -> CoverFacts | None:
    if not record.get("has_cover"):
        return None
    period_end, stated_year = record.get("period_end"), record.get("fiscal_year")
    return CoverFacts(
        stated_fiscal_year=int(stated_year) if stated_year is not None else None,
        period_end=date.fromisoformat(period_end) if period_end else None,
        document_type=record.get("document_type"),
    )
