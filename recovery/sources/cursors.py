"""Sync cursors: per account and feed, the instant up to which everything has been stored.

A cursor is written in the same transaction as the rows that justify it, so after a crash it
never claims more than the database holds.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from recovery.models import SyncCursor, utcnow


def read_cursor(session: Session, account_id: int, feed: str) -> datetime | None:
    cursor = session.exec(
        select(SyncCursor).where(SyncCursor.account_id == account_id, SyncCursor.feed == feed)
    ).first()
    return None if cursor is None else cursor.position


def set_cursor(session: Session, account_id: int, feed: str, position: datetime) -> None:
    """Record that `feed` is stored up to `position`; commits with the caller's transaction."""
    cursor = session.exec(
        select(SyncCursor).where(SyncCursor.account_id == account_id, SyncCursor.feed == feed)
    ).first()
    if cursor is None:
        cursor = SyncCursor(account_id=account_id, feed=feed, position=position)
    else:
        cursor.position = position
        cursor.updated_at = utcnow()
    session.add(cursor)
