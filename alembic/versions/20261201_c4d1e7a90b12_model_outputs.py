"""Model outputs name their model: embeddings and classifications carry the model name (and the
embedding path); a classification row is one label of a risk factor, ranked (1 = primary). A risk
factor's category heading may be up to 512 characters (filers write sentences there).

Revision ID: c4d1e7a90b12
Revises: ab9e90fc5a09
Created: 2026-12-01 12:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4d1e7a90b12"
down_revision: str | None = "ab9e90fc5a09"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Rows written before this revision have no model name; derived rows are recomputed on the
    # next run of the embedding and classification stages, so they are dropped, not guessed.
    op.execute("DELETE FROM classifications")
    op.execute("DELETE FROM embeddings")
    with op.batch_alter_table("embeddings") as batch:
        batch.add_column(sa.Column("model_name", sa.String(length=128), nullable=False))
        batch.add_column(sa.Column("embedding_path", sa.String(length=32), nullable=False))
    with op.batch_alter_table("risk_factors") as batch:
        batch.alter_column("category", existing_type=sa.String(length=64), type_=sa.String(length=512))
    with op.batch_alter_table("classifications") as batch:
        batch.add_column(sa.Column("model_name", sa.String(length=128), nullable=False))
        batch.add_column(sa.Column("rank", sa.Integer(), nullable=False))
        batch.drop_constraint("uq_classifications_filing_id_ordinal_model_version", type_="unique")
        batch.create_unique_constraint(
            "uq_classifications_filing_id_ordinal_model_version_label",
            ["filing_id", "ordinal", "model_version", "label"],
        )


def downgrade() -> None:
    with op.batch_alter_table("risk_factors") as batch:
        batch.alter_column("category", existing_type=sa.String(length=512), type_=sa.String(length=64))
    op.execute("DELETE FROM classifications")
    op.execute("DELETE FROM embeddings")
    with op.batch_alter_table("classifications") as batch:
        batch.drop_constraint("uq_classifications_filing_id_ordinal_model_version_label", type_="unique")
        batch.create_unique_constraint(
            "uq_classifications_filing_id_ordinal_model_version", ["filing_id", "ordinal", "model_version"]
        )
        batch.drop_column("rank")
        batch.drop_column("model_name")
    with op.batch_alter_table("embeddings") as batch:
        batch.drop_column("embedding_path")
        batch.drop_column("model_name")
