"""The mirror's content and routing: which body answers which EDGAR URL (no HTTP here).

Paths the mirror does not know answer 404 with S3's `NoSuchKey` XML, as data.sec.gov does for
an unknown key; www.sec.gov would give an HTML page for some of them, but one documented shape
keeps clients simple. Missing daily/quarterly index files answer 403 `AccessDenied`, as EDGAR does.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from sec_analyzer.domain import normalize_ticker
from sec_analyzer.edgar_mirror import pages
from sec_analyzer.edgar_mirror.content import (
    MirrorContentError,
    MirrorFiling,
    build_filing,
    default_primary_document,
    document_period_end,
    guess_filing_date,
    guess_period_end,
    registrant_name,
    scan_corpus,
    synthetic_accession,
)
from sec_analyzer.edgar_mirror.samples import RecordedSamples

SUBMISSIONS_PATH = re.compile(r"^/submissions/CIK(\d{10})(?:-submissions-(\d{3}))?\.json$")
FOLDER_FILE_PATH = re.compile(r"^/Archives/edgar/data/(\d+)/(\d{18})/([^/]+)$")
INDEX_PAGE_PATH = re.compile(r"^/Archives/edgar/data/(\d+)/(\d{10}-\d{2}-\d{6})-index\.html?$")
COMPANY_FOLDER_PATH = re.compile(r"^/Archives/edgar/data/(\d+)/index\.json$")
DAILY_INDEX_PATH = re.compile(
    r"^/Archives/edgar/daily-index/(\d{4})/QTR([1-4])/(form|master|company)\.(\d{8})\.idx$"
)
FULL_INDEX_PATH = re.compile(
    r"^/Archives/edgar/full-index/(\d{4})/QTR([1-4])/(form|master|company)\.(idx|gz)$"
)
INDEX_PREFIXES = ("/Archives/edgar/daily-index/", "/Archives/edgar/full-index/")
FEED_PAGE_SIZES_MAX = 100
DEFAULT_FEED_COUNT = 40


@dataclass(frozen=True)
class MirrorResponse:
    status: int
    content_type: str
    body: bytes
    etag: str | None = None
    last_modified: datetime | None = None
    extra_headers: tuple[tuple[str, str], ...] = ()


def _rows_of(columns: dict[str, list[Any]]) -> list[dict[str, Any]]:
    names = list(columns)
    return [
        dict(zip(names, values, strict=True))
        for values in zip(*(columns[name] for name in names), strict=True)
    ]


def _quarter(day: date) -> int:
    return (day.month - 1) // 3 + 1


class MirrorCatalog:
    """Filings (from a corpus folder and live additions) merged with optional recorded samples."""

    def __init__(self, samples: RecordedSamples | None, *, submissions_page_size: int) -> None:
        self.samples = samples or RecordedSamples()
        self.submissions_page_size = submissions_page_size
        self._lock = threading.RLock()
        self._filings: dict[str, MirrorFiling] = {}
        self._documents: dict[str, MirrorFiling] = {}
        self._tickers: dict[str, int] = {}
        self._names: dict[int, str] = {}
        self.changed_at = datetime.now(UTC).replace(microsecond=0)
        self._recorded_titles = {
            normalize_ticker(str(row["ticker"])): (int(row["cik_str"]), str(row["title"]))
            for row in self.samples.company_tickers.values()
        }

    # ---- content -------------------------------------------------------------------------

    @property
    def filing_count(self) -> int:
        return len(self._filings)

    @property
    def company_count(self) -> int:
        return len({filing.cik for filing in self._filings.values()})

    def filings(self) -> list[MirrorFiling]:
        with self._lock:
            return list(self._filings.values())

    def _recorded_submissions(self, cik: int) -> dict[str, Any] | None:
        return self.samples.submissions.get(f"CIK{cik:010d}.json")

    def _recorded_row(
        self, cik: int, accession: str | None, form: str, filing_date: date | None
    ) -> dict[str, Any] | None:
        recorded = self._recorded_submissions(cik)
        if recorded is None:
            return None
        for row in _rows_of(recorded["filings"]["recent"]):
            if row["accessionNumber"] == accession:
                return row
            if (
                accession is None
                and row["form"] == form
                and filing_date
                and row["filingDate"] == filing_date.isoformat()
            ):
                return row
        return None

    def _company_name(self, cik: int, ticker: str, document_text: str) -> str:
        if ticker in self._recorded_titles:
            return self._recorded_titles[ticker][1]
        recorded = self._recorded_submissions(cik)
        if recorded is not None:
            return str(recorded["name"])
        return self._names.get(cik) or registrant_name(document_text) or ticker

    def _taken_accessions(self) -> set[str]:
        taken = set(self._filings)
        for document in self.samples.submissions.values():
            columns = document["filings"]["recent"] if "filings" in document else document
            taken.update(columns["accessionNumber"])
        return taken

    def new_filing(
        self,
        *,
        ticker: str,
        cik: int,
        company_name: str | None,
        data: bytes,
        document_path: Path | None,
        form: str,
        accession: str | None,
        filing_date: date | None,
        report_date: date | None,
        primary_document: str | None,
    ) -> MirrorFiling:
        """A filing completed as EDGAR would list it; recorded submissions fill what they know."""
        ticker = normalize_ticker(ticker)
        text = data.decode("utf-8", errors="replace")
        period_end = document_period_end(text)
        recorded = self._recorded_row(cik, accession, form, filing_date)
        acceptance = None
        if recorded is not None:
            accession = recorded["accessionNumber"]
            filing_date = date.fromisoformat(recorded["filingDate"])
            acceptance = datetime.fromisoformat(recorded["acceptanceDateTime"].replace("Z", "+00:00"))
            primary_document = primary_document or recorded["primaryDocument"]
            if report_date is None and recorded["reportDate"]:
                report_date = period_end or date.fromisoformat(recorded["reportDate"])
        report_date = report_date or period_end
        if filing_date is None:
            if accession is None:
                raise MirrorContentError(f"a filing of {ticker or cik} needs an accession number or a filing date")
            filing_date = guess_filing_date(accession, report_date)
        report_date = report_date or guess_period_end(filing_date)
        with self._lock:
            accession = accession or synthetic_accession(
                cik, ticker, form, filing_date, self._taken_accessions()
            )
            name = company_name or self._company_name(cik, ticker, text)
        return build_filing(
            ticker=ticker,
            cik=cik,
            company_name=name,
            form=form,
            accession_number=accession,
            filing_date=filing_date,
            report_date=report_date,
            primary_document=primary_document or default_primary_document(ticker or f"cik{cik}", report_date),
            data=data,
            document_path=document_path,
            acceptance=acceptance,
            inline_xbrl=period_end is not None or b"ix:header" in data[:200_000],
        )

    def load_corpus(self, corpus_dir: Path) -> None:
        for entry in scan_corpus(corpus_dir):
            document_path = entry.folder / "primary-document.html"
            filing = self.new_filing(
                ticker=entry.ticker,
                cik=entry.cik,
                company_name=None,
                data=document_path.read_bytes(),
                document_path=document_path,
                form=entry.form,
                accession=entry.accession_number,
                filing_date=entry.filing_date,
                report_date=entry.report_date,
                primary_document=None,
            )
            self.add(filing)

    def add(self, filing: MirrorFiling) -> None:
        with self._lock:
            self._filings[filing.accession_number] = filing
            self._documents[filing.document_url_path] = filing
            if filing.ticker:  # many filers (funds, trusts, private issuers) have none
                self._tickers.setdefault(filing.ticker, filing.cik)
            self._names.setdefault(filing.cik, filing.company_name)
            self.changed_at = datetime.now(UTC).replace(microsecond=0)

    # ---- error bodies --------------------------------------------------------------------

    def not_found(self, path: str) -> MirrorResponse:
        key = path.lstrip("/")
        recorded = self.samples.no_such_key_xml
        if recorded is not None:
            escaped = key.replace("&", "&amp;").replace("<", "&lt;")
            body = re.sub(rb"<Key>.*?</Key>", b"<Key>" + escaped.encode() + b"</Key>", recorded)
        else:
            body = pages.no_such_key_xml(key)
        return MirrorResponse(404, pages.XML, body)

    def access_denied(self) -> MirrorResponse:
        return MirrorResponse(403, pages.XML, self.samples.access_denied_xml or pages.ACCESS_DENIED_XML)

    def unavailable(self) -> MirrorResponse:
        return MirrorResponse(503, pages.HTML, self.samples.unavailable_page or pages.UNAVAILABLE_PAGE)

    def rate_limited(self) -> MirrorResponse:
        return MirrorResponse(403, pages.HTML, self.samples.rate_limit_page or pages.RATE_LIMIT_PAGE)

    def undeclared_tool(self) -> MirrorResponse:
        return MirrorResponse(403, pages.HTML, self.samples.undeclared_page or pages.UNDECLARED_TOOL_PAGE)

    # ---- routing -------------------------------------------------------------------------

    def respond(self, path: str, query: str, base_url: str) -> MirrorResponse:
        recorded = self.samples.lookup(path, query)
        if recorded is not None:
            last_modified = parsedate_to_datetime(recorded.last_modified) if recorded.last_modified else None
            return MirrorResponse(
                recorded.status, recorded.content_type, recorded.body, recorded.etag, last_modified
            )
        with self._lock:
            return self._route(path, query, base_url)

    def _route(self, path: str, query: str, base_url: str) -> MirrorResponse:
        if path == "/files/company_tickers.json":
            return self._dynamic(pages.JSON, pages.json_bytes(self._company_tickers()))
        if match := SUBMISSIONS_PATH.match(path):
            return self._submissions(path, int(match[1]), int(match[2]) if match[2] else None)
        if path == "/cgi-bin/browse-edgar":
            return self._browse(parse_qs(query), path, base_url)
        if match := FOLDER_FILE_PATH.match(path):
            return self._folder_file(path, int(match[1]), match[2], match[3])
        if match := INDEX_PAGE_PATH.match(path):
            filing = self._filings.get(match[2])
            return (
                self._index_page(filing) if filing and filing.cik == int(match[1]) else self.not_found(path)
            )
        if match := COMPANY_FOLDER_PATH.match(path):
            return self._company_folder(path, int(match[1]))
        if match := DAILY_INDEX_PATH.match(path):
            return self._daily_index(match[3], match[4], int(match[1]), int(match[2]))
        if match := FULL_INDEX_PATH.match(path):
            return self._full_index(match[3], int(match[1]), int(match[2]), gzip_wanted=match[4] == "gz")
        if path.startswith(INDEX_PREFIXES):
            return self.access_denied()
        return self.not_found(path)

    def _dynamic(self, content_type: str, body: bytes) -> MirrorResponse:
        return MirrorResponse(200, content_type, body, last_modified=self.changed_at)

    def _company_tickers(self) -> dict[str, dict[str, Any]]:
        rows = list(self.samples.company_tickers.values())
        listed = {normalize_ticker(str(row["ticker"])) for row in rows}
        for ticker, cik in self._tickers.items():
            if ticker not in listed:
                rows.append({"cik_str": cik, "ticker": ticker, "title": self._names[cik]})
        return {str(position): row for position, row in enumerate(rows)}

    def _tickers_of(self, cik: int) -> list[str]:
        tickers = [ticker for ticker, (row_cik, _) in self._recorded_titles.items() if row_cik == cik]
        return tickers + [
            ticker for ticker, owner in self._tickers.items() if owner == cik and ticker not in tickers
        ]

    def _mirror_rows(self, cik: int) -> list[dict[str, Any]]:
        own = [filing for filing in self._filings.values() if filing.cik == cik]
        own.sort(key=lambda filing: (filing.filing_date, filing.acceptance), reverse=True)
        return [pages.submission_row(filing) for filing in own]

    def company_rows(self, cik: int) -> list[dict[str, Any]]:
        """Every filing row of a company, newest first: recorded rows merged with the mirror's."""
        recorded = self._recorded_submissions(cik)
        if recorded is None:
            return self._mirror_rows(cik)
        recorded_columns: dict[str, list[Any]] = recorded["filings"]["recent"]
        rows = _rows_of(recorded_columns)
        known = {row["accessionNumber"] for row in rows}
        for extra in self._mirror_rows(cik):
            if extra["accessionNumber"] not in known:
                template = {
                    column: extra.get(column, "" if isinstance(values[0] if values else "", str) else 0)
                    for column, values in recorded_columns.items()
                }
                rows.append(template)
        # a stable sort keeps the recording's own order among filings of one day
        rows.sort(key=lambda row: str(row["filingDate"]), reverse=True)
        return rows

    def _pages_of(self, cik: int) -> list[list[dict[str, Any]]]:
        rows = self._mirror_rows(cik)
        size = self.submissions_page_size
        return [rows[start : start + size] for start in range(0, len(rows), size)] or [[]]

    def _submissions(self, path: str, cik: int, page_number: int | None) -> MirrorResponse:
        file_name = path.rsplit("/", 1)[1]
        recorded = self.samples.submissions.get(file_name)
        if page_number is not None:
            if recorded is not None:
                return self._dynamic(pages.JSON, pages.json_bytes(recorded))
            if self._recorded_submissions(cik) is None:
                page_files = self._pages_of(cik)
                if 1 <= page_number < len(page_files):
                    columns = pages.columns_of(page_files[page_number], pages.SUBMISSIONS_COLUMNS)
                    return self._dynamic(pages.JSON, pages.json_bytes(columns))
            return self.not_found(path)
        base = self._recorded_submissions(cik)
        if base is not None:
            rows = self.company_rows(cik)
            document = dict(base)
            filings = dict(base["filings"])
            filings["recent"] = pages.columns_of(rows, list(base["filings"]["recent"]))
            document["filings"] = filings
            return self._dynamic(pages.JSON, pages.json_bytes(document))
        if cik not in self._names:
            return self.not_found(path)
        page_files = self._pages_of(cik)
        files = [
            pages.page_file_entry(f"CIK{cik:010d}-submissions-{number:03d}.json", page_rows)
            for number, page_rows in enumerate(page_files[1:], start=1)
        ]
        newest_report = max(f.report_date for f in self._filings.values() if f.cik == cik)
        document = pages.submissions_document(
            cik=cik,
            name=self._names[cik],
            tickers=self._tickers_of(cik),
            fiscal_year_end=f"{newest_report:%m%d}",
            recent=pages.columns_of(page_files[0], pages.SUBMISSIONS_COLUMNS),
            files=files,
        )
        return self._dynamic(pages.JSON, pages.json_bytes(document))

    def _browse(self, params: dict[str, list[str]], path: str, base_url: str) -> MirrorResponse:
        def param(name: str, default: str = "") -> str:
            return params.get(name, [default])[0]

        def number(name: str, default: int) -> int:
            try:
                return max(0, int(param(name, str(default))))
            except ValueError:
                return default

        form_prefix = param("type").upper()
        start = number("start", 0)
        count = min(number("count", DEFAULT_FEED_COUNT) or DEFAULT_FEED_COUNT, FEED_PAGE_SIZES_MAX)
        action = param("action").lower()
        if action == "getcurrent":
            newest = sorted(self._filings.values(), key=lambda f: f.acceptance, reverse=True)
            matching = [filing for filing in newest if filing.form.upper().startswith(form_prefix)]
            if start > 0 and start >= len(matching):
                return self.unavailable()
            feed = pages.current_feed(base_url, matching[start : start + count], self.changed_at)
            return self._dynamic(pages.ATOM, feed)
        if action == "getcompany":
            cik = self._resolve_company(param("CIK") or param("cik"))
            if cik is None:
                return self.not_found(path)
            rows = [row for row in self.company_rows(cik) if str(row["form"]).upper().startswith(form_prefix)]
            name = self._names.get(cik) or str((self._recorded_submissions(cik) or {}).get("name", ""))
            feed = pages.company_feed(base_url, cik, name, rows[start : start + count], self.changed_at)
            return self._dynamic(pages.ATOM, feed)
        return self.not_found(path)

    def _resolve_company(self, identifier: str) -> int | None:
        """EDGAR's CIK parameter takes a number or a ticker."""
        if identifier.strip().isdigit():
            cik = int(identifier)
            return cik if cik in self._names or self._recorded_submissions(cik) is not None else None
        ticker = normalize_ticker(identifier) if identifier.strip() else ""
        if ticker in self._tickers:
            return self._tickers[ticker]
        recorded = self._recorded_titles.get(ticker)
        return recorded[0] if recorded and self._recorded_submissions(recorded[0]) is not None else None

    def _folder_file(self, path: str, cik: int, accession_nodash: str, name: str) -> MirrorResponse:
        accession = f"{accession_nodash[:10]}-{accession_nodash[10:12]}-{accession_nodash[12:]}"
        filing = self._filings.get(accession)
        if filing is None or filing.cik != cik:
            return self.not_found(path)
        if name == "index.json":
            items = [
                pages.ListingItem(f"{accession}-index.html", "text.gif", "", filing.acceptance),
                pages.ListingItem(filing.primary_document, "text.gif", str(filing.size), filing.acceptance),
            ]
            listing = pages.directory_listing(filing.folder_path, f"/Archives/edgar/data/{cik}", items)
            return MirrorResponse(200, pages.JSON, listing, last_modified=filing.acceptance)
        if name in (f"{accession}-index.htm", f"{accession}-index.html"):
            return self._index_page(filing)
        if name == filing.primary_document:
            return MirrorResponse(
                200, pages.HTML, filing.read_document(), filing.document_etag, filing.acceptance
            )
        return self.not_found(path)

    def _index_page(self, filing: MirrorFiling) -> MirrorResponse:
        return MirrorResponse(
            200, pages.HTML, pages.filing_index_page(filing), last_modified=filing.acceptance
        )

    def _company_folder(self, path: str, cik: int) -> MirrorResponse:
        own = sorted((f for f in self._filings.values() if f.cik == cik), key=lambda f: f.accession_number)
        if not own:
            return self.not_found(path)
        items = [pages.ListingItem(f.accession_nodash, "folder.gif", "", f.acceptance) for f in own]
        listing = pages.directory_listing(f"/Archives/edgar/data/{cik}", "/Archives/edgar/data", items)
        return self._dynamic(pages.JSON, listing)

    def _daily_index(self, kind: str, day_text: str, year: int, quarter: int) -> MirrorResponse:
        try:
            day = datetime.strptime(day_text, "%Y%m%d").date()
        except ValueError:
            return self.access_denied()
        filings = [f for f in self._filings.values() if f.filing_date == day]
        if not filings or day.year != year or _quarter(day) != quarter:
            return self.access_denied()
        return self._dynamic(pages.TEXT, pages.index_file(kind, filings, daily=True, last_received=day))

    def _full_index(self, kind: str, year: int, quarter: int, *, gzip_wanted: bool) -> MirrorResponse:
        filings = [
            f
            for f in self._filings.values()
            if f.filing_date.year == year and _quarter(f.filing_date) == quarter
        ]
        if not filings:
            return self.access_denied()
        last_received = max(filing.filing_date for filing in filings)
        body = pages.index_file(kind, filings, daily=False, last_received=last_received)
        if gzip_wanted:
            return self._dynamic(pages.OCTET_STREAM, pages.gzipped(body))
        return self._dynamic(pages.TEXT, body)
