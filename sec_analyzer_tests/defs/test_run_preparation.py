"""RunPreparation: what a backfill's first run needs is loaded while the plan waits on EDGAR."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sec_analyzer.defs import backfill
from sec_analyzer.defs.backfill import RunPreparation
from sec_analyzer.defs.jobs import PIPELINE_ASSETS
from sec_analyzer.defs.resources import EmbeddingModelResource
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


def test_planning_loads_only_for_a_filing_to_run_and_waits_for_it_even_when_planning_fails(
        monkeypatch: pytest.MonkeyPatch, loaded: list[str]) -> None:
    def plan_that_fails(fetcher: object, pairs: object, found_one: Callable[[str, str], None]) -> None:
        found_one("AAPL-2024", "0" * 64)
        raise SecAnalyzerError("EDGAR unavailable")

    monkeypatch.setattr(backfill, "plan_backfill", plan_that_fails)
    with pytest.raises(SecAnalyzerError):
        backfill.plan_while_preparing(None, [], PIPELINE_ASSETS, needs_run=lambda key, sha256: False)  # type: ignore[arg-type]
    assert loaded == []  # an already finished filing needs nothing loaded
    with pytest.raises(SecAnalyzerError):
        backfill.plan_while_preparing(None, [], PIPELINE_ASSETS)  # type: ignore[arg-type]
    assert loaded == ["job", "great_expectations", "model:fast"]  # all loaded before the error went up
