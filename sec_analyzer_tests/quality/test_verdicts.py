"""Per-filing verdicts of each gate, the publish decision, and the severity of a batched run."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from sec_analyzer.artifacts import ArtifactStore
from sec_analyzer.contracts import RISK_EMBEDDINGS
from sec_analyzer.quality.inputs import FilingUnderTest, filing_under_test
from sec_analyzer.quality.suites import evaluate_filing
from sec_analyzer.quality.verdicts import (
    GATES,
    MODEL_OUTPUT_GATE,
    QUALITY_GROUPS,
    TEXT_GATE,
    FilingVerdict,
    UnknownGateError,
    check_severity,
    gate_blocker,
    gated_fingerprint,
    judge_filing,
    read_verdict,
    run_severity,
    verdict_folder,
    write_verdict,
)
from sec_analyzer_tests.quality.filings import good_filing, item_rows, store_filing, with_segment_change

KEY = "ACME-2024"


def verdict_of(filing: FilingUnderTest, gate: str = TEXT_GATE, fingerprint: str = "f") -> FilingVerdict:
    outcomes = evaluate_filing(filing, GATES[gate])
    return judge_filing(filing.partition_key, gate, "run-1", outcomes, fingerprint)


def without_item_1a(key: str) -> FilingUnderTest:
    """Fails completeness (ERROR) only."""
    return good_filing(partition_key=key, items=item_rows(absent={"1A": "not_found"}))


def with_short_segment(key: str) -> FilingUnderTest:
    """Fails substance (ERROR) only."""
    return with_segment_change(good_filing(partition_key=key), 3, text="See below.")


def with_toc_line(key: str) -> FilingUnderTest:
    """Fails cleanliness with a WARN only: the filing still passes its gate."""
    filing = good_filing(partition_key=key)
    return with_segment_change(
        filing, 4, text=filing.segments.loc[4, "text"] + "\nTable of Contents\nMore text."
    )


def test_every_group_guards_exactly_one_stage() -> None:
    guarded = [group for groups in GATES.values() for group in groups]
    assert sorted(guarded) == sorted(QUALITY_GROUPS)
    assert GATES == {
        "risk_segments": ("completeness", "cleanliness", "substance", "consistency"),
        "risk_classifications": ("vectors", "classification"),
    }


def test_a_failing_filing_records_each_group_and_its_blocking_failures() -> None:
    verdict = verdict_of(without_item_1a(KEY))
    assert not verdict.passed and verdict.gate == TEXT_GATE and verdict.run_id == "run-1"
    assert set(verdict.groups) == set(GATES[TEXT_GATE])
    completeness = verdict.groups["completeness"]
    assert not completeness.passed and completeness.severity == "ERROR"
    failure = next(f for f in completeness.failures if f.expectation == "item_1a_present_or_explained")
    assert (failure.observed, failure.severity) == ("not_found", "ERROR")
    assert verdict.blocking_failures[0].startswith(
        "completeness/item_1a_present_or_explained: Item 1A is missing"
    )
    assert all(verdict.groups[group].passed for group in ("cleanliness", "consistency"))


def test_warnings_do_not_block_the_filing() -> None:
    verdict = verdict_of(with_toc_line(KEY))
    assert verdict.passed and verdict.blocking_failures == []
    assert verdict.groups["cleanliness"].severity == "WARN"
    [failure] = verdict.groups["cleanliness"].failures
    assert failure.sample and "Table of Contents" in failure.sample[0]["match"]


def test_outcomes_of_another_gate_are_refused() -> None:
    outcomes = evaluate_filing(good_filing(), ["vectors"])
    with pytest.raises(UnknownGateError, match=r"groups \['vectors'\] do not judge risk_segments"):
        judge_filing(KEY, TEXT_GATE, None, outcomes, "f")
    with pytest.raises(UnknownGateError, match="unknown quality gate 'analysis_results'"):
        verdict_folder("analysis_results")


def test_verdicts_round_trip_per_gate(tmp_path: Path) -> None:
    artifacts = ArtifactStore(tmp_path)
    assert read_verdict(artifacts, TEXT_GATE, KEY) is None
    verdict = verdict_of(with_toc_line(KEY))
    write_verdict(artifacts, verdict)
    assert artifacts.exists("quality_verdict_risk_segments", KEY)
    assert read_verdict(artifacts, TEXT_GATE, KEY) == verdict
    assert read_verdict(artifacts, MODEL_OUTPUT_GATE, KEY) is None


def judge_stored(artifacts: ArtifactStore, gate: str) -> FilingVerdict:
    outcomes = evaluate_filing(filing_under_test(artifacts, KEY, gate), GATES[gate])
    verdict = judge_filing(KEY, gate, "run-1", outcomes, gated_fingerprint(artifacts, gate, KEY))
    write_verdict(artifacts, verdict)
    return verdict


def test_publish_needs_a_fresh_passing_verdict_of_every_gate(tmp_path: Path) -> None:
    artifacts = ArtifactStore(tmp_path)
    store_filing(artifacts, good_filing())
    assert (
        gate_blocker(artifacts, KEY)
        == "no quality verdict: the risk_segments gate has not judged this filing"
    )
    judge_stored(artifacts, TEXT_GATE)
    assert gate_blocker(artifacts, KEY) == (
        "no quality verdict: the risk_classifications gate has not judged this filing"
    )
    judge_stored(artifacts, MODEL_OUTPUT_GATE)
    assert gate_blocker(artifacts, KEY) is None

    # New vectors after the verdict: the text gate's verdict still holds, the model gate's is stale.
    text_fingerprint = gated_fingerprint(artifacts, TEXT_GATE, KEY)
    vectors = RISK_EMBEDDINGS.read_table(artifacts, KEY)
    RISK_EMBEDDINGS.write_table(artifacts, KEY, vectors.iloc[::-1].reset_index(drop=True))
    assert gated_fingerprint(artifacts, TEXT_GATE, KEY) == text_fingerprint
    assert gate_blocker(artifacts, KEY) == (
        "the quality verdict is stale: risk_segments, risk_embeddings, risk_classifications changed "
        "after the risk_classifications gate judged it"
    )


def test_publish_is_blocked_by_name_when_a_gate_failed(tmp_path: Path) -> None:
    artifacts = ArtifactStore(tmp_path)
    store_filing(artifacts, dataclasses.replace(good_filing(), document_type="10-Q"))
    judge_stored(artifacts, TEXT_GATE)
    judge_stored(artifacts, MODEL_OUTPUT_GATE)
    blocker = gate_blocker(artifacts, KEY)
    assert blocker == (
        "blocked by the quality gate: consistency/document_type_is_10k: the document is a 10-Q, not a 10-K "
        "(10-K, 10-K/A, 10-KT, 10-KT/A, 10-K405, 10-K405/A, 10-KSB, 10-KSB/A)"
    )


def test_a_batch_where_no_filing_passed_fails_although_each_group_has_a_passing_filing() -> None:
    # Filing A fails completeness, filing B fails substance: every group has one passing filing.
    verdicts = {
        "A-2024": verdict_of(without_item_1a("A-2024")),
        "B-2024": verdict_of(with_short_segment("B-2024")),
    }
    assert verdicts["A-2024"].groups["substance"].passed
    assert verdicts["B-2024"].groups["completeness"].passed
    assert run_severity(verdicts) == "ERROR"
    assert check_severity(verdicts, "completeness") == "ERROR"
    assert check_severity(verdicts, "substance") == "ERROR"

    # One good filing beside them: the failures only warn, and the good filing is published.
    verdicts["C-2024"] = verdict_of(good_filing(partition_key="C-2024"))
    assert run_severity(verdicts) == "WARN"
    assert check_severity(verdicts, "completeness") == "WARN"
    assert check_severity(verdicts, "substance") == "WARN"


def test_one_filing_runs_and_warning_groups() -> None:
    failing = {
        KEY: verdict_of(dataclasses.replace(with_toc_line(KEY), items=item_rows(absent={"1A": "not_found"})))
    }
    assert run_severity(failing) == "ERROR" and check_severity(failing, "completeness") == "ERROR"
    # The run fails through its ERROR group; a group that only warned stays a warning.
    assert failing[KEY].groups["cleanliness"].severity == "WARN"
    assert check_severity(failing, "cleanliness") == "WARN"
    # A filing that only warns has passed its gate: its warnings stay warnings.
    warned = {KEY: verdict_of(with_toc_line(KEY))}
    assert run_severity(warned) == "WARN" and check_severity(warned, "cleanliness") == "WARN"
    assert run_severity({}) == "WARN"
