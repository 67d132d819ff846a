"""Cost records keep only their unique key as an index: it starts with the account and the
source, which is how detection reads them; the account and ASIN indexes were read by no query
and cost a large vendor's SP-API import seconds (two million PO cost observations a year)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cost_record", schema=None) as batch_op:
        batch_op.drop_index("ix_cost_record_asin")
        batch_op.drop_index("ix_cost_record_account_id")


def downgrade() -> None:
    with op.batch_alter_table("cost_record", schema=None) as batch_op:
        batch_op.create_index("ix_cost_record_account_id", ["account_id"], unique=False)
        batch_op.create_index("ix_cost_record_asin", ["asin"], unique=False)
