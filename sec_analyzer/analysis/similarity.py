"""Similar risks across companies: a cosine vector index over every stored risk-factor vector.

The index is a folder next to the results database (`<data dir>/similarity-index/`):
`vectors.npy` (unit vectors, float32), `fields.npz` (each vector's key, company, fiscal year and
primary label), `hnsw.usearch` (a usearch HNSW graph, only once the store reaches
`exact_search_below` vectors) and `manifest.json`. Below that size a query is an exact matrix
product, which is both exact and fast enough; above it, the HNSW graph answers unfiltered
queries and filtered queries whose filter keeps many vectors, while a filter that keeps fewer
than `exact_search_below` vectors is answered exactly over just those.

A vector's key is `filing id << 20 | ordinal`, so updating the index for a republished filing
removes exactly that filing's old vectors. Writers take a lock file and replace the folder in
one rename, so a reader sees the old index or the new one, never half of each.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sec_analyzer.analysis.analysis_config import SimilaritySettings
from sec_analyzer.errors import SecAnalyzerError

if TYPE_CHECKING:
    import numpy as np

    from sec_analyzer.storage.analysis_repo import AnalysisRepository

INDEX_FOLDER = "similarity-index"
ORDINAL_BITS = 20
FORMAT_VERSION = 1
# HNSW is approximate: ask it for more neighbours than wanted, then keep the best after filtering.
OVERSAMPLE = 4


class SimilarityIndexError(SecAnalyzerError):
    """The similarity index is missing, unreadable or does not fit the query."""


def risk_key(filing_id: int, ordinal: int) -> int:
    return (filing_id << ORDINAL_BITS) | ordinal


def split_key(key: int) -> tuple[int, int]:
    return key >> ORDINAL_BITS, key & ((1 << ORDINAL_BITS) - 1)


@dataclass(frozen=True)
class Hit:
    key: int
    score: float  # cosine similarity

    @property
    def filing_id(self) -> int:
        return split_key(self.key)[0]

    @property
    def ordinal(self) -> int:
        return split_key(self.key)[1]


@dataclass(frozen=True)
class IndexSummary:
    vectors: int
    filings: int
    hnsw: bool
    model_versions: tuple[str, ...]
    seconds: float


class VectorIndex:
    """Unit vectors with their filter fields, sorted by key; exact or HNSW search."""

    def __init__(
        self,
        settings: SimilaritySettings,
        keys: np.ndarray,
        vectors: np.ndarray,
        tickers: np.ndarray,
        years: np.ndarray,
        labels: np.ndarray,
        model_versions: Sequence[str] = (),
        hnsw: Any = None,
    ) -> None:
        import numpy as np

        order = np.argsort(keys, kind="stable")
        self.settings = settings
        self.keys = np.asarray(keys, dtype=np.uint64)[order]
        self.vectors = _unit(_matrix(vectors)[order])
        self.tickers = np.asarray(tickers, dtype=str)[order]
        self.years = np.asarray(years, dtype=np.int64)[order]
        self.labels = np.asarray(labels, dtype=str)[order]
        self.model_versions = tuple(sorted(set(model_versions)))
        self._hnsw = hnsw
        if self._hnsw is None and len(self.keys) >= settings.exact_search_below:
            self._hnsw = self._build_hnsw()

    @classmethod
    def empty(cls, settings: SimilaritySettings, dimension: int) -> VectorIndex:
        import numpy as np

        return cls(settings, np.zeros(0, np.uint64), np.zeros((0, dimension), np.float32),
                   np.zeros(0, str), np.zeros(0, np.int64), np.zeros(0, str))

    def __len__(self) -> int:
        return len(self.keys)

    @property
    def dimension(self) -> int:
        return int(self.vectors.shape[1])

    @property
    def uses_hnsw(self) -> bool:
        return self._hnsw is not None

    def set_expansion_search(self, expansion: int) -> None:
        """The HNSW search breadth (more is slower and finds more of the exact neighbours)."""
        if self._hnsw is not None:
            self._hnsw.expansion_search = expansion

    @property
    def hnsw_bytes(self) -> int:
        return int(self._hnsw.memory_usage) if self._hnsw is not None else 0

    def _build_hnsw(self) -> Any:
        index = usearch_index_class()(
            ndim=self.dimension,
            metric="cos",
            dtype="f32",
            connectivity=self.settings.connectivity,
            expansion_add=self.settings.expansion_add,
            expansion_search=self.settings.expansion_search,
        )
        if len(self.keys):
            index.add(self.keys, self.vectors)
        return index

    def replaced(
        self,
        filing_ids: Sequence[int],
        keys: np.ndarray,
        vectors: np.ndarray,
        tickers: Sequence[str],
        years: np.ndarray,
        labels: Sequence[str | None],
        model_versions: Sequence[str],
    ) -> VectorIndex:
        """A new index without the given filings' vectors and with `keys`/`vectors` added."""
        import numpy as np

        keep = ~np.isin(self.keys >> np.uint64(ORDINAL_BITS), np.asarray(filing_ids, dtype=np.uint64))
        hnsw = self._hnsw
        if hnsw is not None:
            hnsw.remove(self.keys[~keep])
            if len(keys):
                hnsw.add(np.asarray(keys, dtype=np.uint64), _unit(np.asarray(vectors, dtype=np.float32)))
        return VectorIndex(
            self.settings,
            np.concatenate([self.keys[keep], np.asarray(keys, dtype=np.uint64)]),
            np.concatenate([self.vectors[keep], _matrix(vectors)]),
            np.concatenate([self.tickers[keep], np.asarray(tickers, dtype=str)]),
            np.concatenate([self.years[keep], np.asarray(years, dtype=np.int64)]),
            np.concatenate([self.labels[keep], np.asarray([label or "" for label in labels], dtype=str)]),
            (*self.model_versions, *model_versions),
            hnsw,
        )

    def search(
        self,
        query: np.ndarray,
        top: int = 10,
        *,
        tickers: Sequence[str] = (),
        years: Sequence[int] = (),
        labels: Sequence[str] = (),
        exclude: Sequence[int] = (),
        exact: bool = False,
    ) -> list[Hit]:
        """The `top` stored vectors closest to `query` (cosine), best first, among those whose
        company, fiscal year and primary label are in the given lists (empty = any)."""
        import numpy as np

        if query.shape != (self.dimension,):
            raise SimilarityIndexError(
                f"the query vector has shape {query.shape}, the index holds {self.dimension}-dimensional vectors"
            )
        query = _unit(query.astype(np.float32)[None, :])[0]
        allowed = np.ones(len(self.keys), dtype=bool)
        if tickers:
            allowed &= np.isin(self.tickers, [ticker.upper() for ticker in tickers])
        if years:
            allowed &= np.isin(self.years, list(years))
        if labels:
            allowed &= np.isin(self.labels, list(labels))
        if exclude:
            allowed &= ~np.isin(self.keys, np.asarray(exclude, dtype=np.uint64))
        candidates = int(allowed.sum())
        if top <= 0 or candidates == 0:
            return []
        if exact or self._hnsw is None or candidates < self.settings.exact_search_below:
            return self._exact(query, min(top, candidates), allowed)
        return self._approximate(query, top, allowed, candidates)

    def _exact(self, query: np.ndarray, top: int, allowed: np.ndarray) -> list[Hit]:
        import numpy as np

        # a filter gathers just its rows: the time follows the candidates, not the store
        rows = np.arange(len(self.keys)) if allowed.all() else np.flatnonzero(allowed)
        scores = (self.vectors if len(rows) == len(self.keys) else self.vectors[rows]) @ query
        best = np.argpartition(-scores, top - 1)[:top]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [Hit(int(self.keys[rows[index]]), float(scores[index])) for index in best]

    def _approximate(self, query: np.ndarray, top: int, allowed: np.ndarray, candidates: int) -> list[Hit]:
        import numpy as np

        wanted = top * OVERSAMPLE * max(1, round(len(self.keys) / candidates))
        while True:
            matches = self._hnsw.search(query, min(wanted, len(self.keys)))
            rows = np.searchsorted(self.keys, matches.keys)
            keep = allowed[rows]
            if keep.sum() >= top or wanted >= len(self.keys):
                break
            wanted *= OVERSAMPLE
        return [
            Hit(int(key), float(1.0 - distance))
            for key, distance in zip(matches.keys[keep][:top], matches.distances[keep][:top], strict=True)
        ]

    # --- persistence ------------------------------------------------------------------------

    def save(self, directory: Path) -> None:
        """Write the index as `directory`, replacing what was there in one rename."""
        import numpy as np

        directory.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}-", dir=directory.parent))
        try:
            np.save(staging / "vectors.npy", self.vectors)
            np.savez(staging / "fields.npz", keys=self.keys, tickers=self.tickers, years=self.years,
                     labels=self.labels)
            if self._hnsw is not None:
                self._hnsw.save(str(staging / "hnsw.usearch"))
            manifest = {
                "format": FORMAT_VERSION,
                "vectors": len(self.keys),
                "dimension": self.dimension,
                "hnsw": self._hnsw is not None,
                "model_versions": list(self.model_versions),
                "written_at": datetime.now(UTC).isoformat(),
            }
            (staging / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
            staging.chmod(0o755)
            retired = directory.with_name(f".{directory.name}-retired")
            shutil.rmtree(retired, ignore_errors=True)
            if directory.exists():
                directory.rename(retired)
            staging.rename(directory)
            shutil.rmtree(retired, ignore_errors=True)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    @classmethod
    def load(cls, directory: Path, settings: SimilaritySettings) -> VectorIndex:
        import numpy as np

        manifest_path = directory / "manifest.json"
        if not manifest_path.is_file():
            raise SimilarityIndexError(
                f"no similarity index at {directory}; build it with `sec-analyzer similar --rebuild-index`"
            )
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            if manifest.get("format") != FORMAT_VERSION:
                raise SimilarityIndexError(
                    f"the similarity index at {directory} has format {manifest.get('format')}, this code reads "
                    f"{FORMAT_VERSION}; rebuild it with `sec-analyzer similar --rebuild-index`"
                )
            vectors = np.load(directory / "vectors.npy")
            fields = np.load(directory / "fields.npz")
            hnsw = None
            if manifest["hnsw"]:
                hnsw = usearch_index_class().restore(str(directory / "hnsw.usearch"))
                hnsw.expansion_search = settings.expansion_search
        except (OSError, ValueError, KeyError) as error:
            raise SimilarityIndexError(
                f"the similarity index at {directory} is unreadable ({error}); rebuild it with "
                "`sec-analyzer similar --rebuild-index`"
            ) from error
        return cls(settings, fields["keys"], vectors, fields["tickers"], fields["years"], fields["labels"],
                   manifest["model_versions"], hnsw)


def usearch_index_class() -> Any:
    """usearch's `Index`, imported after OpenVINO: once usearch's extension is loaded, compiling an
    OpenVINO model in the same process fails ("Exception from src/inference/src/cpp/core.cpp"),
    and the processes that update the index (Dagster) or embed query texts (`similar`) embed too.
    Loading OpenVINO first avoids the clash."""
    with contextlib.suppress(ImportError):
        import openvino  # noqa: F401

    from usearch.index import Index

    return Index


def _matrix(vectors: np.ndarray) -> np.ndarray:
    import numpy as np

    matrix = np.asarray(vectors, dtype=np.float32)
    if matrix.ndim != 2:
        raise SimilarityIndexError(f"expected a matrix of vectors, got an array of shape {matrix.shape}")
    return matrix


def _unit(matrix: np.ndarray) -> np.ndarray:
    import numpy as np

    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    unit: np.ndarray = (matrix / np.maximum(norms, 1e-12)).astype(np.float32)
    return unit


def default_index_dir() -> Path:
    from sec_analyzer.settings import get_settings

    return get_settings().data_dir / INDEX_FOLDER


@contextmanager
def _writer_lock(directory: Path) -> Iterator[None]:
    directory.parent.mkdir(parents=True, exist_ok=True)
    with (directory.parent / f".{directory.name}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def rebuild_index(repository: AnalysisRepository, directory: Path, settings: SimilaritySettings) -> IndexSummary:
    """Build the index from every vector in the results database and replace the stored one."""
    import time

    started = time.perf_counter()
    with _writer_lock(directory):
        index = _index_of_database(repository, settings)
        index.save(directory)
    return _summary(index, time.perf_counter() - started)


def update_index(
    repository: AnalysisRepository, directory: Path, partition_keys: Sequence[str], settings: SimilaritySettings
) -> IndexSummary:
    """Bring the index up to date for the given filings (published or republished). Builds the
    whole index instead when there is none yet (or an empty one), or when the filings' vectors
    come from a model version the index does not hold yet. A deleted filing's vectors stay until
    the next rebuild (the search drops hits whose risk is gone)."""
    import time

    import numpy as np

    started = time.perf_counter()
    with _writer_lock(directory):
        parts = list(repository.stored_vectors(partition_keys))
        versions = {version for part in parts for version in part.model_versions}
        index = VectorIndex.load(directory, settings) if (directory / "manifest.json").is_file() else None
        if index is None or not len(index) or not versions <= set(index.model_versions):
            index = _index_of_database(repository, settings)
        else:
            filing_ids = list(repository.filing_ids(partition_keys).values())
            index = index.replaced(
                filing_ids,
                np.concatenate([_keys(part.filing_ids, part.ordinals) for part in parts] or [np.zeros(0, np.uint64)]),
                np.concatenate([part.vectors for part in parts] or [np.zeros((0, index.dimension), np.float32)]),
                [ticker for part in parts for ticker in part.tickers],
                np.concatenate([part.fiscal_years for part in parts] or [np.zeros(0, np.int64)]),
                [label for part in parts for label in part.labels],
                sorted(versions),
            )
        index.save(directory)
    return _summary(index, time.perf_counter() - started)


def _index_of_database(repository: AnalysisRepository, settings: SimilaritySettings) -> VectorIndex:
    import numpy as np

    parts = list(repository.stored_vectors())
    if not parts:
        return VectorIndex.empty(settings, 0)
    return VectorIndex(
        settings,
        np.concatenate([_keys(part.filing_ids, part.ordinals) for part in parts]),
        np.concatenate([part.vectors for part in parts]),
        np.concatenate([np.asarray(part.tickers, dtype=str) for part in parts]),
        np.concatenate([part.fiscal_years for part in parts]),
        np.concatenate([np.asarray([label or "" for label in part.labels], dtype=str) for part in parts]),
        sorted({version for part in parts for version in part.model_versions}),
    )


def _keys(filing_ids: np.ndarray, ordinals: np.ndarray) -> np.ndarray:
    import numpy as np

    return (filing_ids.astype(np.uint64) << np.uint64(ORDINAL_BITS)) | ordinals.astype(np.uint64)


def _summary(index: VectorIndex, seconds: float) -> IndexSummary:
    filings = len({split_key(int(key))[0] for key in index.keys})
    return IndexSummary(len(index), filings, index.uses_hnsw, index.model_versions, round(seconds, 3))


@dataclass(frozen=True)
class SimilarRisk:
    ticker: str
    fiscal_year: int
    ordinal: int
    category: str | None
    label: str | None
    heading: str
    score: float

    @property
    def risk_id(self) -> str:
        return f"{self.ticker}-{self.fiscal_year}-{self.ordinal:03d}"


def describe(hits: Sequence[Hit], repository: AnalysisRepository) -> list[SimilarRisk]:
    """Hits with company, year, category, label and heading from the results database."""
    details = repository.risk_details([(hit.filing_id, hit.ordinal) for hit in hits])
    results = []
    for hit in hits:
        detail = details.get((hit.filing_id, hit.ordinal))
        if detail is None:  # deleted since the index was written
            continue
        results.append(SimilarRisk(detail.ticker, detail.fiscal_year, detail.ordinal, detail.category,
                                   detail.label, detail.heading, round(hit.score, 4)))
    return results


def closest_peer_risks(
    index: VectorIndex, repository: AnalysisRepository, partition_key: str, leading: int = 3
) -> list[dict[str, object]]:
    """For a filing's first `leading` risks (filers lead with what matters most), the closest
    stored risk of another company: the filing's UI metadata."""
    import numpy as np

    filing = repository.filing_by_key(partition_key)
    if filing is None:
        raise SimilarityIndexError(f"{partition_key} is not in the results database")
    peers: list[dict[str, object]] = []
    for risk in repository.risks(filing)[:leading]:
        if risk.vector is None:
            continue
        hits = index.search(np.asarray(risk.vector, dtype=np.float32), 10 * OVERSAMPLE)
        others = [match for match in describe(hits, repository) if match.ticker != filing.ticker]
        if others:
            best = others[0]
            peers.append({"ordinal": risk.ordinal, "heading": risk.heading, "peer_risk": best.risk_id,
                          "peer_heading": best.heading, "score": best.score})
    return peers
