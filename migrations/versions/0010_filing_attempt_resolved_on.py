"""A filing attempt keeps the day Amazon resolved its dispute: the next step's window (a
chargeback's second dispute: 30 days from the first rejection) counts from it

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("filing_attempt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resolved_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("filing_attempt", schema=None) as batch_op:
        batch_op.drop_column("resolved_on")
