"""Claims carry Amazon's deadline, the plan to file (`file_by`) and the date their band counts
from (`age_from`); deadlines are recomputed by the next detection run (Amazon's dates, never
moved to a business day), which also brings back claims the old windows called expired

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.add_column(sa.Column("file_by", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("age_from", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.drop_column("age_from")
        batch_op.drop_column("file_by")
