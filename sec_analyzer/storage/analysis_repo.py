"""What the analyses read from and write to the results database.

Reads: a company-year's published risk factors with their vectors and primary labels; all
vectors (for the similarity index); label counts and vectors per fiscal year (for drift).
Writes: one filing's year-over-year changes, replaced as a whole in one transaction.

A company is its CIK, not its ticker: the previous filing of `GOOGL-2024` is the same CIK's
2023 filing even when it was published as `GOOG-2023`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, and_, delete, func, insert, select

from sec_analyzer.domain import filing_key, normalize_ticker
from sec_analyzer.errors import SecAnalyzerError
from sec_analyzer.storage.db_clients import session_scope
from sec_analyzer.storage.schema import ensure_schema_current
from sec_analyzer.storage.tables import (
    ClassificationRow,
    EmbeddingRow,
    FilingRow,
    RiskFactorChangeRow,
    RiskFactorRow,
)

if TYPE_CHECKING:
    import numpy as np

VECTOR_BATCH = 2000


class FilingNotPublishedError(SecAnalyzerError):
    """The results database holds no filing for the company-year asked for."""


@dataclass(frozen=True)
class PublishedFiling:
    filing_id: int
    cik: int
    ticker: str
    fiscal_year: int
    partition_key: str


@dataclass(frozen=True)
class StoredRisk:
    ordinal: int
    heading: str
    text: str
    category: str | None
    vector: list[float] | None  # None when not embedded


@dataclass(frozen=True)
class ChangeRecord:
    """One row of `risk_factor_changes` (see `RiskFactorChangeRow`); `change_type` is one of
    `CHANGE_TYPES` ("added" is a NEW risk)."""

    change_type: str
    from_ordinal: int | None
    to_ordinal: int | None
    similarity: float | None
    changed_words_share: float | None
    merged_into: int | None
    split_from: int | None
    moved: bool
    category_changed: bool
    diff: dict[str, Any] | None


@dataclass(frozen=True)
class StoredVectors:
    """A batch of stored risk vectors with what the similarity index filters and shows."""

    filing_ids: np.ndarray  # int64 [n]
    ordinals: np.ndarray  # int64 [n]
    tickers: list[str]
    fiscal_years: np.ndarray  # int64 [n]
    labels: list[str | None]  # primary label
    vectors: np.ndarray  # float32 [n, dimension]
    model_versions: set[str]


@dataclass(frozen=True)
class RiskDetails:
    filing_id: int
    ordinal: int
    ticker: str
    fiscal_year: int
    category: str | None
    label: str | None
    heading: str


class AnalysisRepository:
    def __init__(self, engine: Engine) -> None:
        ensure_schema_current(engine)
        self._engine = engine

    # --- filings ----------------------------------------------------------------------------

    def filing(self, ticker: str, fiscal_year: int) -> PublishedFiling:
        """The published filing of a ticker and fiscal year; one-line error naming it if absent."""
        with self._engine.connect() as connection:
            row = connection.execute(
                _filing_columns().where(
                    FilingRow.ticker == normalize_ticker(ticker), FilingRow.fiscal_year == fiscal_year
                )
            ).first()
        if row is None:
            raise FilingNotPublishedError(
                f"{filing_key(ticker, fiscal_year)} is not in the results database (publish it first, "
                "e.g. `sec-analyzer backfill`)"
            )
        return PublishedFiling(*row)

    def filing_by_key(self, partition_key: str) -> PublishedFiling | None:
        with self._engine.connect() as connection:
            row = connection.execute(_filing_columns().where(FilingRow.partition_key == partition_key)).first()
        return None if row is None else PublishedFiling(*row)

    def company_filing(self, cik: int, fiscal_year: int) -> PublishedFiling | None:
        with self._engine.connect() as connection:
            row = connection.execute(
                _filing_columns().where(FilingRow.cik == cik, FilingRow.fiscal_year == fiscal_year)
            ).first()
        return None if row is None else PublishedFiling(*row)

    def previous_filing(self, filing: PublishedFiling) -> PublishedFiling | None:
        """The same company's filing for the fiscal year before, if published."""
        return self.company_filing(filing.cik, filing.fiscal_year - 1)

    def comparable_filing(self, current: PublishedFiling, ticker: str, fiscal_year: int) -> PublishedFiling:
        """The ticker's filing of `fiscal_year`, else the same company's (a ticker change)."""
        try:
            return self.filing(ticker, fiscal_year)
        except FilingNotPublishedError:
            same_company = self.company_filing(current.cik, fiscal_year)
            if same_company is None:
                raise
            return same_company

    # --- risks ------------------------------------------------------------------------------

    def risks(self, filing: PublishedFiling) -> list[StoredRisk]:
        """The filing's risk factors in filing order, with vectors (None when not embedded)."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(RiskFactorRow.ordinal, RiskFactorRow.heading, RiskFactorRow.text, RiskFactorRow.category)
                .where(RiskFactorRow.filing_id == filing.filing_id)
                .order_by(RiskFactorRow.ordinal)
            ).all()
            vectors: dict[int, list[float]] = {
                ordinal: vector
                for ordinal, vector in connection.execute(
                    select(EmbeddingRow.ordinal, EmbeddingRow.vector).where(
                        EmbeddingRow.filing_id == filing.filing_id
                    )
                )
            }
        return [StoredRisk(ordinal, heading, text, category, vectors.get(ordinal)) for ordinal, heading, text, category in rows]

    def risk_vector(self, filing: PublishedFiling, ordinal: int) -> list[float] | None:
        with self._engine.connect() as connection:
            vector: list[float] | None = connection.execute(
                select(EmbeddingRow.vector).where(
                    EmbeddingRow.filing_id == filing.filing_id, EmbeddingRow.ordinal == ordinal
                )
            ).scalar_one_or_none()
        return vector

    def risk_details(self, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], RiskDetails]:
        """Company, year, category, primary label and heading of (filing id, ordinal) pairs."""
        if not keys:
            return {}
        wanted = set(keys)
        filing_ids = sorted({filing_id for filing_id, _ in wanted})
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(
                    RiskFactorRow.filing_id,
                    RiskFactorRow.ordinal,
                    FilingRow.ticker,
                    FilingRow.fiscal_year,
                    RiskFactorRow.category,
                    ClassificationRow.label,
                    RiskFactorRow.heading,
                )
                .join(FilingRow, FilingRow.id == RiskFactorRow.filing_id)
                .outerjoin(ClassificationRow, _primary_label_of_risk())
                .where(RiskFactorRow.filing_id.in_(filing_ids))
            ).all()
        return {(row[0], row[1]): RiskDetails(*row) for row in rows if (row[0], row[1]) in wanted}

    def stored_vectors(self, partition_keys: Sequence[str] | None = None) -> Iterator[StoredVectors]:
        """Every stored vector (or those of the given filings), in batches, with filter fields."""
        import numpy as np

        query = (
            select(
                EmbeddingRow.filing_id,
                EmbeddingRow.ordinal,
                FilingRow.ticker,
                FilingRow.fiscal_year,
                ClassificationRow.label,
                EmbeddingRow.model_version,
                EmbeddingRow.vector,
            )
            .join(FilingRow, FilingRow.id == EmbeddingRow.filing_id)
            .outerjoin(ClassificationRow, _primary_label_of_embedding())
            .order_by(EmbeddingRow.filing_id, EmbeddingRow.ordinal)
        )
        if partition_keys is not None:
            query = query.where(FilingRow.partition_key.in_(list(partition_keys)))
        with self._engine.connect() as connection:
            result = connection.execution_options(yield_per=VECTOR_BATCH).execute(query)
            for rows in result.partitions():
                yield StoredVectors(
                    filing_ids=np.array([row[0] for row in rows], dtype=np.int64),
                    ordinals=np.array([row[1] for row in rows], dtype=np.int64),
                    tickers=[row[2] for row in rows],
                    fiscal_years=np.array([row[3] for row in rows], dtype=np.int64),
                    labels=[row[4] for row in rows],
                    vectors=np.asarray([row[6] for row in rows], dtype=np.float32),
                    model_versions={row[5] for row in rows},
                )

    def filing_ids(self, partition_keys: Sequence[str]) -> dict[str, int]:
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(FilingRow.partition_key, FilingRow.id).where(FilingRow.partition_key.in_(list(partition_keys)))
            ).all()
        return {partition_key: filing_id for partition_key, filing_id in rows}

    # --- drift ------------------------------------------------------------------------------

    def label_counts_by_year(self) -> dict[int, dict[str, int]]:
        """Primary-label counts of all published risks, per fiscal year."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(FilingRow.fiscal_year, ClassificationRow.label, func.count())
                .join(FilingRow, FilingRow.id == ClassificationRow.filing_id)
                .where(ClassificationRow.rank == 1)
                .group_by(FilingRow.fiscal_year, ClassificationRow.label)
            ).all()
        counts: dict[int, dict[str, int]] = {}
        for year, label, count in rows:
            counts.setdefault(year, {})[label] = count
        return counts

    def filing_counts_by_year(self) -> dict[int, int]:
        with self._engine.connect() as connection:
            rows = connection.execute(select(FilingRow.fiscal_year, func.count()).group_by(FilingRow.fiscal_year)).all()
        return {year: count for year, count in rows}

    def vectors_of_year(self, fiscal_year: int) -> np.ndarray:
        import numpy as np

        with self._engine.connect() as connection:
            rows = connection.execute(
                select(EmbeddingRow.vector)
                .join(FilingRow, FilingRow.id == EmbeddingRow.filing_id)
                .where(FilingRow.fiscal_year == fiscal_year)
                .order_by(EmbeddingRow.filing_id, EmbeddingRow.ordinal)
            ).scalars().all()
        return np.asarray(rows, dtype=np.float32).reshape(len(rows), -1)

    # --- changes ----------------------------------------------------------------------------

    def save_changes(
        self, previous: PublishedFiling, current: PublishedFiling, changes: Sequence[ChangeRecord]
    ) -> int:
        """Make the stored changes into `current` exactly `changes` (from `previous`), in order."""
        rows = [
            {"cik": current.cik, "from_filing_id": previous.filing_id, "to_filing_id": current.filing_id,
             **asdict(change)}
            for change in changes
        ]
        with session_scope(self._engine) as session:
            session.execute(
                delete(RiskFactorChangeRow).where(RiskFactorChangeRow.to_filing_id == current.filing_id)
            )
            if rows:
                session.execute(insert(RiskFactorChangeRow), rows)
        return len(rows)

    def changes(self, current: PublishedFiling) -> list[tuple[ChangeRecord, str | None, str | None]]:
        """The stored changes into `current` in their stored order, each with the previous and
        current headings."""
        previous_risk = RiskFactorRow.__table__.alias("previous_risk")
        current_risk = RiskFactorRow.__table__.alias("current_risk")
        change = RiskFactorChangeRow
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(
                    change.change_type, change.from_ordinal, previous_risk.c.heading, change.to_ordinal,
                    current_risk.c.heading, change.similarity, change.changed_words_share, change.merged_into,
                    change.split_from, change.moved, change.category_changed, change.diff,
                )
                .outerjoin(previous_risk, and_(previous_risk.c.filing_id == change.from_filing_id,
                                               previous_risk.c.ordinal == change.from_ordinal))
                .outerjoin(current_risk, and_(current_risk.c.filing_id == change.to_filing_id,
                                              current_risk.c.ordinal == change.to_ordinal))
                .where(change.to_filing_id == current.filing_id)
                .order_by(change.id)
            ).all()
        return [(ChangeRecord(row[0], row[1], row[3], *row[5:]), row[2], row[4]) for row in rows]


def _filing_columns() -> Any:
    return select(FilingRow.id, FilingRow.cik, FilingRow.ticker, FilingRow.fiscal_year, FilingRow.partition_key)


def _primary_label_of_risk() -> Any:
    return and_(
        ClassificationRow.filing_id == RiskFactorRow.filing_id,
        ClassificationRow.ordinal == RiskFactorRow.ordinal,
        ClassificationRow.rank == 1,
    )


def _primary_label_of_embedding() -> Any:
    return and_(
        ClassificationRow.filing_id == EmbeddingRow.filing_id,
        ClassificationRow.ordinal == EmbeddingRow.ordinal,
        ClassificationRow.rank == 1,
    )
