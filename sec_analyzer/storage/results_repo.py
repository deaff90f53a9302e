"""The results repository: one filing's items and risk factors, published as one transaction.

Publishing is keyed by accession number (the filing) and by (filing, ordinal) (a risk
factor), so publishing again replaces rows and never duplicates them, and a failure or a
killed process mid-write leaves the previous complete state: readers never see half a filing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

from sqlalchemy import Engine, delete, func, insert, select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from sec_analyzer.domain import AbsenceReason, RiskFactor, normalize_ticker
from sec_analyzer.errors import SecAnalyzerError
from sec_analyzer.storage.db_clients import as_utc, session_scope, upsert_rows
from sec_analyzer.storage.schema import ensure_schema_current
from sec_analyzer.storage.tables import (
    ITEM_STATUSES,
    Base,
    ClassificationRow,
    CompanyRow,
    EmbeddingRow,
    FilingRow,
    ItemRow,
    RiskFactorRow,
)
from sec_analyzer.storage.validation import filing_identity_problems

_ABSENCE_REASONS = {reason.value for reason in AbsenceReason}


class PublishError(SecAnalyzerError):
    """A filing could not be published; the database still holds its previous complete state."""


@dataclass(frozen=True)
class ItemRecord:
    item_id: str
    status: Literal["found", "absent"]
    title: str | None
    char_count: int
    absent_reason: str | None
    detail: str | None


@dataclass(frozen=True)
class FilingRecord:
    partition_key: str
    accession_number: str
    cik: int
    ticker: str
    company_name: str
    form: str
    fiscal_year: int
    filing_date: date
    report_date: date | None
    period_end: date | None
    url: str
    raw_uri: str | None = None
    raw_sha256: str | None = None
    raw_size: int | None = None


@dataclass(frozen=True)
class ModelOutputs:
    """A filing's vectors and classifications, each set from one model; keyed by risk ordinal."""

    embedding_model: str
    embedding_version: str
    embedding_path: str
    dimension: int
    vectors: Mapping[int, Sequence[float]]
    classifier_name: str
    classifier_version: str
    labels: Mapping[int, Sequence[tuple[str, float]]]  # primary first


@dataclass(frozen=True)
class PublishSummary:
    filing_id: int
    accession_number: str
    partition_key: str
    created: bool
    item_count: int
    risk_factor_count: int
    removed_risk_factor_count: int


