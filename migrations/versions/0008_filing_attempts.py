"""Filing attempts keep the dispute's key (written into its justification, searched for after a
crash) and the fields as submitted (the receipt), and Amazon's decision with the share of it each claim won

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from recovery.money import MinorUnits

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("filing_attempt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dispute_key", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("fields", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("decision", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("approved_minor", MinorUnits(), nullable=True))
        batch_op.create_index("ix_filing_attempt_dispute_key", ["dispute_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("filing_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_filing_attempt_dispute_key")
        batch_op.drop_column("approved_minor")
        batch_op.drop_column("decision")
        batch_op.drop_column("fields")
        batch_op.drop_column("dispute_key")
