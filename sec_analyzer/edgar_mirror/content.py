"""What the local EDGAR mirror serves: filings read from a corpus folder, plus live additions.

A corpus folder holds `<FORM>/<TICKER>/<ID>/primary-document.html` with a `metadata.json`
beside it (ticker, cik, form, either accession_number or filing_date, and optionally
report_date, the period of report). `<ID>` is an
accession number or `filed-YYYY-MM-DD`. Everything EDGAR would know about a filing but the
folder does not say (period of report, acceptance time, accession for `filed-` folders) is
derived here, deterministically, so the same folder always answers the same way.
"""

from __future__ import annotations

import calendar
import hashlib
import html
import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sec_analyzer.domain import normalize_ticker
from sec_analyzer.errors import SecAnalyzerError

EASTERN = ZoneInfo("America/New_York")
ACCESSION_PATTERN = re.compile(r"^\d{10}-\d{2}-\d{6}$")
FILED_FOLDER_PATTERN = re.compile(r"^filed-(\d{4}-\d{2}-\d{2})$")

# EDGAR accepts most 10-Ks in the afternoon; a fixed hour keeps synthesised times stable.
SYNTHETIC_ACCEPTANCE_TIME = time(16, 5, 0)
# Annual reports are filed at least a month after the period they cover, so the guessed period
# end is the last month end that lies a full month before the filing.
MINIMUM_FILING_LAG = timedelta(days=30)
TYPICAL_FILING_LAG = timedelta(days=45)

_DEI_FACT_TAG = re.compile(
    r"<ix:nonNumeric\b[^>]*\bname=[\"']dei:(EntityRegistrantName|DocumentPeriodEndDate)[\"'][^>]*>", re.IGNORECASE
)
_NON_NUMERIC_BOUNDARY = re.compile(r"<(/?)ix:nonNumeric\b[^>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]+>")


class MirrorContentError(SecAnalyzerError):
    """The folder given to the EDGAR mirror is missing or holds a filing it cannot read."""


@dataclass(frozen=True)
class MirrorFiling:
    """One filing the mirror serves, with every field its EDGAR answers need."""

    cik: int
    ticker: str
    company_name: str
    accession_number: str
    form: str
    filing_date: date
    report_date: date
    acceptance: datetime  # timezone-aware
    primary_document: str
    document_path: Path | None  # read per request, so a large corpus costs no memory
    document_bytes: bytes | None  # live additions keep their bytes
    size: int
    document_etag: str
    inline_xbrl: bool

    @property
    def acceptance_utc(self) -> str:
        return utc_iso(self.acceptance)

    @property
    def accession_nodash(self) -> str:
        return self.accession_number.replace("-", "")

    @property
    def folder_path(self) -> str:
        return f"/Archives/edgar/data/{self.cik}/{self.accession_nodash}"

    @property
    def document_url_path(self) -> str:
        return f"{self.folder_path}/{self.primary_document}"

    def read_document(self) -> bytes:
        if self.document_bytes is not None:
            return self.document_bytes
        if self.document_path is None:
            raise MirrorContentError(f"filing {self.accession_number} has neither bytes nor a file")
        return self.document_path.read_bytes()


def _text_of_element(document: str, opening: re.Match[str]) -> str:
    """The text inside an ix:nonNumeric element, which may nest further ix:nonNumeric elements."""
    depth = 1
    position = opening.end()
    for boundary in _NON_NUMERIC_BOUNDARY.finditer(document, position):
        depth += -1 if boundary.group(1) else 1
        if depth == 0:
            inner = document[position : boundary.start()]
            return " ".join(html.unescape(_ANY_TAG.sub("", inner)).split())
    return ""


def _dei_facts(document: str) -> dict[str, str]:
    """The registrant name and period end stated on an inline-XBRL cover (first of each)."""
    facts: dict[str, str] = {}
    for opening in _DEI_FACT_TAG.finditer(document):
        facts.setdefault(opening.group(1), _text_of_element(document, opening))
        if len(facts) == 2:
            break
    return facts


def document_period_end(document: str) -> date | None:
    """The cover's `dei:DocumentPeriodEndDate` ("January 28, 2024", "2024-01-28", "Jan. 28, 2024").

    Read here on its own, not with the fetcher's cover reader: the mirror is what tests check
    the fetcher's fiscal-year rule against, so it must not share that code.
    """
    text = _dei_facts(document).get("DocumentPeriodEndDate")
    if not text:
        return None
    cleaned = " ".join(text.replace(".", " ").replace(",", " ").split())
    for pattern in ("%B %d %Y", "%b %d %Y", "%Y-%m-%d", "%m/%d/%Y"):
        try:
            return datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
    return None


def registrant_name(document: str) -> str | None:
    return _dei_facts(document).get("EntityRegistrantName") or None


def guess_period_end(filing_date: date) -> date:
    """The period of report when the document has no XBRL cover: see MINIMUM_FILING_LAG."""
    latest = filing_date - MINIMUM_FILING_LAG
    last_day = calendar.monthrange(latest.year, latest.month)[1]
    if latest.day == last_day:
        return latest
    first_of_month = latest.replace(day=1)
    return first_of_month - timedelta(days=1)


def synthetic_acceptance(filing_date: date) -> datetime:
    return datetime.combine(filing_date, SYNTHETIC_ACCEPTANCE_TIME, tzinfo=EASTERN)


