"""Initial schema.

Companies, filings and their items, risk factors, embeddings, classifications and
year-over-year changes; the model registry; the filing index.

Generated with `alembic revision --autogenerate`, then ordered by dependency and reviewed.

Revision ID: ab9e90fc5a09
Revises:
Created: 2026-11-22 15:46:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "ab9e90fc5a09"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Kept literal rather than imported from the models, so that later model changes can never
# rewrite what this revision created.
JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
FLOAT_VECTOR = sa.JSON().with_variant(postgresql.ARRAY(sa.REAL()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "companies",
        sa.Column("cik", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("ticker", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.PrimaryKeyConstraint("cik", name=op.f("pk_companies")),
    )
    op.create_index(op.f("ix_companies_ticker"), "companies", ["ticker"])

    op.create_table(
        "filings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("accession_number", sa.String(length=20), nullable=False),
        sa.Column("partition_key", sa.String(length=32), nullable=False),
        sa.Column("cik", sa.Integer(), nullable=False),
        sa.Column("ticker", sa.String(length=16), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("form", sa.String(length=16), nullable=False),
        sa.Column("filing_date", sa.Date(), nullable=False),
        sa.Column("report_date", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("raw_uri", sa.Text(), nullable=True),
        sa.Column("raw_sha256", sa.String(length=64), nullable=True),
        sa.Column("raw_size", sa.BigInteger(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["cik"], ["companies.cik"], name=op.f("fk_filings_cik_companies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_filings")),
        sa.UniqueConstraint("accession_number", name=op.f("uq_filings_accession_number")),
        sa.UniqueConstraint("partition_key", name=op.f("uq_filings_partition_key")),
    )
    op.create_index(op.f("ix_filings_cik"), "filings", ["cik"])
    op.create_index("ix_filings_ticker_fiscal_year", "filings", ["ticker", "fiscal_year"])

    op.create_table(
        "items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filing_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("char_count", sa.Integer(), nullable=False),
        sa.Column("absent_reason", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.CheckConstraint("status IN ('found', 'absent')", name=op.f("ck_items_status")),
        sa.ForeignKeyConstraint(
            ["filing_id"], ["filings.id"], name=op.f("fk_items_filing_id_filings"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_items")),
        sa.UniqueConstraint("filing_id", "item_id", name=op.f("uq_items_filing_id_item_id")),
    )

    op.create_table(
        "risk_factors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filing_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("heading", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("is_general_risk", sa.Boolean(), nullable=False),
        sa.Column("start_offset", sa.Integer(), nullable=False),
        sa.Column("end_offset", sa.Integer(), nullable=False),
        sa.Column("features", JSON_DOCUMENT, nullable=False),
        sa.ForeignKeyConstraint(
            ["filing_id"], ["filings.id"], name=op.f("fk_risk_factors_filing_id_filings"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_factors")),
        sa.UniqueConstraint("filing_id", "ordinal", name=op.f("uq_risk_factors_filing_id_ordinal")),
    )
    op.create_index(op.f("ix_risk_factors_category"), "risk_factors", ["category"])

    op.create_table(
        "embeddings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filing_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("model_version", sa.String(length=128), nullable=False),
        sa.Column("dimension", sa.Integer(), nullable=False),
        sa.Column("vector", FLOAT_VECTOR, nullable=False),
        sa.ForeignKeyConstraint(
            ["filing_id", "ordinal"],
            ["risk_factors.filing_id", "risk_factors.ordinal"],
            name=op.f("fk_embeddings_filing_id_ordinal_risk_factors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_embeddings")),
        sa.UniqueConstraint(
            "filing_id", "ordinal", "model_version", name=op.f("uq_embeddings_filing_id_ordinal_model_version")
        ),
    )

    op.create_table(
        "classifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filing_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("model_version", sa.String(length=128), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["filing_id", "ordinal"],
            ["risk_factors.filing_id", "risk_factors.ordinal"],
            name=op.f("fk_classifications_filing_id_ordinal_risk_factors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_classifications")),
        sa.UniqueConstraint(
            "filing_id",
            "ordinal",
            "model_version",
            name=op.f("uq_classifications_filing_id_ordinal_model_version"),
        ),
    )
    op.create_index(op.f("ix_classifications_label"), "classifications", ["label"])

    op.create_table(
        "risk_factor_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cik", sa.Integer(), nullable=False),
        sa.Column("from_filing_id", sa.Integer(), nullable=False),
        sa.Column("to_filing_id", sa.Integer(), nullable=False),
        sa.Column("from_ordinal", sa.Integer(), nullable=True),
        sa.Column("to_ordinal", sa.Integer(), nullable=True),
        sa.Column("change_type", sa.String(length=16), nullable=False),
        sa.Column("similarity", sa.Float(), nullable=True),
        sa.CheckConstraint(
            "change_type IN ('added', 'removed', 'modified', 'unchanged')",
            name=op.f("ck_risk_factor_changes_change_type"),
        ),
        sa.ForeignKeyConstraint(
            ["from_filing_id"],
            ["filings.id"],
            name=op.f("fk_risk_factor_changes_from_filing_id_filings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["to_filing_id"],
            ["filings.id"],
            name=op.f("fk_risk_factor_changes_to_filing_id_filings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_factor_changes")),
        sa.UniqueConstraint(
            "from_filing_id", "to_filing_id", "from_ordinal", "to_ordinal", name="uq_risk_factor_changes_pair"
        ),
    )
    op.create_index(op.f("ix_risk_factor_changes_cik"), "risk_factor_changes", ["cik"])
    op.create_index(op.f("ix_risk_factor_changes_to_filing_id"), "risk_factor_changes", ["to_filing_id"])

    op.create_table(
        "model_registry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("version", sa.String(length=128), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("metrics", JSON_DOCUMENT, nullable=False),
        sa.Column("artifact_uri", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("promoted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_registry")),
        sa.UniqueConstraint("name", "version", name=op.f("uq_model_registry_name_version")),
    )

    op.create_table(
        "filing_index",
        sa.Column("accession_number", sa.String(length=20), nullable=False),
        sa.Column("partition_key", sa.String(length=32), nullable=False),
        sa.Column("ticker", sa.String(length=16), nullable=False),
        sa.Column("cik", sa.Integer(), nullable=False),
        sa.Column("company_name", sa.String(length=256), nullable=False),
        sa.Column("form", sa.String(length=16), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("filing_date", sa.Date(), nullable=False),
        sa.Column("report_date", sa.Date(), nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("raw_uri", sa.Text(), nullable=True),
        sa.Column("raw_sha256", sa.String(length=64), nullable=True),
        sa.Column("raw_size", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("accession_number", name=op.f("pk_filing_index")),
    )
    op.create_index(op.f("ix_filing_index_partition_key"), "filing_index", ["partition_key"])
    op.create_index("ix_filing_index_ticker_fiscal_year", "filing_index", ["ticker", "fiscal_year"])

    op.create_table(
        "filing_index_stages",
        sa.Column("accession_number", sa.String(length=20), nullable=False),
        sa.Column("stage", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'running', 'succeeded', 'failed', 'absent', 'blocked')",
            name=op.f("ck_filing_index_stages_status"),
        ),
        sa.ForeignKeyConstraint(
            ["accession_number"],
            ["filing_index.accession_number"],
            name=op.f("fk_filing_index_stages_accession_number_filing_index"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("accession_number", "stage", name=op.f("pk_filing_index_stages")),
    )


def downgrade() -> None:
    # Children before parents; dropping a table drops its indexes with it.
    for table in (
        "filing_index_stages",
        "filing_index",
        "model_registry",
        "risk_factor_changes",
        "classifications",
        "embeddings",
        "risk_factors",
        "items",
        "filings",
        "companies",
    ):
        op.drop_table(table)
