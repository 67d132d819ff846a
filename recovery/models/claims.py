"""Claims (disputes) drafted from findings, their lines and evidence, audit trail and filings."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from recovery.models.base import money_field, time_field


class ClaimType(StrEnum):
    shortage = "shortage"
    price = "price"
    coop = "coop"
    chargeback = "chargeback"


class ClaimStatus(StrEnum):
    waiting = "waiting"  # inside Amazon's own matching period; not yet fileable
    draft = "draft"
    ready = "ready"
    needs_evidence = "needs_evidence"  # wrong if the shipment is proven: upload the POD/BOL
    needs_look = "needs_look"  # the rules cannot judge it: a person must look
    approved = "approved"
    rejected = "rejected"
    filing = "filing"
    filed = "filed"
    won = "won"
    partially_won = "partially_won"
    denied = "denied"
    redispute_ready = "redispute_ready"
    closed = "closed"
    expired = "expired"
    retired = "retired"


class Claim(SQLModel, table=True):
    __tablename__ = "claim"
    # One claim per finding: detection updates it in place on every run.
    __table_args__ = (UniqueConstraint("account_id", "finding_key"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="vendor_account.id", index=True)
    finding_key: str = Field(max_length=200)
    type: str = Field(max_length=16, index=True)
    status: str = Field(default=ClaimStatus.draft, max_length=20, index=True)
    level: int = 1  # 1 first dispute, 2 re-dispute, 3 statement of open items
    deduction_id: int | None = Field(default=None, foreign_key="deduction.id", index=True)
    reference: str = Field(default="", max_length=64)
    invoice_number: str | None = Field(default=None, max_length=64)
    po_number: str | None = Field(default=None, max_length=32)
    asin: str | None = Field(default=None, max_length=16)
    quantity: int | None = None
    amount_minor: int = money_field(default=0)
    currency: str = Field(max_length=3)
    confidence_pct: int = 0  # 0..100
    reason: str = Field(default="", sa_column=Column(Text, nullable=False))
    deadline: date | None = None  # Amazon's last calendar day to file (never moved later)
    file_by: date | None = None  # the plan: a business day on or before the deadline
    # What the band counts the claim's age from: due date, co-op invoice date, notification.
    age_from: date | None = None
    band: str | None = Field(default=None, max_length=16)  # waiting/optimal/.../expired
    dispute_reason: str | None = Field(default=None, max_length=64)
    draft_text: str = Field(default="", sa_column=Column(Text, nullable=False))
    draft_fields: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    case_id: str | None = Field(default=None, max_length=32)  # the portal's DSPT id
    recovered_minor: int = money_field(default=0)
    created_at: datetime = time_field(default_now=True)
    updated_at: datetime = time_field(default_now=True)


# The review queue pages 100k claims by file_by or by expected value (amount × confidence):
# the first and last let the database walk the claims in that order and stop after a page
# instead of sorting them all.
_claims = Claim.__table__  # type: ignore[attr-defined]
Index("ix_claim_file_by_id", _claims.c.file_by, _claims.c.id)
# Counting a filtered queue reads only this index, never the 100k rows behind it.
Index(
    "ix_claim_queue_filters",
    _claims.c.status,
    _claims.c.file_by,
    _claims.c.type,
    _claims.c.account_id,
    _claims.c.band,
    _claims.c.deadline,
    _claims.c.age_from,
)
# Read backwards for "largest first" (ties: newest claim first).
Index("ix_claim_expected_value", _claims.c.amount_minor * _claims.c.confidence_pct, _claims.c.id)


class ClaimLine(SQLModel, table=True):
    __tablename__ = "claim_line"
    __table_args__ = (UniqueConstraint("claim_id", "line_no"),)

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claim.id", index=True)
    line_no: int
    invoice_number: str | None = Field(default=None, max_length=64)
    po_number: str | None = Field(default=None, max_length=32)
    asin: str | None = Field(default=None, max_length=16)
    quantity: int | None = None
    amount_minor: int = money_field(default=0)
    currency: str = Field(max_length=3)


class ClaimEvidence(SQLModel, table=True):
    __tablename__ = "claim_evidence"
    __table_args__ = (UniqueConstraint("claim_id", "document_id"),)

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claim.id", index=True)
    document_id: int = Field(foreign_key="evidence_document.id")
    added_by: str = Field(default="detect", max_length=100)


class ClaimEvent(SQLModel, table=True):
    """The audit trail: who moved a claim from what to what, when, and why."""

    __tablename__ = "claim_event"

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claim.id", index=True)
    at: datetime = time_field(default_now=True)
    actor: str = Field(max_length=100)
    action: str = Field(max_length=32)  # transition, edit, attach, detect
    from_status: str | None = Field(default=None, max_length=20)
    to_status: str | None = Field(default=None, max_length=20)
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    previous_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class FilingAttempt(SQLModel, table=True):
    """One attempt to file a claim in the portal; the key makes filing happen exactly once."""

    __tablename__ = "filing_attempt"

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claim.id", index=True)
    idempotency_key: str = Field(max_length=100, unique=True)
    started_at: datetime = time_field(default_now=True)
    finished_at: datetime | None = time_field()
    outcome: str = Field(default="started", max_length=16)  # started/filed/failed
    case_id: str | None = Field(default=None, max_length=32)
    screenshot_path: str | None = Field(default=None, max_length=500)
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # The dispute's own key, written into its justification: the claims of one dispute (a
    # shortage invoice's lines) share it, and after a crash the portal is searched for it.
    dispute_key: str | None = Field(default=None, max_length=64, index=True)
    # The receipt: what was typed into the form, as submitted.
    fields: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    # Amazon's decision once the dispute is resolved, and this claim's share of the approval.
    decision: str | None = Field(default=None, max_length=32)
    approved_minor: int | None = money_field(nullable=True)
    # The day Amazon resolved the dispute: the next step of the ladder counts its window from it.
    resolved_on: date | None = None
