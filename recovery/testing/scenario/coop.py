"""Co-op: the vendor's agreements, Amazon's monthly co-op invoices and their backup reports.

A backup line is a receipt (or a return) of an ASIN the agreement covers; its rebate is the
line's base × the rate, rounded half-even to the cent (data-conventions.md, "Co-op arithmetic").
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from recovery.testing.scenario.catalog import upc_for
from recovery.testing.scenario.world import (
    ZERO,
    BackupLine,
    CoopAgreement,
    CoopInvoice,
    DeductionEvent,
    World,
)

CENT = Decimal("0.01")


def rebate(base: Decimal, rate_percent: Decimal) -> Decimal:
    return (base * rate_percent / 100).quantize(CENT, rounding=ROUND_HALF_EVEN)


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _receipts(world: World, scope: set[str] | None) -> dict[date, list[BackupLine]]:
    """Backup lines (without rebates) per month, for the covered categories."""
    months: dict[date, list[BackupLine]] = defaultdict(list)
    for po in world.orders:
        for shipment in po.shipments:
            if shipment.delivered_at is None:
                continue
            received = shipment.delivered_at.date() + timedelta(days=1)
            if received >= world.today:
                continue
            for line, units in shipment.items:
                if scope is not None and line.item.category not in scope:
                    continue
                # Amazon's receipt, split over shipments in proportion to what each carried.
                quantity = (
                    units
                    if line.shipped == line.received
                    else round(units * line.received / max(1, line.shipped))
                )
                if quantity <= 0:
                    continue
                months[_month_start(received)].append(
                    BackupLine(
                        receive_date=received,
                        order_date=po.ordered_at.date(),
                        ship_date=shipment.shipped_at.date(),
                        return_date=None,
                        transaction_type="Receipt",
                        quantity=quantity,
                        net_sales=line.net_cost * quantity,
                        list_price=line.item.list_price,
                        rebate=ZERO,
                        po_number=po.number,
                        asin=line.item.asin,
                        upc=upc_for(line.item),
                        category=line.item.category,
                    )
                )
    return months


def _with_rate(lines: list[BackupLine], rate: Decimal) -> list[BackupLine]:
    return [
        BackupLine(
            receive_date=line.receive_date,
            order_date=line.order_date,
            ship_date=line.ship_date,
            return_date=line.return_date,
            transaction_type=line.transaction_type,
            quantity=line.quantity,
            net_sales=line.net_sales,
            list_price=line.list_price,
            rebate=rebate(line.net_sales, rate),
            po_number=line.po_number,
            asin=line.asin,
            upc=line.upc,
            category=line.category,
        )
        for line in lines
    ]


def _add_returns(rng: random.Random, lines: list[BackupLine]) -> list[BackupLine]:
    out = list(lines)
    for line in lines:
        if rng.random() < 0.03 and line.quantity > 1:
            units = rng.randint(1, max(1, line.quantity // 4))
            unit_cost = line.net_sales / line.quantity
            out.append(
                BackupLine(
                    receive_date=line.receive_date,
                    order_date=line.order_date,
                    ship_date=line.ship_date,
                    return_date=line.receive_date + timedelta(days=rng.randint(3, 20)),
                    transaction_type="Return",
                    quantity=-units,
                    net_sales=-unit_cost * units,
                    list_price=line.list_price,
                    rebate=ZERO,
                    po_number=line.po_number,
                    asin=line.asin,
                    upc=line.upc,
                    category=line.category,
                )
            )
    return out


def make_coop(rng: random.Random, world: World, scoped: bool) -> None:
    categories = sorted({item.category for item in world.items})
    year = world.start.year

    def scope_of(index: int) -> str:
        return categories[index % len(categories)] if scoped else ""

    specs = [
        ("BC", "Base Co-op", "Base Co-op", "6.5", "net receipts", "COOP"),
        ("FA", "Freight Allowance", "Freight Allowance", "2.5", "net receipts", "COOP"),
        ("DA", "Damage Allowance", "Damage Allowance", "2", "net receipts", "COOP"),
        (
            "MDF",
            "Marketing Development Funds",
            "MDF",
            "4",
            "net receipts",
            "COOP - Service agreement",
        ),
    ]
    months_all = _receipts(world, None if not scoped else set(categories[: len(specs)]))
    next_number = 2_300_000 + rng.randint(0, 900) * 1000
    for index, (prefix, title, funding, rate, basis, description) in enumerate(specs):
        scope = scope_of(index)
        months = {
            month: [line for line in lines if not scope or line.category == scope]
            for month, lines in sorted(months_all.items())
        }
        billable = [
            month
            for month, lines in months.items()
            if lines and _next_month(month) + timedelta(days=25) < world.today
        ]
        agreement = CoopAgreement(
            agreement_id=f"{prefix}-{year}-{1000 + index * 37}",
            title=f"{title} {year}" + (f" - {scope}" if scope else ""),
            funding_type=funding,
            rate=Decimal(rate),
            basis=basis,
            start=world.start - timedelta(days=30),
            end=world.today + timedelta(days=180),
            status="active",
            waived_from=None,
            waived_to=None,
            category=scope,
        )
        world.agreements.append(agreement)
        special = _special_months(rng, prefix, billable, months)
        if prefix == "DA" and "outside_period" in special.values():
            month = next(m for m, case in special.items() if case == "outside_period")
            days = sorted({line.receive_date for line in months[month]})
            agreement.start = days[len(days) // 2] if len(days) > 1 else days[0] + timedelta(1)
        if prefix == "MDF" and "waived" in special.values():
            month = next(m for m, case in special.items() if case == "waived")
            agreement.status = "waived"
            agreement.waived_from = month
            agreement.waived_to = _next_month(month) - timedelta(days=1)
        for month in billable:
            if month < _month_start(agreement.start) and prefix == "DA":
                continue
            case = special.get(month, "coop_valid")
            next_number += rng.randint(1, 30)
            made = _invoices(rng, agreement, month, months[month], case, next_number, description)
            for invoice in made:
                world.coop_invoices.append(invoice)
                invoice.event = DeductionEvent(
                    invoice.number,
                    "coop",
                    description,
                    invoice.amount,
                    invoice.invoice_date + timedelta(days=rng.randint(3, 10)),
                    invoice.invoice_date,
                    None,
                    invoice.case,
                    None,
                )
                world.events.append(invoice.event)
            next_number += len(made)


def _special_months(
    rng: random.Random, prefix: str, billable: list[date], months: dict[date, list[BackupLine]]
) -> dict[date, str]:
    wanted = {
        "BC": [
            "coop_bad_arithmetic",
            "coop_revised_valid",
            "coop_duplicate_period",
            "coop_total_mismatch",
        ],
        "FA": ["coop_wrong_rate"],
        "DA": ["outside_period"],
        "MDF": ["waived"],
    }[prefix]
    pool = list(billable)
    if prefix == "DA":
        # The agreement starts inside a month that has receipts on more than one day.
        pool = [m for m in pool if len({line.receive_date for line in months[m]}) > 1]
        pool = pool[len(pool) // 3 :] or pool
    rng.shuffle(pool)
    return dict(zip(pool, wanted, strict=False))


def _invoices(
    rng: random.Random,
    agreement: CoopAgreement,
    month: date,
    receipts: list[BackupLine],
    case: str,
    number: int,
    description: str,
) -> list[CoopInvoice]:
    period_end = _next_month(month) - timedelta(days=1)
    invoice_date = period_end + timedelta(days=rng.randint(5, 12))
    lines = _with_rate(_add_returns(rng, receipts), agreement.rate)
    correct = sum((line.rebate for line in lines), ZERO)
    billed_lines, revised = lines, None
    why = (
        f"{len(lines)} backup lines × {agreement.rate}% of net receipts = ${correct}, "
        f"inside agreement {agreement.agreement_id}'s period."
    )
    amount = correct
    name = "coop_valid"
    if case == "coop_wrong_rate":
        wrong = agreement.rate + Decimal("0.5")
        billed_lines = _with_rate(lines, wrong)
        amount = sum((line.rebate for line in billed_lines), ZERO)
        why = (
            f"Billed at {wrong}% where agreement {agreement.agreement_id} says {agreement.rate}%: "
            f"${amount} billed, ${correct} due."
        )
        name = case
    elif case == "coop_bad_arithmetic":
        billed_lines = list(lines)
        for position in range(0, len(billed_lines), 3):
            line = billed_lines[position]
            billed_lines[position] = replace(
                line, rebate=line.rebate + Decimal(rng.randint(50, 900)) / 100
            )
        amount = sum((line.rebate for line in billed_lines), ZERO)
        why = (
            f"Backup rebates do not equal net receipts × {agreement.rate}%: ${amount} billed, "
            f"${correct} by the arithmetic."
        )
        name = case
    elif case == "coop_total_mismatch":
        amount = correct + Decimal(rng.randint(2000, 20000)) / 100
        why = f"The invoice total ${amount} is more than the sum of its backup lines ${correct}."
        name = "coop_bad_arithmetic"
    elif case == "coop_revised_valid":
        # The first sheet had errors; Amazon's "Revised" sheet replaces it and is right.
        billed_lines = [replace(line, rebate=line.rebate + Decimal("1.00")) for line in lines]
        revised = lines
        why = (
            f"The Revised sheet replaces the original lines; {len(lines)} lines × "
            f"{agreement.rate}% = ${correct}, as billed."
        )
        name = "coop_revised_valid"
    elif case == "outside_period":
        inside = [line for line in lines if line.receive_date >= agreement.start]
        correct = sum((line.rebate for line in inside), ZERO)
        outside = len(lines) - len(inside)
        why = (
            f"{outside} backup lines were received before agreement {agreement.agreement_id} "
            f"started on {agreement.start}: ${amount} billed, ${correct} due."
        )
        name = "coop_outside_period"
    elif case == "waived":
        correct = ZERO
        why = (
            f"Agreement {agreement.agreement_id} was waived from {agreement.waived_from} to "
            f"{agreement.waived_to}; nothing is due for {month:%B %Y}."
        )
        name = "coop_waived"
    first = CoopInvoice(
        number=str(number),
        agreement=agreement,
        period_start=month,
        period_end=period_end,
        invoice_date=invoice_date,
        amount=amount,
        correct=correct,
        lines=billed_lines,
        revised=revised,
        case=name,
        why=why,
        description=description,
        backup_format="xlsx" if revised is not None or number % 3 == 0 else "csv",
    )
    if case != "coop_duplicate_period":
        return [first]
    first.why = why
    second = CoopInvoice(
        number=str(number + 1),
        agreement=agreement,
        period_start=month,
        period_end=period_end,
        invoice_date=invoice_date + timedelta(days=rng.randint(14, 30)),
        amount=amount,
        correct=ZERO,
        lines=billed_lines,
        revised=None,
        case="coop_duplicate_period",
        why=(
            f"Bills agreement {agreement.agreement_id} for {month:%B %Y} again, with the same "
            f"backup lines as co-op invoice {number}."
        ),
        description=description,
        backup_format="csv",
    )
    return [first, second]
