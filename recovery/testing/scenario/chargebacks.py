"""Operational chargebacks, valid and wrong, per the default fee schedule of data-conventions.md."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from recovery.money import quantize
from recovery.testing.scenario.answer_key import CHARGEBACK_DAYS
from recovery.testing.scenario.days_off import deadline_off_work
from recovery.testing.scenario.plan import role_line_index
from recovery.testing.scenario.variety import EXTRA_CHARGEBACK_WORDINGS
from recovery.testing.scenario.world import (
    CURRENCY,
    ZERO,
    Chargeback,
    DeductionEvent,
    PoLine,
    PurchaseOrder,
    Shipment,
    World,
)

ASN_RATE = Decimal("0.02")
ON_TIME_RATE = Decimal("0.03")
CARTON_LABEL_FEE = Decimal("5.00")
DESCRIPTION = "Vendor compliance chargeback"

# role -> the (issue type, sub type) wordings real exports use for it (DOMAIN.md: "ASN / Late
# ASN", "Accuracy: ASN", "PO On-Time Accuracy", "Carton content label", ...); each chargeback
# takes one by its id, so the two copies of a duplicate may be worded differently.
_LATE_ASN = (
    ("ASN", "Late ASN"),
    ("ASN / Late ASN", "ASN / Late ASN"),
    ("Vendor compliance", "ASN timeliness"),
    ("ASN Accuracy", "ASN - late"),
)
_CARTON_LABEL = (
    ("Carton Label", "Missing carton content label"),
    ("Labels", "Carton content label"),
    ("Labeling", "CCL missing"),
)
_TYPES: dict[str, tuple[tuple[str, str], ...]] = {
    "late_asn": _LATE_ASN,
    "asn_wrong_fee": _LATE_ASN,
    "missing_asn": (("ASN", "Missing ASN"), ("ASN", "No ASN received")),
    "inaccurate_asn": (
        ("ASN", "Inaccurate ASN"),
        ("Accuracy: ASN", "Accuracy: ASN"),
        ("ASN", "ASN quantity mismatch"),
    ),
    "late_delivery": (
        ("PO On-Time", "Late delivery"),
        ("PO On-Time Accuracy", "PO On-Time Accuracy"),
        ("On-time delivery", "Units arrived late"),
    ),
    "carton_label": _CARTON_LABEL,
    "duplicate": _CARTON_LABEL,
}


def _deadline_off_work(notified: date, chargeback_id: int) -> date:
    """Every other chargeback is notified so that its 30 days end on a weekend or a US holiday
    (a few days later at most): Amazon's deadline is that day, the plan the business day
    before. By the id, not a random draw."""
    if chargeback_id % 2:
        return notified
    return deadline_off_work(notified, lambda day: day + timedelta(days=CHARGEBACK_DAYS), reach=7)


def wording(role: str, chargeback_id: int, *, varied: bool = False) -> tuple[str, str]:
    """The issue and sub-type words of a chargeback (no random draw: the rest of the
    scenario stays the same for a seed); a varied scenario has more words to choose from."""
    variants = _TYPES[_family(role)]
    if varied:
        variants = variants + EXTRA_CHARGEBACK_WORDINGS[_family(role)]
    return variants[chargeback_id % len(variants)]


def _family(role: str) -> str:
    for suffix in ("_contradicted", "_valid", "_wrong_fee"):
        if role.endswith(suffix) and role != "asn_wrong_fee":
            return role[: -len(suffix)]
    return role


def _cartons(line: PoLine) -> int:
    return -(-line.shipped // line.item.case_pack)


def _shipment_of(po: PurchaseOrder, line: PoLine) -> Shipment:
    for shipment in po.shipments:
        if any(loaded is line for loaded, _ in shipment.items):
            return shipment
    return po.shipments[0]


def _recent(notified: date, today: date, chargeback_id: int) -> date:
    """A varied scenario's chargebacks are mostly notified in the last four weeks, so that
    their 30 days have not run out on `today` and recall measures what can still be filed;
    one in four keeps its date (often expired: shown apart, never counted as recall). The
    duplicate's second copy and the debit notes still fall before `today`."""
    if chargeback_id % 4 == 3:
        return notified
    return max(notified, today - timedelta(days=26 + chargeback_id % 3))


def make_chargebacks(rng: random.Random, world: World, *, varied: bool = False) -> None:
    next_id = 6_100_000_000 + rng.randint(0, 9_999) * 1_000
    for po in world.orders:
        if not po.chargeback_roles or not po.shipments:
            continue
        for role in po.chargeback_roles:
            line = po.lines[role_line_index(po, role)]
            shipment = _shipment_of(po, line)
            base_day = (shipment.delivered_at or shipment.shipped_at).date()
            notified = base_day + timedelta(days=rng.randint(7, 20))
            if varied:
                notified = _recent(notified, world.today, next_id)
            notified = _deadline_off_work(notified, next_id)
            if notified + timedelta(days=10) >= world.today:
                continue
            made = _charge(role, po, line, shipment)
            previous = ""
            for offset, (amount, correct, case, text) in enumerate(made):
                next_id += rng.randint(1, 40)
                why = f"{text[:-1]} ({previous})." if offset else text
                previous = f"chargeback {next_id}"
                issue, sub = wording(role, next_id, varied=varied)
                chargeback = Chargeback(
                    chargeback_id=str(next_id),
                    issue_type=issue,
                    sub_type=sub,
                    po=po,
                    line=line,
                    quantity=line.shipped,
                    cartons=_cartons(line),
                    amount=amount,
                    correct=correct,
                    notified_on=notified + timedelta(days=offset * rng.randint(3, 9)),
                    case=case,
                    why=why,
                )
                chargeback.event = DeductionEvent(
                    f"{chargeback.chargeback_id}VCBSINV",
                    "chargeback",
                    DESCRIPTION,
                    amount,
                    chargeback.notified_on + timedelta(days=rng.randint(3, 10)),
                    chargeback.notified_on,
                    None,
                    case,
                    po,
                )
                world.chargebacks.append(chargeback)
                world.events.append(chargeback.event)


