"""The life of a claim: which status may follow which, and the audit trail of every move.

Every status change goes through `transition`, which claims the row atomically
(`UPDATE … WHERE id = … AND status = …` and checks that exactly one row changed), so two
reviewers, or a reviewer and the filing job, can never both move the same claim. Each move
writes a `ClaimEvent` (who, when, from, to, note); edits keep the previous text in theirs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from recovery.claims.kinds import KINDS
from recovery.config import AutoApproval
from recovery.errors import RecoveryError
from recovery.models.base import table_of, utcnow
from recovery.models.claims import Claim, ClaimEvent, ClaimStatus
from recovery.money import from_minor

S = ClaimStatus

AUTO_APPROVER = "auto-approval"

# Not yet filed: a claim here can still expire or be retired.
PRE_FILING: frozenset[ClaimStatus] = frozenset(
    {S.waiting, S.draft, S.needs_evidence, S.needs_look, S.ready, S.approved, S.redispute_ready}
)

# Statuses in which a person may still change the text that will be filed.
EDITABLE: frozenset[ClaimStatus] = frozenset(
    {S.draft, S.needs_evidence, S.ready, S.approved, S.redispute_ready}
)

_FORWARD: dict[ClaimStatus, frozenset[ClaimStatus]] = {
    # → needs_look: new data made the finding one the rules cannot judge (detection).
    S.waiting: frozenset({S.draft, S.needs_look}),
    S.draft: frozenset({S.ready, S.needs_evidence, S.needs_look}),
    # needs_evidence → rejected: a person decides the proof will never come.
    S.needs_evidence: frozenset({S.ready, S.rejected, S.needs_look}),
    # needs_look → a person rejects it (Amazon was right), or detection, once the data is
    # there, makes it a claim like any other.
    S.needs_look: frozenset({S.rejected, S.waiting, S.draft, S.needs_evidence}),
    # ready → needs_evidence: a re-draft found a document gone or unlinked.
    S.ready: frozenset({S.approved, S.rejected, S.needs_evidence, S.needs_look}),
    # approved → ready: the text changed after approval, so it needs a person again.
    S.approved: frozenset({S.filing, S.ready}),
    # filing → approved: the portal attempt failed and the claim goes back in the queue.
    S.filing: frozenset({S.filed, S.approved}),
    S.filed: frozenset({S.won, S.partially_won, S.denied}),
    S.won: frozenset({S.closed}),
    S.partially_won: frozenset({S.redispute_ready, S.closed}),
    S.denied: frozenset({S.redispute_ready, S.closed}),
    S.redispute_ready: frozenset({S.approved, S.rejected}),
    S.rejected: frozenset(),
    S.closed: frozenset(),
    # expired → back: only detection, when the claim's window turns out to be open (deadlines
    # are Amazon's dates; an older version of the rules expired claims Amazon still accepted).
    S.expired: frozenset({S.waiting, S.draft, S.needs_evidence, S.needs_look}),
    S.retired: frozenset(),
}

TRANSITIONS: Mapping[ClaimStatus, frozenset[ClaimStatus]] = {
    status: targets | ({S.expired, S.retired} if status in PRE_FILING else frozenset())
    for status, targets in _FORWARD.items()
}

# How many dispute levels Amazon allows per type (each kind's `max_level`).
MAX_LEVEL: Mapping[str, int] = {name: kind.max_level for name, kind in KINDS.items()}


class ClaimNotFound(RecoveryError):
    def __init__(self, claim_id: int) -> None:
        self.claim_id = claim_id
        super().__init__(f"claim {claim_id}: no such claim")


class IllegalTransition(RecoveryError):
    """A status change the workflow does not allow."""

    def __init__(
        self, claim_id: int | None, from_status: str, to_status: str, why: str = ""
    ) -> None:
        self.claim_id = claim_id
        self.from_status = from_status
        self.to_status = to_status
        allowed = ", ".join(sorted(TRANSITIONS.get(ClaimStatus(from_status), ()))) or "nothing"
        detail = why or f"from {from_status} it can go to: {allowed}"
        super().__init__(
            f"claim {claim_id}: cannot move from {from_status} to {to_status} ({detail})"
        )


class ClaimChanged(RecoveryError):
    """Someone else moved the claim between our read and our write."""

    def __init__(self, claim_id: int, expected: str, to_status: str) -> None:
        self.claim_id = claim_id
        super().__init__(
            f"claim {claim_id}: was changed by someone else while moving from {expected} to "
            f"{to_status}; look at it again and retry"
        )


class ClaimEditError(RecoveryError):
    """An edit that cannot be applied (empty text, claim already filed)."""


def can_transition(from_status: str, to_status: str) -> bool:
    return ClaimStatus(to_status) in TRANSITIONS[ClaimStatus(from_status)]


def get_claim(session: Session, claim_id: int) -> Claim:
    claim = session.get(Claim, claim_id)
    if claim is None:
        raise ClaimNotFound(claim_id)
    return claim


def transition(
    session: Session,
    claim: Claim,
    to_status: ClaimStatus,
    *,
    actor: str,
    note: str = "",
    previous_text: str | None = None,
    now: datetime | None = None,
) -> Claim:
    """Move `claim` to `to_status`, or raise; the session's transaction holds the change."""
    assert claim.id is not None, "only stored claims have a workflow"
    from_status = ClaimStatus(claim.status)
    if not can_transition(from_status, to_status):
        raise IllegalTransition(claim.id, from_status, to_status)
    moment = now or utcnow()
    # A plain Core UPDATE on the session's connection: it stands alone (pending ORM changes
    # need not be written first) and costs a fraction of an ORM-enabled one.
    table = table_of(Claim)
    result = session.connection().execute(
        update(table)
        .where(table.c.id == claim.id, table.c.status == from_status.value)
        .values(status=to_status.value, updated_at=moment)
    )
    if result.rowcount != 1:
        raise ClaimChanged(claim.id, from_status, to_status)
    session.add(
        ClaimEvent(
            claim_id=claim.id,
            at=moment,
            actor=actor,
            action="transition",
            from_status=from_status.value,
            to_status=to_status.value,
            note=note,
            previous_text=previous_text,
        )
    )
    # The UPDATE bypassed the ORM; mirror it as already stored, so a later flush of this object
    # never writes the status again (it would overwrite someone else's newer move).
    set_committed_value(claim, "status", to_status.value)
    set_committed_value(claim, "updated_at", moment)
    return claim