class ResultsRepository:
    def __init__(self, engine: Engine) -> None:
        ensure_schema_current(engine)
        self._engine = engine

    def publish_filing(
        self,
        filing: FilingRecord,
        items: Sequence[ItemRecord],
        risk_factors: Sequence[RiskFactor],
        outputs: ModelOutputs | None = None,
    ) -> PublishSummary:
        """Replace everything the database holds of this filing in one transaction."""
        _validate(filing, items, risk_factors, outputs)
        try:
            with session_scope(self._engine) as session:
                summary = _publish(session, filing, items, risk_factors)
                if outputs is not None:
                    _replace_model_outputs(session, summary.filing_id, outputs)
                return summary
        except (IntegrityError, DataError) as error:
            # The first line names the constraint; PostgreSQL's DETAIL line repeats the whole row.
            reason = str(error.orig).splitlines()[0]
            raise PublishError(
                f"could not publish {filing.accession_number} ({filing.partition_key}): the database "
                f"rejected it ({reason}); nothing was changed"
            ) from error

    def risk_factors(
        self, *, ticker: str | None = None, fiscal_year: int | None = None
    ) -> list[dict[str, Any]]:
        query = (
            select(
                FilingRow.accession_number,
                FilingRow.partition_key,
                FilingRow.ticker,
                FilingRow.cik,
                FilingRow.fiscal_year,
                RiskFactorRow.ordinal,
                RiskFactorRow.heading,
                RiskFactorRow.category,
                RiskFactorRow.text,
                RiskFactorRow.is_general_risk,
                RiskFactorRow.start_offset,
                RiskFactorRow.end_offset,
                RiskFactorRow.features,
            )
            .join(FilingRow, FilingRow.id == RiskFactorRow.filing_id)
            .order_by(
                FilingRow.ticker, FilingRow.fiscal_year, FilingRow.accession_number, RiskFactorRow.ordinal
            )
        )
        if ticker is not None:
            query = query.where(FilingRow.ticker == normalize_ticker(ticker))
        if fiscal_year is not None:
            query = query.where(FilingRow.fiscal_year == fiscal_year)
        with self._engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]

    def filing(self, accession_number: str) -> dict[str, Any] | None:
        """The filing with its company name, items and risk-factor count; None if never published."""
        with self._engine.connect() as connection:
            row = connection.execute(
                select(*FilingRow.__table__.columns, CompanyRow.name.label("company_name"))
                .join(CompanyRow, CompanyRow.cik == FilingRow.cik)
                .where(FilingRow.accession_number == accession_number)
            ).first()
            if row is None:
                return None
            result = dict(row._mapping)
            filing_id = result.pop("id")
            items = connection.execute(
                select(
                    ItemRow.item_id,
                    ItemRow.status,
                    ItemRow.title,
                    ItemRow.char_count,
                    ItemRow.absent_reason,
                    ItemRow.detail,
                )
                .where(ItemRow.filing_id == filing_id)
                .order_by(ItemRow.item_id)
            )
            result["items"] = [dict(item._mapping) for item in items]
            result["risk_factor_count"] = connection.execute(
                select(func.count()).select_from(RiskFactorRow).where(RiskFactorRow.filing_id == filing_id)
            ).scalar_one()
        result["published_at"] = as_utc(result["published_at"])
        return result

    def counts(self) -> dict[str, int]:
        """Rows per table."""
        with self._engine.connect() as connection:
            return {
                name: connection.execute(select(func.count()).select_from(table)).scalar_one()
                for name, table in sorted(Base.metadata.tables.items())
            }


def _publish(
    session: Session, filing: FilingRecord, items: Sequence[ItemRecord], risk_factors: Sequence[RiskFactor]
) -> PublishSummary:
    # The first statement writes, so on SQLite the transaction holds the write lock before it
    # reads anything, and on PostgreSQL the company row lock orders concurrent publishers.
    upsert_rows(
        session,
        CompanyRow,
        [{"cik": filing.cik, "ticker": normalize_ticker(filing.ticker), "name": filing.company_name}],
        key=["cik"],
    )
    holder = session.execute(
        select(FilingRow.accession_number).where(
            FilingRow.partition_key == filing.partition_key,
            FilingRow.accession_number != filing.accession_number,
        )
    ).scalar_one_or_none()
    if holder is not None:
        raise PublishError(
            f"partition {filing.partition_key} is already published from filing {holder}; "
            f"refusing to publish {filing.accession_number} over it (delete the other filing first "
            "if it was mapped to the wrong partition)"
        )
    created = (
        session.execute(
            select(FilingRow.id).where(FilingRow.accession_number == filing.accession_number)
        ).scalar_one_or_none()
        is None
    )
    upsert_rows(session, FilingRow, [_filing_values(filing)], key=["accession_number"])
    filing_id = session.execute(
        select(FilingRow.id).where(FilingRow.accession_number == filing.accession_number)
    ).scalar_one()

    session.execute(delete(ItemRow).where(ItemRow.filing_id == filing_id))
    if items:
        session.execute(insert(ItemRow), [_item_values(filing_id, item) for item in items])

    removed = _replace_risk_factors(session, filing_id, risk_factors)
    return PublishSummary(
        filing_id=filing_id,
        accession_number=filing.accession_number,
        partition_key=filing.partition_key,
        created=created,
        item_count=len(items),
        risk_factor_count=len(risk_factors),
        removed_risk_factor_count=removed,
    )


