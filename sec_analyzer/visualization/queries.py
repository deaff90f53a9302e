"""Read-only queries over the results database, shaped for the API and the dashboard.

Every query is bounded by one company, one filing or one page of risks, and runs on indexed
columns (`filings.ticker`, `risk_factors (filing_id, ordinal)`, `classifications (filing_id,
ordinal, …)`), so a page costs the same whatever the size of the store. A filing's status comes
from the filing index, which also knows filings the quality gate stopped and that were therefore
never published.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, select

from sec_analyzer.contracts import PIPELINE, PUBLISHED
from sec_analyzer.domain import normalize_ticker
from sec_analyzer.preprocessing.features import TONES
from sec_analyzer.storage.analysis_repo import AnalysisRepository, PublishedFiling
from sec_analyzer.storage.filing_index_repo import FilingIndex, FilingIndexRecord
from sec_analyzer.storage.tables import (
    ClassificationRow,
    CompanyRow,
    EmbeddingRow,
    FilingRow,
    RiskFactorChangeRow,
    RiskFactorRow,
)

STAGE_ORDER = [contract.name for contract in PIPELINE]
TONE_FEATURES = {name: f"lm_{name}" for name in TONES}  # Loughran–McDonald share of words per tone
READABILITY_FEATURES = {"flesch_reading_ease": "flesch_reading_ease", "gunning_fog": "gunning_fog",
                        "word_count": "word_count"}
UNCLASSIFIED = "unclassified"


@dataclass(frozen=True)
class RiskPage:
    total: int
    offset: int
    limit: int
    risks: list[dict[str, Any]]
    categories: dict[str, int]  # primary label (or "unclassified") -> risks of the whole filing


class ResultsQueries:
    def __init__(self, engine: Engine, filing_index: FilingIndex) -> None:
        self.analysis = AnalysisRepository(engine)  # checks the schema is current
        self.engine = engine
        self.filing_index = filing_index

    # --- what is stored -------------------------------------------------------------------

    def data_version(self) -> tuple[Any, ...]:
        """Changes whenever a filing is published or its changes are stored: the key of caches."""
        with self.engine.connect() as connection:
            filings = connection.execute(select(func.count(), func.max(FilingRow.published_at))).one()
            changes = connection.execute(select(func.count(), func.max(RiskFactorChangeRow.id))).one()
        return (*filings, *changes)

    def counts(self) -> dict[str, int]:
        tables = {"companies": CompanyRow, "filings": FilingRow, "risk_factors": RiskFactorRow,
                  "embeddings": EmbeddingRow, "classifications": ClassificationRow,
                  "risk_factor_changes": RiskFactorChangeRow}
        with self.engine.connect() as connection:
            return {name: connection.execute(select(func.count()).select_from(table)).scalar_one()
                    for name, table in tables.items()}

    def companies(self) -> list[dict[str, Any]]:
        risks = (
            select(RiskFactorRow.filing_id, func.count().label("risks"))
            .group_by(RiskFactorRow.filing_id)
            .subquery()
        )
        query = (
            select(
                CompanyRow.cik, CompanyRow.ticker, CompanyRow.name,
                func.count(FilingRow.id).label("filings"),
                func.min(FilingRow.fiscal_year).label("first_year"),
                func.max(FilingRow.fiscal_year).label("latest_year"),
                func.coalesce(func.sum(risks.c.risks), 0).label("risk_factors"),
            )
            .join(FilingRow, FilingRow.cik == CompanyRow.cik)
            .outerjoin(risks, risks.c.filing_id == FilingRow.id)
            .group_by(CompanyRow.cik, CompanyRow.ticker, CompanyRow.name)
            .order_by(CompanyRow.ticker)
        )
        with self.engine.connect() as connection:
            return [dict(row._mapping) | {"risk_factors": int(row.risk_factors)} for row in connection.execute(query)]

    def company(self, ticker: str) -> dict[str, Any] | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(CompanyRow.cik, CompanyRow.ticker, CompanyRow.name).where(
                    CompanyRow.ticker == normalize_ticker(ticker)
                )
            ).first()
        if row is not None:
            return dict(row._mapping)
        # a filing the gate stopped is known to the filing index only
        indexed = self.filing_index.find(ticker=ticker)
        if indexed:
            return {"cik": indexed[0].cik, "ticker": indexed[0].ticker, "name": indexed[0].company_name}
        return None

    def filings(self, ticker: str) -> list[dict[str, Any]]:
        """Every filing of the company the index or the results database knows, newest year first,
        each with its stage statuses and the gate's verdict."""
        ticker = normalize_ticker(ticker)
        risks = (
            select(RiskFactorRow.filing_id, func.count().label("risks"))
            .group_by(RiskFactorRow.filing_id)
            .subquery()
        )
        with self.engine.connect() as connection:
            published = {
                row.accession_number: dict(row._mapping)
                for row in connection.execute(
                    select(FilingRow.accession_number, FilingRow.partition_key, FilingRow.fiscal_year,
                           FilingRow.form, FilingRow.filing_date, FilingRow.url, FilingRow.published_at,
                           func.coalesce(risks.c.risks, 0).label("risk_factors"))
                    .outerjoin(risks, risks.c.filing_id == FilingRow.id)
                    .where(FilingRow.ticker == ticker)
                )
            }
        indexed = {record.accession_number: record for record in self.filing_index.find(ticker=ticker)}
        rows = []
        for accession in published.keys() | indexed.keys():
            stored = published.get(accession)
            record = indexed.get(accession)
            rows.append(_filing_summary(accession, stored, record))
        return sorted(rows, key=lambda row: (-row["fiscal_year"], row["accession_number"]))

    def published_filing(self, ticker: str, fiscal_year: int) -> PublishedFiling | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(FilingRow.id, FilingRow.cik, FilingRow.ticker, FilingRow.fiscal_year, FilingRow.partition_key)
                .where(FilingRow.ticker == normalize_ticker(ticker), FilingRow.fiscal_year == fiscal_year)
            ).first()
        return None if row is None else PublishedFiling(*row)

    # --- risks ------------------------------------------------------------------------------

    def risks(
        self, filing: PublishedFiling, *, offset: int = 0, limit: int = 50, category: str | None = None
    ) -> RiskPage:
        """One page of the filing's risks in filing order, optionally of one primary label."""
        primary = self._primary_labels(filing.filing_id)
        categories: dict[str, int] = defaultdict(int)
        with self.engine.connect() as connection:
            ordinals = connection.execute(
                select(RiskFactorRow.ordinal).where(RiskFactorRow.filing_id == filing.filing_id)
                .order_by(RiskFactorRow.ordinal)
            ).scalars().all()
        for ordinal in ordinals:
            categories[primary.get(ordinal, UNCLASSIFIED)] += 1
        selected = [ordinal for ordinal in ordinals if category is None or primary.get(ordinal, UNCLASSIFIED) == category]
        wanted = selected[offset : offset + limit]
        chosen = set(wanted)
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(RiskFactorRow.ordinal, RiskFactorRow.heading, RiskFactorRow.category, RiskFactorRow.text,
                       RiskFactorRow.is_general_risk, RiskFactorRow.features)
                .where(RiskFactorRow.filing_id == filing.filing_id, _within(RiskFactorRow.ordinal, wanted))
                .order_by(RiskFactorRow.ordinal)
            ).all() if wanted else []
            rows = [row for row in rows if row.ordinal in chosen]
            labels: dict[int, list[dict[str, Any]]] = defaultdict(list)
            if wanted:
                for label_row in connection.execute(
                    select(ClassificationRow.ordinal, ClassificationRow.label, ClassificationRow.score,
                           ClassificationRow.rank, ClassificationRow.model_version)
                    .where(ClassificationRow.filing_id == filing.filing_id, _within(ClassificationRow.ordinal, wanted))
                    .order_by(ClassificationRow.ordinal, ClassificationRow.rank)
                ):
                    if label_row.ordinal in chosen:
                        labels[label_row.ordinal].append(
                            {"label": label_row.label, "score": round(label_row.score, 4), "rank": label_row.rank,
                             "model_version": label_row.model_version}
                        )
        risks = [
            {
                "risk_id": f"{filing.ticker}-{filing.fiscal_year}-{row.ordinal}",
                "ordinal": row.ordinal,
                "heading": row.heading,
                "category_heading": row.category,
                "primary_label": primary.get(row.ordinal),
                "labels": labels.get(row.ordinal, []),
                "is_general_risk": row.is_general_risk,
                "text": row.text,
                "tone": {name: round(float(row.features.get(key, 0.0)), 4) for name, key in TONE_FEATURES.items()},
                "readability": {name: round(float(row.features.get(key, 0.0)), 2)
                                for name, key in READABILITY_FEATURES.items()},
            }
            for row in rows
        ]
        return RiskPage(len(selected), offset, limit, risks, dict(sorted(categories.items())))

    def _primary_labels(self, filing_id: int) -> dict[int, str]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(ClassificationRow.ordinal, ClassificationRow.label).where(
                    ClassificationRow.filing_id == filing_id, ClassificationRow.rank == 1
                )
            )
            return {ordinal: label for ordinal, label in rows}

    # --- year over year ------------------------------------------------------------------

    def changes(self, filing: PublishedFiling) -> dict[str, Any]:
        """The stored changes into `filing` in filing order, with the year compared against."""
        previous = self.analysis.previous_filing(filing)
        with self.engine.connect() as connection:
            from_filing = connection.execute(
                select(FilingRow.fiscal_year, FilingRow.partition_key)
                .join(RiskFactorChangeRow, RiskFactorChangeRow.from_filing_id == FilingRow.id)
                .where(RiskFactorChangeRow.to_filing_id == filing.filing_id)
                .limit(1)
            ).first()
        changes = []
        for record, previous_heading, current_heading in self.analysis.changes(filing):
            diff = record.diff or {}
            changes.append({
                "status": _CHANGE_STATUS[record.change_type],
                "previous_ordinal": record.from_ordinal,
                "current_ordinal": record.to_ordinal,
                "previous_heading": previous_heading,
                "current_heading": current_heading,
                "similarity": None if record.similarity is None else round(record.similarity, 4),
                "changed_words_share": None if record.changed_words_share is None
                else round(record.changed_words_share, 4),
                "merged_into": record.merged_into,
                "split_from": record.split_from,
                "moved": record.moved,
                "category_changed": record.category_changed,
                "heading_diff": [{"op": op, "text": text} for op, text in diff.get("heading", [])],
                "body_diff": [{"op": op, "text": text} for op, text in diff.get("body", [])],
            })
        tally = {status: sum(change["status"] == status for change in changes) for status in _CHANGE_STATUS.values()}
        return {
            "partition_key": filing.partition_key,
            "fiscal_year": filing.fiscal_year,
            "previous_year": from_filing.fiscal_year if from_filing else previous.fiscal_year if previous else None,
            "previous_published": previous is not None or from_filing is not None,
            "counts": tally,
            "changes": changes,
        }

    # --- categories ----------------------------------------------------------------------

    def category_distribution(
        self, tickers: Sequence[str] = (), years: Sequence[int] = ()
    ) -> list[dict[str, Any]]:
        """Primary-label counts per company and fiscal year (filings without labels are left out)."""
        query = (
            select(FilingRow.ticker, FilingRow.fiscal_year, ClassificationRow.label, func.count())
            .join(FilingRow, FilingRow.id == ClassificationRow.filing_id)
            .where(ClassificationRow.rank == 1)
            .group_by(FilingRow.ticker, FilingRow.fiscal_year, ClassificationRow.label)
        )
        if tickers:
            query = query.where(FilingRow.ticker.in_([normalize_ticker(ticker) for ticker in tickers]))
        if years:
            query = query.where(FilingRow.fiscal_year.in_(list(years)))
        grouped: dict[tuple[str, int], dict[str, int]] = defaultdict(dict)
        with self.engine.connect() as connection:
            for ticker, year, label, count in connection.execute(query):
                grouped[(ticker, year)][label] = count
        return [
            {"ticker": ticker, "fiscal_year": year, "risks": sum(labels.values()),
             "categories": dict(sorted(labels.items()))}
            for (ticker, year), labels in sorted(grouped.items())
        ]

    def serving_models(self) -> list[dict[str, Any]]:
        """Which classifier and embedder versions produced the stored labels and vectors."""
        with self.engine.connect() as connection:
            classifiers = connection.execute(
                select(ClassificationRow.model_name, ClassificationRow.model_version,
                       func.count(func.distinct(ClassificationRow.filing_id)))
                .where(ClassificationRow.rank == 1)
                .group_by(ClassificationRow.model_name, ClassificationRow.model_version)
            ).all()
            embedders = connection.execute(
                select(EmbeddingRow.model_name, EmbeddingRow.model_version,
                       func.count(func.distinct(EmbeddingRow.filing_id)))
                .group_by(EmbeddingRow.model_name, EmbeddingRow.model_version)
            ).all()
        return [
            {"role": role, "model_name": name, "model_version": version, "filings": filings}
            for role, rows in (("classifier", classifiers), ("embedder", embedders))
            for name, version, filings in rows
        ]


