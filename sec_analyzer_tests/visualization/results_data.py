"""A results database as the pipeline leaves it, for the API and dashboard tests and the benchmark.

Real risk factors segmented from corpus 10-Ks (Coca-Cola, Boeing and Johnson & Johnson fiscal
2023 and 2024, Apple 2024), real vectors from the embedder and labels from the serving
classifier, published through `ResultsRepository.publish_filing`; the year-over-year changes of
the 2024 filings computed and stored by `refresh_filing_changes` (Boeing added risks in 2024 and
Johnson & Johnson dropped some, so NEW and REMOVED occur); a filing the quality gate blocked,
known to the filing index only; and a model registry of two classifier versions (the gold figures
of their `metrics.json` are made up for the page: the registry and its manager are real, the
training is not run here). The corpus does not record the accession numbers of its
`filed-2025-*` copies; the ones used here only need to be unique.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from sec_analyzer.contracts import PIPELINE, PUBLISHED
from sec_analyzer.domain import RiskFactor, filing_key
from sec_analyzer.storage.db_clients import create_db_engine
from sec_analyzer.storage.filing_index_repo import FilingIndexRecord, SqlFilingIndex
from sec_analyzer.storage.results_repo import FilingRecord, ItemRecord, ModelOutputs, ResultsRepository
from sec_analyzer.storage.schema import upgrade_to_head


@dataclass(frozen=True)
class CorpusFiling:
    ticker: str
    cik: int
    company_name: str
    fiscal_year: int
    accession_number: str
    path: str  # under the corpus folder
    filing_date: date


CORPUS_FILINGS = (
    CorpusFiling("KO", 21344, "The Coca-Cola Company", 2023, "0000021344-24-000009",
                 "10-K/KO/0000021344-24-000009/primary-document.html", date(2024, 2, 20)),
    CorpusFiling("KO", 21344, "The Coca-Cola Company", 2024, "0000021344-25-000008",
                 "10-K/KO/filed-2025-02-20/primary-document.html", date(2025, 2, 20)),
    CorpusFiling("AAPL", 320193, "Apple Inc.", 2024, "0000320193-24-000123",
                 "10-K/AAPL/0000320193-24-000123/primary-document.html", date(2024, 11, 1)),
    # Boeing added risks in 2024 and Johnson & Johnson dropped some: NEW and REMOVED changes
    CorpusFiling("BA", 12927, "The Boeing Company", 2023, "0000012927-24-000010",
                 "10-K/BA/0000012927-24-000010/primary-document.html", date(2024, 1, 31)),
    CorpusFiling("BA", 12927, "The Boeing Company", 2024, "0000012927-25-000010",
                 "10-K/BA/filed-2025-02-03/primary-document.html", date(2025, 2, 3)),
    CorpusFiling("JNJ", 200406, "Johnson & Johnson", 2023, "0000200406-24-000013",
                 "10-K/JNJ/0000200406-24-000013/primary-document.html", date(2024, 2, 16)),
    CorpusFiling("JNJ", 200406, "Johnson & Johnson", 2024, "0000200406-25-000038",
                 "10-K/JNJ/filed-2025-02-13/primary-document.html", date(2025, 2, 13)),
)
WITH_CHANGES = ("KO-2024", "BA-2024", "JNJ-2024")
BLOCKED = CorpusFiling("NOIA", 9_800_001, "No Item 1A Corp", 2024, "0009800001-24-000001", "", date(2024, 11, 1))
BLOCKED_REASON = "quality gate: completeness failed (Item 1A absent: no Item 1A heading found)"
ITEMS = (ItemRecord("1", "found", "Business", 20_000, None, None),
         ItemRecord("1A", "found", "Risk Factors", 60_000, None, None))


@dataclass(frozen=True)
class AnalysedFiling:
    record: FilingRecord
    risks: list[RiskFactor]
    outputs: ModelOutputs


def filing_record(filing: CorpusFiling) -> FilingRecord:
    return FilingRecord(
        partition_key=filing_key(filing.ticker, filing.fiscal_year),
        accession_number=filing.accession_number,
        cik=filing.cik,
        ticker=filing.ticker,
        company_name=filing.company_name,
        form="10-K",
        fiscal_year=filing.fiscal_year,
        filing_date=filing.filing_date,
        report_date=None,
        period_end=None,
        url=f"https://www.sec.gov/Archives/edgar/data/{filing.cik}/{filing.accession_number.replace('-', '')}/",
    )


@cache
def analysed_corpus(corpus_dir: Path) -> tuple[AnalysedFiling, ...]:
    """The corpus filings segmented, embedded and classified (once per process)."""
    from sec_analyzer.analysis.classifier import get_classifier
    from sec_analyzer.analysis.embedding import get_embedder
    from sec_analyzer.preprocessing.parser import parse_file
    from sec_analyzer.preprocessing.segmenter import segment_document

    embedder = get_embedder("fast")
    classifier = get_classifier(embedder)
    analysed = []
    for filing in CORPUS_FILINGS:
        risks = segment_document(parse_file(corpus_dir / filing.path)).risk_factors
        assert len(risks) > 10, f"{filing.path} should give its risk factors"
        vectors = embedder.embed([(risk.heading, risk.text) for risk in risks])
        labels = classifier.classify([str(risk.ordinal) for risk in risks], vectors,
                                     [risk.heading for risk in risks], [risk.text for risk in risks])
        outputs = ModelOutputs(
            embedding_model=embedder.name, embedding_version=embedder.version, embedding_path=embedder.path,
            dimension=embedder.dimension,
            vectors={risk.ordinal: vector.tolist() for risk, vector in zip(risks, vectors, strict=True)},
            classifier_name=classifier.name, classifier_version=classifier.version,
            labels={risk.ordinal: list(label.labels) for risk, label in zip(risks, labels, strict=True)},
        )
        analysed.append(AnalysedFiling(filing_record(filing), risks, outputs))
    return tuple(analysed)


def fill_results_database(url: str, corpus_dir: Path, tickers: tuple[str, ...] | None = None) -> None:
    """Publish the analysed corpus (or the given companies' filings) into `url` as the pipeline
    would, with the filing index and the year-over-year changes; the blocked filing goes to the
    filing index only."""
    from sec_analyzer.analysis.analysis_config import load_analysis_settings
    from sec_analyzer.analysis.changes import refresh_filing_changes
    from sec_analyzer.storage.analysis_repo import AnalysisRepository

    upgrade_to_head(url)
    engine = create_db_engine(url)
    try:
        repository = ResultsRepository(engine)
        index = SqlFilingIndex(engine)
        published = [filing for filing in analysed_corpus(corpus_dir)
                     if tickers is None or filing.record.ticker in tickers]
        for filing in published:
            repository.publish_filing(filing.record, ITEMS, filing.risks, filing.outputs)
            _index(index, filing.record, {contract.name: "succeeded" for contract in PIPELINE})
        stages = {contract.name: "succeeded" for contract in PIPELINE[:2]}
        stages |= {"item_1a": "absent", "cleaned_risk_text": "absent", "risk_segments": "absent",
                   "risk_embeddings": "absent", "risk_classifications": "absent", PUBLISHED.name: "blocked"}
        _index(index, filing_record(BLOCKED), stages, detail=BLOCKED_REASON)
        for partition_key in WITH_CHANGES:
            if tickers is not None and partition_key.split("-")[0] not in tickers:
                continue
            refresh_filing_changes(AnalysisRepository(engine), partition_key, load_analysis_settings().changes)
    finally:
        engine.dispose()


def _index(index: SqlFilingIndex, record: FilingRecord, stages: dict[str, str], detail: str | None = None) -> None:
    index.upsert(FilingIndexRecord(
        accession_number=record.accession_number, partition_key=record.partition_key, ticker=record.ticker,
        cik=record.cik, company_name=record.company_name, form=record.form, fiscal_year=record.fiscal_year,
        filing_date=record.filing_date, report_date=record.report_date, url=record.url,
    ))
    for stage, status in stages.items():
        index.set_stage_status(record.accession_number, stage, status, detail if status == "blocked" else None)


def fill_registry(root: Path, work: Path) -> None:
    """Two registered classifiers: `minilm_logreg/v1` champion, `minilm_finetune/v1` a candidate."""
    from sec_analyzer.analysis.taxonomy import load_taxonomy
    from sec_analyzer.registry.config import load_registry_config
    from sec_analyzer.registry.manager import ModelRegistryManager

    registry = ModelRegistryManager(root, load_registry_config().gate)
    categories = list(load_taxonomy().ids)
    work.mkdir(parents=True, exist_ok=True)
    config = work / "run_config.yaml"
    config.write_text("seed: 7\n", encoding="utf-8")
    weights = work / "head.npz"
    weights.write_bytes(b"head")
    for name, macro_f1, ece in (("minilm_logreg", 0.74, 0.06), ("minilm_finetune", 0.77, 0.21)):
        per_category = {category: {"precision": round(macro_f1 - 0.01 * (position % 5), 3),
                                   "recall": round(macro_f1 + 0.01 * (position % 3), 3),
                                   "f1": round(macro_f1 - 0.015 * (position % 4), 3), "support": 8 + position}
                        for position, category in enumerate(categories)}
        metrics = work / f"{name}-metrics.json"
        metrics.write_text(json.dumps({"kind": name, "train_seconds": 42.0, "gold": {
            "count": 160, "primary": {"macro_f1": macro_f1, "micro_f1": macro_f1 + 0.03},
            "multilabel": {"macro_f1": macro_f1 - 0.05, "micro_f1": macro_f1 - 0.02},
            "per_category": per_category, "ece": ece, "inference_ms_per_risk": 3.2}}), encoding="utf-8")
        registry.create(model_name=name, kind="embedding_head", run_id=f"20261201_120000_{name}", git_sha="abc1234",
                        data_version="labels-v1", run_config=config, metrics=metrics,
                        artifacts={"head.npz": weights})
    registry.promote("minilm_logreg", "v1", "tournament 20261201_120000")
    registry.promote("minilm_finetune", "v1", "tournament 20261201_120000")  # refused: ECE above the bound
