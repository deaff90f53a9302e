"""How a backfill request becomes runs: year specs and the fewest contiguous partition ranges."""

from datetime import date

import pytest

from sec_analyzer.acquisition.backfill_plan import contiguous_blocks, parse_tickers, parse_years
from sec_analyzer.defs.backfill import contiguous_runs, years_ascending
from sec_analyzer.defs.commands import in_asked_order
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


def test_new_partitions_list_each_companys_years_ascending_in_the_order_the_companies_came() -> None:
    """A backfill looks a company's latest year up first; the UI lists its partitions oldest first.
    Share classes (BRK-B) and filers without a ticker (CIK labels) keep their own order too."""
    found = ["KO-2024", "KO-2022", "BRK-B-2024", "BRK-B-2023", "CIK0001234567-2024", "CIK0001234567-2023",
             "AAPL-2024"]
    assert years_ascending(found) == ["KO-2022", "KO-2024", "BRK-B-2023", "BRK-B-2024", "CIK0001234567-2023",
                                       "CIK0001234567-2024", "AAPL-2024"]


def test_the_summary_follows_the_order_asked_however_the_tickers_were_typed() -> None:
    """Keys come back latest year first per company; the summary lists them as asked, with `brk.b`
    matching BRK-B-… and a CIK label matching its keys; a key not asked for goes last."""
    pairs = [("brk.b", 2023), ("brk.b", 2024), ("CIK0001234567", 2023), ("aapl", 2024)]
    found = ["AAPL-2024", "CIK0001234567-2023", "BRK-B-2024", "GOOG-2024", "BRK-B-2023"]
    assert in_asked_order(found, pairs) == ["BRK-B-2023", "BRK-B-2024", "CIK0001234567-2023", "AAPL-2024",
                                            "GOOG-2024"]
