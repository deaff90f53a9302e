"""The results database schema (SQLAlchemy 2 typed models), the same on SQLite and PostgreSQL.

Every table has a natural key under a unique constraint, so a re-run can only replace rows,
never add duplicates. Everything that belongs to one filing hangs off `filings.id` with
ON DELETE CASCADE, so deleting a filing takes its items, risk factors and derived rows along.

Changes here need a migration: `make db-migration M="what changed"`, then review the file.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    REAL,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Explicit constraint names let migrations drop and alter constraints on SQLite, where
# alembic's batch mode rebuilds tables and needs to know every constraint by name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JsonDocument = JSON().with_variant(JSONB(), "postgresql")
FloatVector = JSON().with_variant(ARRAY(REAL()), "postgresql")
TIMESTAMP = DateTime(timezone=True)

ITEM_STATUSES = ("found", "absent")
CHANGE_TYPES = ("added", "removed", "modified", "unchanged")
STAGE_STATUSES = ("pending", "running", "succeeded", "failed", "absent", "blocked")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class CompanyRow(Base):
    __tablename__ = "companies"

    cik: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    ticker: Mapped[str] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(String(256))


class FilingRow(Base):
    __tablename__ = "filings"
    __table_args__ = (Index("ix_filings_ticker_fiscal_year", "ticker", "fiscal_year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    accession_number: Mapped[str] = mapped_column(String(20), unique=True)
    partition_key: Mapped[str] = mapped_column(String(32), unique=True)
    cik: Mapped[int] = mapped_column(ForeignKey("companies.cik"), index=True)
    ticker: Mapped[str] = mapped_column(String(16))
    fiscal_year: Mapped[int] = mapped_column(Integer)
    form: Mapped[str] = mapped_column(String(16))
    filing_date: Mapped[date] = mapped_column(Date)
    report_date: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    url: Mapped[str] = mapped_column(Text)
    raw_uri: Mapped[str | None] = mapped_column(Text)
    raw_sha256: Mapped[str | None] = mapped_column(String(64))
    raw_size: Mapped[int | None] = mapped_column(BigInteger)
    published_at: Mapped[datetime] = mapped_column(TIMESTAMP)


class ItemRow(Base):
    __tablename__ = "items"
    __table_args__ = (
        UniqueConstraint("filing_id", "item_id"),
        CheckConstraint(_one_of("status", ITEM_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("filings.id", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(8))
    title: Mapped[str | None] = mapped_column(Text)
    char_count: Mapped[int] = mapped_column(Integer)
    absent_reason: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(Text)


class RiskFactorRow(Base):
    __tablename__ = "risk_factors"
    __table_args__ = (UniqueConstraint("filing_id", "ordinal"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("filings.id", ondelete="CASCADE"))
    ordinal: Mapped[int] = mapped_column(Integer)
    heading: Mapped[str] = mapped_column(Text)
    # A filer's own category heading; some run to a sentence (JNJ: 79 characters).
    category: Mapped[str | None] = mapped_column(String(512), index=True)
    text: Mapped[str] = mapped_column(Text)
    is_general_risk: Mapped[bool] = mapped_column(Boolean)
    start_offset: Mapped[int] = mapped_column(Integer)
    end_offset: Mapped[int] = mapped_column(Integer)
    features: Mapped[dict[str, Any]] = mapped_column(JsonDocument)


class RiskModelOutput:
    """The columns every model output of one risk factor starts with: which risk, which model.

    Embeddings and classifications are computed from one risk factor's text; the composite
    foreign key removes them with the risk factor, and publishing removes them when it changes."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    filing_id: Mapped[int] = mapped_column(Integer)
    ordinal: Mapped[int] = mapped_column(Integer)
    model_name: Mapped[str] = mapped_column(String(128))
    model_version: Mapped[str] = mapped_column(String(128))


def _of_one_risk_factor(*unique: str) -> tuple[UniqueConstraint, ForeignKeyConstraint]:
    return (
        UniqueConstraint("filing_id", "ordinal", "model_version", *unique),
        ForeignKeyConstraint(
            ["filing_id", "ordinal"], ["risk_factors.filing_id", "risk_factors.ordinal"], ondelete="CASCADE"
        ),
    )


