"""Which planted case goes on which purchase order.

Every case is planted at least once whenever the period leaves room for it (the tiny scenario
relies on this), then at realistic rates: shortages on about a fifth of invoices and more in Q4,
price variances and chargebacks on a few percent. Cases put requirements on a PO's shipments
(flags); two cases share a PO only when their requirements agree.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial

from recovery.testing.scenario.catalog import add_cost_change
from recovery.testing.scenario.world import Item, PurchaseOrder

SHORTAGE_CASES: dict[str, int] = {
    "shipped_in_full": 30,
    "under_shipped": 14,
    "partial_reversal": 12,
    "pod_exception": 8,
    "case_each_mistake": 6,
    "duplicate_deduction": 5,
    "no_evidence": 12,
    "split_shipment": 13,
}
# Planted only in a varied scenario (variety.py), so the plain one's draws stay as they were:
# a POD whose receiver noted an exception nobody can count (a person must look), and a
# shortage Amazon reversed and then raised again as `<inv>SCRSC`.
VARIED_SHORTAGE_CASES: dict[str, int] = {"pod_unreadable": 6, "reraised": 8}
PRICE_CASES: dict[str, int] = {"stale_cost": 60, "over_invoiced": 40}
# Planted billing anomalies; partial payments and early-pay discounts are ordinary variety.
BILLING_CASES: dict[str, int] = {"short_pay": 15, "unpaid": 20, "partial": 65}
CHARGEBACK_ROLES: dict[str, int] = {
    "late_asn_contradicted": 12,
    "late_asn_valid": 10,
    "asn_wrong_fee": 5,
    "missing_asn_contradicted": 8,
    "missing_asn_valid": 6,
    "inaccurate_asn_contradicted": 8,
    "inaccurate_asn_valid": 6,
    "late_delivery_contradicted": 12,
    "late_delivery_valid": 10,
    "carton_label_valid": 10,
    "carton_label_wrong_fee": 6,
    "duplicate": 7,
}

_SHORTAGE_FLAGS: dict[str, dict[str, bool]] = {
    case: {"docs": case != "no_evidence", "in_asn": True, "asn_inaccurate": False}
    for case in {**SHORTAGE_CASES, **VARIED_SHORTAGE_CASES}
}
_SHORTAGE_FLAGS["pod_exception"]["pod"] = True
_SHORTAGE_FLAGS["pod_unreadable"]["pod"] = True
# Cases whose POD note is about one ASIN's cartons: the PO keeps one line.
ONE_LINE_CASES = ("pod_exception", "pod_unreadable")
_SHORTAGE_FLAGS["split_shipment"]["split"] = True

_ROLE_FLAGS: dict[str, dict[str, bool]] = {
    "late_asn_contradicted": {"confirm_late": False, "in_asn": True},
    "late_asn_valid": {"confirm_late": True, "in_asn": True},
    "asn_wrong_fee": {"confirm_late": True, "in_asn": True},
    "missing_asn_contradicted": {"in_asn": True},
    "missing_asn_valid": {"in_asn": False},
    "inaccurate_asn_contradicted": {"asn_inaccurate": False, "docs": True, "in_asn": True},
    "inaccurate_asn_valid": {"asn_inaccurate": True, "docs": True, "in_asn": True},
    "late_delivery_contradicted": {"delivered_late": False, "pod": True, "docs": True},
    "late_delivery_valid": {"delivered_late": True, "pod": True, "docs": True},
    "carton_label_valid": {},
    "carton_label_wrong_fee": {},
    "duplicate": {},
}

# Days from the order date a case needs before today, so that every deduction it implies
# (shortage at the due date, its reversal or duplicate weeks later) is already on a remittance.
SHORTAGE_HORIZON = 125
PRICE_HORIZON = 85
BILLING_HORIZON = 85
CHARGEBACK_HORIZON = 55
# A re-raised shortage comes weeks after its reversal, which comes weeks after the debit.
RERAISE_HORIZON = 180


def _compatible(po: PurchaseOrder, flags: dict[str, bool]) -> bool:
    return all(po.flags.get(key, value) == value for key, value in flags.items())


def _merge(po: PurchaseOrder, flags: dict[str, bool]) -> None:
    po.flags.update(flags)


def _can_shortage(po: PurchaseOrder, case: str) -> bool:
    if case in ONE_LINE_CASES and po.chargeback_roles:
        return False  # it keeps one line; the chargebacks' lines would go
    return po.shortage_case is None and _compatible(po, _SHORTAGE_FLAGS[case])


def _set_shortage(po: PurchaseOrder, case: str) -> None:
    po.shortage_case = case
    _merge(po, _SHORTAGE_FLAGS[case])
    if case in ONE_LINE_CASES:
        # A receiver counts exceptions in cartons; one ASIN per PO makes them unambiguous.
        del po.lines[1:]


def _can_role(po: PurchaseOrder, role: str, clean: bool = False) -> bool:
    if clean and po.shortage_case is not None:
        return False
    # Each role sits on its own line, so two chargebacks never look like duplicates by accident.
    if len(po.chargeback_roles) >= len(po.lines):
        return False
    return role not in po.chargeback_roles and _compatible(po, _ROLE_FLAGS[role])


def _set_role(po: PurchaseOrder, role: str) -> None:
    po.chargeback_roles.append(role)
    _merge(po, _ROLE_FLAGS[role])


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _q4(po: PurchaseOrder) -> bool:
    return po.ordered_at.month in (10, 11, 12)


def plan_cases(
    rng: random.Random, orders: list[PurchaseOrder], today: date, *, varied: bool = False
) -> None:
    # The varied cases first: the tiny scenario has room for one of each only just.
    shortage_cases = {**VARIED_SHORTAGE_CASES, **SHORTAGE_CASES} if varied else SHORTAGE_CASES

    def eligible(horizon: int) -> list[PurchaseOrder]:
        last = today - timedelta(days=horizon)
        chosen = [po for po in orders if po.ordered_at.date() <= last]
        rng.shuffle(chosen)
        return chosen

    shortage_pool = eligible(SHORTAGE_HORIZON)
    price_pool = eligible(PRICE_HORIZON)
    billing_pool = eligible(BILLING_HORIZON)
    chargeback_pool = eligible(CHARGEBACK_HORIZON)

    def first(
        pool: list[PurchaseOrder], ok: Callable[[PurchaseOrder], bool]
    ) -> PurchaseOrder | None:
        return next((po for po in pool if ok(po)), None)

    # Mandatory pass: one of everything, each case on its own PO when there is room.
    reraise_last = today - timedelta(days=RERAISE_HORIZON)

    def can_shortage(po: PurchaseOrder, case: str) -> bool:
        if case == "reraised" and po.ordered_at.date() > reraise_last:
            return False
        return _can_shortage(po, case)

    for case in shortage_cases:
        po = first(shortage_pool, partial(can_shortage, case=case))
        if po is not None:
            _set_shortage(po, case)
    for case in PRICE_CASES:
        po = first(price_pool, lambda p: p.price_case is None and p.shortage_case is None)
        po = po or first(price_pool, lambda p: p.price_case is None)
        if po is not None:
            po.price_case = case
    for case in ("short_pay", "unpaid", "partial"):
        po = first(
            billing_pool,
            lambda p: p.billing_case is None and p.shortage_case is None and p.price_case is None,
        )
        po = po or first(billing_pool, lambda p: p.billing_case is None)
        if po is not None:
            po.billing_case = case
    for role in CHARGEBACK_ROLES:
        po = first(chargeback_pool, partial(_can_role, role=role, clean=True))
        po = po or first(chargeback_pool, partial(_can_role, role=role))
        if po is not None:
            _set_role(po, role)

    # Realistic rates for the rest.
    for po in shortage_pool:
        if po.shortage_case is None and rng.random() < (0.30 if _q4(po) else 0.20):
            case = _weighted(rng, shortage_cases)
            if can_shortage(po, case):
                _set_shortage(po, case)
    for po in price_pool:
        if po.price_case is None and rng.random() < 0.05:
            po.price_case = _weighted(rng, PRICE_CASES)
    for po in billing_pool:
        if po.billing_case is None and rng.random() < 0.08:
            po.billing_case = _weighted(rng, BILLING_CASES)
    for po in chargeback_pool:
        if rng.random() < (0.09 if _q4(po) else 0.05):
            role = _weighted(rng, CHARGEBACK_ROLES)
            if _can_role(po, role):
                _set_role(po, role)


def role_line_index(po: PurchaseOrder, role: str) -> int:
    """The line a chargeback role sits on: counted from the end, one line per role."""
    return len(po.lines) - 1 - po.chargeback_roles.index(role)


def prepare_price_cases(rng: random.Random, orders: list[PurchaseOrder]) -> None:
    """Give each stale-cost PO a line whose item had a cost increase shortly before the order:
    the vendor invoices the new cost, Amazon's cost record (the PO) still has the old one."""
    for po in orders:
        if po.price_case != "stale_cost":
            continue
        day = po.ordered_at.date()
        if any(recent_change(line.item, day) for line in po.lines):
            continue
        fresh = [line for line in po.lines if len(line.item.costs) == 1]
        if not fresh:
            po.price_case = None
            continue
        add_cost_change(rng, rng.choice(fresh).item, day - timedelta(days=rng.randint(3, 30)))


def recent_change(item: Item, day: date) -> bool:
    change = item.change_before(day)
    return change is not None and (day - change[0]).days <= 90
