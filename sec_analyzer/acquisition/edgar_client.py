"""A polite, typed client for SEC EDGAR.

Fair access is built in, not optional: every request carries a declared User-Agent
("Name email") and passes through the machine-wide `RateLimiter`; 429, 5xx, timeouts and
dropped connections are retried with exponential backoff and jitter (honouring `Retry-After`);
the 403 "Request Rate Threshold Exceeded" page pauses all traffic of every process sharing the
limiter before one more try, because hammering on extends SEC's block; the 403 "Undeclared
Automated Tool" page fails at once, because only a configuration change can fix it.

Each EDGAR answer maps to one typed error, so callers never inspect status codes:

| answer                                           | error                  |
|--------------------------------------------------|------------------------|
| 404, 403 with S3 `<Code>AccessDenied</Code>` XML | EdgarNotFoundError     |
| 403 "Undeclared Automated Tool" page             | UndeclaredToolError    |
| 403 "Request Rate Threshold Exceeded" (retried)  | RateLimitedError       |
| 429 / 5xx / timeout / reset (retried)            | EdgarUnavailableError  |

Parsing (company_tickers.json, the columnar submissions JSON and its page files, the Atom
feed) lives in plain functions that tests feed with recorded EDGAR bodies.
"""

from __future__ import annotations

import email.utils
import json
import random
import re
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sec_analyzer.acquisition.rate_limit import RateLimiter
from sec_analyzer.acquisition.raw_store import write_atomically
from sec_analyzer.domain import CIK_LABEL_PATTERN, Company, FilingRef, echo, normalize_ticker
from sec_analyzer.errors import ConfigurationError, SecAnalyzerError
from sec_analyzer.fiscal_year import provisional_fiscal_year

if TYPE_CHECKING:
    import requests

    from sec_analyzer.settings import Settings

ANNUAL_REPORT_FORMS = frozenset({"10-K", "10-K405", "10-KT"})
AMENDMENT_FORMS = frozenset(f"{form}/A" for form in ANNUAL_REPORT_FORMS)

# An amendment replaces the original 10-K only if it re-files the whole document. Part III-only
# and exhibit-only amendments are a few percent of the original's size (TSLA FY2024: 1.2 MB vs
# 15.8 MB); complete restatements are as large as the original or larger (TSLA FY2011: 9.7 MB
# vs 5.9 MB).
FULL_AMENDMENT_SIZE_RATIO = 0.5

FEED_PAGE_SIZES = (10, 20, 40, 80, 100)
# The largest 10-K primary documents are about 100 MB; nothing EDGAR serves should be far above.
DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024 * 1024

_USER_AGENT_PATTERN = re.compile(r"^[^\s@][^\r\n]*\s+[^\s@]+@[^\s@]+\.[^\s@]+$")
_FEED_TITLE = re.compile(r"^(?P<form>.+?) - (?P<name>.*?) \((?P<cik>\d{1,10})\)(?: \((?P<role>[^)]*)\))?$")
_FEED_FILED = re.compile(r"Filed:</b>\s*(\d{4}-\d{2}-\d{2})")
_FEED_ACCESSION = re.compile(r"accession-number=(\d{10}-\d{2}-\d{6})")
_ATOM = "{http://www.w3.org/2005/Atom}"
# Feed parties that are people or agents acting on a company's filing, not the company itself
_SECONDARY_FEED_ROLES = frozenset({"Reporting", "Filed by"})


class EdgarError(SecAnalyzerError):
    """EDGAR could not give what was asked; the message says what and where."""


class UnknownTickerError(EdgarError):
    """The ticker is not in SEC's company_tickers.json."""


class NoFilingForYearError(EdgarError):
    """The company filed no annual report for the requested fiscal year."""


class EdgarNotFoundError(EdgarError):
    """404, or S3's 403 AccessDenied for a file that does not exist."""


class UndeclaredToolError(EdgarError, ConfigurationError):
    """SEC refused the request for lack of a declared User-Agent: a configuration error."""


