"""Year-over-year risk changes carry their details: the share of changed words, merge and split
partners, whether the risk moved or changed category, and the word diff.

Revision ID: d7e2b9c41a05
Revises: c4d1e7a90b12
Created: 2026-12-01 13:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "d7e2b9c41a05"
down_revision: str | None = "c4d1e7a90b12"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    # No code wrote this table before this revision, so no row lacks the new values.
    with op.batch_alter_table("risk_factor_changes") as batch:
        batch.add_column(sa.Column("changed_words_share", sa.Float(), nullable=True))
        batch.add_column(sa.Column("merged_into", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("split_from", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("moved", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("category_changed", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("diff", JSON_DOCUMENT, nullable=True))
    with op.batch_alter_table("risk_factor_changes") as batch:
        batch.alter_column("moved", server_default=None)
        batch.alter_column("category_changed", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("risk_factor_changes") as batch:
        for column in ("diff", "category_changed", "moved", "split_from", "merged_into", "changed_words_share"):
            batch.drop_column(column)
