"""Recorded EDGAR responses (a `samples_dir` laid out like the shared `edgar-samples`) for the mirror.

Each recording is served at the URL it answers. That URL comes from its `*.response-meta.json`
sidecar when there is one (which also gives the recorded status and headers), otherwise from
what the file itself says: submissions and index files are named after their URL, a folder
listing names its folder, and a primary document is found through the recorded submissions
row that lists it. Recordings that answer no URL (error pages, which the mirror reuses as
bodies, and header-only excerpts) are not routed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from sec_analyzer.edgar_mirror.content import MirrorContentError

SIDECAR_SUFFIX = ".response-meta.json"
SUBMISSIONS_PAGE_PATTERN = re.compile(r"^CIK(\d{10})(?:-submissions-\d{3})?\.json$")
DAILY_INDEX_PATTERN = re.compile(r"^daily-index-(form|master|company)\.(\d{4})(\d{2})(\d{2})\.idx$")
FULL_INDEX_EXCERPT_PATTERN = re.compile(
    r"^full-index-(form|master|company)\.idx\.excerpt-(\d{4})QTR([1-4])\.txt$"
)

CONTENT_TYPES = {
    ".json": "application/json",
    ".htm": "text/html",
    ".html": "text/html",
    ".xml": "application/xml",
    ".idx": "text/plain",
    ".txt": "text/plain",
}

# Recorded error pages the mirror reuses as bodies: attribute name -> file under errors/
ERROR_PAGE_FILES = {
    "rate_limit_page": "403-request-rate-threshold-exceeded.html",
    "undeclared_page": "403-undeclared-automated-tool.html",
    "unavailable_page": "getcurrent-503-file-unavailable.html",
    "no_such_key_xml": "submissions-404-NoSuchKey.xml",
    "access_denied_xml": "full-index-403-AccessDenied.xml",
}


def request_key(path: str, query: str) -> tuple[str, frozenset[tuple[str, str]]]:
    """Requests match a recording whatever the order of their query parameters."""
    return path, frozenset(parse_qsl(query, keep_blank_values=True))


@dataclass(frozen=True)
class RecordedResponse:
    status: int
    content_type: str
    body: bytes
    last_modified: str | None = None
    etag: str | None = None


@dataclass
class RecordedSamples:
    responses: dict[tuple[str, frozenset[tuple[str, str]]], RecordedResponse] = field(default_factory=dict)
    company_tickers: dict[str, dict[str, Any]] = field(default_factory=dict)
    # submissions file name (CIK##########.json or a page file) -> parsed JSON
    submissions: dict[str, dict[str, Any]] = field(default_factory=dict)
    rate_limit_page: bytes | None = None
    undeclared_page: bytes | None = None
    unavailable_page: bytes | None = None
    no_such_key_xml: bytes | None = None
    access_denied_xml: bytes | None = None

    def lookup(self, path: str, query: str) -> RecordedResponse | None:
        return self.responses.get(request_key(path, query))


def _header(headers: dict[str, list[str]], name: str) -> str | None:
    for key, values in headers.items():
        if key.lower() == name and values:
            return values[0]
    return None


def _from_sidecar(body_path: Path, sidecar: dict[str, Any]) -> tuple[str, RecordedResponse]:
    headers: dict[str, list[str]] = sidecar.get("headers", {})
    content_type = _header(headers, "content-type") or CONTENT_TYPES.get(
        body_path.suffix, "application/octet-stream"
    )
    response = RecordedResponse(
        status=int(sidecar["status"]["code"]),
        content_type=content_type,
        body=body_path.read_bytes(),
        last_modified=_header(headers, "last-modified"),
        etag=_header(headers, "etag"),
    )
    return str(sidecar["uri"]), response


def _plain(body_path: Path) -> RecordedResponse:
    return RecordedResponse(
        200, CONTENT_TYPES.get(body_path.suffix, "application/octet-stream"), body_path.read_bytes()
    )


def _index_url(body_path: Path) -> str | None:
    if daily := DAILY_INDEX_PATTERN.match(body_path.name):
        kind, year, month, day = daily.groups()
        return (
            f"/Archives/edgar/daily-index/{year}/QTR{(int(month) - 1) // 3 + 1}/{kind}.{year}{month}{day}.idx"
        )
    if excerpt := FULL_INDEX_EXCERPT_PATTERN.match(body_path.name):
        kind, year, quarter_number = excerpt.groups()
        return f"/Archives/edgar/full-index/{year}/QTR{quarter_number}/{kind}.idx"
    return None


def _primary_document_urls(submissions: dict[str, dict[str, Any]]) -> dict[str, str]:
    """primaryDocument file name -> its Archives path, from every recorded submissions row."""
    urls: dict[str, str] = {}
    for document in submissions.values():
        if "filings" not in document:
            continue
        cik = int(document["cik"])
        recent = document["filings"]["recent"]
        for accession, name in zip(recent["accessionNumber"], recent["primaryDocument"], strict=True):
            urls.setdefault(name, f"/Archives/edgar/data/{cik}/{accession.replace('-', '')}/{name}")
    return urls


def load_samples(samples_dir: Path) -> RecordedSamples:
    if not samples_dir.is_dir():
        raise MirrorContentError(
            f"the recorded samples folder {samples_dir} does not exist or is not a folder"
        )
    samples = RecordedSamples()
    try:
        return _load_samples(samples_dir, samples)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise MirrorContentError(f"cannot read the recorded samples in {samples_dir}: {error}") from error


def _load_samples(samples_dir: Path, samples: RecordedSamples) -> RecordedSamples:
    for attribute, file_name in ERROR_PAGE_FILES.items():
        error_page = samples_dir / "errors" / file_name
        if error_page.is_file():
            setattr(samples, attribute, error_page.read_bytes())

    tickers_path = samples_dir / "company_tickers.json"
    if tickers_path.is_file():
        samples.company_tickers = json.loads(tickers_path.read_bytes())

    for submissions_path in sorted((samples_dir / "submissions").glob("CIK*.json")):
        if SUBMISSIONS_PAGE_PATTERN.match(submissions_path.name):
            samples.submissions[submissions_path.name] = json.loads(submissions_path.read_bytes())

    document_urls = _primary_document_urls(samples.submissions)
    for body_path in sorted(samples_dir.rglob("*")):
        if not body_path.is_file() or body_path.name.endswith(SIDECAR_SUFFIX):
            continue
        if body_path.parent.name == "submissions" or body_path == tickers_path:
            continue  # the mirror merges these with its own filings
        sidecar_path = body_path.with_name(body_path.name + SIDECAR_SUFFIX)
        url: str | None
        if sidecar_path.is_file():
            url, response = _from_sidecar(body_path, json.loads(sidecar_path.read_bytes()))
        elif body_path.parent.name == "archives" and body_path.name.endswith("-index.json"):
            folder = json.loads(body_path.read_bytes())["directory"]["name"]
            url, response = f"{folder}/index.json", _plain(body_path)
        elif body_path.parent.name == "archives" and body_path.suffix in (".htm", ".html"):
            url, response = document_urls.get(body_path.name), _plain(body_path)
        elif body_path.parent.name == "index":
            url, response = _index_url(body_path), _plain(body_path)
        else:
            continue
        if url is None:
            continue
        parts = urlsplit(url)
        samples.responses[request_key(parts.path, parts.query)] = response
    return samples
