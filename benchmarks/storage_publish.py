"""How long publishing a filing to the results database takes, on SQLite and on PostgreSQL.

Each filing carries 80 risk factors of about 3,000 characters and 23 items, about the size of
a large company's 10-K. Measured: the first publish, publishing the same filing again (the
re-run case), and reading one company's risk factors back.

    .venv/bin/python benchmarks/storage_publish.py [--filings 30]

Prints a table and writes benchmarks/results/storage_publish.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from sec_analyzer.domain import RiskFactor, filing_key
from sec_analyzer.storage.db_clients import create_db_engine
from sec_analyzer.storage.results_repo import FilingRecord, ItemRecord, ResultsRepository
from sec_analyzer.storage.schema import upgrade_to_head
from sec_analyzer_tests import servers

RESULTS = Path(__file__).parent / "results" / "storage_publish.json"
RISK_FACTORS_PER_FILING = 80
ITEM_IDS = [
    "1",
    "1A",
    "1B",
    "1C",
    "2",
    "3",
    "4",
    "5",
    "6",
    "7",
    "7A",
    "8",
    "9",
    "9A",
    "9B",
    "9C",
    "10",
    "11",
    "12",
    "13",
    "14",
    "15",
    "16",
]


def filing(number: int) -> FilingRecord:
    ticker, year = f"T{number:03d}", 2024
    return FilingRecord(
        partition_key=filing_key(ticker, year),
        accession_number=f"{number:010d}-24-000001",
        cik=number,
        ticker=ticker,
        company_name=f"Company {number}",
        form="10-K",
        fiscal_year=year,
        filing_date=date(year, 11, 1),
        report_date=date(year, 9, 30),
        period_end=date(year, 9, 30),
        url=f"https://www.sec.gov/Archives/edgar/data/{number}/doc.htm",
    )


def items() -> list[ItemRecord]:
    return [ItemRecord(item_id, "found", f"Item {item_id}", 10_000, None, None) for item_id in ITEM_IDS]


def risk_factors() -> list[RiskFactor]:
    sentence = "Adverse changes in global economic conditions could reduce demand for our products. "
    return [
        RiskFactor(
            ordinal=ordinal,
            heading=f"Risk {ordinal} could materially affect our results",
            text=sentence * 36,
            category="macroeconomic",
            is_general_risk=False,
            start_offset=ordinal * 3100,
            end_offset=ordinal * 3100 + 3060,
            features={"flesch_reading_ease": 30.0, "negative": 0.02, "uncertainty": 0.01},
        )
        for ordinal in range(RISK_FACTORS_PER_FILING)
    ]


def timed(action: Callable[[int], object], filings: int) -> list[float]:
    """Seconds taken by `action(n)` for each filing number n."""
    seconds = []
    for number in range(filings):
        started = time.perf_counter()
        action(number)
        seconds.append(time.perf_counter() - started)
    return seconds


def measure(url: str, filings: int) -> dict[str, float]:
    upgrade_to_head(url)
    engine = create_db_engine(url)
    repository = ResultsRepository(engine)
    factors, item_records = risk_factors(), items()

    def publish(number: int) -> object:
        return repository.publish_filing(filing(number), item_records, factors)

    def read(number: int) -> object:
        return repository.risk_factors(ticker=f"T{number:03d}")

    first = timed(publish, filings)
    again = timed(publish, filings)
    reads = timed(read, filings)
    engine.dispose()
    return {
        "first_publish_ms_median": 1000 * statistics.median(first),
        "republish_ms_median": 1000 * statistics.median(again),
        "read_company_ms_median": 1000 * statistics.median(reads),
        "risk_factors_per_second_first_publish": filings * RISK_FACTORS_PER_FILING / sum(first),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--filings", type=int, default=30)
    filings = parser.parse_args().filings

    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        results["sqlite"] = measure(f"sqlite:///{folder}/results.db", filings)
    with servers.postgres_server() as server_url, servers.postgres_database(server_url) as url:
        results["postgresql"] = measure(url, filings)

    print(f"{filings} filings x {RISK_FACTORS_PER_FILING} risk factors")
    for backend, figures in results.items():
        print(backend, "  ".join(f"{name}={value:.1f}" for name, value in figures.items()))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"filings": filings, "results": results}, indent=2) + "\n")


if __name__ == "__main__":
    main()
