"""Import batches, job runs and sync cursors: what ran, on what, and where it got to."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from recovery.models.base import time_field


class ImportBatch(SQLModel, table=True):
    """One imported file. The hash makes re-importing the same file a no-op."""

    __tablename__ = "import_batch"

    id: int | None = Field(default=None, primary_key=True)
    file_sha256: str = Field(max_length=64, unique=True, index=True)
    file_name: str = Field(max_length=500)
    kind: str = Field(max_length=32)
    account_id: int | None = Field(default=None, foreign_key="vendor_account.id")
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    skipped: int = 0
    warnings: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    imported_at: datetime = time_field(default_now=True)


class JobRun(SQLModel, table=True):
    """One run of a background job (`recovery.service`), or of a sync that records itself."""

    __tablename__ = "job_run"
    __table_args__ = (Index("ix_job_run_job_status_finished", "job", "status", "finished_at"),)

    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=64, index=True)
    account_id: int | None = Field(default=None, foreign_key="vendor_account.id")
    started_at: datetime = time_field(default_now=True)
    finished_at: datetime | None = time_field()
    status: str = Field(default="running", max_length=16)  # running/succeeded/failed
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # What a failed run raised, in one line; the traceback goes to the log.
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class SyncCursor(SQLModel, table=True):
    """How far a feed has been pulled for an account; advanced only after rows are committed."""

    __tablename__ = "sync_cursor"
    __table_args__ = (UniqueConstraint("account_id", "feed"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="vendor_account.id")
    feed: str = Field(max_length=32)
    position: datetime = time_field(nullable=False)
    updated_at: datetime = time_field(default_now=True)
