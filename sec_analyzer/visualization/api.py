"""The read-only results API under `/api`: companies, filings, risks, changes, similar risks,
category distributions, drift, the model registry and health.

Every parameter from outside is validated before it reaches a query: a ticker is 1–13 letters,
digits, dots or dashes (`BRK.B`, `CIK0001234567`), a fiscal year 1993–2100, a page at most
`MAX_PAGE` risks. Bad input is a 422 whose `error` line names the parameter and what was wrong
(see `app.py`); a company, filing or risk the database does not hold is a 404; a view whose
stage has not run yet (no vectors, no changes) is a 409 that says which stage to run.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import Field, StringConstraints

from sec_analyzer.storage.analysis_repo import PublishedFiling
from sec_analyzer.visualization.services import (
    TOP_SIMILAR_MAX,
    NotFoundError,
    Services,
    SimilarFilters,
)

MAX_PAGE = 200
MAX_FILTER_VALUES = 20
MAX_QUERY_TEXT = 5000
TICKER_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9.\-]*$"
TICKER_MAX = 13  # CIK0001234567, the longest company label a filing key may have
FIRST_YEAR, LAST_YEAR = 1993, 2100  # EDGAR's first electronic filings .. a sane bound
LABEL_PATTERN = r"^[a-z0-9_]+$"

TickerText = Annotated[str, StringConstraints(min_length=1, max_length=TICKER_MAX, pattern=TICKER_PATTERN)]
YearNumber = Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR)]
LabelText = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=LABEL_PATTERN)]

Ticker = Annotated[str, Path(min_length=1, max_length=TICKER_MAX, pattern=TICKER_PATTERN,
                             description="Ticker (KO, BRK-B) or CIK label (CIK0000021344)", examples=["KO"])]
Year = Annotated[int, Path(ge=FIRST_YEAR, le=LAST_YEAR, description="Fiscal year", examples=[2024])]
Ordinal = Annotated[int, Path(ge=1, le=100_000, description="Risk factor's position in its filing (1-based)")]
Top = Annotated[int, Query(ge=1, le=TOP_SIMILAR_MAX, description="How many similar risks")]
TickerFilter = Annotated[list[TickerText] | None,
                         Query(max_length=MAX_FILTER_VALUES, description="Only these companies (repeatable)")]
YearFilter = Annotated[list[YearNumber] | None,
                       Query(max_length=MAX_FILTER_VALUES, description="Only these fiscal years (repeatable)")]
LabelFilter = Annotated[list[LabelText] | None,
                        Query(max_length=MAX_FILTER_VALUES, description="Only these primary labels (repeatable)")]

router = APIRouter(prefix="/api")


def services(request: Request) -> Services:
    service: Services = request.app.state.services
    return service


Deps = Annotated[Services, Depends(services)]


def published(service: Services, ticker: str, year: int) -> PublishedFiling:
    filing = service.queries.published_filing(ticker, year)
    if filing is None:
        raise NotFoundError(f"no published filing {ticker.upper()}-{year} in the results database")
    return filing


@router.get("/health", tags=["service"], summary="Database reachable, schema current, rows per table")
def health(service: Deps) -> dict[str, Any]:
    return {"status": "ok", "database": service.queries.engine.dialect.name, "counts": service.queries.counts()}


@router.get("/companies", tags=["companies"], summary="Companies with published filings")
def companies(service: Deps) -> dict[str, Any]:
    return {"companies": service.queries.companies()}


@router.get("/companies/{ticker}", tags=["companies"], summary="A company and its filings")
def company(service: Deps, ticker: Ticker) -> dict[str, Any]:
    found = service.queries.company(ticker)
    if found is None:
        raise NotFoundError(f"no company {ticker.upper()} in the results database or the filing index")
    return {**found, "filings": service.queries.filings(ticker)}


@router.get("/companies/{ticker}/filings", tags=["filings"],
            summary="A company's filings with each stage's status and the quality gate's verdict")
def filings(service: Deps, ticker: Ticker) -> dict[str, Any]:
    rows = service.queries.filings(ticker)
    if not rows:
        raise NotFoundError(f"no filing of {ticker.upper()} in the results database or the filing index")
    return {"ticker": ticker.upper(), "filings": rows}


@router.get("/companies/{ticker}/categories", tags=["categories"],
            summary="A company's primary-label counts per fiscal year")
def company_categories(service: Deps, ticker: Ticker) -> dict[str, Any]:
    return {"ticker": ticker.upper(), "distribution": service.queries.category_distribution([ticker])}


@router.get("/filings/{ticker}/{year}/risks", tags=["filings"],
            summary="One page of a filing's risk factors: headings, labels with scores, tone, readability")
def risks(
    service: Deps,
    ticker: Ticker,
    year: Year,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    category: Annotated[LabelText | None, Query(description="Only risks with this primary label")] = None,
) -> dict[str, Any]:
    filing = published(service, ticker, year)
    page = service.queries.risks(filing, offset=offset, limit=limit, category=category)
    return {"partition_key": filing.partition_key, "total": page.total, "offset": page.offset,
            "limit": page.limit, "categories": page.categories, "risks": page.risks}


@router.get("/filings/{ticker}/{year}/changes", tags=["filings"],
            summary="Year-over-year changes into this filing, in filing order (NEW, REMOVED, MODIFIED with word diffs)")
def changes(service: Deps, ticker: Ticker, year: Year) -> dict[str, Any]:
    return service.queries.changes(published(service, ticker, year))


@router.get("/filings/{ticker}/{year}/risks/{ordinal}/similar", tags=["similar"],
            summary="Stored risks closest to one stored risk (cosine of embeddings)")
def similar_to_risk(
    service: Deps, ticker: Ticker, year: Year, ordinal: Ordinal, top: Top = 10,
    companies: Annotated[list[TickerText] | None, Query(alias="ticker", max_length=MAX_FILTER_VALUES,
                                                        description="Only these companies (repeatable)")] = None,
    years: Annotated[list[YearNumber] | None, Query(alias="year", max_length=MAX_FILTER_VALUES,
                                                    description="Only these fiscal years (repeatable)")] = None,
    category: LabelFilter = None,
) -> dict[str, Any]:
    filters = SimilarFilters(tuple(companies or ()), tuple(years or ()), tuple(category or ()))
    return {"risk_id": f"{ticker.upper()}-{year}-{ordinal}",
            "similar": service.similar_to_risk(ticker, year, ordinal, top, filters)}


@router.get("/similar", tags=["similar"], summary="Stored risks closest to a free text")
def similar_to_text(
    service: Deps,
    text: Annotated[str, Query(min_length=3, max_length=MAX_QUERY_TEXT, description="What the risk is about")],
    top: Top = 10,
    ticker: TickerFilter = None,
    year: YearFilter = None,
    category: LabelFilter = None,
) -> dict[str, Any]:
    filters = SimilarFilters(tuple(ticker or ()), tuple(year or ()), tuple(category or ()))
    return {"text": text, "similar": service.similar_to_text(text, top, filters)}


@router.get("/categories", tags=["categories"],
            summary="Primary-label counts per company and fiscal year, for comparing companies or years")
def categories(service: Deps, ticker: TickerFilter = None, year: YearFilter = None) -> dict[str, Any]:
    return {"distribution": service.queries.category_distribution(ticker or (), year or ())}


@router.get("/drift", tags=["drift"], summary="Drift of the risk landscape per fiscal year (categories and embeddings)")
def drift(service: Deps) -> dict[str, Any]:
    return service.drift().to_json()


@router.get("/models", tags=["models"], summary="Model registry: champion, candidates, tournament metrics")
def models(service: Deps) -> dict[str, Any]:
    return service.registry_view()
