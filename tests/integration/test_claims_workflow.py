"""The review workflow against a real database (SQLite and PostgreSQL): every transition,
the audit trail, auto-approval, edits, retirement, expiry and concurrent moves."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from claims_factory import document, shortage_claim
from sqlalchemy import Engine
from sqlmodel import Session, select

from recovery.claims import drafting, workflow
from recovery.config import AutoApproval, Settings
from recovery.models import Claim, ClaimEvent, ClaimEvidence, ClaimStatus
from recovery.store import db

ALL = [s.value for s in ClaimStatus]


@pytest.mark.parametrize("from_status", ALL)
def test_every_transition_from_a_status_is_allowed_or_refused_as_the_table_says(
    engine: Engine, from_status: str
) -> None:
    with db.session_scope(engine) as session:
        for to_status in ALL:
            claim = shortage_claim(session, key=f"k:{to_status}", status=from_status)
            if workflow.can_transition(from_status, to_status):
                workflow.transition(
                    session, claim, ClaimStatus(to_status), actor="tester", note="table"
                )
                session.refresh(claim)
                assert claim.status == to_status
                event = session.exec(
                    select(ClaimEvent).where(ClaimEvent.claim_id == claim.id)
                ).one()
                assert (event.from_status, event.to_status, event.actor, event.note) == (
                    from_status,
                    to_status,
                    "tester",
                    "table",
                )
            else:
                with pytest.raises(workflow.IllegalTransition) as refused:
                    workflow.transition(session, claim, ClaimStatus(to_status), actor="tester")
                message = str(refused.value)
                assert f"claim {claim.id}" in message
                assert f"from {from_status} to {to_status}" in message
                session.refresh(claim)
                assert claim.status == from_status
                assert (
                    session.exec(select(ClaimEvent).where(ClaimEvent.claim_id == claim.id)).all()
                    == []
                )


def test_a_claims_whole_life_is_in_its_audit_trail(engine: Engine, settings: Settings) -> None:
    with db.session_scope(engine) as session:
        claim = shortage_claim(session)
        drafting.draft_claims(session, [claim], settings)
        assert claim.status == "ready"
        assert claim.id is not None
        workflow.approve(session, claim.id, actor="maria")
        for status in ("filing", "filed", "denied"):
            workflow.transition(session, claim, ClaimStatus(status), actor="filing")
        workflow.start_redispute(session, claim, actor="maria", note="POD proves delivery")
        assert claim.level == 2
        drafting.draft_claims(session, [claim], settings)
        assert claim.draft_text.startswith("Shortage re-dispute (second review)")
        assert claim.status == "redispute_ready"  # a person approves re-disputes
        workflow.approve(session, claim.id, actor="maria")
        for status in ("filing", "filed", "won", "closed"):
            workflow.transition(session, claim, ClaimStatus(status), actor="filing")
        trail = [
            (e.actor, e.from_status, e.to_status)
            for e in workflow.audit_trail(session, claim.id)
            if e.action == "transition"
        ]
    assert trail == [
        ("drafting", "draft", "ready"),
        ("maria", "ready", "approved"),
        ("filing", "approved", "filing"),
        ("filing", "filing", "filed"),
        ("filing", "filed", "denied"),
        ("maria", "denied", "redispute_ready"),
        ("maria", "redispute_ready", "approved"),
        ("filing", "approved", "filing"),
        ("filing", "filing", "filed"),
        ("filing", "filed", "won"),
        ("filing", "won", "closed"),
    ]


def test_no_dispute_level_after_the_statement_of_open_items(engine: Engine) -> None:
    with db.session_scope(engine) as session:
        claim = shortage_claim(session, status="denied", level=3)
        with pytest.raises(workflow.IllegalTransition, match="no dispute level after 3"):
            workflow.start_redispute(session, claim, actor="maria")
        chargeback = shortage_claim(
            session, key="cb", status="denied", level=2, claim_type="chargeback"
        )
        with pytest.raises(workflow.IllegalTransition, match="chargeback"):
            workflow.start_redispute(session, chargeback, actor="maria")


def test_missing_proof_of_delivery_parks_the_claim_until_a_document_is_attached(
    engine: Engine, settings: Settings
) -> None:
    with db.session_scope(engine) as session:
        claim = shortage_claim(session, with_pod=False)
        drafting.draft_claims(session, [claim], settings)
        assert claim.status == "needs_evidence"
        assert claim.draft_fields["missing_evidence"] == [
            "a carrier-signed BOL or signed POD for PO 4Q8Z1KXA"
        ]
        pod = document(session, "pod-late.pdf", "pod", signed=True, bol_number="7741")
        assert claim.id is not None and pod.id is not None
        assert drafting.attach_document(session, claim.id, pod.id, settings, actor="maria")
        assert not drafting.attach_document(session, claim.id, pod.id, settings, actor="maria")
        assert claim.status == "ready"
        assert claim.draft_fields["attachments"] == [
            {"document_id": pod.id, "name": "pod-late.pdf", "kind": "pod"}
        ]
        assert "pod-late.pdf (proof of delivery)" in claim.draft_text
        actions = [e.action for e in workflow.audit_trail(session, claim.id)]
    assert actions == ["transition", "attach", "transition"]


@pytest.mark.parametrize(
    ("amount_minor", "confidence", "approved"),
    [(25000, 95, True), (25001, 99, False), (1000, 94, False)],
)
def test_auto_approval_within_the_limits_only(
    engine: Engine, settings: Settings, amount_minor: int, confidence: int, approved: bool
) -> None:
    settings.claims.auto_approve = {
        "shortage": AutoApproval(max_amount=Decimal("250.00"), min_confidence=95)
    }
    with db.session_scope(engine) as session:
        claim = shortage_claim(session, amount_minor=amount_minor, confidence=confidence)
        drafting.draft_claims(session, [claim], settings)
        assert claim.status == ("approved" if approved else "ready")
        assert claim.id is not None
        last = workflow.audit_trail(session, claim.id)[-1]
    if approved:
        assert last.actor == "auto-approval"
        assert "$250.00 ≤ $250.00" in last.note
    else:
        assert last.to_status == "ready"


def test_auto_approval_is_off_by_default(engine: Engine, settings: Settings) -> None:
    with db.session_scope(engine) as session:
        claim = shortage_claim(session, amount_minor=1, confidence=100)
        drafting.draft_claims(session, [claim], settings)
        assert claim.status == "ready"


def test_edits_keep_the_previous_text_and_send_approved_claims_back_to_review(
    engine: Engine, settings: Settings
) -> None:
    with db.session_scope(engine) as session:
        claim = shortage_claim(session)
        drafting.draft_claims(session, [claim], settings)
        assert claim.id is not None
        original = claim.draft_text
        workflow.approve(session, claim.id, actor="maria")
        assert workflow.edit_text(session, claim.id, "Our own words.\n", actor="li")
        assert not workflow.edit_text(session, claim.id, "Our own words.\n", actor="li")
        assert claim.status == "ready"
        edit = next(e for e in workflow.audit_trail(session, claim.id) if e.action == "edit")
        assert (edit.actor, edit.previous_text) == ("li", original)
        # Detection re-drafting the claim later must not overwrite a person's wording.
        drafting.draft_claims(session, [claim], settings)
        assert claim.draft_text == "Our own words.\n"
        with pytest.raises(workflow.ClaimEditError, match="empty"):
            workflow.edit_text(session, claim.id, "  \n", actor="li")
        workflow.transition(session, claim, ClaimStatus.approved, actor="li")
        workflow.transition(session, claim, ClaimStatus.filing, actor="filing")
        with pytest.raises(workflow.ClaimEditError, match="status filing"):
            workflow.edit_text(session, claim.id, "Too late.\n", actor="li")


def test_a_claim_whose_deduction_was_reversed_before_filing_is_retired_not_filed(
    engine: Engine, settings: Settings
) -> None:
    with db.session_scope(engine) as session:
        claim = shortage_claim(session)
        drafting.draft_claims(session, [claim], settings)
        assert claim.id is not None
        workflow.approve(session, claim.id, actor="maria")
        workflow.retire_claim(session, claim, "INV-1001SCR reversed the shortage on 2026-04-02")
        assert claim.status == "retired"
        with pytest.raises(workflow.IllegalTransition, match="from retired to filing"):
            workflow.transition(session, claim, ClaimStatus.filing, actor="filing")
        last = workflow.audit_trail(session, claim.id)[-1]
        assert (last.actor, last.to_status) == ("detect", "retired")
        assert "SCR" in last.note
        filed = shortage_claim(session, key="filed", status="filed")
        with pytest.raises(workflow.IllegalTransition):
            workflow.retire_claim(session, filed, "reversed after filing")


def test_reject_needs_a_reason(engine: Engine) -> None:
    with db.session_scope(engine) as session:
        claim = shortage_claim(session, status="ready")
        assert claim.id is not None
        with pytest.raises(workflow.IllegalTransition, match="needs a reason"):
            workflow.reject(session, claim.id, actor="maria", reason=" ")
        workflow.reject(session, claim.id, actor="maria", reason="vendor short-shipped")
        assert workflow.audit_trail(session, claim.id)[-1].note == "vendor short-shipped"


def test_two_reviewers_cannot_both_move_the_same_claim(engine: Engine) -> None:
    with db.session_scope(engine) as session:
        claim_id = shortage_claim(session, status="ready").id
    assert claim_id is not None
    with Session(engine) as first, Session(engine) as second:
        stale = second.get(Claim, claim_id)
        assert stale is not None and stale.status == "ready"
        # Keep the object as the second reviewer saw it, and end its read transaction.
        second.expunge(stale)
        second.rollback()
        workflow.approve(first, claim_id, actor="maria")
        first.commit()
        with pytest.raises(workflow.ClaimChanged, match=f"claim {claim_id}"):
            workflow.transition(second, stale, ClaimStatus.rejected, actor="li")
        second.rollback()
    with Session(engine) as check:
        events = check.exec(select(ClaimEvent).where(ClaimEvent.claim_id == claim_id)).all()
        assert [(e.actor, e.to_status) for e in events] == [("maria", "approved")]


def test_overdue_claims_expire_but_filed_ones_do_not(engine: Engine) -> None:
    with db.session_scope(engine) as session:
        late = shortage_claim(session, key="late", status="ready", deadline=date(2026, 3, 1))
        on_time = shortage_claim(session, key="ok", status="ready", deadline=date(2026, 3, 2))
        filed = shortage_claim(session, key="filed", status="filed", deadline=date(2026, 1, 1))
        expired = workflow.expire_overdue(session, date(2026, 3, 2))
        assert expired == [late.id]
        for claim in (late, on_time, filed):
            session.refresh(claim)
        assert (late.status, on_time.status, filed.status) == ("expired", "ready", "filed")


def test_evidence_links_survive_and_unknown_claims_are_clear_errors(engine: Engine) -> None:
    with db.session_scope(engine) as session:
        with pytest.raises(workflow.ClaimNotFound, match="claim 999"):
            workflow.approve(session, 999, actor="maria")
        claim = shortage_claim(session)
        links = session.exec(select(ClaimEvidence).where(ClaimEvidence.claim_id == claim.id)).all()
        assert len(links) == 1
