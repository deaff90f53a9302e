"""The dashboard: server-rendered pages over the same services as the API.

Every page renders whatever is there and says what is missing and which stage makes it
("no classifications yet: run the pipeline"), so a fresh database shows guidance, not errors.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from sec_analyzer.domain import parse_filing_key
from sec_analyzer.visualization import charts
from sec_analyzer.visualization.api import (
    MAX_FILTER_VALUES,
    MAX_QUERY_TEXT,
    TICKER_MAX,
    TICKER_PATTERN,
    Deps,
    Ticker,
    Year,
    published,
)
from sec_analyzer.visualization.queries import UNCLASSIFIED
from sec_analyzer.visualization.services import NotFoundError, NotReadyError, SimilarFilters

TEMPLATES = Jinja2Templates(directory=FilePath(__file__).parent / "templates")
ALL_RISKS = 100_000  # a filing holds at most a few hundred; the company page shows them all
COMPARED_BY_DEFAULT = 4
DIFF_CONTEXT_WORDS = 12
FILING_KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9.\-]{0,12}-\d{4}$"
RISK_ID_PATTERN = r"^([A-Za-z0-9][A-Za-z0-9.\-]{0,12})-(\d{4})-(\d{1,6})$"
TONES_SHOWN = ("negative", "uncertainty", "litigious", "constraining", "positive")

router = APIRouter(include_in_schema=False)


def render(request: Request, template: str, **context: Any) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, template, context)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, service: Deps) -> HTMLResponse:
    return render(request, "home.html", companies=service.queries.companies(), counts=service.queries.counts(),
                  active="companies")


@router.get("/companies/{ticker}", response_class=HTMLResponse)
def company(
    request: Request, service: Deps, ticker: Ticker,
    year: Annotated[int | None, Query(ge=1993, le=2100)] = None,
) -> HTMLResponse:
    found = service.queries.company(ticker)
    if found is None:
        raise NotFoundError(f"no company {ticker.upper()} in the results database or the filing index")
    filings = service.queries.filings(ticker)
    published_years = [row["fiscal_year"] for row in filings if row["published"]]
    shown_year = year if year is not None else (published_years[0] if published_years else None)
    context: dict[str, Any] = {"company": found, "filings": filings, "year": shown_year,
                               "published_years": published_years, "active": "companies"}
    filing = service.queries.published_filing(ticker, shown_year) if shown_year is not None else None
    if shown_year is not None and filing is None:
        raise NotFoundError(f"no published filing {found['ticker']}-{shown_year}")
    if filing is not None:
        page = service.queries.risks(filing, limit=ALL_RISKS)
        classified = any(risk["primary_label"] for risk in page.risks)
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for risk in page.risks:
            group = risk["primary_label"] if classified else (risk["category_heading"] or "Risk factors")
            groups[group or UNCLASSIFIED].append(risk)
        ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
        shares = {name: len(risks) / len(page.risks) for name, risks in ordered}
        context |= {
            "filing": filing, "groups": ordered, "classified": classified, "risk_count": len(page.risks),
            "tones": TONES_SHOWN,
            "chart": charts.grouped_bars([name for name, _ in ordered], [(filing.partition_key, shares)],
                                         title=f"Risk categories of {filing.partition_key}"),
            "has_previous": shown_year is not None and shown_year - 1 in published_years,
        }
    return render(request, "company.html", **context)


@router.get("/companies/{ticker}/{year}/changes", response_class=HTMLResponse)
def changes(request: Request, service: Deps, ticker: Ticker, year: Year) -> HTMLResponse:
    filing = published(service, ticker, year)
    result = service.queries.changes(filing)
    for change in result["changes"]:
        change["body_spans"] = _shortened(change["body_diff"])
    return render(request, "changes.html", filing=filing, result=result, company=service.queries.company(ticker),
                  active="companies")


@router.get("/compare", response_class=HTMLResponse)
def compare(
    request: Request, service: Deps,
    filing: Annotated[list[Annotated[str, Query(max_length=TICKER_MAX + 5, pattern=FILING_KEY_PATTERN)]] | None,
                      Query(max_length=MAX_FILTER_VALUES)] = None,
) -> HTMLResponse:
    available = service.queries.category_distribution()
    keys = [f"{row['ticker']}-{row['fiscal_year']}" for row in available]
    wanted = [str(parse_filing_key(key.upper())) for key in filing] if filing else _default_comparison(available)
    rows = {f"{row['ticker']}-{row['fiscal_year']}": row for row in available}
    chosen = [rows[key] for key in wanted if key in rows]
    missing = [key for key in wanted if key not in rows]
    categories = sorted({label for row in chosen for label in row["categories"]},
                        key=lambda label: -sum(row["categories"].get(label, 0) / row["risks"] for row in chosen))
    series = [(f"{row['ticker']} {row['fiscal_year']}",
               {label: count / row["risks"] for label, count in row["categories"].items()}) for row in chosen]
    chart = charts.grouped_bars(categories, series, title="Share of risks per category")
    return render(request, "compare.html", available=keys, selected=wanted, chosen=chosen, missing=missing,
                  categories=categories, chart=chart, active="compare")


def _default_comparison(available: list[dict[str, Any]]) -> list[str]:
    """The latest filing of each company (the first few), else one company's last two years."""
    latest: dict[str, int] = {}
    for row in available:
        latest[row["ticker"]] = max(latest.get(row["ticker"], 0), row["fiscal_year"])
    if len(latest) >= 2:
        return [f"{ticker}-{year}" for ticker, year in sorted(latest.items())[:COMPARED_BY_DEFAULT]]
    return [f"{row['ticker']}-{row['fiscal_year']}" for row in available[-2:]]


