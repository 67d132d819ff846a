"""The review UI: sign-in sessions, the audit trail of who did what, ledger adjustments, and
the indexes the review queue pages claims by (file_by; amount × confidence)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import recovery.models.base
import recovery.money

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "web_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", recovery.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", recovery.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_web_session_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_session")),
    )
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_web_session_token_sha256"), ["token_sha256"], unique=True
        )
        batch_op.create_index(batch_op.f("ix_web_session_user_id"), ["user_id"], unique=False)

    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", recovery.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entry_actor"), ["actor"], unique=False)

    op.create_table(
        "ledger_adjustment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("invoice_number", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("bucket", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("amount_minor", recovery.money.MinorUnits(), nullable=False),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("at", recovery.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["vendor_account.id"],
            name=op.f("fk_ledger_adjustment_account_id_vendor_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_adjustment")),
    )
    with op.batch_alter_table("ledger_adjustment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ledger_adjustment_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_ledger_adjustment_invoice_number"), ["invoice_number"], unique=False
        )

    op.create_index("ix_claim_file_by_id", "claim", ["file_by", "id"], unique=False)
    op.create_index(
        "ix_claim_queue_filters",
        "claim",
        ["status", "file_by", "type", "account_id", "band", "deadline", "age_from"],
        unique=False,
    )
    op.create_index(
        "ix_claim_expected_value",
        "claim",
        [sa.text("(amount_minor * confidence_pct)"), "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_claim_expected_value", table_name="claim")
    op.drop_index("ix_claim_queue_filters", table_name="claim")
    op.drop_index("ix_claim_file_by_id", table_name="claim")
    with op.batch_alter_table("ledger_adjustment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_adjustment_invoice_number"))
        batch_op.drop_index(batch_op.f("ix_ledger_adjustment_account_id"))
    op.drop_table("ledger_adjustment")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entry_actor"))
    op.drop_table("audit_entry")
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_session_user_id"))
        batch_op.drop_index(batch_op.f("ix_web_session_token_sha256"))
    op.drop_table("web_session")
