"""The whole pipeline on real filings through the local EDGAR, with bad filings beside good ones."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import dagster as dg
from sqlalchemy import text

from sec_analyzer.artifacts import ArtifactStore
from sec_analyzer.defs.backfill import materialize_filings
from sec_analyzer.defs.jobs import PIPELINE_ASSETS
from sec_analyzer.edgar_mirror.server import EdgarMirror
from sec_analyzer.pipeline.report import filing_outcome
from sec_analyzer.quality.verdicts import GATES, TEXT_GATE, read_verdict
from sec_analyzer.settings import get_settings
from sec_analyzer.storage.db_clients import create_db_engine
from sec_analyzer.storage.filing_index_repo import SqlFilingIndex
from sec_analyzer_tests.defs import faults

AAPL_2024 = "10-K/AAPL/0000320193-24-000123/primary-document.html"
TEXT_CHECKS = set(GATES[TEXT_GATE])
QUALITY_CHECKS = {group for groups in GATES.values() for group in groups}


def row_counts() -> dict[str, int]:
    engine = create_db_engine(get_settings().resolved_database_url)
    with engine.connect() as connection:
        return {table: connection.execute(text(f"select count(*) from {table}")).scalar_one()
                for table in ("filings", "items", "risk_factors", "embeddings", "classifications")}


def filing_index() -> SqlFilingIndex:
    return SqlFilingIndex(create_db_engine(get_settings().resolved_database_url))


def published_tickers() -> set[str]:
    engine = create_db_engine(get_settings().resolved_database_url)
    with engine.connect() as connection:
        return set(connection.execute(text("select ticker from filings")).scalars())


def check_evaluations(instance: dg.DagsterInstance, run_id: str) -> list[dg.AssetCheckEvaluation]:
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION).records
    return [record.event_log_entry.dagster_event.event_specific_data for record in records]  # type: ignore[union-attr]


def partition_observations(instance: dg.DagsterInstance, run_id: str) -> dict[tuple[str, str], dict[str, object]]:
    """(asset, partition) -> the metadata of the outcome a batched step recorded on that partition."""
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_OBSERVATION).records
    observations = [record.event_log_entry.asset_observation for record in records]
    return {(observation.asset_key.path[-1], str(observation.partition)): dict(observation.metadata)
            for observation in observations if observation is not None}


def add_bad_filing(mirror: EdgarMirror, ticker: str, cik: int, content: bytes) -> None:
    mirror.add_filing(ticker=ticker, cik=cik, company_name=f"{ticker} Test Corp", html=content,
                      filing_date=date(2024, 11, 1), report_date=date(2024, 9, 28))


def document_downloads(mirror: EdgarMirror) -> list[str]:
    return [request.path for request in mirror.requests if request.path.startswith("/Archives/edgar/data/")]


def test_good_filing_is_published_once_even_when_run_twice(instance: dg.DagsterInstance,
                                                           mirror: EdgarMirror) -> None:
    runs = materialize_filings(instance, ["AAPL-2024"], progress=lambda _: None)
    assert document_downloads(mirror) == ["/Archives/edgar/data/320193/000032019324000123/aapl-20240928.htm"]
    assert [run.status for run in runs] == [dg.DagsterRunStatus.SUCCESS]
    assert runs[0].tags["sec_analyzer/ticker"] == "AAPL" and runs[0].tags["sec_analyzer/fiscal_year"] == "2024"
    first = row_counts()
    assert first["filings"] == 1 and first["risk_factors"] >= 25 and first["items"] >= 20
    assert first["embeddings"] == first["risk_factors"] and first["classifications"] >= first["risk_factors"]
    evaluations = check_evaluations(instance, runs[0].run_id)
    assert {e.check_name for e in evaluations} == QUALITY_CHECKS
    assert all(e.passed for e in evaluations)
    assert {e.partition for e in evaluations} == {"AAPL-2024"}

    again = materialize_filings(instance, ["AAPL-2024"], progress=lambda _: None)
    assert again[0].status == dg.DagsterRunStatus.SUCCESS
    assert row_counts() == first
    assert len(document_downloads(mirror)) == 1, "a re-run never downloads the document again"
    summary = filing_outcome(ArtifactStore(get_settings().artifacts_dir), "AAPL-2024")
    assert summary.published and summary.accession == "0000320193-24-000123"
    indexed = filing_index().get("0000320193-24-000123")
    assert indexed is not None and indexed.partition_key == "AAPL-2024"
    assert {stage: status.status for stage, status in indexed.stages.items()} == {
        stage: "succeeded" for stage in PIPELINE_ASSETS}


def test_bad_filings_are_stopped_by_named_checks_and_good_ones_still_publish(
    instance: dg.DagsterInstance, mirror: EdgarMirror, corpus_dir: Path
) -> None:
    html = (corpus_dir / AAPL_2024).read_text(encoding="utf-8")
    bad = {
        "TRNC": faults.truncated(html),
        "NO1A": faults.without_item_1a(html),
        "TOCR": faults.risk_section_replaced_by_toc(html),
        "QTRL": faults.quarterly_report(html),
        "JUNK": faults.binary_garbage(),
    }
    for offset, (ticker, content) in enumerate(bad.items()):
        add_bad_filing(mirror, ticker, 9_900_001 + offset, content)
    keys = ["AAPL-2024", *(f"{ticker}-2024" for ticker in bad)]

    runs = materialize_filings(instance, keys, progress=lambda _: None)

    assert len(runs) == 1, "a fresh set of filings runs as one batched run"
    assert published_tickers() == {"AAPL"}
    artifacts = ArtifactStore(get_settings().artifacts_dir)
    for ticker in bad:
        verdict = read_verdict(artifacts, TEXT_GATE, f"{ticker}-2024")
        assert verdict is not None and not verdict.passed, ticker
        named = {failure.split("/", 1)[0] for failure in verdict.blocking_failures}
        assert named & TEXT_CHECKS, (ticker, verdict)
        assert all(len(failure) > 20 for failure in verdict.blocking_failures)
        assert filing_outcome(artifacts, f"{ticker}-2024").outcome == "blocked"
        indexed = filing_index().find(partition_key=f"{ticker}-2024")
        assert [record.stages["analysis_results"].status for record in indexed] == ["blocked"]
    evaluations = check_evaluations(instance, runs[0].run_id)
    run_level = [e for e in evaluations if e.partition is None]
    assert {e.check_name for e in run_level} == QUALITY_CHECKS
    assert all(e.severity == dg.AssetCheckSeverity.WARN for e in run_level if not e.passed)
    per_filing = {(e.partition, e.check_name): e for e in evaluations if e.partition is not None}
    assert {partition for partition, _ in per_filing} == set(keys), "every filing has its own verdict"
    assert all(per_filing[("AAPL-2024", group)].passed for group in QUALITY_CHECKS)
    assert not per_filing[("NO1A-2024", "completeness")].passed
    # A filing a step did not carry through shows why on its own partition; a good one's figures
    # are its row of the step's per-filing table.
    observed = partition_observations(instance, runs[0].run_id)
    assert {partition for _, partition in observed} == {f"{ticker}-2024" for ticker in bad}
    for ticker in bad:
        blocked = observed[("analysis_results", f"{ticker}-2024")]
        assert blocked["status"].value == "blocked" and blocked["reason"].value, ticker


def test_one_bad_filing_alone_fails_its_run_at_the_gate(instance: dg.DagsterInstance, mirror: EdgarMirror,
                                                         corpus_dir: Path) -> None:
    html = (corpus_dir / AAPL_2024).read_text(encoding="utf-8")
    add_bad_filing(mirror, "NO1A", 9_900_101, faults.without_item_1a(html))

    runs = materialize_filings(instance, ["NO1A-2024"], progress=lambda _: None)

    assert runs[0].status == dg.DagsterRunStatus.FAILURE
    errors = [e for e in check_evaluations(instance, runs[0].run_id) if not e.passed]
    assert errors and {e.severity for e in errors} == {dg.AssetCheckSeverity.ERROR}
    assert {e.partition for e in errors} == {"NO1A-2024"}
    assert row_counts()["filings"] == 0


def test_unknown_tickers_and_missing_years_are_reported_by_name(instance: dg.DagsterInstance) -> None:
    from sec_analyzer.acquisition.edgar_client import EdgarClient
    from sec_analyzer.acquisition.fetch import FilingFetcher
    from sec_analyzer.acquisition.raw_store import raw_store_from_settings
    from sec_analyzer_tests.planning import plan_backfill

    settings = get_settings()
    fetcher = FilingFetcher(EdgarClient.from_settings(settings), raw_store_from_settings(settings))
    plan = plan_backfill(fetcher, [("NOPE", 2024), ("AAPL", 2024), ("AAPL", 1999)])
    assert plan.keys == ["AAPL-2024"]
    assert any(line.startswith("NOPE") for line in plan.not_found)
    assert any(line.startswith("AAPL 1999") for line in plan.not_found)


def test_a_10k_asked_for_under_two_tickers_of_its_filer_is_planned_once(instance: dg.DagsterInstance) -> None:
    """GOOG and GOOGL are Alphabet's: their 10-K for a year is one document, one partition."""
    from sec_analyzer.acquisition.edgar_client import EdgarClient
    from sec_analyzer.acquisition.fetch import FilingFetcher
    from sec_analyzer.acquisition.raw_store import raw_store_from_settings
    from sec_analyzer_tests.planning import plan_backfill

    settings = get_settings()
    fetcher = FilingFetcher(EdgarClient.from_settings(settings), raw_store_from_settings(settings))
    plan = plan_backfill(fetcher, [("GOOGL", 2023), ("GOOG", 2023), ("GOOG", 2024)])
    assert plan.keys == ["GOOGL-2023", "GOOG-2024"]
    assert plan.same_document == {"GOOG-2023": "GOOGL-2023"}
    assert set(plan.documents) == {"GOOGL-2023", "GOOG-2024"}
