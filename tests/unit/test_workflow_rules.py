"""The claim state machine as a table: the workflow in the issue, written out by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from recovery.claims.workflow import MAX_LEVEL, TRANSITIONS, auto_approvable, can_transition
from recovery.config import AutoApproval
from recovery.models import ClaimStatus

PRE_FILING_EXITS = {"expired", "retired"}

# from → every status it may go to. Anything not listed is illegal.
EXPECTED: dict[str, set[str]] = {
    "waiting": {"draft", "needs_look"} | PRE_FILING_EXITS,
    "draft": {"ready", "needs_evidence", "needs_look"} | PRE_FILING_EXITS,
    # a person can reject what will never be proven or what the rules could not judge
    "needs_evidence": {"ready", "rejected", "needs_look"} | PRE_FILING_EXITS,
    "needs_look": {"rejected", "waiting", "draft", "needs_evidence"} | PRE_FILING_EXITS,
    "ready": {"approved", "rejected", "needs_evidence", "needs_look"} | PRE_FILING_EXITS,
    "approved": {"filing", "ready"} | PRE_FILING_EXITS,
    "filing": {"filed", "approved"},
    "filed": {"won", "partially_won", "denied"},
    "won": {"closed"},
    "partially_won": {"redispute_ready", "closed"},
    "denied": {"redispute_ready", "closed"},
    "redispute_ready": {"approved", "rejected"} | PRE_FILING_EXITS,
    "rejected": set(),
    "closed": set(),
    # detection brings back a claim whose window turns out to be open
    "expired": {"waiting", "draft", "needs_evidence", "needs_look"},
    "retired": set(),
}

ALL_PAIRS = [(a.value, b.value) for a in ClaimStatus for b in ClaimStatus]


def test_every_status_has_a_row() -> None:
    assert set(EXPECTED) == {s.value for s in ClaimStatus}
    assert {k.value: {t.value for t in v} for k, v in TRANSITIONS.items()} == EXPECTED


@pytest.mark.parametrize(("from_status", "to_status"), ALL_PAIRS)
def test_transition_table(from_status: str, to_status: str) -> None:
    assert can_transition(from_status, to_status) == (to_status in EXPECTED[from_status])


def test_filed_claims_can_never_be_retired_or_expired() -> None:
    for status in ("filing", "filed", "won", "partially_won", "denied", "closed"):
        assert not can_transition(status, "retired")
        assert not can_transition(status, "expired")


def test_chargebacks_get_one_second_dispute_and_no_third() -> None:
    assert MAX_LEVEL["chargeback"] == 2
    assert MAX_LEVEL["shortage"] == 3


POLICY = {"shortage": AutoApproval(max_amount=Decimal("250.00"), min_confidence=95)}


@pytest.mark.parametrize(
    ("claim_type", "amount", "confidence", "expected"),
    [
        ("shortage", "250.00", 95, True),  # exactly at both limits
        ("shortage", "10.00", 99, True),
        ("shortage", "250.01", 99, False),  # never above the threshold
        ("shortage", "10.00", 94, False),  # not confident enough
        ("price", "1.00", 100, False),  # no policy for the type: off
    ],
)
def test_auto_approval_limits(
    claim_type: str, amount: str, confidence: int, expected: bool
) -> None:
    assert auto_approvable(claim_type, Decimal(amount), confidence, POLICY) is expected


def test_auto_approval_is_off_by_default() -> None:
    from recovery.config import Settings

    assert Settings().claims.auto_approve == {}
    assert not auto_approvable("shortage", Decimal("0.01"), 100, Settings().claims.auto_approve)
