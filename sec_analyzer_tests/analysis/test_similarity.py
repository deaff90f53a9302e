"""The similarity index: exact and HNSW search agree, filters hold, the index persists and updates
per filing, and `sec-analyzer similar` finds a real risk's counterpart of the year before."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from sec_analyzer.analysis.analysis_config import SimilaritySettings, load_analysis_settings
from sec_analyzer.analysis.changes import Risk
from sec_analyzer.analysis.similarity import (
    SimilarityIndexError,
    VectorIndex,
    closest_peer_risks,
    rebuild_index,
    risk_key,
    split_key,
    update_index,
)


def _settings(exact_search_below: int) -> SimilaritySettings:
    return load_analysis_settings().similarity.model_copy(update={"exact_search_below": exact_search_below})


def _clustered(count: int, rng: np.random.Generator, dimension: int = 64) -> np.ndarray:
    centres = rng.normal(size=(40, dimension))
    vectors = centres[rng.integers(0, 40, size=count)] + 0.7 * rng.normal(size=(count, dimension))
    return vectors.astype(np.float32)


def _index(count: int, settings: SimilaritySettings, rng: np.random.Generator) -> VectorIndex:
    keys = np.array([risk_key(filing, ordinal) for filing in range(1, count // 20 + 1) for ordinal in range(1, 21)],
                    dtype=np.uint64)[:count]
    years = 2020 + (keys >> np.uint64(20)).astype(np.int64) % 5
    tickers = np.array([f"T{int(key >> np.uint64(20)) % 7}" for key in keys])
    labels = np.array([f"label-{int(key) % 3}" for key in keys])
    return VectorIndex(settings, keys, _clustered(count, rng), tickers, years, labels, ["v1"])


def test_hnsw_finds_what_exact_search_finds_and_filters_hold() -> None:
    rng = np.random.default_rng(1)
    index = _index(3000, _settings(exact_search_below=500), rng)
    assert index.uses_hnsw
    queries = _clustered(50, rng)
    recalls = []
    for query in queries:
        approximate = {hit.key for hit in index.search(query, 10)}
        exact = {hit.key for hit in index.search(query, 10, exact=True)}
        recalls.append(len(approximate & exact) / 10)
    assert np.mean(recalls) >= 0.95

    hits = index.search(queries[0], 10, tickers=["t3"], years=[2021, 2022], labels=["label-1"])
    assert hits
    rows = np.searchsorted(index.keys, [hit.key for hit in hits])
    assert set(index.tickers[rows]) == {"T3"}
    assert set(index.years[rows]) <= {2021, 2022}
    assert set(index.labels[rows]) == {"label-1"}
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)

    nearest = index.search(queries[0], 1)[0]
    assert nearest.key not in {hit.key for hit in index.search(queries[0], 5, exclude=[nearest.key])}


def test_a_small_store_is_searched_exactly() -> None:
    index = _index(200, _settings(exact_search_below=1000), np.random.default_rng(2))
    assert not index.uses_hnsw
    query = index.vectors[17]
    assert index.search(query, 1)[0].key == index.keys[17]
    assert index.search(query, 1)[0].score == pytest.approx(1.0, abs=1e-5)


def test_the_index_persists_and_replaces_one_filings_vectors(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    settings = _settings(exact_search_below=100)
    index = _index(400, settings, rng)
    index.save(tmp_path / "index")
    loaded = VectorIndex.load(tmp_path / "index", settings)
    query = _clustered(1, rng)[0]
    assert [hit.key for hit in loaded.search(query, 5)] == [hit.key for hit in index.search(query, 5)]

    new_vectors = _clustered(3, rng)
    new_keys = np.array([risk_key(2, ordinal) for ordinal in (1, 2, 3)], dtype=np.uint64)
    updated = loaded.replaced([2], new_keys, new_vectors, ["T2"] * 3, np.array([2022] * 3), [None] * 3, ["v1"])
    assert len(updated) == 400 - 20 + 3
    filing_two = sorted(split_key(int(key))[1] for key in updated.keys if split_key(int(key))[0] == 2)
    assert filing_two == [1, 2, 3]
    assert updated.search(new_vectors[1], 1)[0].key == new_keys[1]


def test_a_missing_index_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SimilarityIndexError, match="no similarity index"):
        VectorIndex.load(tmp_path / "nowhere", _settings(100))


def test_the_index_over_the_results_database_and_the_cli(
    ko_database: str, ko_2023: list[Risk], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sec_analyzer.analysis.analysis_commands import similar
    from sec_analyzer.storage.analysis_repo import AnalysisRepository
    from sec_analyzer.storage.db_clients import create_db_engine

    repository = AnalysisRepository(create_db_engine(ko_database))
    settings = _settings(exact_search_below=50)  # 84 stored risks: the HNSW path
    directory = tmp_path / "data" / "similarity-index"
    built = rebuild_index(repository, directory, settings)
    assert (built.vectors, built.filings, built.hnsw) == (84, 2, True)
    updated = update_index(repository, directory, ["KO-2024"], settings)
    assert (updated.vectors, updated.filings) == (84, 2)
    # no index yet, or an empty one (built before anything was embedded): the update builds it all
    assert update_index(repository, tmp_path / "fresh", ["KO-2024"], settings).vectors == 84
    VectorIndex.empty(settings, 0).save(tmp_path / "empty")
    assert update_index(repository, tmp_path / "empty", ["KO-2024"], settings).vectors == 84
    # a filing's peers are other companies' risks: the store holds only Coca-Cola
    assert closest_peer_risks(VectorIndex.load(directory, settings), repository, "KO-2024") == []

    monkeypatch.setenv("SEC_ANALYZER_DATABASE_URL", ko_database)
    monkeypatch.setenv("SEC_ANALYZER_DATA_DIR", str(tmp_path / "data"))
    result = CliRunner().invoke(similar, ["--risk", "KO-2024-39", "--top", "3", "--format", "json"])
    assert result.exit_code == 0, result.output
    hits = json.loads(result.output)
    assert len(hits) == 3
    assert list(hits[0]) == ["risk_id", "ticker", "fiscal_year", "ordinal", "category", "label", "heading", "score"]
    water = ko_2023[38]
    assert (hits[0]["risk_id"], hits[0]["heading"]) == ("KO-2023-039", water.heading)  # the same risk a year before
    assert hits[0]["score"] > 0.9

    result = CliRunner().invoke(similar, ["shortage of clean water for bottling plants", "--year", "2023"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].split()[2] == "KO-2023-039"

    result = CliRunner().invoke(similar, ["--risk", "KO-2024"])
    assert result.exit_code != 0 and "TICKER-YEAR-ORDINAL" in result.output
