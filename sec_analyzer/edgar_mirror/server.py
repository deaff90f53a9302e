"""A local EDGAR: serves a folder of filings under EDGAR's URL shapes, with EDGAR's failures.

Point `EDGAR_BASE_URL` and `EDGAR_DATA_URL` at `EdgarMirror.base_url` and the whole platform
runs offline: www.sec.gov and data.sec.gov paths do not overlap, so one server answers both.
Like EDGAR it refuses undeclared User-Agents, blocks a client that goes over 10 requests per
second, and answers conditional GETs with 304. Tests can also inject EDGAR's real failure
answers on chosen paths (`inject_failure`).
"""

from __future__ import annotations

import re
import socket
import struct
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import format_datetime, parsedate_to_datetime
from fnmatch import fnmatchcase
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from sec_analyzer.domain import FilingRef
from sec_analyzer.edgar_mirror import pages
from sec_analyzer.edgar_mirror.catalog import MirrorCatalog, MirrorResponse
from sec_analyzer.edgar_mirror.content import content_etag
from sec_analyzer.edgar_mirror.samples import load_samples
from sec_analyzer.errors import SecAnalyzerError

FAILURE_KINDS = frozenset(
    {
        "rate_limit",
        "undeclared",
        "not_found",
        "access_denied",
        "unavailable",
        "too_many",
        "timeout",
        "reset",
        "truncate",
    }
)
EDGAR_REQUESTS_PER_SECOND = 10.0
DEFAULT_RATE_LIMIT_BLOCK_SECONDS = 2.0
# EDGAR keeps about 1,000 rows in `filings.recent` and moves older ones to page files.
DEFAULT_SUBMISSIONS_PAGE_SIZE = 1000
DEFAULT_TIMEOUT_FAILURE_SECONDS = 5.0
DEFAULT_RETRY_AFTER_SECONDS = 1
# A keep-alive connection left idle this long is dropped, so stopped mirrors leave no threads.
IDLE_CONNECTION_SECONDS = 30

# Library and tool defaults that identify software, not the person or firm responsible for it
GENERIC_USER_AGENT = re.compile(
    r"^(python-requests|python-urllib|python-httpx|httpx|aiohttp|curl|wget|go-http-client|java|okhttp"
    r"|apache-httpclient|libwww-perl|node-fetch|axios|undici|scrapy)\b",
    re.IGNORECASE,
)


class MirrorError(SecAnalyzerError):
    """The EDGAR mirror was asked for something it cannot do."""


def is_declared_user_agent(user_agent: str | None) -> bool:
    """EDGAR wants a User-Agent naming who is asking (e.g. `Firm Name admin@firm.com`)."""
    if user_agent is None or not user_agent.strip():
        return False
    return "@" in user_agent or not GENERIC_USER_AGENT.match(user_agent.strip())


@dataclass(frozen=True)
class RecordedRequest:
    time: float  # time.monotonic() when the request arrived
    method: str
    path: str  # as requested, query string included
    headers: dict[str, str]
    client: str


@dataclass
class _InjectedFailure:
    path_pattern: str
    kind: str
    remaining: int


class _ClientRateLimiter:
    """More than `limit` requests within one second blocks the client for `block_seconds`."""

    def __init__(self, limit: float, block_seconds: float) -> None:
        self.limit = limit
        self.block_seconds = block_seconds
        self._lock = threading.Lock()
        self._recent: dict[str, deque[float]] = {}
        self._blocked_until: dict[str, float] = {}

    def admit(self, client: str) -> bool:
        now = time.monotonic()
        with self._lock:
            if self._blocked_until.get(client, 0.0) > now:
                return False
            window = self._recent.setdefault(client, deque())
            while window and window[0] <= now - 1.0:
                window.popleft()
            window.append(now)
            if len(window) > self.limit:
                self._blocked_until[client] = now + self.block_seconds
                window.clear()
                return False
            return True


