"""RunPreparation: what a backfill's first run needs is loaded while the plan waits on EDGAR."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

import dagster as dg
import pytest

from sec_analyzer.acquisition.backfill_plan import FoundFiling
from sec_analyzer.defs import backfill
from sec_analyzer.defs.backfill import RunPreparation
from sec_analyzer.defs.jobs import PIPELINE_ASSETS
from sec_analyzer.defs.resources import EmbeddingModelResource
from sec_analyzer.domain import FilingRef
from sec_analyzer.errors import SecAnalyzerError
from sec_analyzer.quality import gx_runner


@pytest.fixture
def loaded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    monkeypatch.setattr(backfill, "filing_pipeline_job", lambda: calls.append("job"))
    monkeypatch.setattr(gx_runner, "prepare", lambda: calls.append("great_expectations"))
    monkeypatch.setattr(EmbeddingModelResource, "embedder", lambda self: calls.append(f"model:{self.precision}"))
    return calls


def test_the_whole_pipeline_gets_the_job_the_gates_and_the_resources_model(loaded: list[str]) -> None:
    preparation = RunPreparation(PIPELINE_ASSETS)
    preparation.start()
    preparation.start()  # once is enough, however many filings are found
    preparation.wait()
    assert loaded == ["job", "great_expectations", "model:fast"]


def test_a_selection_without_gates_or_embeddings_loads_only_the_job(loaded: list[str]) -> None:
    preparation = RunPreparation(["raw_filing", "parsed_filing"])
    preparation.start()
    preparation.wait()
    assert loaded == ["job"]


def test_nothing_is_loaded_until_a_filing_to_run_is_found(loaded: list[str]) -> None:
    RunPreparation(PIPELINE_ASSETS).wait()  # a plan that found nothing to run never starts it
    assert loaded == []


def test_a_failure_while_preparing_is_left_to_the_step_that_needs_it(monkeypatch: pytest.MonkeyPatch,
                                                                      loaded: list[str]) -> None:
    def broken() -> None:
        raise OSError("model folder unreadable")

    monkeypatch.setattr(gx_runner, "prepare", broken)
    preparation = RunPreparation(PIPELINE_ASSETS)
    preparation.start()
    preparation.wait()  # the gate step loads it again and reports the error there
    assert loaded == ["job"]


def test_a_backfill_loads_only_for_a_filing_to_run_and_waits_for_it_even_when_the_lookups_fail(
        monkeypatch: pytest.MonkeyPatch, loaded: list[str], instance: dg.DagsterInstance) -> None:
    def lookups_that_fail(fetcher: object, pairs: object) -> Iterator[FoundFiling]:
        ref = FilingRef(320193, "AAPL", "Apple Inc.", "0000320193-24-000123", "10-K", date(2024, 11, 1),
                        date(2024, 9, 28), "aapl-20240928.htm", "https://www.sec.gov/aapl-20240928.htm")
        yield FoundFiling("AAPL-2024", ref, "0" * 64)
        raise SecAnalyzerError("EDGAR unavailable")

    handed: list[str] = []

    def materialize(instance: dg.DagsterInstance, keys: Iterable[str], **options: object) -> list[dg.DagsterRun]:
        handed.extend(keys)
        return []

    monkeypatch.setattr(backfill, "find_filings", lookups_that_fail)
    monkeypatch.setattr(backfill, "materialize_filings", materialize)
    finished = backfill.backfill_filings(instance, None, [], needs_run=lambda key, sha256: False)  # type: ignore[arg-type]
    assert loaded == [] and handed == []  # an already finished filing needs nothing loaded
    assert finished.skipped == ["AAPL-2024"] and str(finished.lookup_error) == "EDGAR unavailable"

    unfinished = backfill.backfill_filings(instance, None, [])  # type: ignore[arg-type]
    assert loaded == ["job", "great_expectations", "model:fast"]  # all loaded before the backfill ended
    assert handed == ["AAPL-2024"] and str(unfinished.lookup_error) == "EDGAR unavailable"
    assert not unfinished.looked_up_all
