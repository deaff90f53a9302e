"""Real risk factors of Coca-Cola's 10-Ks for fiscal 2023 and 2024 (segmented from the shared
corpus), embedded once per session, and a results database holding both, for the year-over-year,
similarity and drift tests. Import the fixtures into a test module to use them."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest

from sec_analyzer.analysis.changes import Risk
from sec_analyzer.analysis.embedding import Embedder, get_embedder
from sec_analyzer.domain import RiskFactor, filing_key

KO_2023 = Path("10-K/KO/0000021344-24-000009/primary-document.html")
KO_2024 = Path("10-K/KO/filed-2025-02-20/primary-document.html")
KO_CIK = 21344


class VectorCache:
    """Embeds each distinct (heading, body) once per session."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder
        self._vectors: dict[tuple[str, str], list[float]] = {}

    def risks(self, pieces: Sequence[tuple[str, str, str | None]]) -> list[Risk]:
        """(heading, body, category) in filing order -> risks with ordinals from 1 and vectors."""
        missing = list(dict.fromkeys((heading, text) for heading, text, _ in pieces
                                     if (heading, text) not in self._vectors))
        for key, vector in zip(missing, self._embedder.embed(missing), strict=True):
            self._vectors[key] = vector.tolist()
        return [Risk(ordinal, heading, text, category, self._vectors[(heading, text)])
                for ordinal, (heading, text, category) in enumerate(pieces, start=1)]


def segmented(corpus_dir: Path, document: Path) -> list[RiskFactor]:
    from sec_analyzer.preprocessing.parser import parse_file
    from sec_analyzer.preprocessing.segmenter import segment_document

    risks = segment_document(parse_file(corpus_dir / document), with_features=False).risk_factors
    assert len(risks) > 30, f"{document} should give Coca-Cola's ~42 risk factors"
    return risks


@pytest.fixture(scope="session")
def vector_cache() -> VectorCache:
    return VectorCache(get_embedder("fast"))


@pytest.fixture(scope="session")
def ko_2023_factors(corpus_dir: Path) -> list[RiskFactor]:
    return segmented(corpus_dir, KO_2023)


@pytest.fixture(scope="session")
def ko_2024_factors(corpus_dir: Path) -> list[RiskFactor]:
    return segmented(corpus_dir, KO_2024)


@pytest.fixture(scope="session")
def ko_2023(ko_2023_factors: list[RiskFactor], vector_cache: VectorCache) -> list[Risk]:
    return vector_cache.risks([(risk.heading, risk.text, risk.category) for risk in ko_2023_factors])


@pytest.fixture(scope="session")
def ko_2024(ko_2024_factors: list[RiskFactor], vector_cache: VectorCache) -> list[Risk]:
    return vector_cache.risks([(risk.heading, risk.text, risk.category) for risk in ko_2024_factors])


def publish(url: str, ticker: str, fiscal_year: int, factors: Sequence[RiskFactor], risks: Sequence[Risk],
            labels: Sequence[str], number: int) -> None:
    """Publish one filing with its vectors and primary labels to the results database at `url`."""
    from sec_analyzer.storage.db_clients import create_db_engine
    from sec_analyzer.storage.results_repo import FilingRecord, ModelOutputs, ResultsRepository

    accession = f"{KO_CIK:010d}-{fiscal_year % 100:02d}-{number:06d}"
    record = FilingRecord(
        partition_key=filing_key(ticker, fiscal_year), accession_number=accession, cik=KO_CIK, ticker=ticker,
        company_name="The Coca-Cola Company", form="10-K", fiscal_year=fiscal_year,
        filing_date=date(fiscal_year + 1, 2, 20), report_date=date(fiscal_year, 12, 31),
        period_end=date(fiscal_year, 12, 31), url=f"https://www.sec.gov/Archives/edgar/data/{KO_CIK}/{accession}.htm",
    )
    embedder = get_embedder("fast")
    outputs = ModelOutputs(
        embedding_model=embedder.name, embedding_version=embedder.version,
        embedding_path=embedder.path, dimension=embedder.dimension,
        vectors={risk.ordinal: list(risk.vector or ()) for risk in risks},
        classifier_name="test", classifier_version="test",
        labels={risk.ordinal: [(label, 1.0)] for risk, label in zip(risks, labels, strict=True)},
    )
    factors = [dataclasses.replace(factor, ordinal=risk.ordinal) for factor, risk in zip(factors, risks, strict=True)]
    engine = create_db_engine(url)
    try:
        ResultsRepository(engine).publish_filing(record, [], factors, outputs)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def primary_labels(ko_2023: list[Risk], ko_2024: list[Risk]) -> tuple[list[str], list[str]]:
    """The zero-shot classifier's primary labels of both years."""
    from sec_analyzer.analysis.classifier import get_classifier

    classifier = get_classifier(get_embedder("fast"))
    import numpy as np

    labels = []
    for risks in (ko_2023, ko_2024):
        results = classifier.classify([str(risk.ordinal) for risk in risks],
                                      np.asarray([risk.vector for risk in risks], dtype=np.float32),
                                      [risk.heading for risk in risks], [risk.text for risk in risks])
        labels.append([result.primary for result in results])
    return labels[0], labels[1]


@pytest.fixture(scope="session")
def ko_database(
    tmp_path_factory: pytest.TempPathFactory,
    ko_2023_factors: list[RiskFactor],
    ko_2024_factors: list[RiskFactor],
    ko_2023: list[Risk],
    ko_2024: list[Risk],
    primary_labels: tuple[list[str], list[str]],
) -> str:
    """A SQLite results database holding KO-2023 and KO-2024 with vectors and labels (its URL)."""
    from sec_analyzer.storage.schema import upgrade_to_head

    url = f"sqlite:///{tmp_path_factory.mktemp('results') / 'results.db'}"
    upgrade_to_head(url)
    publish(url, "KO", 2023, ko_2023_factors, ko_2023, primary_labels[0], 1)
    publish(url, "KO", 2024, ko_2024_factors, ko_2024, primary_labels[1], 2)
    return url
