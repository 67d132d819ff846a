"""Shortage and price variance lines are indexed by PO number, so a detection run that judges
one day's changes looks up the disputes of its POs instead of reading all of them

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("shortage_line", schema=None) as batch_op:
        batch_op.create_index("ix_shortage_line_po_number", ["po_number"], unique=False)
    with op.batch_alter_table("price_variance_line", schema=None) as batch_op:
        batch_op.create_index("ix_price_variance_line_po_number", ["po_number"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("price_variance_line", schema=None) as batch_op:
        batch_op.drop_index("ix_price_variance_line_po_number")
    with op.batch_alter_table("shortage_line", schema=None) as batch_op:
        batch_op.drop_index("ix_shortage_line_po_number")
