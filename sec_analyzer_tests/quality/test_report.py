"""The checks report, read back from a real Dagster instance after real runs of blocking checks."""

import dataclasses
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from sec_analyzer.defs.quality.checks_report import ChecksReportError, build_report, current_instance
from sec_analyzer.errors import ConfigurationError
from sec_analyzer.quality.inputs import FilingUnderTest
from sec_analyzer.quality.metadata import check_metadata
from sec_analyzer.quality.report import ChecksReport, render_markdown
from sec_analyzer.quality.suites import evaluate_filing
from sec_analyzer_tests.quality.filings import good_filing, with_segment_change

pytestmark = pytest.mark.filterwarnings("ignore:Parameter `backfill_policy` of function `asset`")

GOOD = "ACME-2024"
BAD = "ACME-2023"  # the document says fiscal 2024 (ERROR) and keeps a "Table of Contents" line (WARN)
filings = dg.StaticPartitionsDefinition([BAD, GOOD])


def filing_for(partition_key: str) -> FilingUnderTest:
    if partition_key == GOOD:
        return good_filing()
    filing = good_filing(partition_key=BAD, expected_fiscal_year=2023)
    text = filing.segments.loc[4, "text"] + "\nTable of Contents\nThe Company also relies on carriers."
    return with_segment_change(filing, 4, text=text)


