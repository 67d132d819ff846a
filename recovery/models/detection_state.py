"""What lets `detect` rerun only what changed: the keys writes touched, and the last findings.

Every write that can change a finding queues the keys it touched (a PO, an invoice, a deduction's
reference, ...) in the same transaction as the write. `detect` reads the queue, reruns the rules
only on what those keys reach, keeps every other finding from its last run, and deletes exactly
the queue rows it read.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


class ChangedKey(SQLModel, table=True):
    """A key some write touched since detection last read the queue."""

    __tablename__ = "changed_key"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="vendor_account.id", index=True)
    kind: str = Field(max_length=16)  # see recovery.store.changes.KINDS
    key: str = Field(max_length=200)


class StoredFinding(SQLModel, table=True):
    """One finding of the last detection run (see `recovery.claims.incremental.stored_findings`)."""

    __tablename__ = "stored_finding"
    __table_args__ = (UniqueConstraint("account_id", "finding_key"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="vendor_account.id", index=True)
    finding_key: str = Field(max_length=200)
    finding: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))  # the summary
    # What a claim is written from (reason, evidence, lines, facts); None if no claim is made.
    detail: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True), nullable=True)
    )


class DetectionState(SQLModel, table=True):
    """What the stored findings were computed with: other rules or settings mean a full run."""

    __tablename__ = "detection_state"

    account_id: int = Field(foreign_key="vendor_account.id", primary_key=True)
    fingerprint: str = Field(max_length=64)
