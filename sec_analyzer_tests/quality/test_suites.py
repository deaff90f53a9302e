"""Each suite passes a clean filing and names the expectation that catches each injected fault."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sec_analyzer.quality.frames import QualityInputError
from sec_analyzer.quality.gx_runner import ExpectationSpec, validate_filings
from sec_analyzer.quality.inputs import FilingUnderTest
from sec_analyzer.quality.metadata import check_metadata
from sec_analyzer.quality.suites import PLANNERS, evaluate_filing, evaluate_planned, plan_filing
from sec_analyzer.quality.thresholds import load_thresholds
from sec_analyzer.quality.verdicts import (
    GATES,
    MODEL_OUTPUT_GATE,
    QUALITY_GROUPS,
    TEXT_GATE,
    CheckOutcome,
    group_verdict,
)
from sec_analyzer_tests.quality.filings import (
    classifications_of,
    good_filing,
    item_rows,
    unit_embeddings,
    with_segment_change,
)


def outcome_named(outcomes: list[CheckOutcome], name: str) -> CheckOutcome:
    matches = [outcome for outcome in outcomes if outcome.expectation == name]
    assert len(matches) == 1, f"expected one outcome named {name}, got {[o.expectation for o in outcomes]}"
    return matches[0]


ALL_GROUPS = list(QUALITY_GROUPS)


def test_each_group_has_one_suite_in_reading_order() -> None:
    assert list(PLANNERS) == ALL_GROUPS


def test_good_filing_passes_every_group() -> None:
    outcomes = evaluate_filing(good_filing(), groups=ALL_GROUPS)
    failures = [(o.expectation, o.description) for o in outcomes if not o.passed]
    assert failures == []
    assert {outcome.group for outcome in outcomes} == set(QUALITY_GROUPS)
    for group in QUALITY_GROUPS:
        verdict = group_verdict(outcomes, group)
        assert verdict.passed and verdict.severity is None and verdict.evaluated > 0


def _html_in_text(filing: FilingUnderTest) -> FilingUnderTest:
    text = filing.segments.loc[2, "text"] + " <div style='x'>Net sales&#160;declined</div>"
    return with_segment_change(filing, 2, text=text)


def _toc_line(filing: FilingUnderTest) -> FilingUnderTest:
    text = filing.segments.loc[4, "text"] + "\nTable of Contents\nThe Company also relies on carriers."
    return with_segment_change(filing, 4, text=text)


def _page_number_line(filing: FilingUnderTest) -> FilingUnderTest:
    assert filing.item_1a_text is not None
    text = filing.item_1a_text.replace("\n\nThe Company faces", "\n\n- 23 -\n\nThe Company faces")
    return dataclasses.replace(filing, item_1a_text=text)


def _replacement_character(filing: FilingUnderTest) -> FilingUnderTest:
    return with_segment_change(filing, 1, heading="The Company depends on partners\ufffds performance")


def _short_segment(filing: FilingUnderTest) -> FilingUnderTest:
    return with_segment_change(filing, 3, text="See below.")


def _duplicate_ordinal(filing: FilingUnderTest) -> FilingUnderTest:
    return with_segment_change(filing, 5, ordinal=5)


def _offset_out_of_range(filing: FilingUnderTest) -> FilingUnderTest:
    assert filing.item_1a_text is not None
    return with_segment_change(filing, 9, end_offset=len(filing.item_1a_text) + 500)


def _overlap(filing: FilingUnderTest) -> FilingUnderTest:
    return with_segment_change(filing, 6, start_offset=int(filing.segments.loc[5, "start_offset"]) + 10)


def _low_coverage(filing: FilingUnderTest) -> FilingUnderTest:
    segments = filing.segments.head(4).copy()
    return dataclasses.replace(filing, segments=segments, embeddings=unit_embeddings(4))


def _too_few_segments(filing: FilingUnderTest) -> FilingUnderTest:
    segments = filing.segments.head(2).copy()
    return dataclasses.replace(filing, segments=segments, embeddings=unit_embeddings(2))


def _short_item_1a(filing: FilingUnderTest) -> FilingUnderTest:
    segments = filing.segments.head(1).copy()
    assert filing.item_1a_text is not None
    text = filing.item_1a_text[: int(segments.loc[0, "end_offset"])]
    return dataclasses.replace(filing, item_1a_text=text, segments=segments, embeddings=unit_embeddings(1))


def _empty_item_1a(filing: FilingUnderTest) -> FilingUnderTest:
    return dataclasses.replace(filing, item_1a_text="", segments=filing.segments.head(0), embeddings=None)


def _boilerplate(filing: FilingUnderTest) -> FilingUnderTest:
    segments = filing.segments.copy()
    for row in range(3):
        segments.loc[row, "heading"] = f"Forward-Looking Statements (part {row + 1})"
    return dataclasses.replace(filing, segments=segments)


def _duplicate_texts(filing: FilingUnderTest) -> FilingUnderTest:
    return with_segment_change(filing, 8, text=filing.segments.loc[7, "text"].upper())


def _missing_heading(filing: FilingUnderTest) -> FilingUnderTest:
    return with_segment_change(filing, 0, heading=None)


def _unexplained_item(filing: FilingUnderTest) -> FilingUnderTest:
    return dataclasses.replace(filing, items=item_rows(absent={"7A": "not_found"}))


def _item_not_listed(filing: FilingUnderTest) -> FilingUnderTest:
    items = filing.items[filing.items["item_id"] != "7"]
    return dataclasses.replace(filing, items=items)


def _nan_vector(filing: FilingUnderTest) -> FilingUnderTest:
    vectors = unit_embeddings(10)
    vectors[6, 17] = np.nan
    return dataclasses.replace(filing, embeddings=vectors)


def _shared_vector(filing: FilingUnderTest) -> FilingUnderTest:
    vectors = unit_embeddings(10)
    vectors[3] = vectors[2]
    return dataclasses.replace(filing, embeddings=vectors)


def _with_labels(filing: FilingUnderTest, row: int, **values: object) -> FilingUnderTest:
    assert filing.classifications is not None
    classifications = filing.classifications.copy()
    for column, value in values.items():
        classifications.loc[row, column] = json.dumps(value) if column == "labels" else value
    return dataclasses.replace(filing, classifications=classifications)


def _mostly_other(filing: FilingUnderTest) -> FilingUnderTest:
    segments = filing.segments.assign(category="other")
    segments.loc[0, "category"] = "tax"
    return dataclasses.replace(filing, classifications=classifications_of(segments))


def _missing_classification(filing: FilingUnderTest) -> FilingUnderTest:
    assert filing.classifications is not None
    return dataclasses.replace(filing, classifications=filing.classifications.head(9))


FAULTS: list[tuple[str, Callable[[FilingUnderTest], FilingUnderTest], str, str, str]] = [
    # (case, fault, expectation that must catch it, severity, words in the description)
    (
        "html residue",
        _html_in_text,
        "no_html_residue_in_segment_texts",
        "ERROR",
        "1 of 10 segment texts contain HTML",
    ),
    (
        "toc line",
        _toc_line,
        "no_table_of_contents_lines_in_segment_texts",
        "WARN",
        "'Table of Contents' lines",
    ),
    ("page number", _page_number_line, "no_page_number_lines_in_item_1a_text", "WARN", "page-number lines"),
    ("bad decoding", _replacement_character, "no_control_characters_in_segment_headings", "ERROR", "U+FFFD"),
    ("short segment", _short_segment, "segment_min_length", "ERROR", "shorter than 80 characters"),
    ("duplicate ordinal", _duplicate_ordinal, "ordinals_unique", "ERROR", "share an ordinal"),
    ("gap in ordinals", _duplicate_ordinal, "ordinals_consecutive", "ERROR", "consecutive ordinal"),
    ("offset out of range", _offset_out_of_range, "offsets_within_text", "ERROR", "outside Item 1A"),
    ("overlap", _overlap, "spans_non_overlapping", "ERROR", "start before the previous segment ends"),
    ("low coverage", _low_coverage, "coverage", "ERROR", "at least 75% expected"),
    ("too few segments", _too_few_segments, "segment_count", "ERROR", "2 risk-factor segments; at least 3"),
    ("short item 1a", _short_item_1a, "item_1a_length", "ERROR", "characters; at least 3,000 expected"),
    ("empty item 1a", _empty_item_1a, "item_1a_length", "ERROR", "Item 1A is 0 characters; at least 3,000"),
    ("boilerplate", _boilerplate, "boilerplate_share", "WARN", "30% of segments are boilerplate"),
    ("duplicate texts", _duplicate_texts, "duplicate_texts", "WARN", "20% of segments repeat"),
    (
        "missing heading",
        _missing_heading,
        "segment_heading_present",
        "ERROR",
        "1 of 10 segments have no heading",
    ),
    (
        "unexplained item",
        _unexplained_item,
        "items_found_or_explained",
        "WARN",
        "1 item(s) are absent without an explanation (reason missing or 'not_found'): 7A",
    ),
    (
        "upstream failure",
        lambda filing: dataclasses.replace(filing, upstream_failure="the document could not be parsed"),
        "upstream_stages_succeeded",
        "ERROR",
        "an upstream stage failed: the document could not be parsed",
    ),
    ("item not listed", _item_not_listed, "expected_items_listed", "ERROR", "not listed by the extractor: 7"),
    (
        "fiscal year mismatch",
        lambda filing: dataclasses.replace(filing, document_fiscal_year=2023),
        "fiscal_year_matches_partition",
        "ERROR",
        "fiscal year 2023 does not match partition ACME-2024",
    ),
    (
        "10-Q",
        lambda filing: dataclasses.replace(filing, document_type="10-Q"),
        "document_type_is_10k",
        "ERROR",
        "the document is a 10-Q, not a 10-K",
    ),
    (
        "unknown fiscal year",
        lambda filing: dataclasses.replace(filing, document_fiscal_year=None),
        "fiscal_year_known",
        "WARN",
        "no fiscal year",
    ),
    (
        "wrong embedding dimension",
        lambda filing: dataclasses.replace(filing, embeddings=unit_embeddings(10, dimension=768)),
        "embedding_dimension",
        "ERROR",
        "768 dimensions; the model's dimension is 384",
    ),
    (
        "non-unit norms",
        lambda filing: dataclasses.replace(filing, embeddings=unit_embeddings(10) * 3.0),
        "embedding_unit_norm",
        "ERROR",
        "10 of 10 embeddings are not unit-norm",
    ),
    (
        "missing embeddings",
        lambda filing: dataclasses.replace(filing, embeddings=unit_embeddings(9)),
        "embedding_rows_match_segments",
        "ERROR",
        "9 embeddings for 10 segments",
    ),
    (
        "no embeddings",
        lambda filing: dataclasses.replace(
            filing, embeddings=None, upstream_failure="risk_embeddings failed: model not installed"
        ),
        "embedding_rows_match_segments",
        "ERROR",
        "no embeddings for 10 segments: risk_embeddings failed: model not installed",
    ),
    ("nan value", _nan_vector, "embedding_values_finite", "ERROR", "1 of 10 embeddings hold NaN"),
    (
        "vector shared by different texts",
        _shared_vector,
        "identical_vectors_have_identical_texts",
        "ERROR",
        "2 of 10 embeddings are identical to the vector of a risk with a different text",
    ),
    (
        "missing classification",
        _missing_classification,
        "one_primary_per_risk",
        "ERROR",
        "9 classifications for 10 risks; one per risk expected",
    ),
    (
        "risk classified twice",
        lambda filing: _with_labels(filing, 4, ordinal=4),
        "one_primary_per_risk",
        "ERROR",
        "10 classifications for 10 risks; 2 of them repeat a risk",
    ),
    (
        "no classifications",
        lambda filing: dataclasses.replace(filing, classifications=None),
        "one_primary_per_risk",
        "ERROR",
        "no classifications for 10 risks",
    ),
    (
        "primary outside the taxonomy",
        lambda filing: _with_labels(
            filing, 2, primary_category="weather", labels=[{"category": "weather", "score": 0.7}]
        ),
        "primary_in_taxonomy",
        "ERROR",
        "1 of 10 risks have a primary category outside the taxonomy",
    ),
    (
        "primary not listed first",
        lambda filing: _with_labels(
            filing,
            1,
            labels=[{"category": "other", "score": 0.7}, {"category": "supply_chain", "score": 0.6}],
        ),
        "primary_is_top_label",
        "ERROR",
        "1 of 10 risks list another label before their primary category",
    ),
    (
        "four labels",
        lambda filing: _with_labels(
            filing,
            0,
            labels=[{"category": c, "score": 0.5} for c in ("macroeconomic", "tax", "other", "supply_chain")],
        ),
        "label_count",
        "ERROR",
        "1 of 10 risks do not have 1–3 labels",
    ),
    (
        "unreadable labels",
        lambda filing: _with_labels(filing, 5, labels="not a list"),
        "label_count",
        "ERROR",
        "1 of 10 risks do not have 1–3 labels (unreadable labels count as none)",
    ),
    (
        "label outside the taxonomy",
        lambda filing: _with_labels(
            filing, 7, labels=[{"category": "tax", "score": 0.7}, {"category": "weather", "score": 0.2}]
        ),
        "labels_in_taxonomy",
        "ERROR",
        "1 of 20 labels name no category of the taxonomy",
    ),
    (
        "score above one",
        lambda filing: _with_labels(filing, 3, labels=[{"category": "cybersecurity_it", "score": 1.3}]),
        "scores_in_unit_interval",
        "ERROR",
        "1 of 19 label scores are missing or outside [0, 1]",
    ),
    (
        "mostly other",
        _mostly_other,
        "category_share",
        "ERROR",
        "90% of risks have the primary category 'other' (at most 80% allowed)",
    ),
]


@pytest.mark.parametrize(
    ("fault", "expectation", "severity", "words"),
    [pytest.param(fault, name, severity, words, id=case) for case, fault, name, severity, words in FAULTS],
)
def test_fault_is_caught_by_the_named_expectation(
    fault: Callable[[FilingUnderTest], FilingUnderTest], expectation: str, severity: str, words: str
) -> None:
    outcomes = evaluate_filing(fault(good_filing()), groups=ALL_GROUPS)
    caught = outcome_named(outcomes, expectation)
    assert not caught.passed
    assert caught.severity == severity
    assert words in caught.description
    verdict = group_verdict(outcomes, caught.group)
    assert not verdict.passed
    assert verdict.severity == ("ERROR" if severity == "ERROR" else verdict.severity)
    assert caught in verdict.failures


def test_failing_sample_shows_the_offending_rows_truncated() -> None:
    outcomes = evaluate_filing(_html_in_text(good_filing()), groups=["cleanliness"])
    html = outcome_named(outcomes, "no_html_residue_in_segment_texts")
    assert html.observed == 1
    [row] = html.failing_sample
    assert row["ordinal"] == 3
    assert "<div style='x'>" in row["match"]
    assert len(row["text"]) <= 160
    json.dumps(html.failing_sample)  # the check attaches it as JSON


def test_sample_lists_at_most_five_rows() -> None:
    filing = good_filing()
    short = filing.segments.assign(text="Too short.")
    outcomes = evaluate_filing(dataclasses.replace(filing, segments=short), groups=["substance"])
    too_short = outcome_named(outcomes, "segment_min_length")
    assert too_short.observed == 10
    assert len(too_short.failing_sample) == 5


def test_explained_item_1a_omission_warns_and_skips_text_checks() -> None:
    filing = good_filing(
        items=item_rows(absent={"1A": "omitted_smaller_reporting_company"}),
        item_1a_text=None,
        segments=pd.DataFrame(),
        embeddings=None,
    )
    outcomes = evaluate_filing(filing)
    assert outcome_named(outcomes, "item_1a_present_or_explained").passed
    found = outcome_named(outcomes, "item_1a_found")
    assert not found.passed and found.severity == "WARN"
    assert "omitted_smaller_reporting_company" in found.description
    assert not [outcome for outcome in outcomes if outcome.group == "substance"]
    assert "coverage" not in {outcome.expectation for outcome in outcomes}
    assert group_verdict(outcomes, "completeness").severity == "WARN"
    assert all(group_verdict(outcomes, group).passed for group in ("cleanliness", "consistency"))


def test_unexplained_item_1a_absence_is_an_error() -> None:
    filing = good_filing(
        items=item_rows(absent={"1A": "not_found"}),
        item_1a_text=None,
        segments=pd.DataFrame(),
        embeddings=None,
    )
    outcomes = evaluate_filing(filing, groups=["completeness", "substance"])
    missing = outcome_named(outcomes, "item_1a_present_or_explained")
    assert not missing.passed and missing.severity == "ERROR"
    assert "Item 1A is missing (not_found)" in missing.description
    assert not outcome_named(outcomes, "segment_count").passed


def test_model_output_groups_run_only_when_asked_for() -> None:
    text_gate = evaluate_filing(good_filing())
    assert {outcome.group for outcome in text_gate} == set(GATES[TEXT_GATE])
    model_gate = evaluate_filing(good_filing(), groups=GATES[MODEL_OUTPUT_GATE])
    assert {outcome.group for outcome in model_gate} == {"vectors", "classification"}
    assert all(outcome.passed for outcome in model_gate)


def test_nan_embedding_fails_the_unit_norm() -> None:
    vectors = unit_embeddings(10)
    vectors[4, :] = np.nan
    outcomes = evaluate_filing(good_filing(embeddings=vectors), groups=["vectors"])
    norm = outcome_named(outcomes, "embedding_unit_norm")
    assert not norm.passed and norm.observed == 1
    assert norm.failing_sample == [
        {"row": 4, "norm": -1.0, "nonfinite_values": 384, "texts_sharing_vector": 1}
    ]
    assert outcome_named(outcomes, "embedding_values_finite").observed == 1


def test_identical_vectors_pass_when_the_texts_are_the_same() -> None:
    filing = with_segment_change(
        good_filing(),
        3,
        heading=good_filing().segments.loc[2, "heading"].upper(),
        text=good_filing().segments.loc[2, "text"],
    )
    vectors = unit_embeddings(10)
    vectors[3] = vectors[2]
    outcomes = evaluate_filing(dataclasses.replace(filing, embeddings=vectors), groups=["vectors"])
    assert outcome_named(outcomes, "identical_vectors_have_identical_texts").passed


def test_a_filing_without_risk_factors_passes_the_model_output_gate() -> None:
    filing = good_filing(
        items=item_rows(absent={"1A": "omitted_smaller_reporting_company"}),
        item_1a_text=None,
        segments=pd.DataFrame(),
        embeddings=np.empty((0, 384), dtype=np.float32),
        classifications=classifications_of(pd.DataFrame({"ordinal": [], "category": []})),
    )
    outcomes = evaluate_filing(filing, groups=GATES[MODEL_OUTPUT_GATE])
    assert [(o.expectation, o.description) for o in outcomes if not o.passed] == []
    assert outcome_named(outcomes, "embedding_dimension").description == "no vectors to measure"


def test_failing_classification_sample_names_the_risk() -> None:
    filing = _with_labels(
        good_filing(), 2, primary_category="weather", labels=[{"category": "weather", "score": 0.7}]
    )
    outcomes = evaluate_filing(filing, groups=["classification"])
    [row] = outcome_named(outcomes, "primary_in_taxonomy").failing_sample
    assert (row["ordinal"], row["primary_category"], row["label_count"]) == (3, "weather", 1)


def test_groups_selects_suites_and_rejects_unknown_names() -> None:
    outcomes = evaluate_filing(good_filing(), groups=["substance"])
    assert {outcome.group for outcome in outcomes} == {"substance"}
    with pytest.raises(QualityInputError, match="unknown quality group"):
        evaluate_filing(good_filing(), groups=["spelling"])


def test_malformed_input_is_a_typed_error() -> None:
    segments = good_filing().segments.drop(columns=["end_offset"])
    with pytest.raises(QualityInputError, match=r"segments of ACME-2024 lack column\(s\) \['end_offset'\]"):
        evaluate_filing(good_filing(segments=segments))
    items = good_filing().items.assign(status="maybe")
    with pytest.raises(QualityInputError, match="status values"):
        evaluate_filing(good_filing(items=items))
    with pytest.raises(QualityInputError, match="2-D array"):
        evaluate_filing(good_filing(embeddings=np.ones(384)))


def test_threshold_override_changes_the_verdict() -> None:
    filing = good_filing()
    assert outcome_named(evaluate_filing(filing, groups=["substance"]), "item_1a_length").passed
    strict = load_thresholds(overrides={"substance": {"item_1a_length": {"min_chars": 50_000}}})
    length = outcome_named(evaluate_filing(filing, groups=["substance"], thresholds=strict), "item_1a_length")
    assert not length.passed
    assert length.threshold == {"min_chars": 50_000, "max_chars": 600_000}
    assert "at least 50,000 expected" in length.description

    lenient = load_thresholds(
        overrides={"consistency": {"document_type_is_10k": {"accepted_types": ["10-Q"]}}}
    )
    outcomes = evaluate_filing(dataclasses.replace(filing, document_type="10-Q"), ["consistency"], lenient)
    assert outcome_named(outcomes, "document_type_is_10k").passed


def test_check_metadata_covers_several_partitions() -> None:
    good = evaluate_filing(good_filing(), groups=["consistency"])
    bad = evaluate_filing(
        good_filing(partition_key="ACME-2023", expected_fiscal_year=2023), groups=["consistency"]
    )
    metadata = check_metadata({"ACME-2024": good, "ACME-2023": bad}, "consistency")
    json.dumps(metadata)
    assert metadata["passed"] is False and metadata["severity"] == "ERROR"
    assert metadata["failed_partitions"] == ["ACME-2023"]
    assert metadata["partitions"]["ACME-2024"]["status"] == "passed"
    failing = [e for e in metadata["partitions"]["ACME-2023"]["expectations"] if not e["passed"]]
    assert [(e["expectation"], e["observed"], e["threshold"]) for e in failing] == [
        ("fiscal_year_matches_partition", 2024, 2023)
    ]
    assert "1 of 2 partition(s) passed" in metadata["summary"]
    assert "| ACME-2023 | ❌ failed |" in metadata["summary"]


def test_suites_module_does_not_import_great_expectations() -> None:
    probe = (
        "import sys, sec_analyzer.quality.suites, sec_analyzer.quality.metadata, sec_analyzer.quality.verdicts, "
        "sec_analyzer.quality.inputs, sec_analyzer.quality.report; "
        "print('great_expectations' in sys.modules, 'dagster' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[2],
    )
    assert result.stdout.split() == ["False", "False"]


def test_an_expectation_gx_cannot_evaluate_fails_with_the_reason() -> None:
    [results] = validate_filings(
        "probe",
        [pd.DataFrame({"text": ["fine"]})],
        [[ExpectationSpec(key="probe", gx_type="ExpectColumnValuesToNotBeNull", kwargs={"column": "absent"},
                          severity="ERROR")]],
    )
    assert not results["probe"].success
    assert results["probe"].error


def test_filings_validated_together_get_the_outcomes_each_gets_alone() -> None:
    """Every injected fault, next to clean filings, in one validation per frame: each filing's
    outcomes (verdicts, observed values, failing rows) are exactly its outcomes when judged alone,
    for the row-wise expectations the filings share and the whole-filing ones they run each."""
    # A cover without a fiscal year beside ones with it: the stacked column mixes nulls and numbers.
    no_year = dataclasses.replace(good_filing(), document_fiscal_year=None)
    filings = [good_filing(), no_year] + [fault(good_filing()) for _, fault, *_ in FAULTS] + [good_filing()]
    together = evaluate_planned([plan_filing(filing, ALL_GROUPS) for filing in filings])
    alone = [evaluate_filing(filing, ALL_GROUPS) for filing in filings]
    assert together == alone
    assert sum(not outcome.passed for outcomes in together for outcome in outcomes) >= len(FAULTS)


def test_a_row_wise_expectation_shared_by_some_filings_judges_only_their_rows() -> None:
    spec = ExpectationSpec(key="known", gx_type="ExpectColumnValuesToBeInSet",
                           kwargs={"column": "code", "value_set": ["a"]}, severity="ERROR")
    other = dataclasses.replace(spec, kwargs={"column": "code", "value_set": ["b"]})
    frames = [pd.DataFrame({"code": ["a", "a"]}), pd.DataFrame({"code": ["b", "a", "b"]}),
              pd.DataFrame({"code": ["a", "b"]})]
    results = validate_filings("codes", frames, [[spec], [other], [spec]])
    assert [(r["known"].success, r["known"].unexpected_index_list) for r in results] == [
        (True, []), (False, [1]), (False, [1])]


def test_an_expectation_one_filing_breaks_fails_only_that_filing() -> None:
    spec = ExpectationSpec(key="range", gx_type="ExpectColumnValuesToBeBetween",
                           kwargs={"column": "code", "min_value": 1}, severity="ERROR")
    frames = [pd.DataFrame({"code": [1, 2]}), pd.DataFrame({"code": ["a", "b"]}), pd.DataFrame({"code": [3]})]
    results = validate_filings("codes", frames, [[spec], [spec], [spec]])
    assert [(r["range"].success, r["range"].error is None) for r in results] == [
        (True, True), (False, False), (True, True)]
