"""The one fiscal-year rule: the year a cover states, else the period end with the Jan 1-7 exception."""

from __future__ import annotations

from datetime import date

import pytest

from sec_analyzer.fiscal_year import (
    fiscal_year_of,
    fiscal_year_of_period_end,
    parse_cover_date,
    parse_cover_year,
    provisional_fiscal_year,
)


@pytest.mark.parametrize(
    ("period_end", "expected"),
    [
        (date(2024, 9, 28), 2024),  # AAPL
        (date(2025, 1, 26), 2025),  # NVDA names the year by its end
        (date(2025, 1, 31), 2025),  # WMT
        (date(2010, 1, 3), 2009),  # 52/53-week year spilling past December 31
        (date(2024, 1, 7), 2023),
        (date(2024, 1, 8), 2024),
        (date(2024, 12, 31), 2024),
    ],
)
def test_period_end_rule(period_end: date, expected: int) -> None:
    assert fiscal_year_of_period_end(period_end) == expected
    assert fiscal_year_of(None, period_end) == expected
    assert provisional_fiscal_year(period_end, date(2099, 1, 1)) == expected


def test_a_stated_year_wins_over_the_period_end() -> None:
    assert fiscal_year_of(2024, date(2025, 2, 2)) == 2024  # Home Depot names the year by its start
    assert fiscal_year_of(None, None) is None


def test_a_listing_without_report_date_is_the_year_before_its_filing() -> None:
    assert provisional_fiscal_year(None, date(2025, 3, 1)) == 2024


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-12-31", date(2024, 12, 31)),
        ("12/31/2024", date(2024, 12, 31)),
        ("31 December 2024", date(2024, 12, 31)),
        ("September 28,2024", date(2024, 9, 28)),
        ("September 28 , 2024", date(2024, 9, 28)),
        ("Sept. 28, 2024", date(2024, 9, 28)),
        ("Jan. 3, 2010", date(2010, 1, 3)),
        ("February\xa02, 2025", date(2025, 2, 2)),
        ("the last Sunday", None),
        ("", None),
    ],
)
def test_cover_dates(text: str, expected: date | None) -> None:
    assert parse_cover_date(text) == expected


def test_cover_years() -> None:
    assert parse_cover_year("FY2024") == 2024
    assert parse_cover_year("n/a") is None
