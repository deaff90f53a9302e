"""The publish step for one filing: everything the stages made of it, written to the results
database in one transaction, and only when every quality gate passed it on today's data."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING

from sec_analyzer.artifacts import ArtifactStore
from sec_analyzer.contracts import (
    ITEMS,
    RAW_FILING,
    RISK_CLASSIFICATIONS,
    RISK_EMBEDDINGS,
    RISK_SEGMENTS,
)
from sec_analyzer.domain import RiskFactor
from sec_analyzer.pipeline.runner import StageOutcome
from sec_analyzer.quality.verdicts import gate_blocker

if TYPE_CHECKING:
    from sec_analyzer.storage.results_repo import FilingRecord, ModelOutputs, ResultsRepository


def publish_stage(artifacts: ArtifactStore, repository: ResultsRepository, partition_key: str) -> StageOutcome:
    from sec_analyzer.storage.results_repo import ItemRecord

    blocker = gate_blocker(artifacts, partition_key)
    if blocker:
        return StageOutcome.blocked(blocker)
    items = [
        ItemRecord(item_id=row.item_id, status=row.status, title=row.title, char_count=int(row.char_count),
                   absent_reason=row.absent_reason, detail=row.detail)
        for row in ITEMS.read_table(artifacts, partition_key).itertuples()
    ]
    risks = [
        RiskFactor(ordinal=int(row.ordinal), heading=row.heading, text=row.text, category=row.category,
                   is_general_risk=bool(row.is_general_risk), start_offset=int(row.start_offset),
                   end_offset=int(row.end_offset), features=json.loads(row.features))
        for row in RISK_SEGMENTS.read_table(artifacts, partition_key).itertuples()
    ]
    summary = repository.publish_filing(filing_record(artifacts, partition_key), items, risks,
                                        model_outputs(artifacts, partition_key))
    return StageOutcome.ok(risk_factors=len(risks), items=len(items), new_filing=summary.created,
                           risk_factors_removed=summary.removed_risk_factor_count)


def filing_record(artifacts: ArtifactStore, partition_key: str) -> FilingRecord:
    from sec_analyzer.storage.results_repo import FilingRecord

    raw = RAW_FILING.read_summary(artifacts, partition_key)
    return FilingRecord(
        partition_key=partition_key, accession_number=raw.accession or "", cik=raw.cik or 0,
        ticker=raw.ticker or "", company_name=raw.company_name or "", form=raw.form or "",
        fiscal_year=raw.fiscal_year or 0, filing_date=date.fromisoformat(raw.filing_date or ""),
        report_date=date.fromisoformat(raw.report_date) if raw.report_date else None,
        period_end=date.fromisoformat(raw.period_end) if raw.period_end else None,
        url=raw.url or "", raw_uri=raw.raw_uri, raw_sha256=raw.sha256, raw_size=raw.size,
    )


def model_outputs(artifacts: ArtifactStore, partition_key: str) -> ModelOutputs:
    from sec_analyzer.storage.results_repo import ModelOutputs

    embedded = RISK_EMBEDDINGS.read_summary(artifacts, partition_key)
    vectors = RISK_EMBEDDINGS.read_table(artifacts, partition_key)
    classified = RISK_CLASSIFICATIONS.read_table(artifacts, partition_key)
    first = classified.iloc[0] if len(classified) else None
    return ModelOutputs(
        embedding_model=embedded.model or "", embedding_version=embedded.model_version or "",
        embedding_path=embedded.embedding_path or "", dimension=embedded.dimension or 0,
        vectors={int(row.ordinal): list(row.vector) for row in vectors.itertuples()},
        classifier_name=str(first["model_name"]) if first is not None else "",
        classifier_version=str(first["model_version"]) if first is not None else "",
        labels={int(row.ordinal): [(label["category"], float(label["score"])) for label in json.loads(row.labels)]
                for row in classified.itertuples()},
    )
