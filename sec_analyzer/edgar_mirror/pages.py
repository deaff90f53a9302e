"""Bodies the local EDGAR mirror writes itself, in EDGAR's shapes.

Error bodies here are fallbacks used when no recorded samples are given: they carry the
status-defining phrases and machine codes clients key on (`NoSuchKey`, "Request Rate Threshold
Exceeded"...) in the mirror's own words.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from xml.sax.saxutils import escape

from sec_analyzer.edgar_mirror.content import EASTERN, MirrorFiling

HTML = "text/html"
XML = "application/xml"
JSON = "application/json"
ATOM = "application/atom+xml"
TEXT = "text/plain"
OCTET_STREAM = "binary/octet-stream"

SUBMISSIONS_COLUMNS = (
    "accessionNumber",
    "filingDate",
    "reportDate",
    "acceptanceDateTime",
    "act",
    "form",
    "fileNumber",
    "filmNumber",
    "items",
    "core_type",
    "size",
    "isXBRL",
    "isInlineXBRL",
    "primaryDocument",
    "primaryDocDescription",
)


def _page(title: str, paragraphs: Iterable[str]) -> bytes:
    body = "".join(f"<p>{escape(text)}</p>" for text in paragraphs)
    return (
        f"<!DOCTYPE html><html><head><title>SEC.gov | {escape(title)}</title></head>"
        f"<body><h1>{escape(title)}</h1>{body}<p>(local EDGAR mirror)</p></body></html>"
    ).encode()


RATE_LIMIT_PAGE = _page(
    "Request Rate Threshold Exceeded",
    [
        "This client sent more than 10 requests in one second, so the mirror refuses its requests for a while.",
        "Slow down to at most 10 requests per second and wait before trying again.",
    ],
)
UNDECLARED_TOOL_PAGE = _page(
    "Your Request Originates from an Undeclared Automated Tool",
    [
        "Automated access must declare who is asking in the User-Agent header, "
        "for example: Sample Company Name AdminContact@example.com",
    ],
)
UNAVAILABLE_PAGE = _page("File Unavailable", ["The file you asked for is not available at the moment."])
TOO_MANY_PAGE = _page("Too Many Requests", ["Retry after the number of seconds given in Retry-After."])

ACCESS_DENIED_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b"<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
)


def no_such_key_xml(key: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>"
        f"<Key>{escape(key)}</Key></Error>"
    ).encode()


def json_bytes(document: Any) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode()


def submission_row(filing: MirrorFiling) -> dict[str, Any]:
    inline = 1 if filing.inline_xbrl else 0
    return {
        "accessionNumber": filing.accession_number,
        "filingDate": filing.filing_date.isoformat(),
        "reportDate": filing.report_date.isoformat(),
        "acceptanceDateTime": filing.acceptance_utc,
        "act": "34",
        "form": filing.form,
        "fileNumber": "",
        "filmNumber": "",
        "items": "",
        "core_type": "XBRL" if inline else filing.form,
        "size": filing.size,
        "isXBRL": inline,
        "isInlineXBRL": inline,
        "primaryDocument": filing.primary_document,
        "primaryDocDescription": filing.form,
    }


def columns_of(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> dict[str, list[Any]]:
    return {column: [row[column] for row in rows] for column in columns}


def page_file_entry(name: str, rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    dates = [row["filingDate"] for row in rows]
    return {"name": name, "filingCount": len(rows), "filingFrom": min(dates), "filingTo": max(dates)}


def submissions_document(
    *,
    cik: int,
    name: str,
    tickers: list[str],
    fiscal_year_end: str,
    recent: dict[str, list[Any]],
    files: list[dict[str, Any]],
) -> dict[str, Any]:
    """The top level of `CIK##########.json`; fields the mirror cannot know are empty, as EDGAR leaves them."""
    empty_address = {
        "street1": None,
        "street2": None,
        "city": None,
        "stateOrCountry": None,
        "zipCode": None,
        "stateOrCountryDescription": None,
        "isForeignLocation": None,
        "foreignStateTerritory": None,
        "country": None,
        "countryCode": None,
    }
    return {
        "cik": f"{cik:010d}",
        "entityType": "operating",
        "sic": "",
        "sicDescription": "",
        "ownerOrg": "",
        "insiderTransactionForOwnerExists": 0,
        "insiderTransactionForIssuerExists": 0,
        "name": name,
        "tickers": tickers,
        "exchanges": ["" for _ in tickers],
        "ein": "",
        "lei": None,
        "description": "",
        "website": "",
        "investorWebsite": "",
        "category": "",
        "fiscalYearEnd": fiscal_year_end,
        "stateOfIncorporation": "",
        "stateOfIncorporationDescription": "",
        "addresses": {"mailing": dict(empty_address), "business": dict(empty_address)},
        "phone": "",
        "flags": "",
        "formerNames": [],
        "filings": {"recent": recent, "files": files},
    }


def _eastern(moment: datetime) -> str:
    return moment.astimezone(EASTERN).isoformat(timespec="seconds")


def _size_text(size: int) -> str:
    return f"{max(1, round(size / 1024))} KB"


def current_feed(base_url: str, filings: Sequence[MirrorFiling], updated: datetime) -> bytes:
    """The "Latest Filings" Atom feed (`action=getcurrent`); a 10-K has one party, its filer."""
    stamp = updated.astimezone(EASTERN)
    lines = [
        '<?xml version="1.0" encoding="ISO-8859-1" ?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"<title>Latest Filings - {stamp:%a, %d %b %Y %H:%M:%S} {stamp.tzname()}</title>",
        '<link rel="alternate" href="/cgi-bin/browse-edgar?action=getcurrent"/>',
        '<link rel="self" href="/cgi-bin/browse-edgar?action=getcurrent"/>',
        f"<id>{escape(base_url)}/cgi-bin/browse-edgar?action=getcurrent</id>",
        "<author><name>Webmaster</name><email>webmaster@sec.gov</email></author>",
        f"<updated>{_eastern(updated)}</updated>",
    ]
    for filing in filings:
        index_url = f"{base_url}{filing.folder_path}/{filing.accession_number}-index.htm"
        summary = (
            f" <b>Filed:</b> {filing.filing_date.isoformat()} <b>AccNo:</b> {filing.accession_number}"
            f" <b>Size:</b> {_size_text(filing.size)}"
        )
        lines += [
            "<entry>",
            f"<title>{escape(filing.form)} - {escape(filing.company_name)} ({filing.cik:010d}) (Filer)</title>",
            f'<link rel="alternate" type="text/html" href="{escape(index_url)}"/>',
            f'<summary type="html">{escape(summary)}</summary>',
            f"<updated>{_eastern(filing.acceptance)}</updated>",
            f'<category scheme="https://www.sec.gov/" label="form type" term="{escape(filing.form)}"/>',
            f"<id>urn:tag:sec.gov,2008:accession-number={filing.accession_number}</id>",
            "</entry>",
        ]
    lines.append("</feed>")
    return "\n".join(lines).encode("iso-8859-1", errors="xmlcharrefreplace")


def company_feed(
    base_url: str, cik: int, name: str, rows: Sequence[dict[str, Any]], updated: datetime
) -> bytes:
    """A company's filings feed (`action=getcompany&output=atom`), one entry per submissions row."""
    lines = [
        '<?xml version="1.0" encoding="ISO-8859-1" ?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        "<author><name>Webmaster</name><email>webmaster@sec.gov</email></author>",
        f"<company-info><cik>{cik:010d}</cik><conformed-name>{escape(name)}</conformed-name></company-info>",
        f"<id>urn:tag:sec.gov,2008:company={cik:010d}</id>",
        f"<title>{escape(name)}  (0{cik:09d})</title>",
        f"<updated>{_eastern(updated)}</updated>",
    ]
    for row in rows:
        accession = row["accessionNumber"]
        index_url = f"{base_url}/Archives/edgar/data/{cik}/{accession.replace('-', '')}/{accession}-index.htm"
        lines += [
            "<entry>",
            f'<category label="form type" scheme="https://www.sec.gov/" term="{escape(row["form"])}"/>',
            '<content type="text/xml">',
            f"<accession-number>{accession}</accession-number>",
            f"<filing-date>{row['filingDate']}</filing-date>",
            f"<filing-href>{escape(index_url)}</filing-href>",
            f"<filing-type>{escape(row['form'])}</filing-type>",
            f"<report-date>{row['reportDate']}</report-date>",
            f"<size>{_size_text(int(row.get('size') or 0))}</size>",
            "</content>",
            f'<link href="{escape(index_url)}" rel="alternate" type="text/html"/>',
            f"<title>{escape(row['form'])}  - {escape(row.get('primaryDocDescription') or row['form'])}</title>",
            f"<updated>{row['acceptanceDateTime'] or row['filingDate']}</updated>",
            f"<id>urn:tag:sec.gov,2008:accession-number={accession}</id>",
            "</entry>",
        ]
    lines.append("</feed>")
    return "\n".join(lines).encode("iso-8859-1", errors="xmlcharrefreplace")


