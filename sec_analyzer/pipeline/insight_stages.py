"""What analysts come for, per published filing: its changes against the company's previous
year, and its closest peer risks; and the drift of the whole store, per fiscal year."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sec_analyzer.domain import parse_filing_key
from sec_analyzer.pipeline.runner import StageOutcome

if TYPE_CHECKING:
    from sec_analyzer.analysis.analysis_config import AnalysisSettings
    from sec_analyzer.analysis.changes import FilingChanges
    from sec_analyzer.analysis.drift import DriftReport
    from sec_analyzer.analysis.similarity import IndexSummary, VectorIndex
    from sec_analyzer.storage.analysis_repo import AnalysisRepository

LEADING_RISKS = 3


def refresh_index(repository: AnalysisRepository, index_dir: Path, partition_keys: Sequence[str],
                  settings: AnalysisSettings) -> tuple[VectorIndex, IndexSummary]:
    """The similarity index brought up to date with the filings just published, loaded once for
    every filing of the step."""
    from sec_analyzer.analysis.similarity import VectorIndex, update_index

    summary = update_index(repository, index_dir, partition_keys, settings.similarity)
    return VectorIndex.load(index_dir, settings.similarity), summary


def changes_stage(repository: AnalysisRepository, index: VectorIndex | None, settings: AnalysisSettings,
                  partition_key: str, refreshed: dict[tuple[str, str], FilingChanges] | None = None) -> StageOutcome:
    """The filing's changes against last year, and (given the index) its leading risks' closest
    peers. One `refreshed` for the filings of a step diffs each pair of years once."""
    from sec_analyzer.analysis.changes import refresh_filing_changes
    from sec_analyzer.analysis.similarity import closest_peer_risks

    fiscal_year = parse_filing_key(partition_key).fiscal_year
    into_this_filing = [result for result in refresh_filing_changes(repository, partition_key, settings.changes,
                                                                    refreshed)
                        if result.current_year == fiscal_year]
    fields = into_this_filing[0].insight() if into_this_filing else {}
    fields["closest_peers"] = (closest_peer_risks(index, repository, partition_key, leading=LEADING_RISKS)
                               if index is not None else [])
    return StageOutcome.ok(**fields)


def drift_report_dir() -> Path:
    from sec_analyzer.settings import get_settings

    return get_settings().data_dir / "drift"


def drift_stage(repository: AnalysisRepository) -> tuple[DriftReport, str]:
    """The drift report of the whole store, written as markdown and JSON for the sensor and the API."""
    from sec_analyzer.analysis.analysis_config import load_analysis_settings
    from sec_analyzer.analysis.drift import drift_report

    report = drift_report(repository, load_analysis_settings().drift)
    report.write(drift_report_dir())
    return report, report.to_markdown()


def latest_drift_report() -> DriftReport:
    """The report `drift_stage` wrote last (what the drift sensor judges)."""
    import json

    from sec_analyzer.analysis.drift import REPORT_JSON, DriftReport

    return DriftReport.from_json(json.loads((drift_report_dir() / REPORT_JSON).read_text(encoding="utf-8")))
