"""Drift per fiscal year: the measures on known distributions, a real two-year store (one company,
little drift), a shift built from real risk vectors, and the report files and CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from sec_analyzer.analysis.analysis_config import load_analysis_settings
from sec_analyzer.analysis.changes import Risk
from sec_analyzer.analysis.drift import (
    DriftReport,
    DriftStatus,
    category_drift,
    centroid_shift,
    drift_report,
    year_drift,
)


def test_category_measures_on_known_distributions() -> None:
    same = {"a": 10, "b": 30}
    assert category_drift(same, same) == pytest.approx((0.0, 0.0), abs=1e-9)
    psi, jensen_shannon = category_drift({"a": 50, "b": 50}, {"a": 80, "b": 20})
    assert psi == pytest.approx((0.8 - 0.5) * np.log(0.8 / 0.5) + (0.2 - 0.5) * np.log(0.2 / 0.5), rel=1e-3)
    assert 0 < jensen_shannon < 1
    # a category that appears from nothing gives a large but finite PSI
    assert np.isfinite(category_drift({"a": 10}, {"a": 5, "b": 5})[0])


def test_the_centroid_shift_of_a_rotation() -> None:
    before = np.array([[1.0, 0.0], [1.0, 0.0]])
    after = np.array([[0.0, 1.0], [0.0, 1.0]])
    assert centroid_shift(before, before) == pytest.approx(0.0, abs=1e-12)
    assert centroid_shift(before, after) == pytest.approx(1.0)


def test_one_company_two_years_is_not_drift(ko_database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from sec_analyzer.storage.analysis_repo import AnalysisRepository
    from sec_analyzer.storage.db_clients import create_db_engine

    settings = load_analysis_settings().drift.model_copy(update={"min_filings": 1})
    report = drift_report(AnalysisRepository(create_db_engine(ko_database)), settings)
    [year] = report.years
    assert (year.fiscal_year, year.previous_year, year.filings, year.risks) == (2024, 2023, 1, 42)
    assert year.status is DriftStatus.OK, year.reasons
    assert year.mmd_p_value is not None and year.mmd_p_value > 0.05
    assert report.risks_per_year == {2023: 42, 2024: 42}


def test_a_shift_built_from_real_risks_is_critical(ko_2023: list[Risk], primary_labels: tuple[list[str], list[str]]) -> None:
    # "next year" keeps only the risks of the two most frequent 2023 categories, each twice
    vectors = np.asarray([risk.vector for risk in ko_2023], dtype=np.float32)
    labels = np.array(primary_labels[0])
    common = [label for label, _ in sorted(
        ((label, int((labels == label).sum())) for label in set(labels)), key=lambda item: -item[1])[:2]]
    kept = np.isin(labels, common)
    counts_before = {label: int((labels == label).sum()) for label in set(labels)}
    counts_after = {label: 2 * int((labels == label).sum()) for label in common}
    settings = load_analysis_settings().drift
    year = year_drift(2024, 2023, (counts_before, counts_after), (vectors, np.repeat(vectors[kept], 2, axis=0)),
                      10, settings)
    assert year.status is DriftStatus.CRITICAL
    assert any(reason.startswith("psi") for reason in year.reasons)
    unjudged = year_drift(2024, 2023, (counts_before, counts_after), (vectors, vectors[kept]), 2, settings)
    assert unjudged.status is DriftStatus.OK and unjudged.reasons[0].startswith("not judged")


def test_the_cli_prints_and_writes_the_report(ko_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sec_analyzer.analysis.analysis_commands import drift

    monkeypatch.setenv("SEC_ANALYZER_DATABASE_URL", ko_database)
    monkeypatch.setenv("SEC_ANALYZER_DATA_DIR", str(tmp_path / "data"))
    result = CliRunner().invoke(drift, ["--format", "json", "--output", str(tmp_path / "report"), "--alert"])
    assert result.exit_code == 0, result.output
    document = json.loads((tmp_path / "report" / "drift-report.json").read_text())
    assert document["status"] == "ok"
    assert [year["fiscal_year"] for year in document["years"]] == [2024]
    assert document["years"][0]["reasons"] == ["not judged: 1 filing(s), fewer than 5"]
    assert DriftReport.from_json(document).to_json() == document  # what a sensor reads back
    markdown = (tmp_path / "report" / "drift-report.md").read_text()
    assert "| 2024 | 2023 | 1 | 42 |" in markdown
    assert "alert: not sent (drift status is ok, not critical)" in result.output
