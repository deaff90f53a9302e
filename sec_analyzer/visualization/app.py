"""The app factory: the JSON API under `/api`, the dashboard, static files and offline API docs.

`create_app()` reads the configured results database (`SEC_ANALYZER_DATABASE_URL`, SQLite by
default), the model registry (`configs/registry.yaml`) and the similarity index under the data
folder. Errors become answers, never tracebacks: bad input is a 422 with one `error` line that
names the parameter (and echoes at most a few dozen characters of it), an unknown company or
filing a 404, a stage that has not run yet a 409, a database that cannot be used a 503. The API
answers in JSON, the dashboard with an error page. FastAPI's Swagger and ReDoc pages load their
scripts from a CDN, so `/docs` is a server-rendered reference built from the OpenAPI schema
(`/openapi.json`) instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from sec_analyzer.domain import echo
from sec_analyzer.errors import SecAnalyzerError
from sec_analyzer.visualization import api, pages
from sec_analyzer.visualization.services import NotFoundError, NotReadyError, Services

STATIC_DIR = Path(__file__).parent / "static"
API_PREFIX = "/api"


def create_app(
    database_url: str | None = None,
    *,
    registry_root: Path | None = None,
    index_dir: Path | None = None,
) -> FastAPI:
    """The API and dashboard over `database_url` (default: the configured results database)."""
    services = build_services(database_url, registry_root=registry_root, index_dir=index_dir)
    app = FastAPI(
        title="sec-analyzer results API",
        version=_package_version(),
        description="Read-only access to analysed 10-K risk factors: companies, filings and their quality-gate "
        "verdicts, risks with categories, tone and readability, year-over-year changes, similar risks, "
        "category distributions, drift and the model registry.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.services = services
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.exception_handler(RequestValidationError)(_invalid_input)
    app.exception_handler(SecAnalyzerError)(_known_error)
    for status in (404, 405):  # unknown paths and methods: the JSON or page answer, not Starlette's text
        app.exception_handler(status)(_http_error)
    return app


def build_services(
    database_url: str | None = None, *, registry_root: Path | None = None, index_dir: Path | None = None
) -> Services:
    from sec_analyzer.analysis.analysis_config import load_analysis_settings
    from sec_analyzer.analysis.similarity import INDEX_FOLDER
    from sec_analyzer.registry.entry import RegistryError
    from sec_analyzer.registry.manager import ModelRegistryManager
    from sec_analyzer.settings import get_settings
    from sec_analyzer.storage.db_clients import create_db_engine
    from sec_analyzer.storage.filing_index_repo import filing_index_from_settings
    from sec_analyzer.visualization.queries import ResultsQueries

    settings = get_settings()
    engine = create_db_engine(database_url or settings.resolved_database_url)
    queries = ResultsQueries(engine, filing_index_from_settings(settings, engine))
    registry, problem = None, None
    try:
        registry = (ModelRegistryManager.from_config() if registry_root is None
                    else ModelRegistryManager(registry_root, ModelRegistryManager.from_config().gate))
    except RegistryError as error:
        problem = str(error)
    return Services(queries=queries, settings=load_analysis_settings(),
                    index_dir=index_dir or settings.data_dir / INDEX_FOLDER,
                    registry=registry, registry_problem=problem)


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("sec-analyzer")
    except PackageNotFoundError:
        return "0"


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX) or request.url.path == "/openapi.json"


def _answer(request: Request, status: int, message: str, detail: Sequence[dict[str, Any]] = ()) -> Response:
    if _wants_json(request):
        body: dict[str, Any] = {"error": message}
        if detail:
            body["detail"] = list(detail)
        return JSONResponse(body, status_code=status)
    return pages.error_page(request, status, message)


async def _invalid_input(request: Request, error: RequestValidationError) -> Response:
    problems = [
        {"parameter": ".".join(str(part) for part in problem["loc"][1:]) or str(problem["loc"][0]),
         "in": str(problem["loc"][0]), "message": problem["msg"], "got": _shown(problem.get("input"))}
        for problem in error.errors()
    ]
    line = "; ".join(f"{problem['parameter']}: {problem['message']} (got {problem['got']})" for problem in problems)
    return _answer(request, 422, f"invalid request: {line}", problems)


def _shown(value: Any) -> str:
    return echo(value) if isinstance(value, str) else echo(repr(value))


async def _known_error(request: Request, error: SecAnalyzerError) -> Response:
    status = 404 if isinstance(error, NotFoundError) else 409 if isinstance(error, NotReadyError) else 503
    from sec_analyzer.analysis.similarity import SimilarityIndexError
    from sec_analyzer.domain import InvalidFilingKeyError
    from sec_analyzer.storage.analysis_repo import FilingNotPublishedError

    if isinstance(error, InvalidFilingKeyError):
        status = 422
    elif isinstance(error, FilingNotPublishedError):
        status = 404
    elif isinstance(error, SimilarityIndexError):
        status = 409
    return _answer(request, status, str(error))


async def _http_error(request: Request, error: Exception) -> Response:
    status = int(getattr(error, "status_code", 404))
    return _answer(request, status, "no such page" if status == 404 else str(getattr(error, "detail", "")))
