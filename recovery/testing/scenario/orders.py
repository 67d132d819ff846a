"""Purchase orders: when Amazon ordered, what, where to, and at which cost."""

from __future__ import annotations

import random
import string
from datetime import UTC, date, datetime, time, timedelta

from recovery.testing.scenario.catalog import FULFILMENT_CENTRES
from recovery.testing.scenario.world import Item, PoLine, PurchaseOrder


def at(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def _order_days(rng: random.Random, count: int, start: date, last: date) -> list[date]:
    """Order dates over the period, Q4 heavier (holiday buying), oldest first."""
    span = (last - start).days
    days: list[date] = []
    while len(days) < count:
        day = start + timedelta(days=rng.randint(0, max(span, 0)))
        weight = 1.0 if day.month not in (10, 11, 12) else 1.0 / 1.5
        if rng.random() < weight:
            days.append(day)
    days.sort()
    return days


def _po_numbers(rng: random.Random, count: int) -> list[str]:
    alphabet = string.ascii_uppercase + string.digits
    seen: set[str] = set()
    numbers: list[str] = []
    while len(numbers) < count:
        number = rng.choice("1234567890") + "".join(rng.choice(alphabet) for _ in range(7))
        if number not in seen:
            seen.add(number)
            numbers.append(number)
    return numbers


def make_orders(
    rng: random.Random,
    items: list[Item],
    count: int,
    lines_min: int,
    lines_max: int,
    start: date,
    today: date,
) -> list[PurchaseOrder]:
    days = _order_days(rng, count, start, today - timedelta(days=3))
    orders: list[PurchaseOrder] = []
    for number, day in zip(_po_numbers(rng, count), days, strict=True):
        ordered_at = at(day, rng.randint(0, 23), rng.randint(0, 59))
        ship_start = at(day + timedelta(days=rng.randint(2, 4)), 7)
        ship_end = ship_start + timedelta(days=7)
        delivery = (ship_start + timedelta(days=2), ship_end + timedelta(days=6))
        n_lines = min(len(items), rng.randint(lines_min, lines_max))
        lines = [
            _line(rng, seq, item, ordered_at.date())
            for seq, item in enumerate(rng.sample(items, n_lines), start=1)
        ]
        orders.append(
            PurchaseOrder(
                number=number,
                ordered_at=ordered_at,
                ship_to=rng.choice(FULFILMENT_CENTRES),
                ship_window=(ship_start, ship_end),
                delivery_window=delivery,
                lines=lines,
            )
        )
    return orders


def _line(rng: random.Random, seq: int, item: Item, day: date) -> PoLine:
    if rng.random() < 0.4:
        amount = rng.randint(2, 30)
        uom, unit_size, ordered = "Cases", item.case_pack, amount * item.case_pack
    else:
        amount = rng.randint(6, 240)
        uom, unit_size, ordered = "Eaches", 1, amount
    cost = item.cost_on(day)
    return PoLine(
        seq=seq,
        item=item,
        uom=uom,
        unit_size=unit_size,
        amount=amount,
        ordered=ordered,
        accepted=ordered,
        net_cost=cost,
        invoice_cost=cost,
        paid_cost=cost,
    )


def make_cases_line(line: PoLine) -> None:
    """Re-express a line as ordered in Cases (the Case-vs-Each trap needs one)."""
    if line.uom == "Cases":
        return
    line.uom = "Cases"
    line.unit_size = line.item.case_pack
    line.amount = max(3, line.ordered // line.unit_size)
    line.ordered = line.accepted = line.amount * line.unit_size
