"""Cover facts read from raw bytes: the DEI tags of every corpus filing, and the fiscal-year rule on them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from sec_analyzer.acquisition.cover_facts import CoverFacts, cover_facts_from_document
from sec_analyzer.fiscal_year import fiscal_year_of_period_end

# (ticker, folder) -> (DEI fiscal year, period end); the January year-ends are the hard cases.
EXPECTED_COVER_FACTS = {
    ("AAPL", "0000320193-24-000123"): (2024, date(2024, 9, 28)),
    ("NVDA", "0001045810-24-000029"): (2024, date(2024, 1, 28)),
    ("NVDA", "filed-2025-02-26"): (2025, date(2025, 1, 26)),
    ("WMT", "0000104169-24-000056"): (2024, date(2024, 1, 31)),
    ("CRM", "filed-2025-03-05"): (2025, date(2025, 1, 31)),
    ("JNJ", "filed-2025-02-13"): (2024, date(2024, 12, 29)),
    ("CSCO", "0000858877-24-000017"): (2024, date(2024, 7, 27)),
    ("ABBV", "0001551152-24-000011"): (2023, date(2023, 12, 31)),
}


def _corpus_documents(corpus_dir: Path) -> list[Path]:
    documents = sorted((corpus_dir / "10-K").glob("*/*/primary-document.html"))
    assert len(documents) == 29, "the shared corpus should hold 29 filings"
    return documents


def test_every_corpus_filing_has_its_fiscal_year_on_the_cover(corpus_dir: Path) -> None:
    for document in _corpus_documents(corpus_dir):
        info = cover_facts_from_document(document.read_bytes())
        assert info is not None, document
        assert info.document_type == "10-K", document
        assert info.fiscal_year is not None and info.period_end is not None, document
        # none of these filers labels by the year its fiscal year starts, so the fallback agrees
        assert info.fiscal_year == fiscal_year_of_period_end(info.period_end), document


@pytest.mark.parametrize(("ticker", "folder"), sorted(EXPECTED_COVER_FACTS))
def test_cover_facts_of_known_filings(corpus_dir: Path, ticker: str, folder: str) -> None:
    document = corpus_dir / "10-K" / ticker / folder / "primary-document.html"
    fiscal_year, period_end = EXPECTED_COVER_FACTS[(ticker, folder)]
    assert cover_facts_from_document(document.read_bytes()) == CoverFacts(
        fiscal_year, period_end, "10-K"
    )


def test_text_input_gives_the_same_answer_as_bytes(edgar_samples_dir: Path) -> None:
    content = (edgar_samples_dir / "archives" / "aapl-20240928.htm").read_bytes()
    assert cover_facts_from_document(content.decode("utf-8")) == cover_facts_from_document(content)


def test_home_depot_style_cover_labels_by_the_year_the_fiscal_year_starts() -> None:
    cover = (
        "<html><body><ix:header><ix:hidden>"
        "<ix:nonNumeric name='dei:DocumentFiscalYearFocus' contextRef='c-1'>2024</ix:nonNumeric>"
        "</ix:hidden></ix:header><p>FORM <IX:NONNUMERIC id='f-1' name=\"dei:DocumentType\" contextRef='c-1'>"
        "10-K</IX:NONNUMERIC></p><p>For the fiscal year ended <ix:nonNumeric contextRef='c-1' "
        "name='dei:DocumentPeriodEndDate' format='ixt:date-monthname-day-year-en'>"
        "<ix:nonNumeric name='dei:CurrentFiscalYearEndDate' contextRef='c-1'>February&#160;2</ix:nonNumeric>"
        ", 2025</ix:nonNumeric></p></body></html>"
    )
    info = cover_facts_from_document(cover)
    assert info == CoverFacts(stated_fiscal_year=2024, period_end=date(2025, 2, 2), document_type="10-K")
    assert fiscal_year_of_period_end(date(2025, 2, 2)) == 2025  # which is why the DEI tag must confirm it


@pytest.mark.parametrize(
    ("period_text", "expected"),
    [
        ("2024-12-31", date(2024, 12, 31)),
        ("12/31/2024", date(2024, 12, 31)),
        ("31 December 2024", date(2024, 12, 31)),
        ("September 28,2024", date(2024, 9, 28)),
        ("September 28 , 2024", date(2024, 9, 28)),
    ],
)
def test_numeric_and_day_first_period_end_formats(period_text: str, expected: date) -> None:
    cover = f'<ix:nonNumeric name="dei:DocumentPeriodEndDate" contextRef="c">{period_text}</ix:nonNumeric>'
    assert cover_facts_from_document(cover) == CoverFacts(None, expected, None)


def test_a_document_without_inline_xbrl_has_no_cover_facts() -> None:
    assert cover_facts_from_document(b"<html><body><p>ANNUAL REPORT 2004</p></body></html>") is None


def test_unparseable_cover_values_are_reported_as_absent_not_guessed() -> None:
    cover = '<ix:nonNumeric name="dei:DocumentPeriodEndDate" contextRef="c">the last Sunday</ix:nonNumeric>'
    assert cover_facts_from_document(cover) is None
