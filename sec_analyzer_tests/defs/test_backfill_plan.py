"""How a backfill request becomes runs: year specs and the fewest contiguous partition ranges."""

import pytest

from sec_analyzer.defs.backfill import contiguous_blocks, parse_years
from sec_analyzer.errors import SecAnalyzerError


@pytest.mark.parametrize(("spec", "years"), [
    ("2024", [2024]), ("2022-2024", [2022, 2023, 2024]), ("2021,2023", [2021, 2023]),
    (" 2023 , 2021-2022 ", [2021, 2022, 2023]),
])
def test_year_specs(spec: str, years: list[int]) -> None:
    assert parse_years(spec) == years


@pytest.mark.parametrize("spec", ["", "twenty", "2024-2020", "1990", "2000-2099"])
def test_bad_year_specs_say_what_is_expected(spec: str) -> None:
    with pytest.raises(SecAnalyzerError, match="--years"):
        parse_years(spec)


def test_fresh_keys_make_one_range() -> None:
    order = ["KO-2023", "AAPL-2023", "AAPL-2024", "NVDA-2024"]
    assert contiguous_blocks(order, ["AAPL-2024", "NVDA-2024", "AAPL-2023"]) == [("AAPL-2023", "NVDA-2024")]


def test_keys_split_by_others_make_one_range_per_block() -> None:
    order = ["AAPL-2023", "KO-2023", "AAPL-2024", "MSFT-2024", "NVDA-2024"]
    assert contiguous_blocks(order, ["AAPL-2023", "AAPL-2024", "NVDA-2024"]) == [
        ("AAPL-2023", "AAPL-2023"), ("AAPL-2024", "AAPL-2024"), ("NVDA-2024", "NVDA-2024")]
    assert contiguous_blocks(order, []) == []