class _MirrorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], mirror: EdgarMirror) -> None:
        self.mirror = mirror
        super().__init__(address, _MirrorRequestHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # clients that time out or hang up mid-answer are expected here, not server faults
        return


class _MirrorRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "EdgarMirror"
    sys_version = ""
    timeout = IDLE_CONNECTION_SECONDS
    server: _MirrorHTTPServer

    def setup(self) -> None:
        super().setup()
        # headers and body go out as separate writes; without this, Nagle's algorithm meets the
        # client's delayed ACK and every small answer waits ~40 ms
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self.server.mirror._handle(self, send_body=True)

    def do_HEAD(self) -> None:
        self.server.mirror._handle(self, send_body=False)


def _not_modified(request: BaseHTTPRequestHandler, etag: str, last_modified: datetime | None) -> bool:
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        offered = {tag.strip() for tag in if_none_match.split(",")}
        return "*" in offered or etag in offered or f"W/{etag}" in offered
    if_modified_since = request.headers.get("If-Modified-Since")
    if if_modified_since is None or last_modified is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return last_modified.replace(microsecond=0) <= since


class EdgarMirror:
    """A threaded HTTP server answering like EDGAR for the filings of `corpus_dir`.

    `corpus_dir` is a folder laid out as `<FORM>/<TICKER>/<ID>/primary-document.html` plus
    `metadata.json` (None: start empty and `add_filing` later). `samples_dir` holds recorded
    EDGAR responses (layout of `edgar-samples`), served at the URLs they answer and used as the
    real error bodies. The port is bound on construction, so `base_url` is known at once.
    """

    def __init__(
        self,
        corpus_dir: Path | None,
        *,
        samples_dir: Path | None = None,
        port: int = 0,
        host: str = "127.0.0.1",
        requests_per_second: float | None = EDGAR_REQUESTS_PER_SECOND,
        rate_limit_block_seconds: float = DEFAULT_RATE_LIMIT_BLOCK_SECONDS,
        submissions_page_size: int = DEFAULT_SUBMISSIONS_PAGE_SIZE,
        timeout_failure_seconds: float = DEFAULT_TIMEOUT_FAILURE_SECONDS,
        retry_after_seconds: int = DEFAULT_RETRY_AFTER_SECONDS,
    ) -> None:
        if submissions_page_size < 1:
            raise MirrorError(f"submissions_page_size must be at least 1, not {submissions_page_size}")
        samples = load_samples(samples_dir) if samples_dir is not None else None
        self.catalog = MirrorCatalog(samples, submissions_page_size=submissions_page_size)
        if corpus_dir is not None:
            self.catalog.load_corpus(corpus_dir)
        self._rate_limiter = (
            _ClientRateLimiter(requests_per_second, rate_limit_block_seconds) if requests_per_second else None
        )
        self.timeout_failure_seconds = timeout_failure_seconds
        self.retry_after_seconds = retry_after_seconds
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._failures: list[_InjectedFailure] = []
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        try:
            self._server = _MirrorHTTPServer((host, port), self)
        except OSError as error:
            raise MirrorError(f"cannot listen on {host}:{port}: {error.strerror or error}") from error
        bound_host, bound_port = self._server.server_address[:2]
        self.host = str(bound_host)
        self.port = int(bound_port)

    # ---- lifecycle -----------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def environment(self) -> dict[str, str]:
        """The settings that send the platform's EDGAR traffic here."""
        return {"EDGAR_BASE_URL": self.base_url, "EDGAR_DATA_URL": self.base_url}

    def start(self) -> EdgarMirror:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.1},
                name="edgar-mirror",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> EdgarMirror:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    # ---- content -------------------------------------------------------------------------

    @property
    def filing_count(self) -> int:
        return self.catalog.filing_count

    @property
    def company_count(self) -> int:
        return self.catalog.company_count

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, oldest first (a snapshot)."""
        with self._lock:
            return list(self._requests)

    def add_filing(
        self,
        *,
        ticker: str,
        cik: int,
        company_name: str,
        html: bytes,
        accession: str | None = None,
        form: str = "10-K",
        filing_date: date,
        report_date: date | None = None,
        primary_document: str | None = None,
    ) -> FilingRef:
        """Publish a filing while the mirror runs; it appears in every listing at once."""
        filing = self.catalog.new_filing(
            ticker=ticker,
            cik=cik,
            company_name=company_name,
            data=html,
            document_path=None,
            form=form,
            accession=accession,
            filing_date=filing_date,
            report_date=report_date,
            primary_document=primary_document,
        )
        self.catalog.add(filing)
        return FilingRef(
            cik=filing.cik,
            ticker=filing.ticker,
            company_name=filing.company_name,
            accession_number=filing.accession_number,
            form=filing.form,
            filing_date=filing.filing_date,
            report_date=filing.report_date,
            primary_document=filing.primary_document,
            url=self.base_url + filing.document_url_path,
        )

    def inject_failure(self, path_pattern: str, kind: str, times: int = 1) -> None:
        """Answer the next `times` requests matching `path_pattern` with failure `kind`.

        The pattern is a shell-style glob matched against the path, and against the path with
        its query string (`/submissions/*`, `/cgi-bin/browse-edgar?*getcurrent*`).
        """
        if kind not in FAILURE_KINDS:
            raise MirrorError(f"unknown failure kind {kind!r}; known: {', '.join(sorted(FAILURE_KINDS))}")
        if times < 1:
            raise MirrorError(f"times must be at least 1, not {times}")
        with self._lock:
            self._failures.append(_InjectedFailure(path_pattern, kind, times))

    def _take_failure(self, path: str, target: str) -> str | None:
        with self._lock:
            for failure in self._failures:
                if fnmatchcase(path, failure.path_pattern) or fnmatchcase(target, failure.path_pattern):
                    failure.remaining -= 1
                    if failure.remaining == 0:
                        self._failures.remove(failure)
                    return failure.kind
        return None

    # ---- HTTP ----------------------------------------------------------------------------

    def _handle(self, request: BaseHTTPRequestHandler, *, send_body: bool) -> None:
        client = request.client_address[0]
        with self._lock:
            self._requests.append(
                RecordedRequest(
                    time.monotonic(), request.command, request.path, dict(request.headers.items()), client
                )
            )
        target = urlsplit(request.path)
        if not is_declared_user_agent(request.headers.get("User-Agent")):
            self._send(request, self.catalog.undeclared_tool(), send_body=send_body)
            return
        if self._rate_limiter is not None and not self._rate_limiter.admit(client):
            self._send(request, self.catalog.rate_limited(), send_body=send_body)
            return
        failure = self._take_failure(target.path, request.path)
        if failure == "reset":
            # a zero linger turns close() into a TCP reset: the client sees no answer at all
            request.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            request.close_connection = True
            return
        if failure == "timeout":
            self._stopping.wait(self.timeout_failure_seconds)
        injected = self._failure_response(failure, target.path)
        if injected is not None:
            self._send(request, injected, send_body=send_body)
            return
        response = self.catalog.respond(target.path, target.query, self.base_url)
        self._send(request, response, send_body=send_body, truncate=failure == "truncate")

    def _failure_response(self, failure: str | None, path: str) -> MirrorResponse | None:
        match failure:
            case "rate_limit":
                return self.catalog.rate_limited()
            case "undeclared":
                return self.catalog.undeclared_tool()
            case "not_found":
                return self.catalog.not_found(path)
            case "access_denied":
                return self.catalog.access_denied()
            case "unavailable":
                return self.catalog.unavailable()
            case "too_many":
                return MirrorResponse(
                    429,
                    pages.HTML,
                    pages.TOO_MANY_PAGE,
                    extra_headers=(("Retry-After", str(self.retry_after_seconds)),),
                )
        return None

    def _send(
        self,
        request: BaseHTTPRequestHandler,
        response: MirrorResponse,
        *,
        send_body: bool,
        truncate: bool = False,
    ) -> None:
        status, body = response.status, response.body
        validators: list[tuple[str, str]] = []
        if status == 200:
            etag = response.etag or content_etag(body)
            validators.append(("ETag", etag))
            if response.last_modified is not None:
                validators.append(
                    ("Last-Modified", format_datetime(response.last_modified.astimezone(UTC), usegmt=True))
                )
            if _not_modified(request, etag, response.last_modified):
                status, body = 304, b""
        request.send_response(status)
        if status != 304:
            request.send_header("Content-Type", response.content_type)
        request.send_header("Content-Length", str(len(body)))
        for name, value in (*validators, *response.extra_headers):
            request.send_header(name, value)
        if truncate:
            request.send_header("Connection", "close")
        request.end_headers()
        if not send_body:
            return
        if truncate:
            request.wfile.write(body[: len(body) // 2])
            request.wfile.flush()
            request.close_connection = True
            return
        request.wfile.write(body)


def serve_in_background(
    corpus_dir: Path | None,
    *,
    samples_dir: Path | None = None,
    port: int = 0,
    host: str = "127.0.0.1",
    **options: Any,
) -> EdgarMirror:
    """Start a mirror on a background thread (e.g. for `make run` with EDGAR_MIRROR_DIR set).

    The caller stops it with `.stop()`; `.environment()` gives the settings that point at it.
    """
    return EdgarMirror(corpus_dir, samples_dir=samples_dir, port=port, host=host, **options).start()