@dataclass(frozen=True)
class ListingItem:
    name: str
    kind: str  # EDGAR's icon name: text.gif, folder.gif
    size: str  # a string, empty for generated files, as EDGAR writes it
    last_modified: datetime


def directory_listing(folder: str, parent: str, items: Sequence[ListingItem]) -> bytes:
    return json_bytes(
        {
            "directory": {
                "item": [
                    {
                        "last-modified": item.last_modified.astimezone(EASTERN).strftime("%Y-%m-%d %H:%M:%S"),
                        "name": item.name,
                        "type": item.kind,
                        "size": item.size,
                    }
                    for item in items
                ],
                "name": folder,
                "parent-dir": parent,
            }
        }
    )


def filing_index_page(filing: MirrorFiling) -> bytes:
    """A small filing index page with the facts EDGAR's has: dates, period, document table."""
    accepted = filing.acceptance.astimezone(EASTERN).strftime("%Y-%m-%d %H:%M:%S")
    rows = [
        ("Filing Date", filing.filing_date.isoformat()),
        ("Accepted", accepted),
        ("Period of Report", filing.report_date.isoformat()),
    ]
    facts = "".join(
        f'<div class="infoHead">{label}</div><div class="info">{value}</div>' for label, value in rows
    )
    return (
        "<!DOCTYPE html><html><head>"
        f"<title>EDGAR Filing Documents for {filing.accession_number}</title></head><body>"
        f'<div id="formName"><strong>Form {escape(filing.form)}</strong></div>'
        f'<div id="secNum">SEC Accession No. {filing.accession_number}</div>'
        f'<div class="formGrouping">{facts}</div>'
        f'<span class="companyName">{escape(filing.company_name)} (Filer) CIK: {filing.cik:010d}</span>'
        '<table class="tableFile" summary="Document Format Files">'
        "<tr><th>Seq</th><th>Description</th><th>Document</th><th>Type</th><th>Size</th></tr>"
        f'<tr><td>1</td><td>{escape(filing.form)}</td><td><a href="{filing.document_url_path}">'
        f"{escape(filing.primary_document)}</a></td><td>{escape(filing.form)}</td><td>{filing.size}</td></tr>"
        "</table></body></html>"
    ).encode()


