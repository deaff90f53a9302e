"""Real risk factors of a corpus 10-K, and the process's embedders, for the analysis tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from sec_analyzer.analysis.embedding import Embedder, get_embedder
from sec_analyzer.domain import RiskFactor
from sec_analyzer_tests.analysis.yoy_fixtures import (  # noqa: F401 - the year-over-year analyses' fixtures
    ko_2023,
    ko_2023_factors,
    ko_2024,
    ko_2024_factors,
    ko_database,
    primary_labels,
    vector_cache,
)

APPLE_2024 = Path("10-K/AAPL/0000320193-24-000123/primary-document.html")


@pytest.fixture(scope="session")
def apple_risks(corpus_dir: Path) -> list[RiskFactor]:
    from sec_analyzer.preprocessing.parser import parse_file
    from sec_analyzer.preprocessing.segmenter import segment_document

    risks = segment_document(parse_file(corpus_dir / APPLE_2024), with_features=False).risk_factors
    assert len(risks) > 20, "the Apple 2024 corpus filing should give its risk factors"
    return risks


@pytest.fixture(scope="session")
def fast_embedder() -> Embedder:
    # the machine's model cache, as in production: the OpenVINO export happens once per machine
    return get_embedder("fast")


@pytest.fixture(scope="session")
def fp32_embedder() -> Embedder:
    return get_embedder("fp32")