def quality_check(group: str, blocking: bool) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset="segments", name=group, blocking=blocking)
    def check(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        run = context.op_execution_context
        keys = run.partition_keys if run.has_partition_key_range else [run.partition_key]
        outcomes = {key: evaluate_filing(filing_for(key), [group]) for key in keys}
        if len(keys) > 1:
            # As the gate does in a batched step: each filing's own evaluation on its partition,
            # besides the step-wide result below, whose metadata repeats every filing's verdict.
            for key in keys:
                record = check_metadata({key: outcomes[key]}, group)
                run.log_event(
                    dg.AssetCheckEvaluation(
                        asset_key=dg.AssetKey("segments"),
                        check_name=group,
                        passed=record["passed"],
                        severity=dg.AssetCheckSeverity.ERROR
                        if record["severity"] == "ERROR"
                        else dg.AssetCheckSeverity.WARN,
                        partition=key,
                        blocking=blocking,
                        metadata={"group": group, "partitions": dg.MetadataValue.json(record["partitions"])},
                    )
                )
        metadata = check_metadata(outcomes, group)
        return dg.AssetCheckResult(
            passed=metadata["passed"],
            severity=dg.AssetCheckSeverity.ERROR
            if metadata["severity"] == "ERROR"
            else dg.AssetCheckSeverity.WARN,
            metadata={
                "group": group,
                "summary": dg.MetadataValue.md(metadata["summary"]),
                "partitions": dg.MetadataValue.json(metadata["partitions"]),
            },
        )

    return check


def build_pipeline() -> list[dg.AssetsDefinition | dg.AssetChecksDefinition]:
    """segments -> two quality checks (one blocking) -> the gated write, which has its own check."""

    @dg.asset(partitions_def=filings, backfill_policy=dg.BackfillPolicy.single_run())
    def segments() -> dg.MaterializeResult:
        return dg.MaterializeResult()

    @dg.asset(partitions_def=filings, deps=[segments], backfill_policy=dg.BackfillPolicy.single_run())
    def risk_factors_pg() -> dg.MaterializeResult:
        return dg.MaterializeResult()

    @dg.asset_check(asset=risk_factors_pg)
    def rows_written() -> dg.AssetCheckResult:
        return dg.AssetCheckResult(passed=True)

    return [
        segments,
        quality_check("consistency", blocking=True),
        quality_check("cleanliness", blocking=False),
        risk_factors_pg,
        rows_written,
    ]


@pytest.fixture
def dagster_home(tmp_path: Path) -> Path:
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    return home


@pytest.fixture
def instance(dagster_home: Path) -> Iterator[dg.DagsterInstance]:
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        yield instance


def materialize(instance: dg.DagsterInstance, partition_key: str | None = None, **tags: str) -> str:
    result = dg.materialize(
        build_pipeline(), instance=instance, partition_key=partition_key, tags=tags, raise_on_error=False
    )
    return result.run_id


def rows_by_check(report: ChecksReport) -> dict[tuple[str, str | None], str]:
    return {(f"{row.asset_key}/{row.check_name}", row.partition): row.status for row in report.rows}


def run_cli(dagster_home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DAGSTER_HOME": str(dagster_home)}
    return subprocess.run(
        [sys.executable, "-c", "from sec_analyzer.cli import main; main()", "checks-report", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_report_of_a_good_and_a_bad_partition(instance: dg.DagsterInstance, dagster_home: Path) -> None:
    good_run = materialize(instance, GOOD)
    bad_run = materialize(instance, BAD)

    good = build_report(instance, run_id=good_run)
    assert rows_by_check(good) == {
        ("segments/consistency", GOOD): "passed",
        ("segments/cleanliness", GOOD): "passed",
        ("risk_factors_pg/rows_written", GOOD): "passed",
    }
    assert not good.has_error_failures

    bad = build_report(instance)  # --latest: the bad run came last
    assert bad.run_ids == [bad_run]
    assert rows_by_check(bad) == {
        ("segments/consistency", BAD): "failed",
        ("segments/cleanliness", BAD): "warned",
        ("risk_factors_pg/rows_written", BAD): "skipped",
    }
    assert bad.counts() == {"passed": 0, "failed": 1, "warned": 1, "skipped": 1}
    [consistency] = [row for row in bad.rows if row.check_name == "consistency"]
    assert consistency.group == "consistency" and consistency.blocking
    [failure] = consistency.failing_expectations
    assert failure["expectation"] == "fiscal_year_matches_partition"
    assert (failure["observed"], failure["threshold"]) == (2024, 2023)

    markdown = render_markdown(bad)
    assert f"# Asset checks: run {bad_run}" in markdown
    assert "**Summary:** ✅ 0 passed · ❌ 1 failed · ⚠️ 1 warned · ⏭️ 1 skipped" in markdown
    assert f"| ❌ | {BAD} | failed | `fiscal_year_matches_partition` (ERROR)" in markdown
    assert "(observed 2024 vs 2023)" in markdown
    assert f"| ⏭️ | {BAD} | skipped |" in markdown
    assert f"- {BAD} · `no_table_of_contents_lines_in_segment_texts`: " in markdown  # its failing sample

    cli = run_cli(dagster_home, "--latest", "--format", "json", "--fail-on-error")
    assert cli.returncode == 1, cli.stderr
    records = json.loads(cli.stdout)
    assert {(r["check_name"], r["partition"], r["status"]) for r in records} == {
        ("consistency", BAD, "failed"),
        ("cleanliness", BAD, "warned"),
        ("rows_written", BAD, "skipped"),
    }
    assert "asset checks failed with ERROR severity" in cli.stderr

    passing = run_cli(
        dagster_home, "--run-id", good_run, "--fail-on-error", "--output", str(dagster_home / "r.md")
    )
    assert passing.returncode == 0, passing.stderr
    assert "✅ 3 passed · ❌ 0 failed" in (dagster_home / "r.md").read_text(encoding="utf-8")


def test_batched_run_expands_partitions_from_metadata(instance: dg.DagsterInstance) -> None:
    batched = materialize(
        instance,
        **{"dagster/asset_partition_range_start": BAD, "dagster/asset_partition_range_end": GOOD},
    )
    report = build_report(instance, run_id=batched)
    statuses = rows_by_check(report)
    assert len(statuses) == len(report.rows), "each check reports each partition once"
    assert len(report.rows) == 5
    assert statuses[("segments/consistency", BAD)] == "failed"
    assert statuses[("segments/consistency", GOOD)] == "passed"
    assert statuses[("segments/cleanliness", BAD)] == "warned"
    assert statuses[("segments/cleanliness", GOOD)] == "passed"
    assert statuses[("risk_factors_pg/rows_written", f"{BAD}...{GOOD}")] == "skipped"


@pytest.mark.parametrize("backfill_tag", ["dagster/backfill", "sec_analyzer/backfill"])
def test_latest_covers_every_run_of_the_latest_backfill(
    instance: dg.DagsterInstance, backfill_tag: str
) -> None:
    materialize(instance, BAD)
    first = materialize(instance, GOOD, **{backfill_tag: "nightly"})
    second = materialize(instance, BAD, **{backfill_tag: "nightly"})
    report = build_report(instance)
    assert report.scope == "backfill nightly (2 runs)"
    assert report.run_ids == [first, second]
    assert rows_by_check(report)[("segments/consistency", GOOD)] == "passed"
    assert rows_by_check(report)[("segments/consistency", BAD)] == "failed"


def test_clear_errors_for_missing_runs_and_home(
    instance: dg.DagsterInstance, dagster_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ChecksReportError, match="recorded asset-check evaluations"):
        build_report(instance)
    with pytest.raises(ChecksReportError, match="no run does-not-exist"):
        build_report(instance, run_id="does-not-exist")
    cli = run_cli(dagster_home, "--run-id", "does-not-exist")
    assert cli.returncode == 1
    assert cli.stderr.startswith("error: no run does-not-exist")
    missing_home = run_cli(dagster_home / "missing")
    assert missing_home.returncode == 1
    assert missing_home.stderr.startswith(f"error: no Dagster instance at {dagster_home / 'missing'}")
    assert missing_home.stderr.count("\n") == 1


def test_without_dagster_home_the_report_reads_the_default_instance(
    dagster_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `backfill` and `run` default to ./.dagster_home; the report must find their runs there too.
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.chdir(dagster_home.parent)
    with pytest.raises(ConfigurationError, match=r"no Dagster instance at .*/\.dagster_home"):
        current_instance()
    dagster_home.rename(dagster_home.parent / ".dagster_home")
    with current_instance() as default_instance:
        assert Path(default_instance.root_directory) == (dagster_home.parent / ".dagster_home").resolve()


def test_metadata_round_trips_as_json() -> None:
    outcomes = evaluate_filing(dataclasses.replace(good_filing(), document_type="10-Q"), ["consistency"])
    metadata = check_metadata({GOOD: outcomes}, "consistency")
    assert json.loads(json.dumps(metadata)) == metadata