class RateLimitedError(EdgarError):
    """SEC kept answering "Request Rate Threshold Exceeded" after the long pause."""


class EdgarUnavailableError(EdgarError):
    """5xx, 429, timeouts or dropped connections persisted through every retry."""


class EdgarMalformedResponseError(EdgarError):
    """EDGAR answered 200 with a body this client cannot read."""


class EdgarResponseTooLargeError(EdgarError):
    """An answer is larger than the configured cap on what is read into memory."""


@dataclass(frozen=True)
class CacheValidators:
    """What a previous answer said about its version, for a conditional GET."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class EdgarResponse:
    url: str
    status: int
    headers: Mapping[str, str]  # lower-case names
    content: bytes

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def validators(self) -> CacheValidators:
        return CacheValidators(etag=self.headers.get("etag"), last_modified=self.headers.get("last-modified"))

    def json(self) -> Any:
        try:
            return json.loads(self.content)
        except ValueError as error:
            raise EdgarMalformedResponseError(f"{self.url} did not return valid JSON: {error}") from error


@dataclass(frozen=True)
class ListedFiling:
    """One row of a company's submissions listing (all forms), before any annual-report policy."""

    accession_number: str
    form: str
    filing_date: date
    report_date: date | None
    primary_document: str
    size: int
    description: str

    @property
    def is_amendment(self) -> bool:
        return self.form.endswith("/A")

    @property
    def provisional_fiscal_year(self) -> int:
        return provisional_fiscal_year(self.report_date, self.filing_date)


@dataclass(frozen=True)
class FeedEntry:
    """One filing of the latest-filings Atom feed, named after its company (issuer/filer) party."""

    accession_number: str
    form: str
    company_name: str
    cik: int
    role: str  # "Filer", "Issuer", "Subject", or a person's "Reporting"/"Filed by" when that is all there is
    filing_date: date | None
    updated: datetime | None
    index_url: str


def validate_user_agent(user_agent: str | None) -> str:
    """SEC requires a declared tool: an organisation or person's name and a contact email."""
    how_to = (
        "set EDGAR_USER_AGENT to your name or organisation and a contact email, e.g. "
        "EDGAR_USER_AGENT='Jane Analyst jane.analyst@example.com' (SEC fair-access policy)"
    )
    if not user_agent or not user_agent.strip():
        raise ConfigurationError(f"no EDGAR User-Agent configured: {how_to}")
    cleaned = " ".join(user_agent.split())
    if "\n" in user_agent or "\r" in user_agent or not _USER_AGENT_PATTERN.match(cleaned):
        raise ConfigurationError(f"EDGAR User-Agent {user_agent!r} is not 'Name email': {how_to}")
    return cleaned


def parse_company_tickers(payload: Mapping[str, Any]) -> dict[str, Company]:
    """company_tickers.json (`{"0": {"cik_str": 320193, "ticker": "AAPL", "title": ...}}`) by ticker."""
    companies: dict[str, Company] = {}
    for row in payload.values():
        try:
            ticker = normalize_ticker(str(row["ticker"]))
            companies[ticker] = Company(cik=int(row["cik_str"]), ticker=ticker, name=str(row["title"]))
        except (KeyError, TypeError, ValueError) as error:
            raise EdgarMalformedResponseError(f"unexpected company_tickers.json row {row!r}") from error
    return companies


