"""A backfill runs the filings it has found while it goes on looking up the rest on EDGAR."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import dagster as dg
import pytest

from sec_analyzer.acquisition.backfill_plan import BackfillPlan, FoundFiling, MissingFiling
from sec_analyzer.acquisition.edgar_client import EdgarClient, EdgarUnavailableError
from sec_analyzer.acquisition.fetch import FilingFetcher
from sec_analyzer.acquisition.raw_store import raw_store_from_settings
from sec_analyzer.artifacts import ArtifactStore
from sec_analyzer.contracts import RAW_FILING
from sec_analyzer.defs import backfill
from sec_analyzer.edgar_mirror.server import EdgarMirror
from sec_analyzer.settings import get_settings
from sec_analyzer_tests.planning import plan_backfill

WAIT_SECONDS = 300  # far beyond a one-step run; reached only when the runs wait for every lookup


def found(plan: BackfillPlan, key: str) -> FoundFiling:
    return FoundFiling(key, plan.refs[key], plan.documents[key])


@pytest.fixture
def plan(mirror: EdgarMirror, instance: dg.DagsterInstance) -> BackfillPlan:
    """AAPL 2024 and NVDA 2024 found on the local EDGAR, their documents in the raw store."""
    settings = get_settings()
    fetcher = FilingFetcher(EdgarClient.from_settings(settings), raw_store_from_settings(settings))
    return plan_backfill(fetcher, [("AAPL", 2024), ("NVDA", 2024)])


def test_the_first_batch_runs_before_the_lookups_end(monkeypatch: pytest.MonkeyPatch, plan: BackfillPlan,
                                                    instance: dg.DagsterInstance) -> None:
    first_run_started = threading.Event()

    def lookups(fetcher: object, pairs: object) -> Iterator[FoundFiling | MissingFiling]:
        yield found(plan, "AAPL-2024")
        # The next finding waits for the first run: a backfill that ran nothing before its
        # lookups ended would never start it.
        if not first_run_started.wait(timeout=WAIT_SECONDS):
            raise AssertionError("no run started while the lookups went on")
        yield MissingFiling("ZZZZ 2024: ZZZZ has no 10-K for fiscal year 2024")
        yield found(plan, "NVDA-2024")

    monkeypatch.setattr(backfill, "find_filings", lookups)
    warned: list[str] = []
    expected: list[int] = []

    def progress(line: str) -> None:
        if line.startswith("run 1:"):
            first_run_started.set()

    done = backfill.backfill_filings(instance, None, [], asset_names=["raw_filing"], batch_size=1,  # type: ignore[arg-type]
                                     progress=progress, warn=warned.append, found_all=expected.append)

    assert [run.status for run in done.runs] == [dg.DagsterRunStatus.SUCCESS] * 2
    assert done.plan.keys == ["AAPL-2024", "NVDA-2024"]
    assert warned == ["not found: ZZZZ 2024: ZZZZ has no 10-K for fiscal year 2024"]
    assert expected == [2]
    assert not done.interrupted


def test_when_edgar_fails_midway_the_filings_found_before_still_run(monkeypatch: pytest.MonkeyPatch,
                                                                     plan: BackfillPlan,
                                                                     instance: dg.DagsterInstance) -> None:
    def lookups(fetcher: object, pairs: object) -> Iterator[FoundFiling]:
        yield found(plan, "AAPL-2024")
        yield found(plan, "NVDA-2024")
        raise EdgarUnavailableError("EDGAR answered 503 three times for KO's filing list")

    monkeypatch.setattr(backfill, "find_filings", lookups)

    done = backfill.backfill_filings(instance, None, [], asset_names=["raw_filing"],  # type: ignore[arg-type]
                                     progress=lambda _: None)

    # The batch was not full when the lookups failed; it ran all the same, from the stored documents.
    assert [run.status for run in done.runs] == [dg.DagsterRunStatus.SUCCESS]
    assert isinstance(done.lookup_error, EdgarUnavailableError) and not done.looked_up_all
    artifacts = ArtifactStore(get_settings().artifacts_dir)
    for key in ("AAPL-2024", "NVDA-2024"):
        assert RAW_FILING.read_summary(artifacts, key).accession == plan.refs[key].accession_number


def test_filings_finished_earlier_are_skipped_in_one_line(monkeypatch: pytest.MonkeyPatch, plan: BackfillPlan,
                                                         instance: dg.DagsterInstance) -> None:
    monkeypatch.setattr(backfill, "find_filings",
                        lambda fetcher, pairs: iter([found(plan, "AAPL-2024"), found(plan, "NVDA-2024")]))
    announced: list[str] = []
    expected: list[int] = []

    done = backfill.backfill_filings(instance, None, [], needs_run=lambda key, sha256: False,  # type: ignore[arg-type]
                                     announce=announced.append, found_all=expected.append, progress=lambda _: None)

    assert announced == ["already finished, skipped (--force redoes them): AAPL-2024, NVDA-2024"]
    assert done.skipped == ["AAPL-2024", "NVDA-2024"] and done.runs == [] and expected == [0]
    assert instance.get_runs() == []
