"""The new-filings sensor against the local EDGAR: baseline first, then exactly the new 10-K."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import dagster as dg
import pytest

from sec_analyzer.defs.acquisition.sensors import new_edgar_filings
from sec_analyzer.defs.backfill import materialize_filings
from sec_analyzer.defs.partitions import TICKER_TAG
from sec_analyzer.defs.resources import deployment_resources
from sec_analyzer.edgar_mirror.server import EdgarMirror
from sec_analyzer.settings import get_settings

AAPL_2024 = "10-K/AAPL/0000320193-24-000123/primary-document.html"


def tick(instance: dg.DagsterInstance, cursor: str | None) -> dg.SensorResult:
    with dg.build_sensor_context(instance=instance, cursor=cursor, resources=deployment_resources()) as context:
        result = new_edgar_filings(context)
    assert isinstance(result, dg.SensorResult)
    return result


def test_sensor_requests_one_run_per_new_filing(instance: dg.DagsterInstance, mirror: EdgarMirror,
                                               corpus_dir: Path) -> None:
    baseline = tick(instance, None)
    assert not baseline.run_requests
    assert baseline.cursor and json.loads(baseline.cursor)["seen"]

    assert not tick(instance, baseline.cursor).run_requests

    html = (corpus_dir / AAPL_2024).read_bytes()
    ref = mirror.add_filing(ticker="NEWCO", cik=9_800_001, company_name="Newco Inc.", html=html,
                            filing_date=date(2024, 11, 1), report_date=date(2024, 9, 28))
    found = tick(instance, baseline.cursor)

    assert [request.run_key for request in found.run_requests] == [ref.accession_number]
    assert found.run_requests[0].partition_key == "NEWCO-2024"
    assert found.dynamic_partitions_requests[0].partition_keys == ["NEWCO-2024"]  # type: ignore[union-attr]
    assert not tick(instance, found.cursor).run_requests


def test_a_company_added_to_the_watchlist_later_does_not_replay_its_history(
    instance: dg.DagsterInstance, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEC_ANALYZER_WATCHLIST", '["AAPL"]')
    get_settings.cache_clear()
    baseline = tick(instance, None)

    monkeypatch.setenv("SEC_ANALYZER_WATCHLIST", '["AAPL", "NVDA"]')
    get_settings.cache_clear()
    widened = tick(instance, baseline.cursor)

    assert not widened.run_requests
    assert widened.cursor is not None and "NVDA" in json.loads(widened.cursor)["baselined"]
    assert not tick(instance, widened.cursor).run_requests


def test_a_filer_without_a_ticker_gets_a_cik_key_that_materializes(instance: dg.DagsterInstance,
                                                                    mirror: EdgarMirror, corpus_dir: Path) -> None:
    baseline = tick(instance, None)
    trust = mirror.add_filing(ticker="", cik=1_234_567, company_name="Example Receivables Trust 2024-1",
                              html=(corpus_dir / AAPL_2024).read_bytes(), filing_date=date(2024, 11, 1),
                              report_date=date(2024, 9, 28))
    requests = tick(instance, baseline.cursor).run_requests or []
    assert [request.partition_key for request in requests] == ["CIK0001234567-2024"]
    assert requests[0].tags[TICKER_TAG] == "CIK0001234567"

    runs = materialize_filings(instance, ["CIK0001234567-2024"], asset_names=["raw_filing"], progress=lambda _: None)

    assert [run.status for run in runs] == [dg.DagsterRunStatus.SUCCESS]
    raw = json.loads((get_settings().artifacts_dir / "raw_filing" / "CIK0001234567-2024.json").read_text())
    assert (raw["accession"], raw["cik"], raw["fiscal_year"]) == (trust.accession_number, 1_234_567, 2024)
