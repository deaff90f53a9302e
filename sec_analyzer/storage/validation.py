"""Checks shared by the results repository and the filing index, so both accept the same filings."""

from __future__ import annotations

import re

from sec_analyzer.domain import normalize_ticker, split_filing_key

ACCESSION_PATTERN = re.compile(r"^\d{10}-\d{2}-\d{6}$")


def filing_identity_problems(
    accession_number: str, partition_key: str, ticker: str, fiscal_year: int
) -> list[str]:
    """What is wrong with how a filing names itself; empty when nothing is."""
    problems: list[str] = []
    if not ACCESSION_PATTERN.match(accession_number):
        problems.append(f"accession number {accession_number!r} is not like 0000320193-24-000123")
    try:
        key_ticker, key_year = split_filing_key(partition_key)
    except ValueError as error:
        problems.append(str(error))
    else:
        if (key_ticker, key_year) != (normalize_ticker(ticker), fiscal_year):
            problems.append(
                f"partition key {partition_key} does not match ticker {ticker} and fiscal year {fiscal_year}"
            )
    return problems
