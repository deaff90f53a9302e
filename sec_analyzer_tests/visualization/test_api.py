"""The results API over a database filled like the pipeline fills it: what each endpoint answers,
bounded paging, and bad input answered with 422 and a clear line, never a 500."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import anyio
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from sec_analyzer.visualization.api import MAX_PAGE
from sec_analyzer.visualization.app import create_app
from sec_analyzer_tests.visualization.conftest import ResultsData, make_app
from sec_analyzer_tests.visualization.results_data import BLOCKED_REASON, fill_results_database


def get(client: TestClient, url: str, status: int = 200) -> Any:
    response = client.get(url)
    assert response.status_code == status, f"{url}: {response.status_code} {response.text[:500]}"
    return response.json()


def test_health_reports_the_database_and_its_rows(client: TestClient) -> None:
    health = get(client, "/api/health")
    assert health["status"] == "ok" and health["database"] == "sqlite"
    assert health["counts"]["filings"] == 7 and health["counts"]["risk_factor_changes"] > 0


def test_companies_list_the_published_ones_with_their_filings_and_risks(client: TestClient) -> None:
    companies = {company["ticker"]: company for company in get(client, "/api/companies")["companies"]}
    assert set(companies) == {"AAPL", "BA", "JNJ", "KO"}
    assert companies["KO"]["filings"] == 2 and (companies["KO"]["first_year"], companies["KO"]["latest_year"]) == (2023, 2024)
    assert companies["KO"]["name"] == "The Coca-Cola Company" and companies["KO"]["risk_factors"] > 40


def test_filings_carry_stage_statuses_and_the_gate_verdict(client: TestClient) -> None:
    filings = get(client, "/api/companies/ko/filings")["filings"]
    assert [filing["partition_key"] for filing in filings] == ["KO-2024", "KO-2023"]
    assert all(filing["published"] and filing["gate"]["verdict"] == "passed" for filing in filings)
    assert next(iter(filings[0]["stages"])) == "raw_filing" and filings[0]["stages"]["analysis_results"]["status"] == "succeeded"
    blocked = get(client, "/api/companies/NOIA")
    assert blocked["name"] == "No Item 1A Corp"
    assert blocked["filings"][0]["gate"] == {"verdict": "blocked", "detail": BLOCKED_REASON}
    assert not blocked["filings"][0]["published"] and blocked["filings"][0]["risk_factors"] == 0


def test_risks_come_in_bounded_pages_with_labels_tone_and_readability(client: TestClient) -> None:
    first = get(client, "/api/filings/KO/2024/risks?limit=10")
    total = first["total"]
    assert total > 30 and len(first["risks"]) == 10 and sum(first["categories"].values()) == total
    risk = first["risks"][0]
    assert risk["ordinal"] == 1 and risk["risk_id"] == "KO-2024-1" and risk["heading"] and risk["text"]
    assert risk["category_heading"], "Coca-Cola groups its risks under category headings"
    assert risk["labels"][0]["rank"] == 1 and risk["labels"][0]["label"] == risk["primary_label"]
    assert all(0 <= label["score"] <= 1 for label in risk["labels"])
    assert set(risk["tone"]) == {"negative", "positive", "uncertainty", "litigious", "constraining"}
    assert risk["tone"]["negative"] > 0 and risk["readability"]["word_count"] > 0
    last = get(client, f"/api/filings/KO/2024/risks?offset={total - 3}&limit={MAX_PAGE}")
    assert [item["ordinal"] for item in last["risks"]] == [total - 2, total - 1, total]
    label, count = max(first["categories"].items(), key=lambda item: item[1])
    only = get(client, f"/api/filings/KO/2024/risks?category={label}&limit={MAX_PAGE}")
    assert only["total"] == count == len(only["risks"]) and {item["primary_label"] for item in only["risks"]} == {label}


def test_year_over_year_changes_in_filing_order_with_word_diffs(client: TestClient) -> None:
    result = get(client, "/api/filings/KO/2024/changes")
    assert (result["previous_year"], result["fiscal_year"]) == (2023, 2024) and result["previous_published"]
    changes = result["changes"]
    assert sum(result["counts"].values()) == len(changes) >= 42
    current = [change["current_ordinal"] for change in changes if change["current_ordinal"] is not None]
    assert current == sorted(current), "changes come in the current filing's order"
    modified = [change for change in changes if change["status"] == "MODIFIED"]
    assert modified and all({span["op"] for span in change["heading_diff"] + change["body_diff"]} & {"+", "-"}
                            for change in modified)
    assert all(0 < change["changed_words_share"] <= 1 for change in modified)
    first_year = get(client, "/api/filings/KO/2023/changes")
    assert first_year["changes"] == [] and not first_year["previous_published"]
    boeing = get(client, "/api/filings/BA/2024/changes")
    assert boeing["counts"]["NEW"] > 0 and all(change["previous_ordinal"] is None and change["current_heading"]
                                               for change in boeing["changes"] if change["status"] == "NEW")
    johnson = get(client, "/api/filings/JNJ/2024/changes")
    assert johnson["counts"]["REMOVED"] > 0 and all(change["current_ordinal"] is None and change["previous_heading"]
                                                    for change in johnson["changes"] if change["status"] == "REMOVED")


def test_similar_risks_for_a_stored_risk_and_for_a_text(client: TestClient) -> None:
    similar = get(client, "/api/filings/KO/2024/risks/3/similar?top=5")["similar"]
    assert len(similar) == 5 and [hit["score"] for hit in similar] == sorted((hit["score"] for hit in similar), reverse=True)
    assert "KO-2024-003" not in {hit["risk_id"] for hit in similar}, "a risk is not its own neighbour"
    assert similar[0]["risk_id"] == "KO-2023-003", "last year's version of the same risk is the closest"
    only_apple = get(client, "/api/filings/KO/2024/risks/3/similar?top=3&ticker=AAPL")["similar"]
    assert {hit["ticker"] for hit in only_apple} == {"AAPL"}
    by_text = get(client, "/api/similar?text=cyberattacks+and+data+breaches+of+our+information+systems&top=3")
    assert any(hit["label"] == "cybersecurity_it" for hit in by_text["similar"]), by_text


def test_category_distribution_per_company_and_year(client: TestClient) -> None:
    rows = get(client, "/api/categories?ticker=KO")["distribution"]
    assert [(row["ticker"], row["fiscal_year"]) for row in rows] == [("KO", 2023), ("KO", 2024)]
    assert all(sum(row["categories"].values()) == row["risks"] for row in rows)
    by_year = get(client, "/api/categories?year=2024")["distribution"]
    assert {row["ticker"] for row in by_year} == {"AAPL", "BA", "JNJ", "KO"}
    assert get(client, "/api/companies/KO/categories")["distribution"] == rows


def test_drift_compares_each_fiscal_year_with_the_previous(client: TestClient) -> None:
    report = get(client, "/api/drift")
    assert [(year["fiscal_year"], year["previous_year"]) for year in report["years"]] == [(2024, 2023)]
    assert report["years"][0]["reasons"] == ["not judged: 4 filing(s), fewer than 5"]


def test_model_registry_shows_champion_candidates_and_metrics(client: TestClient) -> None:
    view = get(client, "/api/models")
    assert view["champion"]["key"] == "minilm_logreg/v1" and view["champion"]["metrics"]["macro_f1"] == 0.74
    statuses = {version["key"]: version["status"] for version in view["versions"]}
    assert statuses == {"minilm_logreg/v1": "champion", "minilm_finetune/v1": "candidate"}
    assert [event["action"] for event in view["history"]] == ["promote"]
    assert {model["role"] for model in view["serving"]} == {"classifier", "embedder"}


@pytest.mark.parametrize(
    ("url", "parameter", "message"),
    [
        ("/api/companies/K$O", "ticker", "should match pattern"),
        ("/api/companies/" + "A" * 14, "ticker", "at most 13 characters"),
        ("/api/filings/KO/99/risks", "year", "greater than or equal to 1993"),
        ("/api/filings/KO/12345/risks", "year", "less than or equal to 2100"),
        ("/api/filings/KO/twenty/changes", "year", "valid integer"),
        ("/api/filings/KO/2024/risks?limit=0", "limit", "greater than or equal to 1"),
        (f"/api/filings/KO/2024/risks?limit={MAX_PAGE + 1}", "limit", f"less than or equal to {MAX_PAGE}"),
        ("/api/filings/KO/2024/risks?offset=-1", "offset", "greater than or equal to 0"),
        ("/api/filings/KO/2024/risks?category=Not%20A%20Label", "category", "should match pattern"),
        ("/api/filings/KO/2024/risks/0/similar", "ordinal", "greater than or equal to 1"),
        ("/api/filings/KO/2024/risks/3/similar?top=1000", "top", "less than or equal to 50"),
        ("/api/similar", "text", "Field required"),
        ("/api/similar?text=" + "x" * 5001, "text", "at most 5000 characters"),
        ("/api/categories?ticker=KO&year=1800", "year.0", "greater than or equal to 1993"),
        ("/api/categories?" + "&".join(f"ticker=T{index}" for index in range(21)), "ticker", "at most 20 items"),
    ],
)
def test_bad_input_is_a_422_naming_the_parameter(client: TestClient, url: str, parameter: str, message: str) -> None:
    answer = get(client, url, status=422)
    assert answer["error"].startswith(f"invalid request: {parameter}: ") and message in answer["error"], answer
    assert "\n" not in answer["error"] and len(answer["error"]) < 300


def asgi_get(app: FastAPI, path: str) -> tuple[int, bytes]:
    """A request straight into the app: HTTP clients refuse URLs of 100,000 characters before sending."""
    messages: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(b"host", b"testserver")], "server": ("testserver", 80), "client": ("127.0.0.1", 5000)}
    anyio.run(app, scope, receive, send)
    start = next(message for message in messages if message["type"] == "http.response.start")
    return start["status"], b"".join(message.get("body", b"") for message in messages if message["type"] == "http.response.body")


def test_a_100000_character_ticker_is_a_short_422(results_data: ResultsData) -> None:
    app = make_app(results_data)
    for path in ("/api/companies/" + "A" * 100_000, "/api/filings/" + "A" * 100_000 + "/2024/risks",
                 "/companies/" + "A" * 100_000):
        status, body = asgi_get(app, path)
        assert status == 422, body[:300]
        text = body.decode()
        assert "ticker: String should have at most 13 characters" in text and "(100,000 characters)" in text
        assert len(body) < 5000, "the answer does not echo the input back"


def test_unknown_companies_and_filings_are_404s(client: TestClient) -> None:
    assert get(client, "/api/companies/ZZZZ", 404)["error"] == "no company ZZZZ in the results database or the filing index"
    assert "no published filing KO-2019" in get(client, "/api/filings/KO/2019/risks", 404)["error"]
    assert "no published filing NOIA-2024" in get(client, "/api/filings/NOIA/2024/changes", 404)["error"]
    assert "has no embedded risk factor 999" in get(client, "/api/filings/KO/2024/risks/999/similar", 404)["error"]
    assert get(client, "/api/nothing-here", 404) == {"error": "no such page"}


def test_openapi_and_the_docs_page_work_offline(client: TestClient) -> None:
    schema = get(client, "/openapi.json")
    paths = set(schema["paths"])
    assert {"/api/companies", "/api/companies/{ticker}/filings", "/api/filings/{ticker}/{year}/risks",
            "/api/filings/{ticker}/{year}/changes", "/api/filings/{ticker}/{year}/risks/{ordinal}/similar",
            "/api/similar", "/api/categories", "/api/drift", "/api/models", "/api/health"} <= paths
    assert not any(path.startswith(("/companies", "/compare")) for path in paths), "pages stay out of the API schema"
    page = client.get("/docs")
    assert page.status_code == 200 and "/api/filings/{ticker}/{year}/risks" in page.text and "maximum 200" in page.text
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert all(asset.startswith(("/", "http://testserver/")) for asset in assets), assets


def test_an_empty_database_answers_every_endpoint_with_guidance(tmp_path: Path) -> None:
    client = TestClient(create_app(f"sqlite:///{tmp_path / 'empty.db'}", registry_root=tmp_path / "registry",
                                   index_dir=tmp_path / "index"))
    assert get(client, "/api/companies") == {"companies": []}
    assert get(client, "/api/drift")["years"] == [] and get(client, "/api/models")["versions"] == []
    assert get(client, "/api/categories") == {"distribution": []}
    assert "run the pipeline" in get(client, "/api/similar?text=supply+chain", 409)["error"]
    for page, guidance in (("/", "No filings published yet: run the pipeline"),
                           ("/compare", "No classifications yet: run the pipeline"),
                           ("/drift", "nothing to compare yet"),
                           ("/models", "No model registered yet"),
                           ("/similar?text=supply+chain", "no risk-factor vectors stored yet: run the pipeline")):
        response = client.get(page)
        assert response.status_code == 200 and guidance in response.text, page


# JNJ's 2023 filing has a 79-character category heading: PostgreSQL must store it as SQLite does.
POSTGRES_TICKERS = ("KO", "BA", "JNJ", "AAPL")


def test_postgresql_answers_like_sqlite(results_data: ResultsData, postgres_url: str, corpus_dir: Path,
                                        tmp_path: Path) -> None:
    fill_results_database(postgres_url, corpus_dir, POSTGRES_TICKERS)
    sqlite = TestClient(make_app(results_data))
    postgres = TestClient(create_app(postgres_url, registry_root=results_data.registry_root, index_dir=tmp_path / "index"))
    assert get(postgres, "/api/health")["database"] == "postgresql"
    only = "&".join(f"ticker={ticker}" for ticker in POSTGRES_TICKERS)
    for url in ("/api/companies/KO", "/api/filings/KO/2024/risks?limit=50", "/api/filings/KO/2024/changes",
                "/api/filings/BA/2024/changes", f"/api/categories?{only}",
                f"/api/filings/KO/2024/risks/3/similar?top=5&{only}"):
        assert _comparable(get(postgres, url)) == _comparable(get(sqlite, url)), url
    filings = get(postgres, "/api/companies/NOIA/filings")["filings"]
    assert filings[0]["gate"]["verdict"] == "blocked"


def _comparable(document: Any) -> Any:
    """The document without what differs by backend: ids, publication times, float rounding."""
    if isinstance(document, dict):
        return {key: _comparable(value) for key, value in document.items() if key != "published_at"}
    if isinstance(document, list):
        return [_comparable(value) for value in document]
    if isinstance(document, float):
        return round(document, 3)
    return document


def test_similar_risks_read_the_index_on_disk_when_there_is_one(results_data: ResultsData, client: TestClient,
                                                                tmp_path: Path) -> None:
    from sec_analyzer.analysis.analysis_config import load_analysis_settings
    from sec_analyzer.analysis.similarity import rebuild_index
    from sec_analyzer.storage.analysis_repo import AnalysisRepository
    from sec_analyzer.storage.db_clients import create_db_engine

    summary = rebuild_index(AnalysisRepository(create_db_engine(results_data.url)), tmp_path / "index",
                            load_analysis_settings().similarity)
    assert summary.filings == 7
    on_disk = TestClient(create_app(results_data.url, registry_root=results_data.registry_root,
                                    index_dir=tmp_path / "index"))
    url = "/api/filings/KO/2024/risks/3/similar?top=5"
    assert get(on_disk, url) == get(client, url)
