"""The per-filing runner: outcomes carried from upstream, errors kept to their filing."""

from __future__ import annotations

from pathlib import Path

import pytest

from sec_analyzer.artifacts import ArtifactStore
from sec_analyzer.contracts import ITEMS, PARSED_FILING, StageStatus, StageSummary
from sec_analyzer.errors import ConfigurationError, SecAnalyzerError
from sec_analyzer.markdown import markdown_table
from sec_analyzer.pipeline.runner import StageOutcome, process_filings


def ok_parse(store: ArtifactStore, *keys: str) -> None:
    for key in keys:
        PARSED_FILING.write_summary(store, PARSED_FILING.summary(StageStatus.OK, key, elements=10))


def test_each_filing_gets_its_own_outcome_and_upstream_failures_are_carried(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    ok_parse(store, "AAPL-2024", "KO-2024")
    PARSED_FILING.write_summary(store, PARSED_FILING.summary(StageStatus.FAILED, "BAD-2024", reason="not HTML"))
    warnings: list[str] = []

    def extract(key: str, upstream: StageSummary) -> StageOutcome:
        if key == "KO-2024":
            raise SecAnalyzerError("the document is a Form 10-Q, not a 10-K")
        return StageOutcome.ok(item_1a_chars=1000, items_found=20)

    report = process_filings(["AAPL-2024", "KO-2024", "BAD-2024", "NEVER-2024"], ITEMS, extract, store,
                             warn=warnings.append)

    by_key = {summary.partition_key: summary for summary in report.summaries}
    assert by_key["AAPL-2024"].status is StageStatus.OK and by_key["AAPL-2024"].item_1a_chars == 1000
    assert by_key["KO-2024"].status is StageStatus.FAILED and "10-Q" in (by_key["KO-2024"].reason or "")
    assert by_key["BAD-2024"].carried_from == "parsed_filing" and by_key["BAD-2024"].reason == "not HTML"
    assert "has not been materialized" in (by_key["NEVER-2024"].reason or "")
    assert ITEMS.read_summary(store, "KO-2024") == by_key["KO-2024"]
    assert len(warnings) == 3 and report.counts() == {"ok": 1, "failed": 3}


def test_a_key_that_is_not_a_filing_fails_only_that_filing(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    ok_parse(store, "AAPL-2024")
    report = process_filings(["AAPL-2024", "../../../x"], ITEMS, lambda key, _: StageOutcome.ok(), store)
    assert [str(summary.status) for summary in report.summaries] == ["ok", "failed"]
    assert "not a filing key" in (report.summaries[1].reason or "")
    assert not (tmp_path.parent / "x.json").exists()


def test_fatal_errors_fail_the_whole_step(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    ok_parse(store, "AAPL-2024")

    def unreachable(key: str, _: StageSummary) -> StageOutcome:
        raise ConfigurationError("EDGAR_USER_AGENT is not set")

    with pytest.raises(ConfigurationError):
        process_filings(["AAPL-2024"], ITEMS, unreachable, store, fatal=(ConfigurationError,))


def test_the_step_table_escapes_what_would_break_markdown() -> None:
    table = markdown_table([{"filing": "AAPL-2024", "reason": "a | b\nc"}])
    assert table.splitlines()[2] == "| AAPL-2024 | a \\| b c |"