def synthetic_accession(cik: int, ticker: str, form: str, filing_date: date, taken: set[str]) -> str:
    """A stable accession number for a filing known only by its date.

    The company files as its own agent (its CIK leads, as for self-filers) and the sequence
    comes from a hash of the filing's identity, so the same folder yields the same number.
    """
    seed = f"{cik}|{normalize_ticker(ticker)}|{form}|{filing_date.isoformat()}"
    counter = 0
    while True:
        digest = hashlib.sha256(f"{seed}|{counter}".encode()).hexdigest()
        accession = f"{cik:010d}-{filing_date:%y}-{900000 + int(digest, 16) % 100000:06d}"
        if accession not in taken:
            return accession
        counter += 1


def default_primary_document(ticker: str, report_date: date) -> str:
    """EDGAR's usual inline-XBRL file name, `aapl-20240928.htm`."""
    return f"{normalize_ticker(ticker).lower()}-{report_date:%Y%m%d}.htm"


def content_etag(data: bytes) -> str:
    return '"' + hashlib.sha256(data).hexdigest()[:32] + '"'


@dataclass(frozen=True)
class CorpusEntry:
    """A filing folder as written on disk, before the mirror fills in what EDGAR would add."""

    folder: Path
    ticker: str
    cik: int
    form: str
    accession_number: str | None
    filing_date: date | None
    report_date: date | None


def _metadata_date(metadata: dict[str, Any], name: str, metadata_path: Path) -> date | None:
    text = metadata.get(name)
    try:
        return date.fromisoformat(str(text)) if text else None
    except ValueError as error:
        raise MirrorContentError(f"{metadata_path}: {name} {text!r} is not YYYY-MM-DD") from error


def _read_metadata(metadata_path: Path) -> CorpusEntry:
    folder = metadata_path.parent
    try:
        metadata = json.loads(metadata_path.read_text(encoding="utf-8"))
        if not isinstance(metadata, dict):
            raise TypeError("not a JSON object")
        ticker = normalize_ticker(str(metadata.get("ticker") or folder.parent.name))
        cik = int(metadata["cik"])
        form = str(metadata.get("form") or folder.parent.parent.name)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise MirrorContentError(f"cannot read filing metadata {metadata_path}: {error}") from error
    accession = metadata.get("accession_number")
    if accession is None and (folder_match := ACCESSION_PATTERN.match(folder.name)):
        accession = folder_match.group(0)
    if metadata.get("filing_date") is None and (filed_match := FILED_FOLDER_PATTERN.match(folder.name)):
        metadata["filing_date"] = filed_match.group(1)
    if accession is not None and not ACCESSION_PATTERN.match(str(accession)):
        raise MirrorContentError(
            f"{metadata_path}: accession_number {accession!r} is not like 0000320193-24-000123"
        )
    filing_date = _metadata_date(metadata, "filing_date", metadata_path)
    report_date = _metadata_date(metadata, "report_date", metadata_path)
    if accession is None and filing_date is None:
        raise MirrorContentError(
            f"{metadata_path}: needs accession_number or filing_date (or a folder named after either)"
        )
    if not (folder / "primary-document.html").is_file():
        raise MirrorContentError(f"{folder} has metadata.json but no primary-document.html")
    return CorpusEntry(folder, ticker, cik, form, str(accession) if accession else None, filing_date, report_date)


def scan_corpus(corpus_dir: Path) -> list[CorpusEntry]:
    if not corpus_dir.is_dir():
        raise MirrorContentError(f"the filings folder {corpus_dir} does not exist or is not a folder")
    return [_read_metadata(path) for path in sorted(corpus_dir.glob("*/*/*/metadata.json"))]


def guess_filing_date(accession: str, report_date: date | None) -> date:
    """For folders named by accession alone: a date inside the accession's year (its `-YY-`),
    a typical large filer's lag after the period end (or March 1 when that is unknown too)."""
    year = 2000 + int(accession[11:13])
    candidate = report_date + TYPICAL_FILING_LAG if report_date else date(year, 3, 1)
    return min(max(candidate, date(year, 1, 2)), date(year, 12, 31))


def build_filing(
    *,
    ticker: str,
    cik: int,
    company_name: str | None,
    form: str,
    accession_number: str,
    filing_date: date,
    report_date: date,
    primary_document: str,
    data: bytes,
    document_path: Path | None,
    acceptance: datetime | None = None,
    inline_xbrl: bool,
) -> MirrorFiling:
    """A filing served from `document_path` when given (read per request), else from `data`."""
    return MirrorFiling(
        cik=cik,
        ticker=normalize_ticker(ticker),
        company_name=company_name or normalize_ticker(ticker),
        accession_number=accession_number,
        form=form,
        filing_date=filing_date,
        report_date=report_date,
        acceptance=acceptance or synthetic_acceptance(filing_date),
        primary_document=primary_document,
        document_path=document_path,
        document_bytes=None if document_path else data,
        size=len(data),
        document_etag=content_etag(data),
        inline_xbrl=inline_xbrl,
    )


def utc_iso(moment: datetime) -> str:
    """EDGAR's acceptanceDateTime: true UTC with milliseconds, `2024-11-01T10:01:36.000Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
