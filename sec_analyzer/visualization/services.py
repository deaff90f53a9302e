"""What the API and the dashboard share beyond plain queries: similar risks, drift, the model registry.

Derived views are cached per process and keyed by the database's data version (see
`ResultsQueries.data_version`), so a page view never recomputes drift or reloads the vector index
unless a filing was published since. Nothing here writes: without a similarity index on disk, the
index is built in memory from the stored vectors.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sec_analyzer.errors import SecAnalyzerError
from sec_analyzer.visualization.queries import ResultsQueries

if TYPE_CHECKING:
    from sec_analyzer.analysis.analysis_config import AnalysisSettings
    from sec_analyzer.analysis.drift import DriftReport
    from sec_analyzer.analysis.similarity import VectorIndex
    from sec_analyzer.registry.manager import ModelRegistryManager

TOP_SIMILAR_MAX = 50
HISTORY_SHOWN = 20


class NotFoundError(SecAnalyzerError):
    """The company, filing or risk asked for is not in the results database."""


class NotReadyError(SecAnalyzerError):
    """The stage that produces what was asked for has not run yet; the message says which."""


@dataclass
class _Cached:
    key: Any = None
    value: Any = None


@dataclass
class Services:
    queries: ResultsQueries
    settings: AnalysisSettings
    index_dir: Path
    registry: ModelRegistryManager | None
    registry_problem: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _drift: _Cached = field(default_factory=_Cached)
    _index: _Cached = field(default_factory=_Cached)

    # --- drift ------------------------------------------------------------------------------

    def drift(self) -> DriftReport:
        from sec_analyzer.analysis.drift import drift_report

        key = self.queries.data_version()
        with self._lock:
            if self._drift.key != key:
                self._drift = _Cached(key, drift_report(self.queries.analysis, self.settings.drift))
            report: DriftReport = self._drift.value
        return report

    # --- similar risks ----------------------------------------------------------------------

    def similarity_index(self) -> VectorIndex:
        from sec_analyzer.analysis.similarity import VectorIndex

        manifest = self.index_dir / "manifest.json"
        key: Any = ("disk", manifest.stat().st_mtime_ns) if manifest.is_file() else ("memory", self.queries.data_version())
        with self._lock:
            if self._index.key != key:
                index = (VectorIndex.load(self.index_dir, self.settings.similarity) if key[0] == "disk"
                         else self._index_in_memory())
                self._index = _Cached(key, index)
            cached: VectorIndex | None = self._index.value
        if cached is None or not len(cached):
            raise NotReadyError("no risk-factor vectors stored yet: run the pipeline (embedding stage)")
        return cached

    def _index_in_memory(self) -> VectorIndex | None:
        import numpy as np

        from sec_analyzer.analysis.similarity import ORDINAL_BITS, VectorIndex

        parts = list(self.queries.analysis.stored_vectors())
        if not parts:
            return None
        return VectorIndex(
            self.settings.similarity,
            np.concatenate([(part.filing_ids.astype(np.uint64) << np.uint64(ORDINAL_BITS))
                            | part.ordinals.astype(np.uint64) for part in parts]),
            np.concatenate([part.vectors for part in parts]),
            np.concatenate([np.asarray(part.tickers, dtype=str) for part in parts]),
            np.concatenate([part.fiscal_years for part in parts]),
            np.concatenate([np.asarray([label or "" for label in part.labels], dtype=str) for part in parts]),
            sorted({version for part in parts for version in part.model_versions}),
        )

    def similar_to_risk(self, ticker: str, fiscal_year: int, ordinal: int, top: int,
                        filters: SimilarFilters) -> list[dict[str, Any]]:
        import numpy as np

        from sec_analyzer.analysis.similarity import risk_key

        filing = self.queries.published_filing(ticker, fiscal_year)
        if filing is None:
            raise NotFoundError(f"{ticker}-{fiscal_year} is not in the results database")
        vector = self.queries.analysis.risk_vector(filing, ordinal)
        if vector is None:
            raise NotFoundError(f"{filing.partition_key} has no embedded risk factor {ordinal}")
        index = self.similarity_index()
        hits = index.search(np.asarray(vector, dtype=np.float32), top, tickers=filters.tickers, years=filters.years,
                            labels=filters.labels, exclude=[risk_key(filing.filing_id, ordinal)])
        return self._described(hits)

    def similar_to_text(self, text: str, top: int, filters: SimilarFilters) -> list[dict[str, Any]]:
        import numpy as np

        from sec_analyzer.analysis.embedding import get_embedder

        index = self.similarity_index()
        embedder = get_embedder("fast")
        if index.model_versions and embedder.version not in index.model_versions:
            raise NotReadyError(
                f"the stored vectors come from model version(s) {', '.join(index.model_versions)}, not "
                f"{embedder.version}: re-embed the filings to search by text"
            )
        query = embedder.embed([("", text)])[0]
        hits = index.search(np.asarray(query, dtype=np.float32), top, tickers=filters.tickers, years=filters.years,
                            labels=filters.labels)
        return self._described(hits)

    def _described(self, hits: Sequence[Any]) -> list[dict[str, Any]]:
        from sec_analyzer.analysis.similarity import describe

        return [
            {"risk_id": risk.risk_id, "ticker": risk.ticker, "fiscal_year": risk.fiscal_year,
             "ordinal": risk.ordinal, "category_heading": risk.category, "label": risk.label,
             "heading": risk.heading, "score": risk.score}
            for risk in describe(hits, self.queries.analysis)
        ]

    # --- model registry ---------------------------------------------------------------------

    def registry_view(self) -> dict[str, Any]:
        """Champion, candidates and archived versions with their tournament metrics, newest first."""
        serving = self.queries.serving_models()
        if self.registry is None:
            return {"root": None, "problem": self.registry_problem, "champion": None, "versions": [],
                    "history": [], "serving": serving}
        entries = list(reversed(self.registry.list()))
        versions = [
            {
                "key": entry.key, "model_name": entry.model_name, "version": entry.version, "kind": entry.kind,
                "status": entry.status.value, "run_id": entry.run_id, "git_sha": entry.git_sha,
                "data_version": entry.data_version, "created_at": entry.created_at,
                "status_changed_at": entry.status_changed_at, "promoted_by": entry.promoted_by,
                "metrics": _gold_metrics(self.registry.resolve(entry, entry.metrics_path)),
            }
            for entry in entries
        ]
        champion = next((version for version in versions if version["status"] == "champion"), None)
        return {"root": str(self.registry.root), "problem": None, "champion": champion, "versions": versions,
                "history": list(reversed(self.registry.history()))[:HISTORY_SHOWN], "serving": serving}


@dataclass(frozen=True)
class SimilarFilters:
    tickers: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    labels: tuple[str, ...] = ()


def _gold_metrics(path: Path) -> dict[str, Any]:
    """The gold-split figures of a version's `metrics.json`; what is missing stays missing."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        return {"problem": f"cannot read {path.name}: {error}"}
    gold = document.get("gold") if isinstance(document, dict) else None
    if not isinstance(gold, dict):
        return {"problem": f"{path.name} has no gold-split figures"}
    primary = gold.get("primary") or {}
    multilabel = gold.get("multilabel") or {}
    per_category = gold.get("per_category") or {}
    return {
        "macro_f1": primary.get("macro_f1"),
        "micro_f1": primary.get("micro_f1"),
        "multilabel_macro_f1": multilabel.get("macro_f1"),
        "ece": gold.get("ece"),
        "gold_count": gold.get("count"),
        "inference_ms_per_risk": gold.get("inference_ms_per_risk"),
        "train_seconds": document.get("train_seconds"),
        "per_category": {name: score for name, score in per_category.items() if isinstance(score, dict)},
    }