class EmbeddingRow(RiskModelOutput, Base):
    __tablename__ = "embeddings"
    __table_args__ = _of_one_risk_factor()

    embedding_path: Mapped[str] = mapped_column(String(32))
    dimension: Mapped[int] = mapped_column(Integer)
    vector: Mapped[list[float]] = mapped_column(FloatVector)


class ClassificationRow(RiskModelOutput, Base):
    """One label of one risk factor: rank 1 is the primary, then up to two secondary labels."""

    __tablename__ = "classifications"
    __table_args__ = _of_one_risk_factor("label")

    label: Mapped[str] = mapped_column(String(64), index=True)
    rank: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)


class RiskFactorChangeRow(Base):
    """Year over year: how each risk factor of one filing maps to the company's next filing.

    `from_ordinal` is empty for an added (NEW) risk factor and `to_ordinal` for a removed one.
    `merged_into` (a removed risk's partner in the later filing) and `split_from` (an added
    risk's partner in the earlier one) are ordinals; `diff` holds the word diff of a modified
    risk's heading and body (`sec_analyzer.analysis.changes`).
    """

    __tablename__ = "risk_factor_changes"
    __table_args__ = (
        UniqueConstraint(
            "from_filing_id", "to_filing_id", "from_ordinal", "to_ordinal", name="uq_risk_factor_changes_pair"
        ),
        CheckConstraint(_one_of("change_type", CHANGE_TYPES), name="change_type"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cik: Mapped[int] = mapped_column(Integer, index=True)
    from_filing_id: Mapped[int] = mapped_column(ForeignKey("filings.id", ondelete="CASCADE"))
    to_filing_id: Mapped[int] = mapped_column(ForeignKey("filings.id", ondelete="CASCADE"), index=True)
    from_ordinal: Mapped[int | None] = mapped_column(Integer)
    to_ordinal: Mapped[int | None] = mapped_column(Integer)
    change_type: Mapped[str] = mapped_column(String(16))
    similarity: Mapped[float | None] = mapped_column(Float)
    changed_words_share: Mapped[float | None] = mapped_column(Float)
    merged_into: Mapped[int | None] = mapped_column(Integer)
    split_from: Mapped[int | None] = mapped_column(Integer)
    moved: Mapped[bool] = mapped_column(Boolean, default=False)
    category_changed: Mapped[bool] = mapped_column(Boolean, default=False)
    diff: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)


class ModelRegistryRow(Base):
    __tablename__ = "model_registry"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    version: Mapped[str] = mapped_column(String(128))
    stage: Mapped[str] = mapped_column(String(32))
    metrics: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    artifact_uri: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(TIMESTAMP)
    promoted_at: Mapped[datetime | None] = mapped_column(TIMESTAMP)


class FilingIndexRow(Base):
    """The SQL backend of the filing index: what EDGAR says about a filing, before any processing."""

    __tablename__ = "filing_index"
    __table_args__ = (Index("ix_filing_index_ticker_fiscal_year", "ticker", "fiscal_year"),)

    accession_number: Mapped[str] = mapped_column(String(20), primary_key=True)
    partition_key: Mapped[str] = mapped_column(String(32), index=True)
    ticker: Mapped[str] = mapped_column(String(16))
    cik: Mapped[int] = mapped_column(Integer)
    company_name: Mapped[str] = mapped_column(String(256))
    form: Mapped[str] = mapped_column(String(16))
    fiscal_year: Mapped[int] = mapped_column(Integer)
    filing_date: Mapped[date] = mapped_column(Date)
    report_date: Mapped[date | None] = mapped_column(Date)
    url: Mapped[str] = mapped_column(Text)
    raw_uri: Mapped[str | None] = mapped_column(Text)
    raw_sha256: Mapped[str | None] = mapped_column(String(64))
    raw_size: Mapped[int | None] = mapped_column(BigInteger)


class FilingStageRow(Base):
    """One row per filing and stage, so that concurrent stages never overwrite each other's status."""

    __tablename__ = "filing_index_stages"
    __table_args__ = (CheckConstraint(_one_of("status", STAGE_STATUSES), name="status"),)

    accession_number: Mapped[str] = mapped_column(
        ForeignKey("filing_index.accession_number", ondelete="CASCADE"), primary_key=True
    )
    stage: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(TIMESTAMP)
