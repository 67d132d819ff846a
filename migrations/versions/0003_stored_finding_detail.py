"""stored findings keep a claim's reason, evidence, lines and facts beside their summary

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("stored_finding", schema=None) as batch_op:
        batch_op.add_column(sa.Column("detail", sa.JSON(none_as_null=True), nullable=True))
    # Findings stored before kept everything in one column: the next run starts over (its
    # rules fingerprint differs anyway), so they need not be split here.
    op.execute("DELETE FROM stored_finding")
    op.execute("DELETE FROM detection_state")


def downgrade() -> None:
    op.execute("DELETE FROM stored_finding")
    op.execute("DELETE FROM detection_state")
    with op.batch_alter_table("stored_finding", schema=None) as batch_op:
        batch_op.drop_column("detail")
