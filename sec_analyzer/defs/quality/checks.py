"""The gate: Great Expectations suites as blocking checks on risk_segments, before publishing.

One check per quality group (completeness, cleanliness, substance, consistency). Every filing of
the step is judged on its own and its verdict is saved next to its artifacts; the publishing
asset writes only filings whose verdict passed. In a one-filing run (the UI, the sensor) a
failure is an ERROR and blocks the publishing step outright. In a batched run a failure is an
ERROR only when no filing of the step passed; otherwise it is a WARN naming the blocked filings,
so the good filings beside a bad one are still published.
"""

import hashlib
from collections.abc import Iterator
from typing import Any

import dagster as dg

from sec_analyzer.artifacts import ArtifactStore
from sec_analyzer.defs.batch import OK, upstream_summary
from sec_analyzer.defs.partitions import filings_partitions
from sec_analyzer.defs.resources import PlatformResource
from sec_analyzer.domain import split_filing_key

QUALITY_GROUPS = {
    "completeness": "Required fields present; every expected item found or explained; Item 1A found.",
    "cleanliness": "No HTML or entity residue, no 'Table of Contents' or page-number lines, valid UTF-8.",
    "substance": "Item 1A length, segment count, segment lengths and boilerplate share within bounds.",
    "consistency": "Segments cover the section; ordinals unique; fiscal year and form match the partition.",
}
VERDICT_STAGE = "quality_verdict"


def segments_fingerprint(artifacts: ArtifactStore, key: str) -> str | None:
    """Ties a verdict to the exact segments it judged, so a stale verdict never publishes new data."""
    path = artifacts.path("risk_segments", key, "parquet")
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def filing_under_test(artifacts: ArtifactStore, key: str) -> Any:
    import pandas as pd

    from sec_analyzer.quality.suites import FilingUnderTest

    _, fiscal_year = split_filing_key(key)
    parsed = upstream_summary(artifacts, "parsed_filing", key)
    items = (artifacts.read_parquet("item_1a", key)[["item_id", "status", "char_count", "absent_reason"]]
             if artifacts.path("item_1a", key, "parquet").exists() and upstream_summary(artifacts, "item_1a", key)["status"] != "failed"
             else pd.DataFrame(columns=["item_id", "status", "char_count", "absent_reason"]))
    cleaned = upstream_summary(artifacts, "cleaned_risk_text", key)
    text = artifacts.read_json("cleaned_risk_text_body", key)["text"] if cleaned["status"] == OK else None
    segments_summary = upstream_summary(artifacts, "risk_segments", key)
    segments = (artifacts.read_parquet("risk_segments", key) if segments_summary["status"] == OK
                else pd.DataFrame(columns=["ordinal", "heading", "category", "text", "start_offset",
                                           "end_offset", "is_general_risk"]))
    upstream_reason = next((summary.get("reason") for summary in (segments_summary, cleaned, parsed)
                            if summary["status"] != OK and summary.get("reason")), None)
    return FilingUnderTest(
        partition_key=key,
        expected_fiscal_year=fiscal_year,
        document_fiscal_year=parsed.get("document_fiscal_year"),
        document_type=parsed.get("document_type"),
        items=items,
        item_1a_text=text,
        segments=segments,
        upstream_failure=upstream_reason,
    )


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(name=group, asset="risk_segments", blocking=True, description=description,
                          partitions_def=filings_partitions)
        for group, description in QUALITY_GROUPS.items()
    ],
    can_subset=True,
    description="Great Expectations suites per quality group; the gate before anything is published.",
)
def risk_quality_gate(
    context: dg.AssetCheckExecutionContext, platform: PlatformResource
) -> Iterator[dg.AssetCheckResult]:
    from sec_analyzer.quality.suites import check_metadata, evaluate_filing, group_verdict

    artifacts = platform.artifacts()
    keys = context.partition_keys if context.has_partition_key_range or context.has_partition_key else []
    outcomes_by_key = {}
    for key in keys:
        outcomes = evaluate_filing(filing_under_test(artifacts, key))
        outcomes_by_key[key] = outcomes
        blocking = [o for o in outcomes if not o.passed and o.severity == "ERROR"]
        artifacts.write_json(VERDICT_STAGE, key, {
            "partition_key": key,
            "run_id": context.run.run_id,
            "passed": not blocking,
            "segments_fingerprint": segments_fingerprint(artifacts, key),
            "blocking_failures": [f"{o.group}/{o.expectation}: {o.description}" for o in blocking],
        })
    for check_key in context.selected_asset_check_keys:
        group = check_key.name
        verdicts = {key: group_verdict(outcomes, group) for key, outcomes in outcomes_by_key.items()}
        failed = [key for key, verdict in verdicts.items() if not verdict.passed]
        error_failed = [key for key in failed if verdicts[key].severity == "ERROR"]
        if error_failed and len(error_failed) == len(verdicts):
            severity = dg.AssetCheckSeverity.ERROR
        else:
            severity = dg.AssetCheckSeverity.WARN
        metadata = check_metadata(outcomes_by_key, group)
        yield dg.AssetCheckResult(
            asset_key=check_key.asset_key,
            check_name=group,
            passed=not failed,
            severity=severity,
            metadata={name: _as_metadata(value) for name, value in metadata.items()},
        )


def _as_metadata(value: Any) -> Any:
    if isinstance(value, dict | list):
        return dg.MetadataValue.json(value)
    if isinstance(value, str) and "\n" in value:
        return dg.MetadataValue.md(value)
    return value
