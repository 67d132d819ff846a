"""What happened to each PO: acceptance, shipments (ASNs), deliveries, receipts and the invoice.

The planted case decides the quantities: how much was shipped, how much Amazon says it received,
how many units it will deduct, and which shipments carry a signed BOL or POD.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from recovery.money import quantize
from recovery.testing.scenario.catalog import CARRIERS, VENDOR_NAME
from recovery.testing.scenario.orders import at, make_cases_line
from recovery.testing.scenario.plan import recent_change, role_line_index
from recovery.testing.scenario.variety import UNREADABLE_NOTES
from recovery.testing.scenario.world import (
    CURRENCY,
    ZERO,
    Document,
    Invoice,
    PoLine,
    PurchaseOrder,
    Shipment,
)

RECEIVERS = ("M. Alvarez", "K. Nguyen", "D. Patel", "S. Johnson", "T. Okafor", "R. Chen")

# Layout names of recovery.testing.documents; read from it when it is importable.
_FALLBACK_LAYOUTS = {
    "bol": ("vics_bol", "ltl_bol"),
    "pod": ("parcel_pod", "delivery_receipt", "vics_bol"),
}


def natural_layouts() -> dict[str, tuple[str, ...]]:
    try:
        from recovery.testing.documents import NATURAL_LAYOUTS
    except ImportError:
        return _FALLBACK_LAYOUTS
    return dict(NATURAL_LAYOUTS)


class Numbers:
    """Sequential identifiers, offset per seed so two scenarios never share numbers."""

    def __init__(self, rng: random.Random) -> None:
        self.invoice = 3_100_000 + rng.randint(0, 400) * 1000
        self.shipment = 50_000 + rng.randint(0, 900) * 100
        self.bol = 7_040_000_000 + rng.randint(0, 9_999) * 10_000

    def next_invoice(self) -> str:
        self.invoice += 1
        return str(self.invoice)

    def next_shipment(self) -> str:
        self.shipment += 1
        return f"{self.shipment:08d}"

    def next_bol(self) -> str:
        self.bol += 7
        return str(self.bol)


def fulfil(rng: random.Random, po: PurchaseOrder, today: date, numbers: Numbers) -> None:
    now = at(today)
    po.acknowledged_at = po.ordered_at + timedelta(hours=rng.randint(2, 30))
    if po.acknowledged_at >= now:
        po.acknowledged_at = None
    _set_costs(rng, po)
    first_ship = po.ship_window[0] + timedelta(hours=rng.randint(0, 60), minutes=rng.randint(0, 59))
    if first_ship >= now - timedelta(days=1):
        return  # not shipped yet: an open PO
    _accept(rng, po)
    affected = _apply_shortage_case(rng, po)
    _ship(rng, po, first_ship, affected, now, numbers)
    ship_day = first_ship.date()
    invoice_day = min(ship_day + timedelta(days=rng.randint(0, 1)), today - timedelta(days=1))
    amount = sum((quantize(line.invoice_cost * line.invoiced, CURRENCY) for line in po.lines), ZERO)
    po.invoice = Invoice(
        number=numbers.next_invoice(),
        po=po,
        invoice_date=invoice_day,
        due_date=invoice_day + timedelta(days=60),
        amount=amount,
    )


def _set_costs(rng: random.Random, po: PurchaseOrder) -> None:
    day = po.ordered_at.date()
    for line in po.lines:
        cost = line.item.cost_on(day)
        line.net_cost = line.invoice_cost = line.paid_cost = cost
    if po.price_case == "stale_cost":
        for line in po.lines:
            change = line.item.change_before(day)
            if change is not None and recent_change(line.item, day):
                _, old, new = change
                line.net_cost = line.paid_cost = old
                line.invoice_cost = new
    elif po.price_case == "over_invoiced":
        count = rng.randint(1, max(1, len(po.lines) // 4))
        for line in po.lines[:count]:
            factor = 1 + Decimal(rng.randint(5, 15)) / 100
            line.invoice_cost = max(
                quantize(line.net_cost * factor, CURRENCY), line.net_cost + Decimal("0.01")
            )


def _accept(rng: random.Random, po: PurchaseOrder) -> None:
    plain = po.shortage_case is None and po.price_case is None and not po.chargeback_roles
    for line in po.lines:
        if plain and rng.random() < 0.04 and line.amount >= 3:
            line.accepted = (line.amount - rng.randint(1, line.amount // 3)) * line.unit_size
        line.invoiced = line.shipped = line.received = line.accepted


def _apply_shortage_case(rng: random.Random, po: PurchaseOrder) -> list[PoLine]:
    case = po.shortage_case
    if case is None:
        return []
    if case in ("pod_exception", "pod_unreadable", "case_each_mistake"):
        affected = [po.lines[0]]
        make_cases_line(affected[0])
        affected[0].invoiced = affected[0].shipped = affected[0].received = affected[0].ordered
    else:
        count = rng.randint(1, max(1, len(po.lines) // 5))
        affected = [line for line in po.lines if line.invoiced >= 4][:count] or [po.lines[0]]
    for line in affected:
        invoiced = line.invoiced
        units = max(1, min(invoiced - 2, round(invoiced * rng.uniform(0.05, 0.25))))
        if case in ("under_shipped", "duplicate_deduction"):
            line.shipped = line.received = invoiced - units
            line.shortage = units
        elif case == "partial_reversal":
            units = max(units, 2)
            line.shortage = units
            line.reversed_units = rng.randint(1, units - 1)
            line.received = invoiced - units + line.reversed_units
        elif case in ("pod_exception", "pod_unreadable"):
            pack = line.item.case_pack
            cartons = rng.randint(1, max(1, min(3, line.amount - 2)))
            extra = rng.randint(1, pack)
            line.shortage = min(invoiced - 1, cartons * pack + extra)
            line.received = invoiced - line.shortage
            po.exception_cartons = cartons
        elif case == "case_each_mistake":
            # Amazon counted the cases as eaches: 10 cases of 12 became 10 units received.
            line.received = line.amount
            line.received_as = (line.amount, "Eaches", 1)
            line.shortage = invoiced - line.amount
        elif case == "reraised":
            # Reversed in full, then deducted again: the units were shipped all along.
            line.received = invoiced - units
            line.shortage = line.reversed_units = units
        else:  # shipped_in_full, split_shipment, no_evidence
            line.received = invoiced - units
            line.shortage = units
    return affected


def _ship(
    rng: random.Random,
    po: PurchaseOrder,
    first_ship: datetime,
    affected: list[PoLine],
    now: datetime,
    numbers: Numbers,
) -> None:
    split = po.flags.get("split", False) or (
        po.shortage_case is None and len(po.lines) >= 2 and rng.random() < 0.06
    )
    freight = "Prepaid" if po.flags.get("pod") else ("Collect" if rng.random() < 0.6 else "Prepaid")
    carrier = rng.choice(CARRIERS)
    count = 2 if split else 1
    for index in range(count):
        shipped_at = first_ship + timedelta(days=index * rng.randint(1, 3), hours=index * 2)
        confirmed_at = shipped_at + timedelta(minutes=rng.randint(0, 25))
        if po.flags.get("confirm_late"):
            confirmed_at = shipped_at + timedelta(
                hours=rng.randint(3, 30), minutes=rng.randint(0, 59)
            )
        window_end = po.delivery_window[1]
        delivered: datetime | None = shipped_at + timedelta(
            days=rng.randint(2, 5), hours=rng.randint(0, 8)
        )
        if po.flags.get("delivered_late"):
            delivered = window_end + timedelta(days=rng.randint(1, 4), hours=rng.randint(1, 9))
        elif delivered is not None and delivered > window_end - timedelta(hours=2):
            delivered = window_end - timedelta(hours=rng.randint(2, 20))
        if delivered is not None and delivered >= now:
            delivered = None
        po.shipments.append(
            Shipment(
                shipment_id=numbers.next_shipment(),
                po=po,
                carrier=carrier,
                freight_term=freight,
                bol_number=numbers.next_bol(),
                pro_number=f"{carrier.scac[:2]}{rng.randint(10_000_000, 99_999_999)}",
                created_at=shipped_at - timedelta(hours=rng.randint(2, 20)),
                confirmed_at=confirmed_at,
                shipped_at=shipped_at,
                estimated_delivery_at=shipped_at + timedelta(days=3),
                delivered_at=delivered,
                in_asn=po.flags.get("in_asn", True),
            )
        )
    _load(rng, po, affected, split)
    if po.shortage_case == "pod_exception":
        po.shipments[0].exception = ("short", po.exception_cartons)
    elif po.shortage_case == "pod_unreadable":
        po.shipments[0].unreadable_note = rng.choice(UNREADABLE_NOTES)
    elif (
        freight == "Prepaid"
        and po.shortage_case is None
        and not po.chargeback_roles
        and rng.random() < 0.03
    ):
        po.shipments[0].exception = ("damage", 1)
    if "inaccurate_asn_valid" in po.chargeback_roles:
        line = po.lines[role_line_index(po, "inaccurate_asn_valid")]
        for shipment in po.shipments:
            for loaded, units in shipment.items:
                if loaded is line:
                    # The ASN claimed a case more than the truck carried.
                    shipment.asn_override = {line.seq: units + line.item.case_pack}
                    break
            if shipment.asn_override:
                break
    for shipment in po.shipments:
        _document(rng, po, shipment)


def _load(rng: random.Random, po: PurchaseOrder, affected: list[PoLine], split: bool) -> None:
    if not split:
        po.shipments[0].items = [(line, line.shipped) for line in po.lines if line.shipped > 0]
        return
    first, second = po.shipments
    for index, line in enumerate(po.lines):
        if line.shipped <= 0:
            continue
        if line in affected and po.shortage_case == "split_shipment" and line.shipped >= 2:
            part = max(1, min(line.shipped - 1, round(line.shipped * rng.uniform(0.3, 0.7))))
            first.items.append((line, part))
            second.items.append((line, line.shipped - part))
        elif index % 2 == 0:
            first.items.append((line, line.shipped))
        else:
            second.items.append((line, line.shipped))
    if not second.items:
        line, units = first.items.pop()
        second.items.append((line, units))


def _document(rng: random.Random, po: PurchaseOrder, shipment: Shipment) -> None:
    wanted = po.flags.get("docs")
    if wanted is False or (wanted is None and rng.random() >= 0.88):
        return
    kinds = ["bol"] if shipment.freight_term == "Collect" else ["pod"]
    if shipment.freight_term == "Prepaid" and rng.random() < 0.25:
        kinds.insert(0, "bol")
    layouts = natural_layouts()
    show_units = any(role.startswith("inaccurate_asn") for role in po.chargeback_roles)
    for kind in kinds:
        if kind == "pod" and shipment.delivered_at is None:
            continue
        exception = shipment.exception if kind == "pod" else None
        unreadable = shipment.unreadable_note if kind == "pod" else None
        single_asin = len({line.item.asin for line, _ in shipment.items}) == 1
        pack = shipment.items[0][0].item.case_pack
        shipment.documents.append(
            Document(
                file="",
                kind=kind,
                layout=rng.choice(layouts[kind]),
                scanned=False,
                carrier=shipment.carrier.name,
                bol_number=shipment.bol_number,
                pro_number=shipment.pro_number,
                ship_date=shipment.shipped_at.date(),
                delivery_date=(
                    shipment.delivered_at.date()
                    if kind == "pod" and shipment.delivered_at is not None
                    else None
                ),
                po_numbers=[po.number],
                ship_to=po.ship_to,
                shipper=VENDOR_NAME,
                cartons=shipment.cartons,
                pallets=shipment.pallets,
                units=shipment.units if show_units or rng.random() < 0.7 else None,
                weight_lb=shipment.weight_lb,
                signed=True,
                receiver=rng.choice(RECEIVERS) if kind == "pod" else None,
                exception_kind=(
                    "unreadable" if unreadable else exception[0] if exception else None
                ),
                exception_units=exception[1] if exception else None,
                exception_eaches=(exception[1] * pack if exception and single_asin else None),
                exception_note=unreadable,
            )
        )
