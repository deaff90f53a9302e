"""A backfill's runs take the filings its plan just found on EDGAR, without asking EDGAR again."""

from __future__ import annotations

import dagster as dg

from sec_analyzer.acquisition.edgar_client import EdgarClient
from sec_analyzer.acquisition.fetch import FilingFetcher
from sec_analyzer.acquisition.raw_store import raw_store_from_settings
from sec_analyzer.artifacts import ArtifactStore
from sec_analyzer.contracts import RAW_FILING
from sec_analyzer.defs.backfill import materialize_filings
from sec_analyzer.domain import FilingRef
from sec_analyzer.edgar_mirror.server import EdgarMirror
from sec_analyzer.settings import get_settings
from sec_analyzer_tests.planning import plan_backfill


def planned(pairs: list[tuple[str, int]]) -> dict[str, FilingRef]:
    settings = get_settings()
    plan = plan_backfill(FilingFetcher(EdgarClient.from_settings(settings), raw_store_from_settings(settings)), pairs)
    return dict(plan.refs)


def fetched_accession(key: str) -> str | None:
    return RAW_FILING.read_summary(ArtifactStore(get_settings().artifacts_dir), key).accession


def test_a_planned_run_asks_edgar_for_nothing(instance: dg.DagsterInstance, mirror: EdgarMirror) -> None:
    refs = planned([("AAPL", 2024), ("NVDA", 2024)])
    asked = len(mirror.requests)

    runs = materialize_filings(instance, list(refs), asset_names=["raw_filing"], progress=lambda _: None,
                               planned=refs)

    assert [run.status for run in runs] == [dg.DagsterRunStatus.SUCCESS]
    assert len(mirror.requests) == asked
    assert {key: fetched_accession(key) for key in refs} == {
        key: ref.accession_number for key, ref in refs.items()}


def test_a_listing_whose_cover_names_another_year_is_looked_up_again(instance: dg.DagsterInstance,
                                                                      mirror: EdgarMirror) -> None:
    refs = planned([("NVDA", 2025), ("NVDA", 2024)])
    asked = len(mirror.requests)

    materialize_filings(instance, ["NVDA-2024"], asset_names=["raw_filing"], progress=lambda _: None,
                        planned={"NVDA-2024": refs["NVDA-2025"]})

    assert fetched_accession("NVDA-2024") == refs["NVDA-2024"].accession_number
    assert any(request.path.startswith("/submissions/") for request in mirror.requests[asked:])