@router.get("/similar", response_class=HTMLResponse)
def similar(
    request: Request, service: Deps,
    text: Annotated[str | None, Query(max_length=MAX_QUERY_TEXT)] = None,
    risk: Annotated[str | None, Query(max_length=TICKER_MAX + 12, pattern=RISK_ID_PATTERN)] = None,
    ticker: Annotated[str | None, Query(max_length=TICKER_MAX, pattern=f"({TICKER_PATTERN})|^$")] = None,
) -> HTMLResponse:
    results: list[dict[str, Any]] | None = None
    problem = None
    filters = SimilarFilters(tickers=(ticker,) if ticker else ())
    try:
        risk_match = re.fullmatch(RISK_ID_PATTERN, risk or "")
        if risk_match is not None:
            results = service.similar_to_risk(risk_match[1], int(risk_match[2]), int(risk_match[3]), 10, filters)
        elif text and text.strip():
            results = service.similar_to_text(text.strip(), 10, filters)
    except (NotReadyError, NotFoundError) as error:
        problem = str(error)
    return render(request, "similar.html", text=text or "", risk=risk, ticker=ticker or "", results=results,
                  problem=problem, active="similar")


@router.get("/drift", response_class=HTMLResponse)
def drift(request: Request, service: Deps) -> HTMLResponse:
    report = service.drift()
    years = [str(year.fiscal_year) for year in report.years]
    settings = service.settings.drift
    category_chart = charts.line_chart(
        years, [("PSI", [year.psi for year in report.years]),
                ("Jensen–Shannon", [year.jensen_shannon for year in report.years])],
        title="Category drift per fiscal year",
        thresholds=[("PSI warn", settings.warn.psi), ("PSI critical", settings.critical.psi)],
    )
    embedding_chart = charts.line_chart(
        years, [("centroid shift", [year.centroid_shift for year in report.years]),
                ("MMD²", [year.mmd for year in report.years])],
        title="Embedding drift per fiscal year",
        thresholds=[("MMD² warn", settings.warn.mmd), ("MMD² critical", settings.critical.mmd)],
    )
    volume_chart = charts.grouped_bars(
        [str(year) for year in sorted(report.risks_per_year)],
        [("classified risks", {str(year): float(count) for year, count in report.risks_per_year.items()})],
        title="Classified risks per fiscal year", percent=False,
    )
    return render(request, "drift.html", report=report, category_chart=category_chart,
                  embedding_chart=embedding_chart, volume_chart=volume_chart, settings=settings, active="drift")


@router.get("/models", response_class=HTMLResponse)
def models(request: Request, service: Deps) -> HTMLResponse:
    view = service.registry_view()
    scored = [version for version in view["versions"] if version["metrics"].get("per_category")]
    categories = sorted({name for version in scored for name in version["metrics"]["per_category"]})
    chart = charts.grouped_bars(
        categories,
        [(version["key"], {name: float(score.get("f1", 0.0)) for name, score in version["metrics"]["per_category"].items()})
         for version in scored[:4]],
        title="Gold-split F1 per category", percent=False,
    )
    return render(request, "models.html", view=view, chart=chart, active="models")


@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    schema = request.app.openapi()
    endpoints = [
        {"method": method.upper(), "path": path, "summary": operation.get("summary", ""),
         "tags": operation.get("tags", []), "parameters": [_parameter(parameter) for parameter in operation.get("parameters", [])]}
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    ]
    return render(request, "docs.html", endpoints=endpoints, title=schema["info"]["title"],
                  version=schema["info"]["version"], active="docs")


def _parameter(parameter: dict[str, Any]) -> dict[str, Any]:
    schema = parameter.get("schema", {})
    options = schema.get("anyOf", [schema])
    constraints = []
    for option in options:
        if option.get("type") == "array":
            option = option.get("items", {}) | {"type": "list of " + option.get("items", {}).get("type", "value")}
        for name in ("minimum", "maximum", "minLength", "maxLength", "pattern"):
            if name in option:
                constraints.append(f"{name} {option[name]}")
    types = sorted({option.get("type", "") for option in options if option.get("type") != "null"})
    return {"name": parameter["name"], "in": parameter["in"], "required": parameter.get("required", False),
            "type": " | ".join(types), "constraints": ", ".join(constraints),
            "description": parameter.get("description", "")}


def _shortened(spans: list[dict[str, str]]) -> list[dict[str, str]]:
    """A body diff with long unchanged runs cut to their edges, so the changed words stand out."""
    shown = []
    for position, span in enumerate(spans):
        words = span["text"].split(" ")
        if span["op"] == "=" and len(words) > 2 * DIFF_CONTEXT_WORDS:
            head = [] if position == 0 else words[:DIFF_CONTEXT_WORDS]
            tail = [] if position == len(spans) - 1 else words[-DIFF_CONTEXT_WORDS:]
            shown.append({"op": "=", "text": " ".join(head)})
            shown.append({"op": "gap", "text": f"… {len(words) - len(head) - len(tail)} unchanged words …"})
            shown.append({"op": "=", "text": " ".join(tail)})
        else:
            shown.append(span)
    return [span for span in shown if span["text"]]


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    response = render(request, "error.html", status=status, message=message, active=None)
    response.status_code = status
    return response

