"""PO items' (po_id, asin) index also holds received_eaches, so looking up what a PO received
of an ASIN reads the index alone

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("purchase_order_item", schema=None) as batch_op:
        batch_op.drop_index("ix_purchase_order_item_po_id_asin")
        batch_op.create_index(
            "ix_purchase_order_item_po_id_asin_received",
            ["po_id", "asin", "received_eaches"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("purchase_order_item", schema=None) as batch_op:
        batch_op.drop_index("ix_purchase_order_item_po_id_asin_received")
        batch_op.create_index("ix_purchase_order_item_po_id_asin", ["po_id", "asin"], unique=False)
