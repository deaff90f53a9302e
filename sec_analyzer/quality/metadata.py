"""The metadata a quality asset check attaches: plain JSON-able values, one partition or many.

The Dagster layer wraps `partitions` in `MetadataValue.json` and `summary` in `MetadataValue.md`;
the checks report (`defs/quality/checks_report.py`) reads the same keys back from the instance.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from sec_analyzer.markdown import markdown_cell
from sec_analyzer.quality.verdicts import CheckOutcome, Severity, group_verdict

STATUS_ICONS = {"passed": "✅", "failed": "❌", "warned": "⚠️", "skipped": "⏭️"}
SUMMARY_MAX_ROWS = 20


def status_of(passed: bool, severity: str | None) -> str:
    """`passed`, `failed` (an ERROR expectation failed) or `warned` (only WARN ones failed)."""
    if passed:
        return "passed"
    return "failed" if severity == "ERROR" else "warned"


def check_metadata(verdicts_by_partition: Mapping[str, list[CheckOutcome]], group: str) -> dict[str, Any]:
    """The metadata of one group's check over one or several partitions.

    Top-level `passed`/`severity` are the verdict of the whole check (the worst partition);
    `partitions` holds each partition's verdict with observed vs threshold per expectation and
    samples of failing rows.
    """
    partitions: dict[str, dict[str, Any]] = {}
    for partition_key, outcomes in verdicts_by_partition.items():
        verdict = group_verdict(outcomes, group)
        partitions[partition_key] = {
            "status": status_of(verdict.passed, verdict.severity),
            "passed": verdict.passed,
            "severity": verdict.severity,
            "evaluated": verdict.evaluated,
            "expectations": [_expectation_record(outcome) for outcome in outcomes if outcome.group == group],
        }
    failed = [key for key, record in partitions.items() if record["status"] == "failed"]
    warned = [key for key, record in partitions.items() if record["status"] == "warned"]
    severity: Severity | None = "ERROR" if failed else "WARN" if warned else None
    return {
        "group": group,
        "passed": not failed and not warned,
        "severity": severity,
        "partition_count": len(partitions),
        "failed_partitions": failed,
        "warned_partitions": warned,
        "summary": _summary(group, partitions, failed, warned),
        "partitions": partitions,
    }


def filing_check_metadata(outcomes: list[CheckOutcome], group: str) -> dict[str, str]:
    """One filing's verdict for one group as plain text entries, which the UI shows inline: the
    verdict, then every expectation of the group with what was observed against what was
    expected, and a failing sample."""
    verdict = group_verdict(outcomes, group)
    failing = [outcome for outcome in outcomes if outcome.group == group and not outcome.passed]
    status = status_of(verdict.passed, verdict.severity)
    # Capitalised so that the UI, which sorts entries by name, shows it first.
    metadata = {"Verdict": status.upper()
                + (f" ({verdict.severity}): {len(failing)} of {verdict.evaluated} expectation(s) failed" if failing
                   else f": {verdict.evaluated} expectation(s) passed")}
    for outcome in (outcome for outcome in outcomes if outcome.group == group):
        line = (f"{'passed' if outcome.passed else 'FAILED (' + outcome.severity + ')'} · observed "
                f"{_compact(outcome.observed)} · threshold {_compact(outcome.threshold)}")
        if not outcome.passed:
            line += f" · {outcome.description}"
            if outcome.failing_sample:
                line += f" · sample: {_compact(outcome.failing_sample[0])}"
        metadata[outcome.expectation] = line
    return metadata


def _compact(value: Any, limit: int = 240) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _expectation_record(outcome: CheckOutcome) -> dict[str, Any]:
    record = asdict(outcome)
    del record["group"]
    return record


def _summary(group: str, partitions: dict[str, dict[str, Any]], failed: list[str], warned: list[str]) -> str:
    passed = len(partitions) - len(failed) - len(warned)
    lines = [
        f"**{group}**: {passed} of {len(partitions)} partition(s) passed"
        f" · {STATUS_ICONS['failed']} {len(failed)} failed · {STATUS_ICONS['warned']} {len(warned)} warned"
    ]
    problems = [*failed, *warned]
    if problems:
        lines += ["", "| partition | status | failing expectations |", "|---|---|---|"]
        for key in problems[:SUMMARY_MAX_ROWS]:
            record = partitions[key]
            failing = "; ".join(
                f"`{item['expectation']}` ({item['severity']}): {markdown_cell(item['description'])}"
                for item in record["expectations"]
                if not item["passed"]
            )
            lines.append(f"| {key} | {STATUS_ICONS[record['status']]} {record['status']} | {failing} |")
        if len(problems) > SUMMARY_MAX_ROWS:
            lines.append(f"| … | | {len(problems) - SUMMARY_MAX_ROWS} more partition(s) not shown |")
    return "\n".join(lines)