def parse_submission_columns(columns: Mapping[str, Sequence[Any]]) -> list[ListedFiling]:
    """The columnar `filings.recent` object, or a bare page file: parallel arrays, one index per filing."""
    try:
        accessions = columns["accessionNumber"]
        count = len(accessions)

        def column(name: str, default: Any) -> Sequence[Any]:
            values = columns.get(name)
            if values is None:
                return [default] * count
            if len(values) != count:
                raise EdgarMalformedResponseError(
                    f"submissions column {name!r} has {len(values)} rows, accessionNumber has {count}"
                )
            return values

        forms, filing_dates, report_dates = (
            column("form", ""),
            column("filingDate", ""),
            column("reportDate", ""),
        )
        documents, sizes, descriptions = (
            column("primaryDocument", ""),
            column("size", 0),
            column("primaryDocDescription", ""),
        )
        return [
            ListedFiling(
                accession_number=str(accessions[index]),
                form=str(forms[index]),
                filing_date=date.fromisoformat(filing_dates[index]),
                report_date=date.fromisoformat(report_dates[index]) if report_dates[index] else None,
                primary_document=str(documents[index]),
                size=int(sizes[index] or 0),
                description=str(descriptions[index] or ""),
            )
            for index in range(count)
        ]
    except (KeyError, TypeError, ValueError) as error:
        raise EdgarMalformedResponseError(f"unreadable submissions columns: {error}") from error


def annual_report_rows(rows: Iterable[ListedFiling]) -> list[ListedFiling]:
    """10-K, 10-K405, 10-KT and their amendments, newest filing first; NT 10-K notices are not reports."""
    wanted = ANNUAL_REPORT_FORMS | AMENDMENT_FORMS
    return sorted((row for row in rows if row.form in wanted), key=lambda row: row.filing_date, reverse=True)


def effective_annual_reports(rows: Iterable[ListedFiling]) -> list[ListedFiling]:
    """One report per period: the original, unless a later amendment re-files the whole document.

    Periods are keyed by reportDate (a 10-KT covers its own short period). An amendment with no
    original in the listing is kept: it is the only report there is for that period.
    """
    by_period: dict[date | str, list[ListedFiling]] = {}
    for row in annual_report_rows(rows):
        by_period.setdefault(row.report_date or row.accession_number, []).append(row)
    chosen: list[ListedFiling] = []
    for filings in by_period.values():
        originals = [row for row in filings if not row.is_amendment]
        if not originals:
            chosen.append(filings[0])
            continue
        original = originals[-1]  # the first filed; later originals are duplicates or re-filings
        full_amendments = [
            row
            for row in filings
            if row.is_amendment
            and row.filing_date >= original.filing_date
            and row.size >= FULL_AMENDMENT_SIZE_RATIO * original.size
        ]
        chosen.append(full_amendments[0] if full_amendments else original)
    return sorted(chosen, key=lambda row: row.filing_date, reverse=True)


def candidates_for_fiscal_year(reports: Iterable[ListedFiling], fiscal_year: int) -> list[ListedFiling]:
    """Reports that may be fiscal year `fiscal_year`, most likely first.

    First the report the reportDate rule labels with that year, then its neighbours: a filer that
    labels by the year its fiscal year starts (Home Depot: FYE 2025-02-02 = fiscal 2024) has its
    report one provisional year later; the year before is tried last.
    """
    ranked: list[ListedFiling] = []
    for offset in (0, 1, -1):
        ranked.extend(row for row in reports if row.provisional_fiscal_year == fiscal_year + offset)
    return ranked


def parse_latest_filings_feed(content: bytes) -> list[FeedEntry]:
    """The getcurrent Atom feed (ISO-8859-1), one entry per accession.

    EDGAR lists a filing once per party (a Form 4 under its reporting person and its issuer);
    the company party wins, so each entry names the company the filing is about.
    """
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as error:
        raise EdgarMalformedResponseError(f"unreadable Atom feed: {error}") from error
    entries: dict[str, FeedEntry] = {}
    for entry in root.iter(f"{_ATOM}entry"):
        identifier = entry.findtext(f"{_ATOM}id") or ""
        summary = entry.findtext(f"{_ATOM}summary") or ""
        accession = _FEED_ACCESSION.search(identifier) or re.search(
            r"AccNo:</b>\s*(\d{10}-\d{2}-\d{6})", summary
        )
        title = _FEED_TITLE.match((entry.findtext(f"{_ATOM}title") or "").strip())
        if accession is None or title is None:
            continue
        role = title["role"] or ""
        seen = entries.get(accession.group(1))
        if seen is not None and (seen.role not in _SECONDARY_FEED_ROLES or role in _SECONDARY_FEED_ROLES):
            continue
        category = entry.find(f"{_ATOM}category")
        link = entry.find(f"{_ATOM}link")
        filed = _FEED_FILED.search(summary)
        updated = entry.findtext(f"{_ATOM}updated")
        entries[accession.group(1)] = FeedEntry(
            accession_number=accession.group(1),
            form=(category.get("term") if category is not None else None) or title["form"],
            company_name=title["name"],
            cik=int(title["cik"]),
            role=role,
            filing_date=date.fromisoformat(filed.group(1)) if filed else None,
            updated=datetime.fromisoformat(updated) if updated else None,
            index_url=(link.get("href") if link is not None else None) or "",
        )
    return list(entries.values())


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


