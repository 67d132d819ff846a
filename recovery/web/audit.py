"""The UI's audit trail: one row per thing a person did (claims also keep their own events)."""

from __future__ import annotations

from sqlmodel import Session

from recovery.models.web import AuditEntry


def record_audit(
    session: Session, actor: str, action: str, target: str = "", detail: str = ""
) -> None:
    session.add(AuditEntry(actor=actor, action=action, target=target[:100], detail=detail))