def _replace_risk_factors(session: Session, filing_id: int, risk_factors: Sequence[RiskFactor]) -> int:
    """Make the filing's risk factors exactly `risk_factors`; returns how many old ones went."""
    previous = {
        row.ordinal: (row.heading, row.text)
        for row in session.execute(
            select(RiskFactorRow.ordinal, RiskFactorRow.heading, RiskFactorRow.text).where(
                RiskFactorRow.filing_id == filing_id
            )
        )
    }
    incoming = {factor.ordinal: (factor.heading, factor.text) for factor in risk_factors}
    removed = [ordinal for ordinal in previous if ordinal not in incoming]
    # Embeddings and classifications of a risk factor whose words changed describe old text.
    changed = [ordinal for ordinal, content in incoming.items() if previous.get(ordinal, content) != content]
    if changed:
        for derived in (EmbeddingRow, ClassificationRow):
            session.execute(
                delete(derived).where(derived.filing_id == filing_id, derived.ordinal.in_(changed))
            )
    if removed:
        session.execute(
            delete(RiskFactorRow).where(
                RiskFactorRow.filing_id == filing_id, RiskFactorRow.ordinal.in_(removed)
            )
        )
    if risk_factors:
        upsert_rows(
            session,
            RiskFactorRow,
            [_risk_factor_values(filing_id, factor) for factor in risk_factors],
            key=["filing_id", "ordinal"],
        )
    return len(removed)


def _replace_model_outputs(session: Session, filing_id: int, outputs: ModelOutputs) -> None:
    """The filing's vectors and labels become exactly these: one model version each, never a mix."""
    for derived in (EmbeddingRow, ClassificationRow):
        session.execute(delete(derived).where(derived.filing_id == filing_id))
    if outputs.vectors:
        session.execute(insert(EmbeddingRow), [
            {"filing_id": filing_id, "ordinal": ordinal, "model_name": outputs.embedding_model,
             "model_version": outputs.embedding_version, "embedding_path": outputs.embedding_path,
             "dimension": outputs.dimension, "vector": [float(value) for value in vector]}
            for ordinal, vector in outputs.vectors.items()
        ])
    rows = [
        {"filing_id": filing_id, "ordinal": ordinal, "model_name": outputs.classifier_name,
         "model_version": outputs.classifier_version, "label": label, "rank": rank, "score": float(score)}
        for ordinal, labels in outputs.labels.items()
        for rank, (label, score) in enumerate(labels, start=1)
    ]
    if rows:
        session.execute(insert(ClassificationRow), rows)


def _filing_values(filing: FilingRecord) -> dict[str, Any]:
    return {
        "accession_number": filing.accession_number,
        "partition_key": filing.partition_key,
        "cik": filing.cik,
        "ticker": normalize_ticker(filing.ticker),
        "fiscal_year": filing.fiscal_year,
        "form": filing.form,
        "filing_date": filing.filing_date,
        "report_date": filing.report_date,
        "period_end": filing.period_end,
        "url": filing.url,
        "raw_uri": filing.raw_uri,
        "raw_sha256": filing.raw_sha256,
        "raw_size": filing.raw_size,
        "published_at": datetime.now(UTC),
    }


def _item_values(filing_id: int, item: ItemRecord) -> dict[str, Any]:
    return {
        "filing_id": filing_id,
        "item_id": item.item_id,
        "status": item.status,
        "title": item.title,
        "char_count": item.char_count,
        "absent_reason": item.absent_reason,
        "detail": item.detail,
    }


def _risk_factor_values(filing_id: int, factor: RiskFactor) -> dict[str, Any]:
    return {
        "filing_id": filing_id,
        "ordinal": factor.ordinal,
        "heading": factor.heading,
        "category": factor.category,
        "text": factor.text,
        "is_general_risk": factor.is_general_risk,
        "start_offset": factor.start_offset,
        "end_offset": factor.end_offset,
        "features": dict(factor.features),
    }


