"""Similar-risk search at 100,000 stored risks: HNSW (usearch) against exact search in the same run.

The store is the real risk vectors (from the results database, else embedded from corpus
filings) plus synthetic unit vectors up to `--size`. By default the synthetic vectors come from a
Gaussian fitted to the real vectors (their mean and covariance, renormalised), so the store keeps
the shape of real risk embeddings; `--synthetic noisy` puts isotropic noise around real vectors
and `--synthetic uniform` draws uniformly on the sphere, both full-dimensional clouds that real
embeddings are not and that no graph index searches well. Queries are fresh draws of the same
kind, never stored vectors.

Measured: build time and memory of the index, query latency (p50, p95) of the HNSW path and of
exact search, recall@10 of HNSW against exact search, and the same for filtered queries (one
fiscal year: below `exact_search_below` candidates the index answers exactly).

    .venv/bin/python benchmarks/similarity.py [--size 100000] [--queries 500] [--synthetic fitted|noisy|uniform]

Prints a table and writes benchmarks/results/similarity.md.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

from sec_analyzer.analysis.analysis_config import load_analysis_settings
from sec_analyzer.analysis.similarity import VectorIndex

RESULTS = Path(__file__).parent / "results" / "similarity.md"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "10-K"
NOISE = 0.6  # per-vector noise norm relative to the unit real vector it is drawn around
TOP = 10
EXPANSIONS = (32, 64, 128, 256, 512)


def real_vectors(minimum: int) -> tuple[np.ndarray, str]:
    from sec_analyzer.settings import get_settings
    from sec_analyzer.storage.analysis_repo import AnalysisRepository
    from sec_analyzer.storage.db_clients import create_db_engine

    url = get_settings().resolved_database_url
    parts = list(AnalysisRepository(create_db_engine(url)).stored_vectors())
    if parts and sum(len(part.vectors) for part in parts) >= minimum:
        vectors = np.concatenate([part.vectors for part in parts])
        return vectors, f"{len(vectors)} real vectors from the results database"
    return _embedded_corpus(), "real vectors embedded from corpus filings"


def _embedded_corpus() -> np.ndarray:
    from sec_analyzer.analysis.embedding import get_embedder
    from sec_analyzer.preprocessing.parser import parse_file
    from sec_analyzer.preprocessing.segmenter import segment_document

    embedder = get_embedder("fast")
    vectors = []
    for document in sorted(CORPUS.glob("*/*/primary-document.html"))[:8]:
        risks = segment_document(parse_file(document), with_features=False).risk_factors
        vectors.append(embedder.embed([(risk.heading, risk.text) for risk in risks]))
    return np.concatenate(vectors)


def synthetic(real: np.ndarray, count: int, rng: np.random.Generator, kind: str) -> np.ndarray:
    """Unit vectors drawn from a Gaussian with the real vectors' mean and covariance ("fitted": the
    same spread over the same directions as real risks), around real vectors with isotropic noise
    ("noisy": noise in all 384 directions, which real embeddings do not have), or uniformly."""
    if kind == "fitted":
        mean = real.mean(axis=0)
        _, singular, directions = np.linalg.svd(real - mean, full_matrices=False)
        scale = singular / np.sqrt(len(real) - 1)
        draws = mean + (rng.normal(size=(count, len(singular))) * scale) @ directions
    elif kind == "noisy":
        anchors = real[rng.integers(0, len(real), size=count)]
        noise = rng.normal(size=(count, real.shape[1]))
        draws = anchors + NOISE * noise / np.linalg.norm(noise, axis=1, keepdims=True)
    else:
        draws = rng.normal(size=(count, real.shape[1]))
    return (draws / np.linalg.norm(draws, axis=1, keepdims=True)).astype(np.float32)


def resident_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def percentile_ms(samples: list[float], share: float) -> float:
    return float(np.percentile(samples, share) * 1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--synthetic", choices=["fitted", "noisy", "uniform"], default="fitted")
    arguments = parser.parse_args()
    rng = np.random.default_rng(0)
    settings = load_analysis_settings().similarity

    real, source = real_vectors(minimum=200)
    drawn = synthetic(real, max(arguments.size - len(real), 0), rng, arguments.synthetic)
    vectors = np.concatenate([real, drawn])[: arguments.size]
    count = len(vectors)
    keys = np.arange(1, count + 1, dtype=np.uint64)
    years = rng.integers(2019, 2026, size=count)
    tickers = np.array([f"T{number % 500:03d}" for number in range(count)])
    labels = np.array([f"category-{number % 20}" for number in range(count)])

    rss_before = resident_mb()
    started = time.perf_counter()
    index = VectorIndex(settings, keys, vectors, tickers, years, labels, ["benchmark"])
    build_seconds = time.perf_counter() - started
    rss_after = resident_mb()
    if not index.uses_hnsw:
        raise SystemExit(f"{count} vectors stay below exact_search_below ({settings.exact_search_below}): no HNSW")
    graph_mb = index.hnsw_bytes / 2**20
    vectors_mb = index.vectors.nbytes / 2**20

    queries = synthetic(real, arguments.queries, rng, arguments.synthetic)
    rows: list[tuple[str, float, float, float]] = []
    for name, filters in (("unfiltered", {}), ("one fiscal year (1/7 of the store)", {"years": [2024]})):
        exact_times, exact_keys = [], []
        for query in queries:
            started = time.perf_counter()
            exact_keys.append({hit.key for hit in index.search(query, TOP, exact=True, **filters)})
            exact_times.append(time.perf_counter() - started)
        rows.append((f"exact (baseline), {name}", percentile_ms(exact_times, 50), percentile_ms(exact_times, 95), 1.0))
        # expansion_search is a query-time setting: one graph, several speed/recall points
        for expansion in sorted({settings.expansion_search, *EXPANSIONS}) if not filters else [settings.expansion_search]:
            index.set_expansion_search(expansion)
            times, recalls = [], []
            for query, expected in zip(queries, exact_keys, strict=True):
                started = time.perf_counter()
                found = index.search(query, TOP, **filters)
                times.append(time.perf_counter() - started)
                recalls.append(len({hit.key for hit in found} & expected) / TOP)
            served = "HNSW" if not filters else "as served (exact below exact_search_below candidates)"
            rows.append((f"{served}, expansion_search {expansion}, {name}", percentile_ms(times, 50),
                         percentile_ms(times, 95), float(np.mean(recalls))))
        index.set_expansion_search(settings.expansion_search)

    kind = {"fitted": "drawn from a Gaussian with the real vectors' mean and covariance",
            "noisy": f"real vectors + isotropic noise of norm {NOISE}",
            "uniform": "uniform on the sphere"}[arguments.synthetic]
    lines = [
        "# Similar-risk search: usearch HNSW against exact search",
        "",
        f"Store: {count:,} unit vectors of {vectors.shape[1]} dimensions ({source}; the rest synthetic, {kind}). "
        f"{arguments.queries} fresh queries, top {TOP}. HNSW connectivity {settings.connectivity}, "
        f"expansion_add {settings.expansion_add}, expansion_search {settings.expansion_search}. "
        f"`.venv/bin/python benchmarks/similarity.py --size {arguments.size} --queries {arguments.queries}"
        f" --synthetic {arguments.synthetic}` on {len(os.sched_getaffinity(0))} CPU cores "
        "shared with other work.",
        "",
        f"- build: {build_seconds:.1f} s; graph {graph_mb:.0f} MB + vectors {vectors_mb:.0f} MB; "
        f"resident memory {rss_before:.0f} → {rss_after:.0f} MB over the build (the index keeps its own "
        "sorted copy of the vectors)",
        "",
        "| search | p50 ms | p95 ms | recall@10 vs exact |",
        "|---|---|---|---|",
        *(f"| {name} | {p50:.2f} | {p95:.2f} | {recall:.3f} |" for name, p50, p95, recall in rows),
        "",
        "Target: p95 < 50 ms with recall@10 ≥ 0.95 at 100,000 stored risks.",
    ]
    report = "\n".join(lines) + "\n"
    print(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
