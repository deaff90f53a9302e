"""How a backfill request becomes runs: year specs and the fewest contiguous partition ranges."""

from datetime import date

import pytest

from sec_analyzer.acquisition.backfill_plan import contiguous_blocks, parse_tickers, parse_years
from sec_analyzer.defs.backfill import contiguous_runs
from sec_analyzer.errors import SecAnalyzerError

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(("spec", "years"), [
    ("2024", [2024]), ("2022-2024", [2022, 2023, 2024]), ("2021,2023", [2021, 2023]),
    (" 2023 , 2021-2022 ", [2021, 2022, 2023]), ("2027", [2027]),
])
def test_year_specs(spec: str, years: list[int]) -> None:
    assert parse_years(spec, today=TODAY) == years


@pytest.mark.parametrize("spec", ["", "twenty", "2024-2020", "1990", "2000-2099", "1-99999999999999999999", "-5"])
def test_bad_year_specs_say_what_is_expected(spec: str) -> None:
    with pytest.raises(SecAnalyzerError, match="--years"):
        parse_years(spec, today=TODAY)


@pytest.mark.parametrize(("spec", "named"), [("99999", "99999"), ("2024-2028", "2028"), ("2031", "2031")])
def test_years_beyond_next_year_are_refused_by_name(spec: str, named: str) -> None:
    with pytest.raises(SecAnalyzerError, match=rf"fiscal year {named} is beyond next year \(2027\)"):
        parse_years(spec, today=TODAY)


def test_tickers_are_normalised_and_hostile_ones_cut_when_echoed() -> None:
    assert parse_tickers("aapl, brk.b,AAPL,CIK0001234567") == ["AAPL", "BRK-B", "CIK0001234567"]
    with pytest.raises(SecAnalyzerError) as refused:
        parse_tickers("A" * 100_000)
    message = str(refused.value)
    assert len(message) < 200 and "100,000 characters" in message and "\n" not in message
    with pytest.raises(SecAnalyzerError, match="--tickers is empty"):
        parse_tickers(" , ")


def test_fresh_keys_make_one_range() -> None:
    order = ["KO-2023", "AAPL-2023", "AAPL-2024", "NVDA-2024"]
    assert contiguous_blocks(order, ["AAPL-2024", "NVDA-2024", "AAPL-2023"]) == [("AAPL-2023", "NVDA-2024")]


def test_keys_split_by_others_make_one_range_per_block() -> None:
    order = ["AAPL-2023", "KO-2023", "AAPL-2024", "MSFT-2024", "NVDA-2024"]
    assert contiguous_blocks(order, ["AAPL-2023", "AAPL-2024", "NVDA-2024"]) == [
        ("AAPL-2023", "AAPL-2023"), ("AAPL-2024", "AAPL-2024"), ("NVDA-2024", "NVDA-2024")]
    assert contiguous_blocks(order, []) == []


def test_a_batch_makes_one_run_per_range_of_the_partition_order_whatever_order_it_came_in() -> None:
    position = {"AAPL-2023": 0, "KO-2023": 1, "AAPL-2024": 2, "NVDA-2024": 3}
    assert contiguous_runs(["NVDA-2024", "AAPL-2024", "AAPL-2023"], position) == [
        ["AAPL-2023"], ["AAPL-2024", "NVDA-2024"]]
    assert contiguous_runs([], position) == []


def test_keys_added_later_never_extend_an_older_range() -> None:
    """Another process may have added partitions between the instance's keys as read and the ones a
    backfill adds: the gap materialize_filings leaves keeps them in runs of their own."""
    position = {"AAPL-2023": 0, "AAPL-2024": 2, "AAPL-2025": 3}  # 2024 and 2025 added by one call
    assert contiguous_runs(["AAPL-2025", "AAPL-2023", "AAPL-2024"], position) == [
        ["AAPL-2023"], ["AAPL-2024", "AAPL-2025"]]

