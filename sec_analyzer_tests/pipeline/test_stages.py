"""The stage bodies on a real filing, chained by hand through their contracts: no orchestrator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sec_analyzer.artifacts import ArtifactStore
from sec_analyzer.contracts import (
    CLEANED_TEXT,
    ITEMS,
    PARSED_FILING,
    RAW_FILING,
    RISK_CLASSIFICATIONS,
    RISK_EMBEDDINGS,
    RISK_SEGMENTS,
    StageStatus,
)
from sec_analyzer.pipeline.gate import judge_filings
from sec_analyzer.pipeline.model_stages import classify_stage, embed_stage, risk_id, serving_classifier
from sec_analyzer.pipeline.publish import publish_stage
from sec_analyzer.pipeline.report import filing_outcome
from sec_analyzer.pipeline.stages import clean_stage, extract_stage, parse_stage, segment_stage
from sec_analyzer.quality.verdicts import GATES
from sec_analyzer.storage.db_clients import create_db_engine
from sec_analyzer.storage.results_repo import ResultsRepository
from sec_analyzer.storage.schema import upgrade_to_head
from sec_analyzer_tests.defs import faults

KEY = "KO-2024"
KO_2024 = "10-K/KO/filed-2025-02-20/primary-document.html"


def raw_summary(store: ArtifactStore, key: str) -> None:
    RAW_FILING.write_summary(store, RAW_FILING.summary(
        StageStatus.OK, key, accession="0000021344-25-000010", cik=21344, ticker=key.split("-")[0],
        company_name="The Coca-Cola Company", form="10-K", filing_date="2025-02-20", report_date="2024-12-31",
        fiscal_year=int(key.split("-")[1]), url="https://www.sec.gov/x.htm", raw_uri="file:///x", sha256="0" * 64,
        size=1))


def run_preprocessing(store: ArtifactStore, key: str, html: bytes) -> None:
    raw_summary(store, key)
    outcome = parse_stage(html, PARSED_FILING.document_path(store, key), max_document_bytes=150_000_000)
    PARSED_FILING.write_summary(store, PARSED_FILING.summary(outcome.status, key, **outcome.fields))
    items, outcome = extract_stage(PARSED_FILING.document_path(store, key))
    ITEMS.write_table(store, key, items)
    ITEMS.write_summary(store, ITEMS.summary(outcome.status, key, **outcome.fields))
    if outcome.status is not StageStatus.OK:
        return
    outcome = clean_stage(PARSED_FILING.document_path(store, key), items, CLEANED_TEXT.document_path(store, key))
    CLEANED_TEXT.write_summary(store, CLEANED_TEXT.summary(outcome.status, key, **outcome.fields))
    risks, outcome = segment_stage(CLEANED_TEXT.document_path(store, key))
    RISK_SEGMENTS.write_table(store, key, risks)
    RISK_SEGMENTS.write_summary(store, RISK_SEGMENTS.summary(outcome.status, key, **outcome.fields))


def run_models(store: ArtifactStore, key: str) -> None:
    from sec_analyzer.analysis.embedding import get_embedder

    embedder = get_embedder()
    risks = RISK_SEGMENTS.read_table(store, key)
    vectors, outcome = embed_stage(embedder, risks)
    RISK_EMBEDDINGS.write_table(store, key, vectors)
    RISK_EMBEDDINGS.write_summary(store, RISK_EMBEDDINGS.summary(outcome.status, key, **outcome.fields))
    labels, outcome = classify_stage(serving_classifier(embedder), key, risks, vectors)
    RISK_CLASSIFICATIONS.write_table(store, key, labels)
    RISK_CLASSIFICATIONS.write_summary(store, RISK_CLASSIFICATIONS.summary(outcome.status, key, **outcome.fields))


@pytest.fixture
def repository(tmp_path: Path) -> ResultsRepository:
    url = f"sqlite:///{tmp_path / 'results.db'}"
    upgrade_to_head(url)
    return ResultsRepository(create_db_engine(url))


def test_a_real_filing_goes_from_html_to_the_database_through_both_gates(
    tmp_path: Path, corpus_dir: Path, repository: ResultsRepository
) -> None:
    store = ArtifactStore(tmp_path / "artifacts")
    run_preprocessing(store, KEY, (corpus_dir / KO_2024).read_bytes())
    segments = RISK_SEGMENTS.read_summary(store, KEY)
    assert segments.ok and segments.risk_factors == 42
    assert ITEMS.read_summary(store, KEY).located_by == "item_heading"

    assert publish_stage(store, repository, KEY).status is StageStatus.BLOCKED, "no verdict, no publishing"
    run_models(store, KEY)
    embedded = RISK_EMBEDDINGS.read_summary(store, KEY)
    assert embedded.dimension == 384 and embedded.embedding_path and embedded.model_version
    labels = RISK_CLASSIFICATIONS.read_table(store, KEY)
    assert len(labels) == 42 and all(1 <= len(json.loads(row)) <= 3 for row in labels["labels"])
    for gate in GATES:
        result = judge_filings(store, gate, [KEY], run_id=None)
        assert result.verdicts[KEY].passed, result.verdicts[KEY].blocking_failures

    outcome = publish_stage(store, repository, KEY)
    assert outcome.status is StageStatus.OK and outcome.fields["risk_factors"] == 42
    assert repository.counts()["embeddings"] == 42 and repository.counts()["classifications"] >= 42
    assert risk_id(KEY, 7) == "KO-2024-007"


def test_a_filing_without_item_1a_stops_at_the_text_gate_with_its_reason(
    tmp_path: Path, corpus_dir: Path, repository: ResultsRepository
) -> None:
    store = ArtifactStore(tmp_path / "artifacts")
    key = "NOIA-2024"
    run_preprocessing(store, key, faults.without_item_1a((corpus_dir / KO_2024).read_text(encoding="utf-8")))
    assert ITEMS.read_summary(store, key).status is StageStatus.ABSENT
    verdict = judge_filings(store, "risk_segments", [key], run_id=None).verdicts[key]
    assert not verdict.passed
    assert any(failure.startswith("completeness/item_1a_present_or_explained") for failure in verdict.blocking_failures)
    blocked = publish_stage(store, repository, key)
    assert blocked.status is StageStatus.BLOCKED and "completeness/" in blocked.fields["reason"]
    assert repository.counts()["filings"] == 0
    assert filing_outcome(store, key).reason.startswith("Item 1A absent")


def test_a_second_year_gets_its_changes_and_closest_peers(tmp_path: Path, corpus_dir: Path,
                                                           repository: ResultsRepository) -> None:
    from sec_analyzer.analysis.analysis_config import load_analysis_settings
    from sec_analyzer.pipeline.insight_stages import changes_stage, refresh_index
    from sec_analyzer.storage.analysis_repo import AnalysisRepository

    store = ArtifactStore(tmp_path / "artifacts")
    for key, path in (("KO-2023", "10-K/KO/0000021344-24-000009/primary-document.html"), (KEY, KO_2024)):
        run_preprocessing(store, key, (corpus_dir / path).read_bytes())
        RAW_FILING.write_summary(store, RAW_FILING.read_summary(store, key).model_copy(
            update={"accession": f"0000021344-{key[-2:]}-000001"}))
        run_models(store, key)
        for gate in GATES:
            judge_filings(store, gate, [key], run_id=None)
        assert publish_stage(store, repository, key).status is StageStatus.OK
    analysis = AnalysisRepository(create_db_engine(f"sqlite:///{tmp_path / 'results.db'}"))
    settings = load_analysis_settings()
    index, _ = refresh_index(analysis, tmp_path / "index", ["KO-2023", KEY], settings)

    first = changes_stage(analysis, index, settings, "KO-2023")
    assert first.status is StageStatus.OK and "compared_with" not in first.fields
    second = changes_stage(analysis, index, settings, KEY).fields
    assert second["compared_with"] == 2023
    assert second["unchanged"] + second["modified"] + second["new"] == 42
    assert second["closest_peers"] == [], "one company only: no peer of another company"


def test_a_filing_whose_vectors_fail_the_model_output_gate_writes_nothing(
    tmp_path: Path, corpus_dir: Path, repository: ResultsRepository
) -> None:
    store = ArtifactStore(tmp_path / "artifacts")
    run_preprocessing(store, KEY, (corpus_dir / KO_2024).read_bytes())
    run_models(store, KEY)
    vectors = RISK_EMBEDDINGS.read_table(store, KEY)
    vectors["vector"] = [vector * 0.5 for vector in vectors["vector"]]  # no longer unit norm
    RISK_EMBEDDINGS.write_table(store, KEY, vectors)
    for gate in GATES:
        judge_filings(store, gate, [KEY], run_id=None)

    blocked = publish_stage(store, repository, KEY)
    assert blocked.status is StageStatus.BLOCKED and "vectors/" in blocked.fields["reason"]
    assert repository.counts()["filings"] == 0 and repository.counts()["embeddings"] == 0
