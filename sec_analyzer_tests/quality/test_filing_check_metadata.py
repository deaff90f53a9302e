"""A filing's verdict per group as text the Dagster UI shows inline, without opening JSON."""

from sec_analyzer.quality.metadata import filing_check_metadata
from sec_analyzer.quality.verdicts import CheckOutcome


def outcome(expectation: str, passed: bool, **fields: object) -> CheckOutcome:
    values: dict = {"group": "completeness", "expectation": expectation, "severity": "ERROR", "passed": passed,
                    "observed": "not_found", "threshold": "found", "description": f"{expectation} described"}
    return CheckOutcome(**{**values, **fields})  # type: ignore[arg-type]


def test_a_failed_group_names_each_failing_expectation_with_observed_threshold_and_sample() -> None:
    metadata = filing_check_metadata([
        outcome("item_1a_present_or_explained", False, failing_sample=[{"item_id": "1A", "status": "absent"}]),
        outcome("segment_fields_present", True, observed=0, threshold=0),
        outcome("other_group_check", False, group="substance"),
    ], "completeness")
    assert metadata["Verdict"] == "FAILED (ERROR): 1 of 2 expectation(s) failed"
    assert metadata["item_1a_present_or_explained"].startswith("FAILED (ERROR) · observed not_found · threshold found")
    assert '"item_id": "1A"' in metadata["item_1a_present_or_explained"]
    assert metadata["segment_fields_present"] == "passed · observed 0 · threshold 0"
    assert "other_group_check" not in metadata
    assert all(isinstance(value, str) for value in metadata.values())


def test_a_passed_group_says_so_and_long_observations_are_cut() -> None:
    metadata = filing_check_metadata([outcome("segment_fields_present", True, observed="x" * 1000)], "completeness")
    assert metadata["Verdict"] == "PASSED: 1 expectation(s) passed"
    assert len(metadata["segment_fields_present"]) < 300
