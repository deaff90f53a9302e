"""The asset-check report: what the checks of a run (or of a whole backfill) concluded.

One `CheckRow` per asset, check and partition, rendered for people (Markdown) and for CI (JSON).
Reading the rows from a Dagster instance is the Dagster layer's part
(`sec_analyzer.defs.quality.checks_report`); nothing here imports Dagster.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from sec_analyzer.markdown import markdown_cell
from sec_analyzer.quality.metadata import STATUS_ICONS

STATUS_ORDER = ("failed", "warned", "skipped", "passed")
MARKDOWN_SAMPLE_CHARS = 300


@dataclass(frozen=True)
class CheckRow:
    """One check's verdict on one partition in one run."""

    run_id: str
    asset_key: str
    check_name: str
    partition: str | None
    status: str  # passed | failed | warned | skipped
    severity: str | None
    blocking: bool | None
    group: str | None
    description: str | None
    evaluated_at: str | None
    failing_expectations: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class ChecksReport:
    scope: str
    run_ids: list[str]
    rows: list[CheckRow]

    def counts(self) -> dict[str, int]:
        tally = Counter(row.status for row in self.rows)
        return {status: tally.get(status, 0) for status in ("passed", "failed", "warned", "skipped")}

    @property
    def has_error_failures(self) -> bool:
        return any(row.status == "failed" for row in self.rows)


def render_json(report: ChecksReport) -> str:
    return json.dumps([asdict(row) for row in _sorted(report.rows)], indent=2, ensure_ascii=False)


def summary_line(report: ChecksReport) -> str:
    counts = report.counts()
    return " · ".join(f"{STATUS_ICONS[status]} {counts[status]} {status}" for status in counts)


def render_markdown(report: ChecksReport) -> str:
    lines = [f"# Asset checks: {report.scope}", "", f"**Summary:** {summary_line(report)}"]
    by_check: dict[tuple[str, str], list[CheckRow]] = {}
    for row in _sorted(report.rows):
        by_check.setdefault((row.asset_key, row.check_name), []).append(row)
    for (asset_key, check_name), rows in by_check.items():
        lines += [
            "",
            f"## {asset_key} · {check_name}",
            "",
            "| | partition | status | failing expectations (observed vs threshold) |",
            "|---|---|---|---|",
        ]
        for row in rows:
            lines.append(
                f"| {STATUS_ICONS[row.status]} | {row.partition or '—'} | {row.status} | {_failures_cell(row)} |"
            )
        samples = [
            (row.partition, item)
            for row in rows
            for item in row.failing_expectations
            if item.get("failing_sample")
        ]
        if samples:
            lines += ["", "Failing samples:"]
            for partition, item in samples:
                sample = json.dumps(item["failing_sample"], ensure_ascii=False)
                if len(sample) > MARKDOWN_SAMPLE_CHARS:
                    sample = sample[: MARKDOWN_SAMPLE_CHARS - 1] + "…"
                lines.append(f"- {partition or '—'} · `{item['expectation']}`: `{sample}`")
    return "\n".join(lines) + "\n"


def _failures_cell(row: CheckRow) -> str:
    if row.failing_expectations:
        return "<br>".join(
            f"`{item['expectation']}` ({item.get('severity')}): {markdown_cell(str(item.get('description', '')))} "
            f"(observed {_compact(item.get('observed'))} vs {_compact(item.get('threshold'))})"
            for item in row.failing_expectations
        )
    if row.status != "passed" and row.description:
        return markdown_cell(row.description)
    return ""


def _compact(value: Any) -> str:
    return markdown_cell(json.dumps(value, ensure_ascii=False, default=str))




def _sorted(rows: list[CheckRow]) -> list[CheckRow]:
    return sorted(
        rows,
        key=lambda row: (row.asset_key, row.check_name, STATUS_ORDER.index(row.status), row.partition or ""),
    )
