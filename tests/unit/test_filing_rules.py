"""Filing's pure decisions: which claims make one dispute, in what order, with which key, and
each claim's share of a decision; the browser state file's permissions."""

from __future__ import annotations

import stat
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from recovery.claims.filing import group_disputes, justification, plan_date
from recovery.claims.outcomes import claim_shares
from recovery.models.claims import Claim
from recovery.portal.disputes import DisputeDecision, DisputeLine, parse_money
from recovery.portal.session import write_private


def claim(
    id_: int,
    type_: str,
    invoice: str | None = None,
    reference: str = "",
    deadline: date | None = None,
    po: str | None = None,
    asin: str | None = None,
    amount_minor: int = 0,
) -> Claim:
    return Claim(
        id=id_,
        account_id=1,
        finding_key=f"k{id_}",
        type=type_,
        invoice_number=invoice,
        reference=reference,
        deadline=deadline,
        po_number=po,
        asin=asin,
        amount_minor=amount_minor,
        currency="USD",
        draft_text=f"text of claim {id_}",
    )


@pytest.mark.parametrize(
    ("claims", "groups"),
    [
        # A shortage invoice's lines go together: Amazon takes one dispute per invoice.
        ([claim(1, "shortage", "INV1"), claim(2, "shortage", "INV1")], [[1, 2]]),
        ([claim(1, "shortage", "INV1"), claim(2, "shortage", "INV2")], [[1], [2]]),
        # Price claims per invoice (one claim each), co-op and chargebacks per claim.
        ([claim(1, "price", "INV1"), claim(2, "shortage", "INV1")], [[1], [2]]),
        ([claim(1, "coop", reference="C1"), claim(2, "coop", reference="C2")], [[1], [2]]),
        (
            [claim(1, "chargeback", reference="CB1"), claim(2, "chargeback", reference="CB1")],
            [[1], [2]],
        ),
        # The first claim of a group decides its place: the most urgent comes first.
        (
            [claim(3, "price", "I9"), claim(1, "shortage", "INV1"), claim(2, "shortage", "INV1")],
            [[3], [1, 2]],
        ),
    ],
)
def test_claims_are_grouped_into_the_disputes_the_portal_takes(
    claims: list[Claim], groups: list[list[int]]
) -> None:
    assert [[c.id for c in g] for g in group_disputes(claims)] == groups


def test_the_plan_date_is_the_deadline_until_claims_carry_file_by() -> None:
    assert plan_date(claim(1, "price", deadline=date(2027, 1, 5))) == date(2027, 1, 5)
    assert plan_date(claim(1, "price")) is None


def test_the_key_ends_the_justification_after_every_claims_text() -> None:
    text = justification([claim(1, "shortage"), claim(2, "shortage")], "RCV-ABC")
    assert text.startswith("text of claim 1\n\ntext of claim 2")
    assert text.endswith("Our reference: RCV-ABC")


def decision(approved: str, lines: list[tuple[str, str, str]]) -> DisputeDecision:
    return DisputeDecision(
        "DSPT1",
        "Resolved",
        "Partially approved",
        Decimal("100"),
        Decimal(approved),
        tuple(DisputeLine(po, asin, "INV1SC", Decimal(a)) for po, asin, a in lines),
    )


@pytest.mark.parametrize(
    ("claims", "decided", "shares"),
    [
        ([claim(1, "coop", amount_minor=5000)], decision("30.00", []), {1: 3000}),
        (
            [
                claim(1, "shortage", "INV1", po="P1", asin="A1", amount_minor=4000),
                claim(2, "shortage", "INV1", po="P1", asin="A2", amount_minor=6000),
            ],
            decision("40.00", [("P1", "A1", "40.00"), ("P1", "A2", "0.00")]),
            {1: 4000, 2: 0},
        ),
        # A line the decision does not list won nothing.
        (
            [
                claim(1, "shortage", "INV1", po="P1", asin="A1"),
                claim(2, "shortage", "INV1", po="P2", asin="A1"),
            ],
            decision("12.34", [("P1", "A1", "12.34")]),
            {1: 1234, 2: 0},
        ),
    ],
)
def test_each_claim_gets_its_share_of_the_decision(
    claims: list[Claim], decided: DisputeDecision, shares: dict[int, int]
) -> None:
    assert claim_shares(claims, decided) == shares


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("$1,234.56", Decimal("1234.56")),
        ("$0.00", Decimal("0.00")),
        ("-$5.10", Decimal("-5.10")),
        ("", None),
        ("n/a", None),
    ],
)
def test_portal_amounts_are_read_as_decimals(text: str, amount: Decimal | None) -> None:
    assert parse_money(text) == amount


def test_the_browser_state_is_private_even_over_a_wider_file(tmp_path: Path) -> None:
    state = tmp_path / "portal" / "browser-state.json"
    state.parent.mkdir()
    state.write_text("{}")
    state.chmod(0o644)
    write_private(state, '{"cookies": []}')
    assert stat.S_IMODE(state.stat().st_mode) == 0o600
    assert state.read_text() == '{"cookies": []}'
    assert [p.name for p in state.parent.iterdir()] == ["browser-state.json"]
