"""The deductions Amazon takes against vendor invoices: shortages, price variances, and the
everyday rest (returns, allowances, provisions and their reversals, unknown adjustments)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from recovery.money import quantize
from recovery.testing.scenario.world import CURRENCY, ZERO, DeductionEvent, PurchaseOrder, World

SHORTAGE = "Quantity shortage"
SHORTAGE_REVERSAL = "Quantity shortage reversal"
PRICE = "Price variance"
UNKNOWN_DESCRIPTIONS = ("Misc. adjustment - see statement", "Freight recovery adjustment")


def shortage_amount(po: PurchaseOrder, *, reversal: bool = False) -> Decimal:
    return sum(
        (
            quantize(
                line.invoice_cost * (line.reversed_units if reversal else line.shortage), CURRENCY
            )
            for line in po.lines
        ),
        ZERO,
    )


def price_amount(po: PurchaseOrder) -> Decimal:
    return sum(
        (
            quantize((line.invoice_cost - line.paid_cost) * line.invoiced, CURRENCY)
            for line in po.lines
            if line.invoice_cost > line.paid_cost
        ),
        ZERO,
    )


def invoice_deductions(rng: random.Random, world: World) -> None:
    for po in world.orders:
        invoice = po.invoice
        if invoice is None:
            continue
        inv, due = invoice.number, invoice.due_date
        if po.shortage_case is not None:
            amount = shortage_amount(po)
            raised = due - timedelta(days=rng.randint(3, 15))
            event = DeductionEvent(
                f"{inv}SC", "shortage", SHORTAGE, amount, due, raised, inv, po.shortage_case, po
            )
            world.events.append(event)
            if po.shortage_case == "duplicate_deduction":
                world.events.append(
                    DeductionEvent(
                        f"{inv}SC",
                        "shortage",
                        SHORTAGE,
                        amount,
                        due + timedelta(days=rng.randint(21, 42)),
                        raised,
                        inv,
                        po.shortage_case,
                        po,
                    )
                )
            if po.shortage_case == "reraised":
                _reraise(rng, world, po, inv, due, amount)
            if po.shortage_case == "partial_reversal":
                world.events.append(
                    DeductionEvent(
                        f"{inv}SCR",
                        "shortage_reversal",
                        SHORTAGE_REVERSAL,
                        -shortage_amount(po, reversal=True),
                        due + timedelta(days=rng.randint(14, 30)),
                        due + timedelta(days=rng.randint(7, 13)),
                        inv,
                        po.shortage_case,
                        po,
                    )
                )
        if po.price_case is not None:
            amount = price_amount(po)
            if amount > 0:
                world.events.append(
                    DeductionEvent(
                        f"{inv}PCR",
                        "price",
                        PRICE,
                        amount,
                        due,
                        due - timedelta(days=rng.randint(3, 10)),
                        inv,
                        po.price_case,
                        po,
                    )
                )
        if po.shortage_case is None and po.price_case is None and po.billing_case is None:
            _everyday(rng, world, po, inv, due)
    _returns(rng, world)
    _ensure_everyday_kinds(rng, world)


def _reraise(
    rng: random.Random, world: World, po: PurchaseOrder, inv: str, due: date, amount: Decimal
) -> None:
    """Amazon reverses the whole `SC` debit, then raises it again as `SCRSC` (a revised
    shortage claim: wiki.amazowl.com/sop/vendor-central/read-reconcile-remittance)."""
    back = due + timedelta(days=rng.randint(14, 30))
    again = back + timedelta(days=rng.randint(14, 28))
    world.events.append(
        DeductionEvent(
            f"{inv}SCR",
            "shortage_reversal",
            SHORTAGE_REVERSAL,
            -amount,
            back,
            back - timedelta(days=3),
            inv,
            "reraised",
            po,
        )
    )
    world.events.append(
        DeductionEvent(
            f"{inv}SCRSC",
            "shortage",
            SHORTAGE,
            amount,
            again,
            again - timedelta(days=3),
            inv,
            "reraised",
            po,
        )
    )


def _everyday(rng: random.Random, world: World, po: PurchaseOrder, inv: str, due: date) -> None:
    assert po.invoice is not None
    if due + timedelta(days=14) >= world.today:
        return
    draw = rng.random()
    if draw < 0.015:
        _provision(rng, world, po, inv, due)
    elif draw < 0.035:
        _allowance(rng, world, po, inv, due)
    elif draw < 0.040:
        _unknown(rng, world, po, inv, due)


def _provision(rng: random.Random, world: World, po: PurchaseOrder, inv: str, due: date) -> None:
    assert po.invoice is not None
    amount = quantize(po.invoice.amount * Decimal(rng.randint(10, 40)) / 100, CURRENCY)
    raised = due + timedelta(days=rng.randint(3, 10))
    world.events.append(
        DeductionEvent(
            f"{inv}PRV",
            "provision",
            "Provision for aged receivable",
            amount,
            raised,
            raised,
            inv,
            "provision",
            po,
        )
    )
    back = raised + timedelta(days=rng.randint(20, 45))
    world.events.append(
        DeductionEvent(
            f"{inv}PRVR",
            "provision_reversal",
            "Provision for aged receivable reversal",
            -amount,
            back,
            back,
            inv,
            "provision",
            po,
        )
    )


def _allowance(rng: random.Random, world: World, po: PurchaseOrder, inv: str, due: date) -> None:
    assert po.invoice is not None
    amount = quantize(po.invoice.amount * Decimal(rng.choice((1, 2))) / 100, CURRENCY)
    if amount > 0:
        world.events.append(
            DeductionEvent(
                f"{inv}AL",
                "allowance",
                "Allowance - Discounts received",
                amount,
                due,
                due - timedelta(days=2),
                inv,
                "allowance",
                po,
            )
        )


def _unknown(rng: random.Random, world: World, po: PurchaseOrder, inv: str, due: date) -> None:
    amount = Decimal(rng.randint(2500, 30000)) / 100
    world.events.append(
        DeductionEvent(
            f"{inv}MA",
            "other",
            rng.choice(UNKNOWN_DESCRIPTIONS),
            amount,
            due,
            due - timedelta(days=4),
            inv,
            "unknown_description",
            po,
        )
    )


def _returns(rng: random.Random, world: World) -> None:
    """Customer returns sent back to the vendor: their own numbers, no vendor invoice."""
    received = [po for po in world.orders if po.invoice is not None]
    if not received:
        return
    count = max(1, len(received) // 60)
    made = 0
    for _ in range(count * 4):
        if made == count:
            break
        po = rng.choice(received)
        assert po.invoice is not None
        line = rng.choice(po.lines)
        units = max(1, min(line.received, rng.randint(1, 12)))
        day = po.invoice.invoice_date + timedelta(days=rng.randint(30, 120))
        if day >= world.today:
            continue
        world.events.append(
            DeductionEvent(
                f"RV{41_000_000 + world.seed % 1000 * 1000 + made:08d}",
                "returns",
                "Product returns",
                quantize(line.net_cost * units, CURRENCY),
                day,
                day,
                None,
                "customer_return",
                None,
            )
        )
        made += 1


def _ensure_everyday_kinds(rng: random.Random, world: World) -> None:
    """Small scenarios still show one provision, allowance and unknown line each."""
    plain = [
        po
        for po in world.orders
        if po.invoice is not None
        and po.billing_case is None
        and po.invoice.due_date + timedelta(days=60) < world.today
    ]
    makers = {"provision": _provision, "allowance": _allowance, "unknown_description": _unknown}
    taken = {event.po.number for event in world.events if event.po is not None}
    for case, make in makers.items():
        if any(event.case == case for event in world.events):
            continue
        # Prefer an invoice with nothing else on it; small scenarios may have none left.
        free = (
            [po for po in plain if po.number not in taken]
            or [po for po in plain if po.shortage_case is None]
            or plain
        )
        if free:
            po = free[rng.randrange(len(free))]
            assert po.invoice is not None
            taken.add(po.number)
            make(rng, world, po, po.invoice.number, po.invoice.due_date)