def _within(ordinal: Any, wanted: Sequence[int]) -> Any:
    """The page's ordinal range: one indexed range scan instead of an IN list of every ordinal."""
    return ordinal.between(wanted[0], wanted[-1])


_CHANGE_STATUS = {"unchanged": "UNCHANGED", "modified": "MODIFIED", "added": "NEW", "removed": "REMOVED"}


def _filing_summary(
    accession: str, stored: dict[str, Any] | None, record: FilingIndexRecord | None
) -> dict[str, Any]:
    stages = {} if record is None else {
        name: {"status": stage.status, "detail": stage.detail} for name, stage in record.stages.items()
    }
    ordered = dict(sorted(stages.items(), key=lambda item: (
        STAGE_ORDER.index(item[0]) if item[0] in STAGE_ORDER else len(STAGE_ORDER), item[0])))
    source = stored or {}
    return {
        "accession_number": accession,
        "partition_key": source.get("partition_key") or (record.partition_key if record else ""),
        "fiscal_year": source.get("fiscal_year") or (record.fiscal_year if record else 0),
        "form": source.get("form") or (record.form if record else ""),
        "filing_date": source.get("filing_date") or (record.filing_date if record else None),
        "url": source.get("url") or (record.url if record else None),
        "published": stored is not None,
        "published_at": source.get("published_at"),
        "risk_factors": int(source.get("risk_factors") or 0),
        "stages": ordered,
        "gate": _gate_verdict(stored is not None, stages.get(PUBLISHED.name)),
    }


def _gate_verdict(published: bool, publish_stage: dict[str, Any] | None) -> dict[str, Any]:
    """`passed` (published), `blocked` (the quality gate stopped it), or why it is not published."""
    if publish_stage is not None and publish_stage["status"] == "blocked":
        return {"verdict": "blocked", "detail": publish_stage["detail"]}
    if published:
        return {"verdict": "passed", "detail": None}
    if publish_stage is None:
        return {"verdict": "pending", "detail": "not processed to publication yet"}
    return {"verdict": publish_stage["status"], "detail": publish_stage["detail"]}