def _fee(rate: Decimal, line: PoLine) -> Decimal:
    return quantize(line.shipped * line.net_cost * rate, CURRENCY)


def _charge(
    role: str, po: PurchaseOrder, line: PoLine, shipment: Shipment
) -> list[tuple[Decimal, Decimal, str, str]]:
    """(charged, correct, case, why) for each chargeback the role raises."""
    asn_fee = _fee(ASN_RATE, line)
    cost = f"{line.shipped} units × ${line.net_cost}"
    confirmed = shipment.confirmed_at.strftime("%Y-%m-%d %H:%M")
    shipped = shipment.shipped_at.strftime("%Y-%m-%d %H:%M")
    cartons = _cartons(line)
    label_fee = CARTON_LABEL_FEE * cartons
    window_end = po.delivery_window[1].strftime("%Y-%m-%d %H:%M")
    delivered = shipment.delivered_at.strftime("%Y-%m-%d %H:%M") if shipment.delivered_at else "?"
    if role == "late_asn_contradicted":
        why = (
            f"ASN {shipment.shipment_id} was confirmed at {confirmed}, within 30 minutes of "
            f"shipping at {shipped}: the ASN was on time."
        )
        return [(asn_fee, ZERO, "chargeback_contradicted_late_asn", why)]
    if role == "late_asn_valid":
        why = (
            f"ASN {shipment.shipment_id} was confirmed at {confirmed}, after shipping at {shipped}."
        )
        return [(asn_fee, asn_fee, "chargeback_valid_late_asn", why)]
    if role == "asn_wrong_fee":
        charged = _fee(ASN_RATE * 2, line)
        why = (
            f"The ASN was late (confirmed {confirmed}, shipped {shipped}) but the fee is 2% of "
            f"{cost} = ${asn_fee}, not ${charged}."
        )
        return [(charged, asn_fee, "chargeback_wrong_fee", why)]
    if role == "missing_asn_contradicted":
        why = f"ASN {shipment.shipment_id} exists for PO {po.number} and ASIN {line.item.asin}."
        return [(asn_fee, ZERO, "chargeback_contradicted_missing_asn", why)]
    if role == "missing_asn_valid":
        why = f"No ASN was sent for PO {po.number}; the charge stands."
        return [(asn_fee, asn_fee, "chargeback_valid_missing_asn", why)]
    if role == "inaccurate_asn_contradicted":
        why = (
            f"ASN {shipment.shipment_id} reported {shipment.units} units and the BOL "
            f"{shipment.bol_number} shows the same {shipment.units} units."
        )
        return [(asn_fee, ZERO, "chargeback_contradicted_inaccurate_asn", why)]
    if role == "inaccurate_asn_valid":
        why = (
            f"ASN {shipment.shipment_id} reported more units than BOL {shipment.bol_number} "
            f"shows ({shipment.units}); the charge stands."
        )
        return [(asn_fee, asn_fee, "chargeback_valid_inaccurate_asn", why)]
    on_time_fee = _fee(ON_TIME_RATE, line)
    if role == "late_delivery_contradicted":
        why = (
            f"The POD for BOL {shipment.bol_number} shows delivery at {delivered}, inside the "
            f"delivery window ending {window_end}."
        )
        return [(on_time_fee, ZERO, "chargeback_contradicted_late_delivery", why)]
    if role == "late_delivery_valid":
        why = f"Delivered {delivered}, after the delivery window ended {window_end}."
        return [(on_time_fee, on_time_fee, "chargeback_valid_late_delivery", why)]
    if role == "carton_label_valid":
        why = f"{cartons} cartons × $5.00 = ${label_fee}, as the fee schedule says."
        return [(label_fee, label_fee, "chargeback_valid_carton_label", why)]
    if role == "carton_label_wrong_fee":
        charged = Decimal("7.50") * cartons
        why = f"The fee is {cartons} cartons × $5.00 = ${label_fee}, not ${charged}."
        return [(charged, label_fee, "chargeback_wrong_fee", why)]
    # duplicate: a valid charge, then the same PO, ASIN, issue and sub type again.
    first = f"{cartons} cartons × $5.00 = ${label_fee}, as the fee schedule says."
    again = (
        f"Duplicates the earlier carton-label chargeback for PO {po.number}, ASIN {line.item.asin}."
    )
    return [
        (label_fee, label_fee, "chargeback_valid_carton_label", first),
        (label_fee, ZERO, "chargeback_duplicate", again),
    ]