def _declared_length(url: str, headers: Mapping[str, str]) -> int | None:
    declared = headers.get("content-length")
    if declared is None:
        return None
    if not declared.strip().isdigit():
        raise EdgarMalformedResponseError(f"EDGAR sent a malformed Content-Length {declared[:40]!r} for {url}")
    return int(declared)


class _Retry(Exception):
    """Internal: this attempt failed in a way another attempt may fix."""

    def __init__(self, reason: str, *, delay: float | None = None, rate_limited: bool = False) -> None:
        super().__init__(reason)
        self.delay = delay
        self.rate_limited = rate_limited


class EdgarClient:
    def __init__(
        self,
        *,
        user_agent: str | None,
        base_url: str = "https://www.sec.gov",
        data_url: str = "https://data.sec.gov",
        requests_per_second: float = 8.0,
        max_retries: int = 5,
        timeout_seconds: float = 30.0,
        rate_limit_pause_seconds: float = 600.0,
        limiter: RateLimiter | None = None,
        backoff_base_seconds: float = 1.0,
        backoff_max_seconds: float = 16.0,
        cache_dir: Path | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        self.user_agent = validate_user_agent(user_agent)
        self.base_url = base_url.rstrip("/")
        self.data_url = data_url.rstrip("/")
        self.max_retries = max_retries
        self.timeout_seconds = timeout_seconds
        self.rate_limit_pause_seconds = rate_limit_pause_seconds
        self.limiter = limiter if limiter is not None else RateLimiter(requests_per_second)
        self.backoff_base_seconds = backoff_base_seconds
        self.backoff_max_seconds = backoff_max_seconds
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.max_response_bytes = max_response_bytes
        self._sessions = threading.local()
        self._companies: dict[str, Company] | None = None
        self._companies_lock = threading.Lock()
        # The submissions JSON (main file and pages, by URL) of the last company this client read:
        # the years of one company, looked up one after another, share one request. Only one
        # company's: a backfill's client reads hundreds, each up to megabytes.
        self._submissions_read: tuple[int, dict[str, Any]] = (0, {})

    @classmethod
    def from_settings(cls, settings: Settings) -> EdgarClient:
        return cls(
            user_agent=settings.edgar_user_agent,
            base_url=settings.edgar_base_url,
            data_url=settings.edgar_data_url,
            requests_per_second=settings.edgar_requests_per_second,
            max_retries=settings.edgar_max_retries,
            timeout_seconds=settings.edgar_timeout_seconds,
            rate_limit_pause_seconds=settings.edgar_rate_limit_pause_seconds,
            cache_dir=settings.data_dir / "edgar-cache",
            max_response_bytes=settings.edgar_max_response_bytes,
        )

    # -- companies and filings -------------------------------------------------------------

    def company(self, ticker: str) -> Company:
        """The company behind a ticker; share classes resolve separately (GOOG and GOOGL, BRK-B = BRK.B)."""
        normalized = normalize_ticker(ticker)
        with self._companies_lock:
            if self._companies is None:
                try:
                    payload = json.loads(self._company_tickers_content())
                except ValueError as error:
                    raise EdgarMalformedResponseError(
                        f"company_tickers.json is not valid JSON: {error}"
                    ) from error
                if not isinstance(payload, Mapping):
                    raise EdgarMalformedResponseError("company_tickers.json is not a JSON object")
                self._companies = parse_company_tickers(payload)
            companies = self._companies
        found = companies.get(normalized)
        if found is None:
            raise UnknownTickerError(f"unknown ticker {echo(ticker)}: SEC's company_tickers.json does not list it")
        return found

    def _company_tickers_content(self) -> bytes:
        """company_tickers.json (730 kB), revalidated with a conditional GET against the disk cache."""
        url = f"{self.base_url}/files/company_tickers.json"
        if self.cache_dir is None:
            return self.get(url).content
        body_path = self.cache_dir / "company_tickers.json"
        validators_path = self.cache_dir / "company_tickers.validators.json"
        conditional: CacheValidators | None = None
        if body_path.exists() and validators_path.exists():
            try:
                conditional = CacheValidators(**json.loads(validators_path.read_bytes()))
            except (ValueError, TypeError):
                conditional = None  # an unreadable cache entry is simply refreshed
        response = self.get(url, conditional=conditional)
        if response.not_modified:
            return body_path.read_bytes()
        validators = response.validators
        write_atomically(body_path, response.content, read_only=False)
        write_atomically(
            validators_path,
            json.dumps({"etag": validators.etag, "last_modified": validators.last_modified}).encode(),
            read_only=False,
        )
        return response.content

    def submissions(
        self, cik: int, *, since: date | None = None, recent_only: bool = False
    ) -> tuple[dict[str, Any], list[ListedFiling]]:
        """A company's submissions JSON and every filing row, older page files included.

        Page files that end before `since` are not fetched, nor any with `recent_only` (about the
        last 1,000 filings, where anything new is): a long history costs requests.
        """
        payload = self._submissions_json(cik, f"{self.data_url}/submissions/CIK{int(cik):010d}.json")
        try:
            filings = payload["filings"]
            rows = parse_submission_columns(filings["recent"])
            pages = list(filings.get("files") or [])
        except (KeyError, TypeError) as error:
            raise EdgarMalformedResponseError(
                f"submissions of CIK {cik} lack filings.recent: {error}"
            ) from error
        for page in [] if recent_only else pages:
            if since is not None and date.fromisoformat(page.get("filingTo") or "9999-12-31") < since:
                continue
            page_columns = self._submissions_json(cik, f"{self.data_url}/submissions/{page['name']}")
            rows.extend(parse_submission_columns(page_columns))
        return payload, rows

    def _submissions_json(self, cik: int, url: str) -> Any:
        read_for, documents = self._submissions_read
        if read_for != int(cik):
            documents = {}
            self._submissions_read = (int(cik), documents)
        if url not in documents:
            documents[url] = self.get(url).json()
        return documents[url]

    def annual_reports(
        self, cik: int, *, ticker: str | None = None, since: date | None = None, recent_only: bool = False
    ) -> list[FilingRef]:
        """Every 10-K, 10-K405, 10-KT and amendment (form ends in "/A"), newest first; never NT 10-K.

        Amendments are listed as filings of their own; `effective_annual_reports` decides which
        one stands for each period.
        """
        payload, rows = self.submissions(cik, since=since, recent_only=recent_only)
        return [self._filing_ref(cik, payload, row, ticker) for row in annual_report_rows(rows)]

    def fiscal_year_candidates(self, company: str, fiscal_year: int) -> list[FilingRef]:
        """The effective annual reports that may be `fiscal_year` of `company` (a ticker or a
        `CIK##########` label), most likely first by the reportDate rule; their covers decide."""
        # a filing keyed by CIK is listed under that label throughout, as its partition key says
        cik_label = CIK_LABEL_PATTERN.match(company)
        known = Company(cik=int(cik_label["cik"]), ticker=company, name="") if cik_label else self.company(company)
        payload, rows = self.submissions(known.cik, since=date(fiscal_year - 1, 1, 1))
        chosen = candidates_for_fiscal_year(effective_annual_reports(rows), fiscal_year)
        return [self._filing_ref(known.cik, payload, row, known.ticker, known.name or None) for row in chosen]

    def download(self, ref: FilingRef) -> bytes:
        return self.get(ref.url).content

    def latest_filings(self, form: str = "10-K", count: int = 100) -> list[FeedEntry]:
        """The newest filings of `form` (EDGAR matches it as a prefix), one entry per accession."""
        entries: dict[str, FeedEntry] = {}
        start = 0
        while len(entries) < count:
            page_size = next((size for size in FEED_PAGE_SIZES if size >= count - len(entries)), 100)
            try:
                page = self.latest_filings_page(form, start=start, count=page_size)
            except EdgarUnavailableError:
                if start == 0:
                    raise
                break  # EDGAR answers 503 past the end of the feed
            if not page:
                break
            for entry in page:
                entries.setdefault(entry.accession_number, entry)
            start += page_size
        return list(entries.values())[:count]

    def latest_filings_page(self, form: str = "10-K", *, start: int = 0, count: int = 100) -> list[FeedEntry]:
        """One page of the latest-filings feed: one request, retried once (a 503 past its end is final)."""
        url = (
            f"{self.base_url}/cgi-bin/browse-edgar?action=getcurrent&type={form}&company=&dateb="
            f"&owner=include&start={start}&count={count}&output=atom"
        )
        return parse_latest_filings_feed(self._request(url, None, max_retries=1).content)

    # -- HTTP ------------------------------------------------------------------------------

    def get(self, url: str, *, conditional: CacheValidators | None = None) -> EdgarResponse:
        """GET with fair access and retries; a 304 answer to a conditional GET is returned as is."""
        return self._request(url, conditional, max_retries=self.max_retries)

    def _request(self, url: str, conditional: CacheValidators | None, *, max_retries: int) -> EdgarResponse:
        headers = {"User-Agent": self.user_agent, "Accept-Encoding": "gzip, deflate"}
        if conditional is not None and conditional.etag:
            headers["If-None-Match"] = conditional.etag
        if conditional is not None and conditional.last_modified:
            headers["If-Modified-Since"] = conditional.last_modified
        last_failure: _Retry | None = None
        paused_at: float | None = None
        for attempt in range(max_retries + 1):
            if last_failure is not None and not last_failure.rate_limited:
                time.sleep(self._backoff(attempt, last_failure.delay))
            self.limiter.acquire()  # after a rate-threshold answer, this waits out the shared pause
            try:
                return self._attempt(url, headers)
            except _Retry as failure:
                last_failure = failure
                if failure.rate_limited:
                    if paused_at is not None:
                        break
                    # every process sharing the limiter stops, not just this one: SEC extends the
                    # block for as long as any request keeps arriving; one retry after the pause
                    self.limiter.pause(self.rate_limit_pause_seconds)
                    paused_at = time.monotonic()
        if paused_at is not None and last_failure is not None and last_failure.rate_limited:
            raise RateLimitedError(
                f"SEC still answered 'Request Rate Threshold Exceeded' for {url} after all EDGAR traffic "
                f"from this machine paused for {time.monotonic() - paused_at:.1f} s "
                f"(EDGAR_RATE_LIMIT_PAUSE_SECONDS={self.rate_limit_pause_seconds:g}); lower "
                "EDGAR_REQUESTS_PER_SECOND or check for other EDGAR clients on this network"
            )
        raise EdgarUnavailableError(
            f"EDGAR unavailable for {url} after {max_retries + 1} attempts: {last_failure}"
        )

    def _backoff(self, attempt: int, requested: float | None) -> float:
        if requested is not None:
            return min(requested, max(self.backoff_max_seconds, self.rate_limit_pause_seconds))
        ceiling = min(self.backoff_max_seconds, self.backoff_base_seconds * 2 ** (attempt - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 (jitter spreads retries; no secret)

    def _attempt(self, url: str, headers: Mapping[str, str]) -> EdgarResponse:
        import requests

        try:
            with self._session().get(
                url, headers=headers, timeout=self.timeout_seconds, stream=True
            ) as answer:
                response_headers = {name.lower(): value for name, value in answer.headers.items()}
                declared = _declared_length(url, response_headers)
                if declared is not None and declared > self.max_response_bytes:
                    raise EdgarResponseTooLargeError(self._too_large(url, f"declares {declared:,} bytes"))
                response = EdgarResponse(
                    url=url, status=answer.status_code, headers=response_headers, content=self._body(url, answer)
                )
        except requests.Timeout as error:
            raise _Retry(
                f"timed out after {self.timeout_seconds:g} s ({error.__class__.__name__})"
            ) from error
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as error:
            raise _Retry(f"connection failed: {error}") from error
        self._check(response)
        return response

    def _body(self, url: str, answer: requests.Response) -> bytes:
        """The (decoded) body, read in chunks and refused once it passes `max_response_bytes`."""
        chunks: list[bytes] = []
        size = 0
        for chunk in answer.iter_content(chunk_size=1 << 20):
            size += len(chunk)
            if size > self.max_response_bytes:
                raise EdgarResponseTooLargeError(self._too_large(url, "sent more"))
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_large(self, url: str, what: str) -> str:
        return (
            f"EDGAR's answer for {url} {what} than the {self.max_response_bytes:,}-byte limit "
            "(EDGAR_MAX_RESPONSE_BYTES); raise it if this document is genuine"
        )

    def _check(self, response: EdgarResponse) -> None:
        status, body, url = response.status, response.content, response.url
        if status == 304 or 200 <= status < 300:
            expected = _declared_length(url, response.headers)
            if status != 304 and expected is not None and "content-encoding" not in response.headers \
                    and expected != len(body):
                raise _Retry(f"truncated body: {len(body)} of {expected} bytes")
            return
        head = body[:8192]
        if status == 404 or (status == 403 and b"<Code>AccessDenied</Code>" in head):
            raise EdgarNotFoundError(f"not found on EDGAR: {url}")
        if status == 403 and b"Undeclared Automated Tool" in head:
            raise UndeclaredToolError(
                f"SEC refused {url} as an undeclared automated tool: set EDGAR_USER_AGENT to "
                f"'Your Name your.email@example.com' (currently {self.user_agent!r})"
            )
        if status == 403 and b"Request Rate Threshold Exceeded" in head:
            raise _Retry("403 Request Rate Threshold Exceeded", delay=0.0, rate_limited=True)
        retry_after = _retry_after_seconds(response.headers.get("retry-after"))
        if status == 429:
            if retry_after is not None:
                self.limiter.pause(min(retry_after, self.rate_limit_pause_seconds))
            raise _Retry("429 Too Many Requests", delay=0.0 if retry_after is not None else None)
        if status >= 500:
            raise _Retry(f"HTTP {status}", delay=retry_after)
        raise EdgarError(f"EDGAR answered HTTP {status} for {url}")

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._sessions, "session", None)
        if session is None:
            import requests

            session = requests.Session()
            self._sessions.session = session
        return session

    def _filing_ref(
        self,
        cik: int,
        payload: Mapping[str, Any],
        row: ListedFiling,
        ticker: str | None,
        company_name: str | None = None,
    ) -> FilingRef:
        tickers = payload.get("tickers") or []
        return FilingRef(
            cik=int(cik),
            ticker=normalize_ticker(ticker) if ticker else (normalize_ticker(tickers[0]) if tickers else ""),
            company_name=company_name or str(payload.get("name") or ""),
            accession_number=row.accession_number,
            form=row.form,
            filing_date=row.filing_date,
            report_date=row.report_date,
            primary_document=row.primary_document,
            url=f"{self.base_url}/Archives/edgar/data/{int(cik)}/{row.accession_number.replace('-', '')}/"
            f"{row.primary_document}",
        )
