"""Drafted claim texts per type and level, compared with reviewed snapshots.

The snapshots in tests/snapshots/claims/ were read by a person: they are what a specialist would
file. Any change to a template shows up here as a diff. To accept a deliberate change, run
`UPDATE_SNAPSHOTS=1 pytest tests/unit/test_drafting_snapshots.py` and review the diff in git.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from recovery.claims.drafting import (
    DocumentFacts,
    DraftInput,
    LineFacts,
    PriorDecision,
    render_draft,
    template_environment,
)

SNAPSHOTS = Path(__file__).resolve().parents[1] / "snapshots" / "claims"

BOL = DocumentFacts(
    id=6,
    name="bol-7741.pdf",
    kind="bol",
    carrier="Estes Express",
    bol_number="7741",
    pro_number="99812",
    ship_date=date(2026, 3, 2),
    ship_to="DFW7",
    cartons=10,
    pallets=1,
    units=120,
    signed=True,
    po_numbers=("4Q8Z1KXA",),
)
POD = DocumentFacts(
    id=7,
    name="pod-7741.pdf",
    kind="pod",
    carrier="Estes Express",
    bol_number="7741",
    pro_number="99812",
    delivery_date=date(2026, 3, 5),
    ship_to="DFW7",
    cartons=10,
    units=120,
    signed=True,
    po_numbers=("4Q8Z1KXA",),
)


def _history(level: int, cases: list[str], decisions: list[PriorDecision]) -> dict[str, object]:
    if level == 1:
        return {}
    return {
        "case_id": cases[level - 2],
        "previous_cases": tuple(cases[: level - 1]),
        "decisions": tuple(decisions[: level - 1]),
    }


def shortage(level: int) -> DraftInput:
    history = _history(
        level,
        ["DSPT1234567", "DSPT1239876"],
        [
            PriorDecision("denied", date(2026, 4, 20), "Units received as per receiving records"),
            PriorDecision("partially_won", date(2026, 5, 28), "10 units approved"),
        ],
    )
    return DraftInput(
        id=41,
        type="shortage",
        level=level,
        reference="INV-1001SC",
        invoice_number="INV-1001",
        po_number="4Q8Z1KXA",
        asin="B07XJ8C8F5",
        quantity=24,
        amount=Decimal("201.60"),
        currency="USD",
        confidence_pct=95,
        reason=(
            "ASN 88213 shipped 120 units on PO 4Q8Z1KXA, POD 7741 signed for 10 cartons × 12 "
            "with no exception; Amazon received 96; 24 units × $8.40 = $201.60"
        ),
        deadline=date(2026, 5, 11),
        dispute_reason=None,
        vendor_code="ABCDE",
        vendor_name="Example Brand US",
        recovered=Decimal("84.00") if level == 3 else Decimal(0),
        lines=(LineFacts(1, "INV-1001", "4Q8Z1KXA", "B07XJ8C8F5", 24, Decimal("201.60")),),
        documents=(BOL, POD),
        facts={
            "invoiced_units": 120,
            "shipped_units": 120,
            "received_units": 96,
            "deducted_units": 24,
            "unit_cost": Decimal("8.40"),
            "shipped_date": "2026-03-02",
            "bol_number": "7741",
            "pro_number": "99812",
            "carrier": "Estes Express",
            "cartons": 10,
            "ship_to": "DFW7",
        },
        **history,  # type: ignore[arg-type]
    )


def price(level: int) -> DraftInput:
    history = _history(
        level,
        ["DSPT2000001", "DSPT2000417"],
        [
            PriorDecision("denied", date(2026, 4, 2), "Cost on file is correct"),
            PriorDecision("denied", date(2026, 5, 6), "No change to cost"),
        ],
    )
    return DraftInput(
        id=52,
        type="price",
        level=level,
        reference="INV-2002PCR",
        invoice_number="INV-2002",
        po_number="7HJ2K9QP",
        asin="B08PQR1234",
        quantity=100,
        amount=Decimal("60.00"),
        currency="USD",
        confidence_pct=92,
        reason=(
            "Invoice INV-2002 billed ASIN B08PQR1234 at $12.00, equal to the PO 7HJ2K9QP net "
            "cost of $12.00 in force since 2026-01-01; Amazon paid $11.40; 100 units × $0.60 = "
            "$60.00"
        ),
        deadline=date(2026, 4, 30),
        dispute_reason="Cost Update Timing",
        vendor_code="ABCDE",
        vendor_name="Example Brand US",
        lines=(LineFacts(1, "INV-2002", "7HJ2K9QP", "B08PQR1234", 100, Decimal("60.00")),),
        facts={
            "invoice_cost": Decimal("12.00"),
            "agreed_cost": Decimal("12.00"),
            "paid_cost": Decimal("11.40"),
            "po_date": "2026-02-10",
            "cost_effective_from": "2026-01-01",
        },
        **history,  # type: ignore[arg-type]
    )


def coop(level: int) -> DraftInput:
    history = _history(
        level,
        ["DSPT3000001"],
        [PriorDecision("denied", date(2026, 4, 15), "Invoice reflects the agreement")],
    )
    return DraftInput(
        id=63,
        type="coop",
        level=level,
        reference="COOP-884120",
        invoice_number=None,
        po_number=None,
        asin=None,
        quantity=None,
        amount=Decimal("1250.00"),
        currency="USD",
        confidence_pct=90,
        reason=(
            "Co-op invoice COOP-884120 bills 8% of $50,000.00 net receipts ($4,000.00); "
            "agreement AGR-77 (Base co-op 2026) sets 5.5% ($2,750.00); overbilled $1,250.00"
        ),
        deadline=date(2026, 6, 1),
        dispute_reason=None,
        vendor_code="ABCDE",
        vendor_name="Example Brand US",
        facts={
            "agreement_id": "AGR-77",
            "agreement_title": "Base co-op 2026",
            "agreement_rate_pct": "5.5",
            "billed_rate_pct": "8",
            "billed_amount": Decimal("4000.00"),
            "correct_amount": Decimal("2750.00"),
            "period_start": "2026-01-01",
            "period_end": "2026-01-31",
            "problems": ["Rebate billed at 8% of net receipts; the agreement rate is 5.5%."],
        },
        **history,  # type: ignore[arg-type]
    )


def chargeback(level: int) -> DraftInput:
    history = _history(
        level,
        ["DSPT4000001"],
        [PriorDecision("denied", date(2026, 3, 30), "Delivery outside window")],
    )
    pod = DocumentFacts(
        id=9,
        name="pod-55120.pdf",
        kind="pod",
        carrier="Old Dominion",
        bol_number="55120",
        pro_number="ODFL4471",
        delivery_date=date(2026, 3, 9),
        ship_to="ONT8",
        cartons=40,
        signed=True,
        po_numbers=("2MN8V7TT",),
    )
    return DraftInput(
        id=74,
        type="chargeback",
        level=level,
        reference="31890017",
        invoice_number=None,
        po_number="2MN8V7TT",
        asin="B09ZZZ4321",
        quantity=200,
        amount=Decimal("96.00"),
        currency="USD",
        confidence_pct=88,
        reason=(
            "Chargeback 31890017 (PO On-Time / Late delivery) charges 3% of $3,200.00; POD "
            "55120 shows delivery on 2026-03-09, inside the PO's delivery window 2026-03-06 to "
            "2026-03-10"
        ),
        deadline=date(2026, 4, 13),
        dispute_reason=None,
        vendor_code="ABCDE",
        vendor_name="Example Brand US",
        documents=(pod,),
        facts={
            "issue_type": "PO On-Time",
            "sub_type": "Late delivery",
            "notification_date": "2026-03-14",
            "delivered_at": "2026-03-09 10:42",
            "delivery_window_start": "2026-03-06",
            "delivery_window_end": "2026-03-10",
            "fee_charged": Decimal("96.00"),
            "fee_expected": Decimal("96.00"),
        },
        **history,  # type: ignore[arg-type]
    )


CASES: list[tuple[str, Callable[[int], DraftInput], int]] = [
    ("shortage", shortage, 1),
    ("shortage", shortage, 2),
    ("shortage", shortage, 3),
    ("price", price, 1),
    ("price", price, 2),
    ("price", price, 3),
    ("coop", coop, 1),
    ("coop", coop, 2),
    ("chargeback", chargeback, 1),
    ("chargeback", chargeback, 2),
]


@pytest.mark.parametrize(("name", "build", "level"), CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES])
def test_draft_matches_the_reviewed_snapshot(
    name: str, build: Callable[[int], DraftInput], level: int
) -> None:
    text = render_draft(build(level), template_environment(None)).text
    snapshot = SNAPSHOTS / f"{name}_level{level}.txt"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        snapshot.parent.mkdir(parents=True, exist_ok=True)
        snapshot.write_text(text, encoding="utf-8")
    assert snapshot.exists(), f"no snapshot {snapshot.name}: run with UPDATE_SNAPSHOTS=1"
    assert text == snapshot.read_text(encoding="utf-8")


def test_a_shortage_without_documents_still_reads_well() -> None:
    data = dataclasses.replace(shortage(1), documents=())
    text = render_draft(data, template_environment(None)).text
    assert "Proof of delivery:" not in text
    assert "Attachments:\n  None.\n" in text
