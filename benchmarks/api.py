"""How fast the company page answers at 100 filings: the dashboard page and the API requests behind it.

The store is `--filings` synthetic filings (25 companies × 4 fiscal years at 100) whose risk
factors are real: segmented, embedded and classified from the seven corpus 10-Ks the API tests
use, each synthetic filing drawing ~40 of them in turn, with their real features, vectors and
labels, plus a filing-index record per filing. The baseline, measured in the same run, is the
same requests against the seven real filings alone: equal figures mean a page's cost does not grow
with the store.

Measured per request, in process (FastAPI's TestClient) and through a real uvicorn server on
loopback: p50 and p95 over `--requests` requests spread over the companies.

    .venv/bin/python benchmarks/api.py [--filings 100] [--requests 200]

Prints a table and writes benchmarks/results/api.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from sec_analyzer.contracts import PIPELINE
from sec_analyzer.storage.db_clients import create_db_engine
from sec_analyzer.storage.filing_index_repo import FilingIndexRecord, SqlFilingIndex
from sec_analyzer.storage.results_repo import FilingRecord, ModelOutputs, ResultsRepository
from sec_analyzer.storage.schema import upgrade_to_head
from sec_analyzer.visualization.app import create_app
from sec_analyzer_tests.servers import free_port, wait_for_port
from sec_analyzer_tests.visualization.results_data import (
    ITEMS,
    CorpusFiling,
    analysed_corpus,
    filing_record,
    fill_results_database,
)

RESULTS = Path(__file__).parent / "results" / "api.md"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
YEARS = (2021, 2022, 2023, 2024)
RISKS_PER_FILING = 40
TARGET_MS = 100.0


def fill_synthetic(url: str, filings: int) -> list[str]:
    """`filings` filings of real risks under synthetic companies; returns the tickers."""
    pool = [(analysed, risk) for analysed in analysed_corpus(CORPUS) for risk in analysed.risks]
    upgrade_to_head(url)
    engine = create_db_engine(url)
    repository, index = ResultsRepository(engine), SqlFilingIndex(engine)
    tickers = []
    for number in range(filings):
        company, year = divmod(number, len(YEARS))
        ticker = f"SYN{company:02d}"
        if ticker not in tickers:
            tickers.append(ticker)
        drawn = [pool[(number * RISKS_PER_FILING + offset) % len(pool)] for offset in range(RISKS_PER_FILING)]
        risks = [dataclasses.replace(risk, ordinal=ordinal) for ordinal, (_, risk) in enumerate(drawn, start=1)]
        source = drawn[0][0].outputs
        outputs = ModelOutputs(
            embedding_model=source.embedding_model, embedding_version=source.embedding_version,
            embedding_path=source.embedding_path, dimension=source.dimension,
            vectors={ordinal: analysed.outputs.vectors[risk.ordinal]
                     for ordinal, (analysed, risk) in enumerate(drawn, start=1)},
            classifier_name=source.classifier_name, classifier_version=source.classifier_version,
            labels={ordinal: analysed.outputs.labels[risk.ordinal]
                    for ordinal, (analysed, risk) in enumerate(drawn, start=1)},
        )
        record = filing_record(CorpusFiling(ticker, 9_000_000 + company, f"Synthetic Company {company}",
                                               YEARS[year], f"0009{company:06d}-{YEARS[year] % 100:02d}-000001", "",
                                               date(YEARS[year] + 1, 2, 15)))
        repository.publish_filing(record, ITEMS, risks, outputs)
        _index(index, record)
    engine.dispose()
    return tickers


def _index(index: SqlFilingIndex, record: FilingRecord) -> None:
    index.upsert(FilingIndexRecord(
        accession_number=record.accession_number, partition_key=record.partition_key, ticker=record.ticker,
        cik=record.cik, company_name=record.company_name, form=record.form, fiscal_year=record.fiscal_year,
        filing_date=record.filing_date, report_date=None, url=record.url,
    ))
    for contract in PIPELINE:
        index.set_stage_status(record.accession_number, contract.name, "succeeded")


def percentiles(timings: list[float]) -> tuple[float, float]:
    ordered = sorted(timings)
    return statistics.median(ordered) * 1000, ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000


def measure(fetch: Callable[[str], int], urls: list[str], requests: int) -> tuple[float, float]:
    for url in urls:  # warm: the first request of a kind compiles templates and fills caches
        fetch(url)
    timings = []
    for number in range(requests):
        url = urls[number % len(urls)]
        started = time.perf_counter()
        status = fetch(url)
        timings.append(time.perf_counter() - started)
        if status != 200:
            raise SystemExit(f"{url} answered {status}")
    return percentiles(timings)


def requests_of(tickers: list[str], latest: int) -> dict[str, list[str]]:
    return {
        "company page (HTML, every risk of the latest filing)": [f"/companies/{ticker}" for ticker in tickers],
        "API: filings with status and gate verdict": [f"/api/companies/{ticker}/filings" for ticker in tickers],
        "API: risks, first page of 50": [f"/api/filings/{ticker}/{latest}/risks?limit=50" for ticker in tickers],
    }


def run_store(url: str, tickers: list[str], latest: int, requests: int, root: Path) -> dict[str, dict[str, tuple[float, float]]]:
    import requests as http
    import uvicorn
    from fastapi.testclient import TestClient

    app = create_app(url, registry_root=root / "registry", index_dir=root / "index")
    client = TestClient(app)
    figures: dict[str, dict[str, tuple[float, float]]] = {}
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for_port(port)
    session = http.Session()
    try:
        for name, urls in requests_of(tickers, latest).items():
            figures[name] = {
                "in process": measure(lambda path: client.get(path).status_code, urls, requests),
                "uvicorn": measure(lambda path: session.get(f"http://127.0.0.1:{port}{path}").status_code, urls, requests),
            }
    finally:
        server.should_exit = True
        thread.join(timeout=30)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--filings", type=int, default=100)
    parser.add_argument("--requests", type=int, default=200)
    arguments = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="api-benchmark-"))
    started = time.perf_counter()
    baseline_url = f"sqlite:///{root / 'baseline.db'}"
    fill_results_database(baseline_url, CORPUS)
    store_url = f"sqlite:///{root / 'store.db'}"
    tickers = fill_synthetic(store_url, arguments.filings)
    print(f"stores filled in {time.perf_counter() - started:.0f} s", flush=True)
    baseline = run_store(baseline_url, ["KO", "BA", "JNJ"], 2024, arguments.requests, root)
    store = run_store(store_url, tickers, YEARS[-1], arguments.requests, root)
    corpus_filings = len(analysed_corpus(CORPUS))
    lines = [
        "# Results API: the company page at 100 filings",
        "",
        f"`benchmarks/api.py --filings {arguments.filings} --requests {arguments.requests}` (SQLite, 2 CPU cores). "
        f"{arguments.filings} filings of {RISKS_PER_FILING} real risk factors each (features, vectors and labels of the "
        f"corpus filings) under {len(tickers)} synthetic companies; baseline: the {corpus_filings} real filings alone, "
        f"same run. p50 / p95 in ms over {arguments.requests} requests; target: the company page under {TARGET_MS:.0f} ms.",
        "",
        f"| request | served | baseline {corpus_filings} filings p50 / p95 | {arguments.filings} filings p50 / p95 | under {TARGET_MS:.0f} ms |",
        "|---|---|---:|---:|---|",
    ]
    for name in store:
        for served in ("in process", "uvicorn"):
            base, big = baseline[name][served], store[name][served]
            lines.append(f"| {name} | {served} | {base[0]:.1f} / {base[1]:.1f} | {big[0]:.1f} / {big[1]:.1f} | "
                         f"{'yes' if big[1] < TARGET_MS else 'NO'} |")
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