def _validate(
    filing: FilingRecord,
    items: Sequence[ItemRecord],
    risk_factors: Sequence[RiskFactor],
    outputs: ModelOutputs | None = None,
) -> None:
    """Reject bad input before the transaction starts, with a message that names the culprit."""
    problems = filing_identity_problems(
        filing.accession_number, filing.partition_key, filing.ticker, filing.fiscal_year
    )
    problems += _duplicates("item id", (item.item_id for item in items))
    for item in items:
        problems += _item_problems(item)
    problems += _duplicates("risk factor ordinal", (factor.ordinal for factor in risk_factors))
    for factor in risk_factors:
        problems += _risk_factor_problems(factor)
    if outputs is not None:
        problems += _model_output_problems(outputs, {factor.ordinal for factor in risk_factors})
    if problems:
        raise PublishError(
            f"refusing to publish {filing.accession_number} ({filing.partition_key}): " + "; ".join(problems)
        )


def _model_output_problems(outputs: ModelOutputs, ordinals: set[int]) -> list[str]:
    problems = []
    for what, keyed in (("vector", outputs.vectors), ("classification", outputs.labels)):
        if set(keyed) != ordinals:
            problems.append(f"{what}s cover risk ordinals {sorted(keyed)}, not the filing's {sorted(ordinals)}")
    problems += [f"risk {ordinal}: vector of {len(vector)} values, not {outputs.dimension}"
                 for ordinal, vector in outputs.vectors.items() if len(vector) != outputs.dimension]
    problems += [f"risk {ordinal}: non-finite vector value"
                 for ordinal, vector in outputs.vectors.items() if not all(math.isfinite(v) for v in vector)]
    problems += [f"risk {ordinal}: {len(labels)} labels (1 to 3 allowed)"
                 for ordinal, labels in outputs.labels.items() if not 1 <= len(labels) <= 3]
    return problems


def _item_problems(item: ItemRecord) -> list[str]:
    where = f"item {item.item_id}"
    problems: list[str] = []
    if item.status not in ITEM_STATUSES:
        problems.append(f"{where}: status {item.status!r} is not one of {', '.join(ITEM_STATUSES)}")
    if item.status == "absent" and item.absent_reason not in _ABSENCE_REASONS:
        problems.append(f"{where}: an absent item needs an absent_reason from {sorted(_ABSENCE_REASONS)}")
    if item.status == "found" and item.absent_reason is not None:
        problems.append(f"{where}: a found item has no absent_reason")
    if item.char_count < 0:
        problems.append(f"{where}: char_count {item.char_count} is negative")
    problems += _nul_problems(where, {"title": item.title, "detail": item.detail})
    return problems


def _risk_factor_problems(factor: RiskFactor) -> list[str]:
    where = f"risk factor {factor.ordinal}"
    problems: list[str] = []
    if factor.ordinal < 0:
        problems.append(f"{where}: the ordinal is negative")
    if not 0 <= factor.start_offset <= factor.end_offset:
        problems.append(
            f"{where}: offsets {factor.start_offset}..{factor.end_offset} are not an ordered range"
        )
    bad_features = [
        name
        for name, value in factor.features.items()
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value)
    ]
    if bad_features:
        problems.append(f"{where}: features {', '.join(sorted(bad_features))} are not finite numbers")
    problems += _nul_problems(where, {"heading": factor.heading, "text": factor.text})
    return problems


def _nul_problems(where: str, fields: dict[str, str | None]) -> list[str]:
    # PostgreSQL cannot store NUL characters in text; catching them here keeps SQLite and
    # PostgreSQL accepting exactly the same input.
    return [
        f"{where}: {name} contains a NUL character"
        for name, value in fields.items()
        if value and "\x00" in value
    ]


def _duplicates(what: str, values: Iterable[object]) -> list[str]:
    seen: set[object] = set()
    repeated: list[object] = []
    for value in values:
        if value in seen and value not in repeated:
            repeated.append(value)
        seen.add(value)
    return [f"{what} {value} appears more than once" for value in repeated]
