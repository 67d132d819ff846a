"""The price rule (DOMAIN.md, "Price claims")."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from recovery.claims.findings import Verdict
from recovery.claims.inputs import detection_input
from recovery.claims.kinds.price import detect_price_variances

INV, PO, ASIN = "INV200", "PO200", "B000PRICE1"


def build(
    *,
    invoiced: int,
    paid: int,
    po_cost: int,
    listed: list[tuple[date, int]] | None = None,
    units: int = 50,
    reversal: int = 0,
    with_lines: bool = True,
    billed: list[tuple[str, int, int]] | None = None,
    po_costs: dict[str, int | None] | None = None,
) -> Any:
    """`billed`: the invoice's own lines (ASIN, units, unit cost) for the invoice-level
    judgement; `po_costs`: their PO net costs by ASIN (default `po_cost` for ASIN)."""
    variance = (invoiced - paid) * units
    deductions = [
        {
            "id": 1,
            "kind": "price",
            "reference": f"{INV}PCR",
            "invoice_number": INV,
            "amount_minor": variance,
            "currency": "USD",
            "payment_number": "P1",
        }
    ]
    if reversal:
        deductions.append(
            {
                "id": 2,
                "kind": "price_reversal",
                "reference": f"{INV}PCRR",
                "invoice_number": INV,
                "amount_minor": -reversal,
                "currency": "USD",
                "payment_number": "P2",
            }
        )
    return detection_input(
        deductions=deductions,
        invoices=[
            {
                "invoice_number": INV,
                "po_number": PO,
                "due_date": date(2026, 10, 1),
                "invoice_date": date(2026, 8, 2),
                "currency": "USD",
            }
        ],
        invoice_lines=[
            {
                "invoice_number": INV,
                "po_number": PO,
                "line_no": number,
                "asin": asin,
                "quantity": count,
                "unit_cost_minor": cost,
                "amount_minor": cost * count,
                "currency": "USD",
            }
            for number, (asin, count, cost) in enumerate(billed or [], start=1)
        ],
        price_lines=[
            {
                "invoice_number": INV,
                "po_number": PO,
                "asin": ASIN,
                "quantity": units,
                "invoice_cost_minor": invoiced,
                "po_cost_minor": paid,
                "adjusted_cost_minor": paid,
                "variance_minor": variance,
                "currency": "USD",
            }
        ]
        if with_lines
        else [],
        po_items=[
            {
                "po_number": PO,
                "asin": asin,
                "net_cost_minor": cost,
                "ordered_at": date(2026, 6, 15),
                "currency": "USD",
            }
            for asin, cost in (po_costs or {ASIN: po_cost}).items()
            if cost is not None
        ],
        costs=[
            {
                "asin": ASIN,
                "cost_minor": cost,
                "currency": "USD",
                "effective_from": start,
                "source": "price_list",
            }
            for start, cost in (listed or [])
        ],
    )


@pytest.mark.parametrize(
    ("name", "kwargs", "verdicts", "claim", "dispute_reason"),
    [
        (
            "Amazon paid below the PO cost",
            dict(invoiced=1000, paid=900, po_cost=1000),
            [Verdict.claimable],
            "50.00",
            "Purchase Order Confirmed",
        ),
        (
            "cost change in force on the PO date, PO still at the old cost",
            dict(
                invoiced=1000,
                paid=900,
                po_cost=900,
                listed=[(date(2026, 1, 1), 900), (date(2026, 6, 1), 1000)],
            ),
            [Verdict.claimable],
            "50.00",
            "Cost Update Timing",
        ),
        (
            "cost change after the PO date: Amazon paid the cost in force",
            dict(
                invoiced=1000,
                paid=900,
                po_cost=900,
                listed=[(date(2026, 1, 1), 900), (date(2026, 7, 1), 1000)],
            ),
            [Verdict.over_invoiced, Verdict.valid],
            "0.00",
            None,
        ),
        (
            "vendor over-invoiced",
            dict(invoiced=1100, paid=1000, po_cost=1000),
            [Verdict.over_invoiced, Verdict.valid],
            "0.00",
            None,
        ),
        (
            "partly reversed already",
            dict(invoiced=1000, paid=900, po_cost=1000, reversal=2000),
            [Verdict.claimable],
            "30.00",
            "Purchase Order Confirmed",
        ),
        (
            "neither discrepancy lines nor invoice lines",
            dict(invoiced=1000, paid=900, po_cost=1000, with_lines=False),
            [Verdict.unexplained],
            "50.00",
            None,
        ),
        # Without discrepancy lines: judged at invoice level from the invoice lines.
        (
            "invoice level: invoiced at the PO cost, the whole deduction is claimable",
            dict(
                invoiced=1000, paid=900, po_cost=1000, with_lines=False, billed=[(ASIN, 50, 1000)]
            ),
            [Verdict.claimable],
            "50.00",
            "Purchase Order Confirmed",
        ),
        (
            "invoice level: invoiced below the PO cost",
            dict(
                invoiced=1000, paid=900, po_cost=1200, with_lines=False, billed=[(ASIN, 50, 1000)]
            ),
            [Verdict.claimable],
            "50.00",
            "Purchase Order Confirmed",
        ),
        (
            "invoice level: the cost list in force on the PO date agrees with the invoice",
            dict(
                invoiced=1000,
                paid=900,
                po_cost=900,
                listed=[(date(2026, 1, 1), 900), (date(2026, 6, 1), 1000)],
                with_lines=False,
                billed=[(ASIN, 50, 1000)],
            ),
            [Verdict.claimable],
            "50.00",
            "Cost Update Timing",
        ),
        (
            "invoice level: over-invoiced by exactly the deduction",
            dict(invoiced=1000, paid=900, po_cost=900, with_lines=False, billed=[(ASIN, 50, 1000)]),
            [Verdict.over_invoiced, Verdict.valid],
            "0.00",
            None,
        ),
        (
            "invoice level: one line over-invoiced, the rest of the deduction claimable",
            dict(
                invoiced=1000,
                paid=800,
                po_cost=1000,
                with_lines=False,
                billed=[(ASIN, 50, 1000), ("B000PRICE2", 20, 550)],
                po_costs={ASIN: 1000, "B000PRICE2": 500},
            ),
            [Verdict.over_invoiced, Verdict.claimable],
            "90.00",  # $100.00 deducted, $10.00 over-invoiced on the second line
            "Purchase Order Confirmed",
        ),
        (
            "invoice level: a line without any agreed cost needs a person",
            dict(
                invoiced=1000,
                paid=900,
                po_cost=1000,
                with_lines=False,
                billed=[(ASIN, 50, 1000), ("B000PRICE3", 5, 700)],
                po_costs={ASIN: 1000, "B000PRICE3": None},
            ),
            [Verdict.unexplained],
            "50.00",
            None,
        ),
        (
            "invoice level: a partial reversal is netted first",
            dict(
                invoiced=1000,
                paid=900,
                po_cost=1000,
                reversal=2000,
                with_lines=False,
                billed=[(ASIN, 50, 1000)],
            ),
            [Verdict.claimable],
            "30.00",
            "Purchase Order Confirmed",
        ),
    ],
)
def test_price_rule(
    name: str,
    kwargs: dict[str, Any],
    verdicts: list[Verdict],
    claim: str,
    dispute_reason: str | None,
) -> None:
    findings = detect_price_variances(build(**kwargs))
    assert [f.verdict for f in findings] == verdicts, [f.reason for f in findings]
    invoice_finding = findings[-1]
    assert invoice_finding.key == f"price:{INV}"
    assert invoice_finding.amount == Decimal(claim)
    assert invoice_finding.dispute_reason == dispute_reason
    assert invoice_finding.base_date == date(2026, 10, 1)
    # Amazon's 24 months count from the invoice date, not the due date.
    assert invoice_finding.facts["invoice_date"] == "2026-08-02"


def test_over_invoicing_is_reported_with_its_amount() -> None:
    findings = detect_price_variances(build(invoiced=1100, paid=1000, po_cost=1000))
    over = findings[0]
    assert over.amount == Decimal("50.00")
    assert "over-invoiced 50 units by $1.00 = $50.00" in over.reason


def test_reason_shows_the_arithmetic() -> None:
    finding = detect_price_variances(build(invoiced=1000, paid=900, po_cost=1000))[0]
    assert finding.reason == (
        "Invoice INV200: Amazon deducted $50.00 for price variance. ASIN B000PRICE1: invoiced "
        "$10.00 (agreed PO PO200 net cost $10.00), Amazon paid $9.00; ($10.00 − $9.00) × 50 "
        "units = $50.00. Claim $50.00."
    )
    assert [(line.asin, line.quantity, line.amount) for line in finding.lines] == [
        (ASIN, 50, Decimal("50.00"))
    ]
