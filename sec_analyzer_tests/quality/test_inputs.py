"""The filing under test is assembled from the stage artifacts through the stage contracts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sec_analyzer.artifacts import ArtifactStore
from sec_analyzer.contracts import (
    ITEMS,
    RISK_CLASSIFICATIONS,
    RISK_EMBEDDINGS,
    RISK_SEGMENTS,
    StageStatus,
)
from sec_analyzer.domain import InvalidFilingKeyError
from sec_analyzer.quality.inputs import filing_under_test
from sec_analyzer.quality.suites import evaluate_filing
from sec_analyzer.quality.verdicts import GATES, MODEL_OUTPUT_GATE, TEXT_GATE, UnknownGateError
from sec_analyzer_tests.quality.filings import good_filing, store_filing

KEY = "ACME-2024"


@pytest.fixture
def artifacts(tmp_path: Path) -> ArtifactStore:
    store = ArtifactStore(tmp_path / "artifacts")
    store_filing(store, good_filing())
    return store


def test_the_text_gate_reads_the_text_stages_only(artifacts: ArtifactStore) -> None:
    expected = good_filing()
    filing = filing_under_test(artifacts, KEY, TEXT_GATE)
    assert (filing.expected_fiscal_year, filing.document_fiscal_year, filing.document_type) == (
        2024,
        2024,
        "10-K",
    )
    assert filing.item_1a_text == expected.item_1a_text
    assert list(filing.segments["heading"]) == list(expected.segments["heading"])
    assert list(filing.items["item_id"]) == list(expected.items["item_id"])
    assert filing.embeddings is None and filing.classifications is None and filing.upstream_failure is None
    assert all(outcome.passed for outcome in evaluate_filing(filing, GATES[TEXT_GATE]))


def test_the_model_output_gate_reads_vectors_and_classifications(artifacts: ArtifactStore) -> None:
    expected = good_filing()
    filing = filing_under_test(artifacts, KEY, MODEL_OUTPUT_GATE)
    assert filing.embeddings is not None and filing.classifications is not None
    assert filing.embeddings.shape == (10, 384) and filing.embedding_dimension == 384
    assert expected.embeddings is not None
    np.testing.assert_allclose(filing.embeddings, expected.embeddings, atol=1e-6)
    assert list(filing.classifications["primary_category"]) == list(expected.segments["category"])
    assert all(outcome.passed for outcome in evaluate_filing(filing, GATES[MODEL_OUTPUT_GATE]))


def test_a_failed_model_stage_is_reported_by_its_reason(artifacts: ArtifactStore) -> None:
    reason = "the embedding model could not be loaded"
    RISK_EMBEDDINGS.write_summary(artifacts, RISK_EMBEDDINGS.summary(StageStatus.FAILED, KEY, reason=reason))
    RISK_CLASSIFICATIONS.write_summary(
        artifacts,
        RISK_CLASSIFICATIONS.summary(
            StageStatus.FAILED, KEY, reason=reason, carried_from=RISK_EMBEDDINGS.name
        ),
    )
    filing = filing_under_test(artifacts, KEY, MODEL_OUTPUT_GATE)
    assert filing.embeddings is None and filing.classifications is None
    assert filing.upstream_failure == reason
    failures = {
        o.expectation: o.description
        for o in evaluate_filing(filing, GATES[MODEL_OUTPUT_GATE])
        if not o.passed
    }
    assert failures == {
        "embedding_rows_match_segments": f"no embeddings for 10 segments: {reason}",
        "one_primary_per_risk": f"no classifications for 10 risks: {reason}",
    }


def test_tables_of_stages_that_carried_an_absence_are_ignored(artifacts: ArtifactStore) -> None:
    # Item 1A omitted: the stages after item_1a carry the absence, and the tables an earlier run
    # left behind (still on disk here) must not be judged as this filing's.
    reason = "Item 1A absent (omitted_smaller_reporting_company)"
    items = ITEMS.read_table(artifacts, KEY)
    items.loc[items["item_id"] == "1A", ["status", "absent_reason"]] = [
        "absent",
        "omitted_smaller_reporting_company",
    ]
    ITEMS.write_table(artifacts, KEY, items)
    ITEMS.write_summary(artifacts, ITEMS.summary(StageStatus.ABSENT, KEY, reason=reason))
    for contract in (RISK_SEGMENTS, RISK_EMBEDDINGS, RISK_CLASSIFICATIONS):
        contract.write_summary(
            artifacts, contract.summary(StageStatus.ABSENT, KEY, reason=reason, carried_from=ITEMS.name)
        )
    filing = filing_under_test(artifacts, KEY, MODEL_OUTPUT_GATE)
    assert filing.segments.empty and filing.upstream_failure is None
    assert filing.embeddings is not None and filing.embeddings.shape[0] == 0
    assert filing.classifications is not None and filing.classifications.empty
    text_gate = evaluate_filing(filing_under_test(artifacts, KEY, TEXT_GATE), GATES[TEXT_GATE])
    assert {o.expectation for o in text_gate if not o.passed} == {"item_1a_found"}  # a WARN
    assert all(o.passed for o in evaluate_filing(filing, GATES[MODEL_OUTPUT_GATE]))


def test_an_unmaterialized_stage_is_an_upstream_failure(tmp_path: Path) -> None:
    filing = filing_under_test(ArtifactStore(tmp_path), KEY)
    assert filing.upstream_failure == f"risk_segments has not been materialized for {KEY}"
    assert isinstance(filing.segments, pd.DataFrame) and filing.segments.empty


def test_bad_keys_and_gates_are_refused(artifacts: ArtifactStore) -> None:
    with pytest.raises(InvalidFilingKeyError):
        filing_under_test(artifacts, "../../x")
    with pytest.raises(UnknownGateError, match="unknown quality gate 'item_1a'"):
        filing_under_test(artifacts, KEY, ITEMS.name)


def test_a_short_vector_is_judged_not_a_reading_error(artifacts: ArtifactStore) -> None:
    vectors = RISK_EMBEDDINGS.read_table(artifacts, KEY)
    vectors.at[4, "vector"] = vectors.at[4, "vector"][:100]
    RISK_EMBEDDINGS.write_table(artifacts, KEY, vectors)
    filing = filing_under_test(artifacts, KEY, MODEL_OUTPUT_GATE)
    failures = {o.expectation: o.description for o in evaluate_filing(filing, ["vectors"]) if not o.passed}
    assert failures["embedding_values_finite"] == "1 of 10 embeddings hold NaN or infinite values"
