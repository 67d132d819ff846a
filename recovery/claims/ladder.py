"""The ladder: what follows a denied or partly approved dispute, each step with its own window.

Amazon's rules (DOMAIN.md, "Second level" and "Operational chargebacks"; help.supplypike.com
/en/articles/10113369 for shortages): a Denied or Partially approved dispute can be re-disputed
once its first review is over; after a second denial Amazon expects a Statement of Open Items
through a Contact Us case, and denies settlement cases for claims not disputed twice. Windows:
shortages and price claims can be disputed and re-disputed until the two-year limit, co-op
invoices until they are two years old (the claim's own `deadline`, kept); a chargeback gets one
second dispute within 30 days of the first rejection and no third.

`climb` moves every decided claim with money still open one rung up (`level` 2: the portal's
re-dispute of its case; `level` 3: the statement of open items, drafted for a person to send),
to `redispute_ready` for a person to approve, redrafted with the decisions so far; a claim whose
next window has closed, or that has no next rung, is closed with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from recovery.claims import drafting, workflow
from recovery.config import Settings
from recovery.models.claims import Claim, ClaimStatus, ClaimType, FilingAttempt
from recovery.models.payments import Invoice
from recovery.money import format_minor

S = ClaimStatus
ACTOR = "ladder"
# A chargeback's second dispute: within 30 days of the first rejection (DOMAIN.md).
CHARGEBACK_REDISPUTE_DAYS = 30
# Statement of Open Items: the portal's columns.
OPEN_ITEM_COLUMNS = (
    "Document Number",
    "Document Date",
    "Document Due Date",
    "Document Amount",
    "Item Balance",
)


@dataclass(frozen=True)
class NextStep:
    level: int
    deadline: date | None
    why: str


@dataclass
class LadderReport:
    climbed: list[tuple[int, int]] = field(default_factory=list)  # (claim id, new level)
    closed: list[tuple[int, str]] = field(default_factory=list)


def next_step(claim: Claim, resolved_on: date | None, today: date) -> NextStep | None:
    """The next rung for a decided claim with money open, or None (the reason in `why_not`)."""
    level = claim.level + 1
    if level > workflow.MAX_LEVEL[claim.type]:
        return None
    deadline: date | None
    if claim.type == ClaimType.chargeback:
        anchor = resolved_on or today
        deadline = anchor + timedelta(days=CHARGEBACK_REDISPUTE_DAYS)
        why = f"second dispute within {CHARGEBACK_REDISPUTE_DAYS} days of the rejection"
    else:
        deadline = claim.deadline
        why = "re-dispute" if level == 2 else "statement of open items"
        why += " until the two-year limit"
    if deadline is not None and today > deadline:
        return None
    return NextStep(level, deadline, why)


def why_not(claim: Claim, resolved_on: date | None, today: date) -> str:
    if claim.level + 1 > workflow.MAX_LEVEL[claim.type]:
        return (
            "a chargeback gets no third dispute"
            if claim.type == ClaimType.chargeback
            else "the statement of open items was the last step"
        )
    return "the window for the next step has closed"


def open_items(claim: Claim, document_date: date | None, due: date | None) -> list[dict[str, str]]:
    """The claim's line of the Statement of Open Items, in the portal's columns."""
    return [
        dict(
            zip(
                OPEN_ITEM_COLUMNS,
                (
                    claim.reference or claim.invoice_number or "",
                    document_date.isoformat() if document_date else "",
                    due.isoformat() if due else "",
                    format_minor(claim.amount_minor, claim.currency),
                    format_minor(claim.amount_minor - claim.recovered_minor, claim.currency),
                ),
                strict=True,
            )
        )
    ]


def climb(engine: Engine, settings: Settings, today: date) -> LadderReport:
    report = LadderReport()
    with Session(engine) as session:
        decided = session.exec(
            select(Claim).where(col(Claim.status).in_([S.denied.value, S.partially_won.value]))
        ).all()
        for claim in decided:
            _climb_one(session, settings, claim, today, report)
        session.commit()
    return report


def _climb_one(
    session: Session, settings: Settings, claim: Claim, today: date, report: LadderReport
) -> None:
    assert claim.id is not None
    resolved_on = _last_resolution(session, claim.id)
    step = next_step(claim, resolved_on, today)
    if step is None:
        reason = why_not(claim, resolved_on, today)
        workflow.transition(session, claim, S.closed, actor=ACTOR, note=reason)
        report.closed.append((claim.id, reason))
        return
    open_minor = claim.amount_minor - _approved_so_far(session, claim.id)
    note = f"level {step.level} ({step.why}): {format_minor(open_minor, claim.currency)} open" + (
        f", file by {step.deadline}" if step.deadline else ""
    )
    workflow.transition(session, claim, S.redispute_ready, actor=ACTOR, note=note)
    claim.level = step.level
    claim.deadline = step.deadline
    claim.file_by = min(step.deadline, today) if step.deadline else today
    if step.level >= 3:
        invoice = session.exec(
            select(Invoice).where(
                Invoice.account_id == claim.account_id,
                Invoice.invoice_number == (claim.invoice_number or claim.reference),
            )
        ).first()
        document_date = invoice.invoice_date if invoice else claim.age_from
        due = invoice.due_date if invoice and invoice.due_date else None
        claim.draft_fields = {
            **claim.draft_fields,
            "statement_of_open_items": open_items(claim, document_date, due),
        }
    session.add(claim)
    session.flush()
    drafting.redraft(session, claim, settings)
    report.climbed.append((claim.id, step.level))


def _last_resolution(session: Session, claim_id: int) -> date | None:
    days = session.exec(
        select(col(FilingAttempt.resolved_on))
        .where(FilingAttempt.claim_id == claim_id, FilingAttempt.outcome == "filed")
        .order_by(col(FilingAttempt.finished_at).desc())
    ).all()
    return next((d for d in days if d is not None), None)


def _approved_so_far(session: Session, claim_id: int) -> int:
    shares = session.exec(
        select(FilingAttempt.approved_minor).where(
            FilingAttempt.claim_id == claim_id, FilingAttempt.outcome == "filed"
        )
    ).all()
    return sum(s or 0 for s in shares)


def history(session: Session, claim_ids: Sequence[int]) -> list[FilingAttempt]:
    """Every dispute filed for the claims, oldest first: the ladder as it was climbed."""
    return list(
        session.exec(
            select(FilingAttempt)
            .where(
                col(FilingAttempt.claim_id).in_(list(claim_ids)), FilingAttempt.outcome == "filed"
            )
            .order_by(col(FilingAttempt.started_at))
        ).all()
    )