def record_event(
    session: Session,
    claim: Claim,
    action: str,
    *,
    actor: str,
    note: str = "",
    previous_text: str | None = None,
    now: datetime | None = None,
) -> ClaimEvent:
    """An audit entry that is not a status change (edit, attach, re-draft)."""
    assert claim.id is not None
    event = ClaimEvent(
        claim_id=claim.id,
        at=now or utcnow(),
        actor=actor,
        action=action,
        from_status=claim.status,
        to_status=claim.status,
        note=note,
        previous_text=previous_text,
    )
    session.add(event)
    session.flush()
    return event


def approve(session: Session, claim_id: int, *, actor: str, note: str = "") -> Claim:
    return transition(session, get_claim(session, claim_id), S.approved, actor=actor, note=note)


def reject(session: Session, claim_id: int, *, actor: str, reason: str) -> Claim:
    if not reason.strip():
        raise IllegalTransition(
            claim_id, get_claim(session, claim_id).status, S.rejected, "a rejection needs a reason"
        )
    return transition(session, get_claim(session, claim_id), S.rejected, actor=actor, note=reason)


def edit_text(session: Session, claim_id: int, new_text: str, *, actor: str) -> bool:
    """Replace the text that will be filed; False when nothing changed.

    The previous text goes into the audit event. An approved claim whose text changes goes back
    to `ready`: what was approved is no longer what would be filed.
    """
    claim = get_claim(session, claim_id)
    if ClaimStatus(claim.status) not in EDITABLE:
        raise ClaimEditError(
            f"claim {claim_id}: its text cannot change in status {claim.status} "
            f"(only {', '.join(sorted(EDITABLE))})"
        )
    if not new_text.strip():
        raise ClaimEditError(f"claim {claim_id}: the new text is empty; nothing was changed")
    if new_text == claim.draft_text:
        return False
    previous = claim.draft_text
    claim.draft_text = new_text
    claim.draft_fields = {**claim.draft_fields, "text_edited_by": actor}
    claim.updated_at = utcnow()
    session.add(claim)
    record_event(session, claim, "edit", actor=actor, note="text edited", previous_text=previous)
    if claim.status == S.approved:
        transition(
            session, claim, S.ready, actor=actor, note="text edited after approval; approve again"
        )
    return True


def retire_claim(session: Session, claim: Claim, note: str, *, actor: str = "detect") -> Claim:
    """The deduction was reversed before we filed: nothing left to claim."""
    return transition(session, claim, S.retired, actor=actor, note=note)


def start_redispute(session: Session, claim: Claim, *, actor: str, note: str = "") -> Claim:
    """A denied or partly won dispute goes up one level (re-dispute, then statement of open
    items); the caller re-drafts it for the new level."""
    if claim.status not in (S.denied, S.partially_won):
        raise IllegalTransition(claim.id, claim.status, S.redispute_ready)
    limit = MAX_LEVEL.get(claim.type, 2)
    if claim.level >= limit:
        raise IllegalTransition(
            claim.id,
            claim.status,
            S.redispute_ready,
            f"a {claim.type} claim has no dispute level after {claim.level}",
        )
    transition(session, claim, S.redispute_ready, actor=actor, note=note)
    claim.level += 1
    session.add(claim)
    session.flush()
    return claim


def expire_overdue(
    session: Session, today: date, *, actor: str = "deadline", now: datetime | None = None
) -> list[int]:
    """Claims not yet filed whose deadline has passed (`today` in the business timezone)."""
    overdue = session.exec(
        select(Claim).where(
            col(Claim.status).in_([s.value for s in PRE_FILING]),
            col(Claim.deadline).is_not(None),
            col(Claim.deadline) < today,
        )
    ).all()
    expired: list[int] = []
    for claim in overdue:
        transition(
            session,
            claim,
            S.expired,
            actor=actor,
            note=f"deadline {claim.deadline} passed",
            now=now,
        )
        assert claim.id is not None
        expired.append(claim.id)
    return expired


def auto_approvable(
    claim_type: str, amount: Decimal, confidence_pct: int, policy: Mapping[str, AutoApproval]
) -> bool:
    """The settings' policy for this type allows approval without a person; off when absent,
    and never above the threshold."""
    rule = policy.get(claim_type)
    if rule is None:
        return False
    return amount <= rule.max_amount and confidence_pct >= rule.min_confidence


def claim_amount(claim: Claim) -> Decimal:
    return from_minor(claim.amount_minor, claim.currency)


def audit_trail(session: Session, claim_id: int) -> Sequence[ClaimEvent]:
    return session.exec(
        select(ClaimEvent)
        .where(ClaimEvent.claim_id == claim_id)
        .order_by(col(ClaimEvent.at), col(ClaimEvent.id))
    ).all()
