"""The dashboard in a real browser (Debian's Chromium through Playwright) against a real uvicorn
server: what a reader sees on each page, a click from a company to a filing to its changes, a
search for similar risks. Screenshots go to the folder `browser.screenshot_dir()` names."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from sec_analyzer_tests.ui.browser import browser_page, save_screenshot
from sec_analyzer_tests.visualization.results_data import BLOCKED_REASON


@pytest.fixture(scope="module")
def page(server_url: str) -> Iterator[Any]:
    with browser_page(width=1400, height=1000) as opened:
        opened.set_default_timeout(30_000)
        yield opened


def open_page(page: Any, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{url}: {response.status if response else None}"


def test_from_a_company_to_a_filing_to_its_changes(page: Any, server_url: str) -> None:
    open_page(page, server_url + "/")
    companies = page.locator("#companies tbody tr")
    assert companies.count() == 4
    assert "The Coca-Cola Company" in page.locator("#companies").inner_text()
    save_screenshot(page, "dashboard-home")

    page.get_by_role("link", name="KO", exact=True).click()
    page.wait_for_url("**/companies/KO")
    assert page.locator("h1").inner_text().startswith("The Coca-Cola Company")
    filings = page.locator("#filings tbody tr")
    assert filings.count() == 2 and "2024" in filings.nth(0).inner_text() and "passed" in filings.nth(0).inner_text()
    assert page.locator("svg.chart rect").count() > 5, "the category chart of the filing"
    groups = page.locator("section.category-group")
    assert groups.count() > 5 and page.locator("article.risk").count() > 40
    first_risk = page.locator("article.risk").first.inner_text()
    assert "Flesch reading ease" in first_risk and "negative" in first_risk and "similar risks" in first_risk
    save_screenshot(page, "dashboard-company")

    page.locator("#filings tbody tr").nth(1).get_by_role("link", name="risks").click()
    page.wait_for_url("**/companies/KO?year=2023")
    assert "Risk factors of fiscal 2023" in page.locator("main").inner_text()

    page.locator("#filings tbody tr").nth(0).get_by_role("link", name="changes").click()
    page.wait_for_url("**/companies/KO/2024/changes")
    assert "2023 → 2024" in page.locator("h1").inner_text()
    assert page.locator("#change-counts").inner_text().count("\n") >= 4
    modified = page.locator("article.change.modified")
    assert modified.count() > 5
    assert page.locator("article.change.modified ins.diff-ins").first.is_visible()
    assert page.locator("article.change.modified del.diff-del").first.is_visible()
    assert page.locator("ins.diff-ins").first.evaluate("node => getComputedStyle(node).backgroundColor") == "rgb(187, 247, 208)"
    assert not page.locator("article.change.unchanged").first.is_visible(), "unchanged risks are folded away"
    save_screenshot(page, "dashboard-year-over-year")
    page.locator("#show-unchanged").check()
    assert page.locator("article.change.unchanged").first.is_visible()


def test_new_risks_in_green_and_removed_ones_in_red(page: Any, server_url: str) -> None:
    open_page(page, server_url + "/companies/BA/2024/changes")
    new = page.locator("article.change.new")
    assert new.count() > 0 and new.first.is_visible() and "NEW" in new.first.inner_text()
    assert new.first.evaluate("node => getComputedStyle(node).borderLeftColor") == "rgb(4, 120, 87)"
    save_screenshot(page, "dashboard-year-over-year-new")
    open_page(page, server_url + "/companies/JNJ/2024/changes")
    removed = page.locator("article.change.removed")
    assert removed.count() > 0 and "REMOVED" in removed.first.inner_text() and "in 2023" in removed.first.inner_text()
    assert removed.first.evaluate("node => getComputedStyle(node).borderLeftColor") == "rgb(185, 28, 28)"


def test_filtering_risks_on_the_company_page(page: Any, server_url: str) -> None:
    open_page(page, server_url + "/companies/KO?year=2024")
    total = int(page.locator("#risk-count").inner_text())
    page.locator("#risk-filter").fill("cyber")
    shown = int(page.locator("#risk-count").inner_text())
    assert 0 < shown < total
    visible = page.locator("article.risk:visible")
    texts = visible.evaluate_all("risks => risks.map(risk => risk.textContent)")  # folded bodies included
    assert len(texts) == shown and all("cyber" in text.lower() for text in texts)
    page.locator("#risk-filter").fill("")
    chip = page.locator("[data-filter-category]").first
    category = chip.get_attribute("data-filter-category")
    chip.click()
    assert {risk.get_attribute("data-category") for risk in page.locator("article.risk:visible").all()} == {category}


def test_blocked_filing_shows_the_gate_verdict(page: Any, server_url: str) -> None:
    open_page(page, server_url + "/companies/NOIA")
    row = page.locator("#filings tbody tr").first.inner_text()
    assert "blocked" in row and BLOCKED_REASON in row
    assert "No published filing of NOIA yet" in page.locator("main").inner_text()
    save_screenshot(page, "dashboard-blocked-filing")


def test_category_comparison_chart(page: Any, server_url: str) -> None:
    open_page(page, server_url + "/compare")
    chart = page.locator("#category-chart svg.chart")
    assert chart.is_visible()
    assert all(f"{ticker} 2024" in chart.inner_html() for ticker in ("AAPL", "BA", "JNJ", "KO")), "companies side by side"
    assert "supply chain" in page.locator("#category-table").inner_text()
    save_screenshot(page, "dashboard-category-comparison")
    for key in ("AAPL-2024", "BA-2024", "JNJ-2024"):
        page.locator(f"input[name=filing][value='{key}']").uncheck()
    page.locator("input[name=filing][value='KO-2023']").check()
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url("**/compare?*KO-2023*")
    header = page.locator("#category-table thead").inner_text()
    assert "KO 2023" in header and "KO 2024" in header and "AAPL" not in header, "one company's years"
    assert page.locator("#category-chart svg rect").count() > 10
    save_screenshot(page, "dashboard-category-comparison-years")


def test_search_for_similar_risks(page: Any, server_url: str) -> None:
    open_page(page, server_url + "/similar")
    page.locator("input[name=text]").fill("hackers breach our information systems and steal customer data")
    page.get_by_role("button", name="Search").click()
    page.wait_for_selector("#similar-results")
    rows = page.locator("#similar-results tbody tr")
    assert rows.count() == 10
    assert "cybersecurity it" in rows.first.inner_text() or "cybersecurity it" in rows.nth(1).inner_text()
    save_screenshot(page, "dashboard-similar-search")
    open_page(page, server_url + "/companies/KO?year=2024")
    page.locator("article.risk a.similar-link").first.click()
    page.wait_for_url("**/similar?risk=KO-2024-*")
    assert page.locator("#similar-results tbody tr").count() == 10


def test_drift_report_with_its_charts(page: Any, server_url: str) -> None:
    open_page(page, server_url + "/drift")
    row = page.locator("#drift-table tbody tr").first.inner_text()
    assert row.startswith("2024") and "2023" in row and "not judged: 4 filing(s)" in row
    assert page.locator("svg.chart").count() == 3
    assert "PSI warn" in page.locator("main").inner_html()
    save_screenshot(page, "dashboard-drift")


def test_model_registry_with_tournament_metrics(page: Any, server_url: str) -> None:
    open_page(page, server_url + "/models")
    assert "minilm_logreg/v1" in page.locator("#champion").inner_text()
    versions = page.locator("#versions tbody").inner_text()
    assert "minilm_finetune/v1" in versions and "candidate" in versions and "0.770" in versions
    assert page.locator("svg.chart").count() == 1 and "promote" in page.locator("#history").inner_text()
    save_screenshot(page, "dashboard-models")


def test_api_reference_page(page: Any, server_url: str) -> None:
    open_page(page, server_url + "/docs")
    assert page.locator(".endpoint").count() >= 12
    assert "/api/filings/{ticker}/{year}/changes" in page.locator("main").inner_text()
    save_screenshot(page, "dashboard-api-reference")


def test_the_real_server_refuses_a_huge_ticker_without_a_500(server_url: str) -> None:
    host, port = server_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(f"GET /api/companies/{'A' * 100_000} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        status_line = connection.makefile("rb").readline().decode()
    status = int(status_line.split()[1])
    assert 400 <= status < 500, status_line