def _index_header(description: str, last_received: str) -> list[str]:
    return [
        f"Description:           {description}",
        f"Last Data Received:    {last_received}",
        "Comments:              webmaster@sec.gov",
        "Anonymous FTP:         ftp://ftp.sec.gov/edgar/",
    ]


def index_file(kind: str, filings: Sequence[MirrorFiling], *, daily: bool, last_received: date) -> bytes:
    """`form.idx`, `company.idx` or `master.idx`, daily (dates YYYYMMDD) or quarterly (YYYY-MM-DD)."""
    date_format = "%Y%m%d" if daily else "%Y-%m-%d"
    received = last_received.strftime("%b %-d, %Y") if daily else last_received.strftime("%B %-d, %Y")
    scope = "Daily Index of EDGAR Dissemination Feed" if daily else "Master Index of EDGAR Dissemination Feed"

    def file_name(filing: MirrorFiling) -> str:
        return f"edgar/data/{filing.cik}/{filing.accession_number}.txt"

    if kind == "master":
        lines = [
            *_index_header(scope, received),
            " ",
            f"CIK|Company Name|Form Type|Date Filed|{'File Name' if daily else 'Filename'}",
            "-" * 80,
        ]
        ordered = sorted(filings, key=lambda filing: (filing.cik, filing.accession_number))
        lines += [
            f"{f.cik}|{f.company_name}|{f.form}|{f.filing_date.strftime(date_format)}|{file_name(f)}"
            for f in ordered
        ]
    else:
        by_form = kind == "form"
        first_heading, second_heading = (
            ("Form Type", "Company Name") if by_form else ("Company Name", "Form Type")
        )
        first_width, second_width = (12, 62) if by_form else (62, 12)
        lines = [
            *_index_header(f"{scope} by {'Form Type' if by_form else 'Company'}", received),
            *[""] * 4,
            f"{first_heading:<{first_width}}{second_heading:<{second_width}}{'CIK':<12}{'Date Filed':<12}File Name",
            "-" * 141,
        ]
        ordered = sorted(
            filings, key=lambda f: (f.form, f.company_name) if by_form else (f.company_name, f.form)
        )
        for filing in ordered:
            first, second = (
                (filing.form, filing.company_name) if by_form else (filing.company_name, filing.form)
            )
            lines.append(
                f"{first:<{first_width}}{second:<{second_width - 1}} {filing.cik:<12}"
                f"{filing.filing_date.strftime(date_format):<12}{file_name(filing)}"
            )
    return ("\n".join(lines) + "\n").encode("latin-1", errors="replace")


def gzipped(data: bytes) -> bytes:
    # mtime=0 keeps the bytes, hence the ETag, stable across requests
    return gzip.compress(data, mtime=0)
