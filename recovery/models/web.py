"""The review UI's sign-in sessions, its audit trail, and the ledger corrections people make."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from recovery.models.base import money_field, time_field


class WebSession(SQLModel, table=True):
    """A signed-in browser. Only the token's SHA-256 is stored: a copy of the database does not
    let anyone sign in."""

    __tablename__ = "web_session"

    id: int | None = Field(default=None, primary_key=True)
    token_sha256: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    created_at: datetime = time_field(default_now=True)
    expires_at: datetime = time_field(nullable=False)


class AuditEntry(SQLModel, table=True):
    """Who did what through the UI (sign-in, approvals, edits, uploads, ledger corrections)."""

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = time_field(default_now=True)
    actor: str = Field(max_length=100, index=True)
    action: str = Field(max_length=32)
    target: str = Field(default="", max_length=100)
    detail: str = Field(default="", sa_column=Column(Text, nullable=False))


class LedgerAdjustment(SQLModel, table=True):
    """A person's correction of an invoice's buckets: this much of its deductions belongs in
    that bucket, for this reason. Shown beside the computed buckets, never merged silently."""

    __tablename__ = "ledger_adjustment"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="vendor_account.id", index=True)
    invoice_number: str = Field(max_length=64, index=True)
    bucket: str = Field(max_length=16)
    amount_minor: int = money_field()
    currency: str = Field(max_length=3)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    actor: str = Field(max_length=100)
    at: datetime = time_field(default_now=True)
