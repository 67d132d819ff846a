"""The chargeback rule (DOMAIN.md, "Operational chargebacks")."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from recovery.claims.detect.chargeback import chargeback_id_of, detect_chargebacks
from recovery.claims.findings import Verdict
from recovery.claims.frames import detection_input
from recovery.config import RuleSettings

PO, ASIN = "PO300", "B000CB0001"
COST = 1_000  # $10.00


def chargeback(
    cid: str,
    sub: str,
    amount: int,
    *,
    issue: str = "ASN",
    quantity: int = 100,
    cartons: int | None = None,
    notified: date = date(2026, 10, 1),
) -> dict[str, Any]:
    return {
        "chargeback_id": cid,
        "issue_type": issue,
        "sub_type": sub,
        "po_number": PO,
        "asin": ASIN,
        "notified_on": notified,
        "quantity": quantity,
        "cartons": cartons,
        "amount_minor": amount,
        "currency": "USD",
    }


def build(
    chargebacks: list[dict[str, Any]],
    *,
    confirmed: datetime | None = None,
    asn: bool = True,
    pod_units: int | None = None,
    delivered: date | None = None,
) -> Any:
    shipped = datetime(2026, 9, 1, 14, 0, tzinfo=UTC)
    return detection_input(
        deductions=[
            {
                "id": n,
                "kind": "chargeback",
                "reference": f"{c['chargeback_id']}VCBSINV",
                "amount_minor": c["amount_minor"],
                "currency": "USD",
                "payment_number": "P1",
            }
            for n, c in enumerate(chargebacks, start=1)
        ],
        chargebacks=chargebacks,
        po_items=[
            {
                "po_number": PO,
                "asin": ASIN,
                "net_cost_minor": COST,
                "delivery_window_start": datetime(2026, 9, 3, tzinfo=UTC),
                "delivery_window_end": datetime(2026, 9, 7, tzinfo=UTC),
            }
        ],
        shipment_items=[
            {
                "shipment_pk": 1,
                "shipment_id": "ASN9",
                "po_number": PO,
                "asin": ASIN,
                "shipped_eaches": 100,
                "asn_eaches": 100,
                "line_no": 1,
                "shipped_at": shipped,
                "confirmed_at": confirmed or datetime(2026, 9, 1, 18, 0, tzinfo=UTC),
            }
        ]
        if asn
        else [],
        documents=[
            {
                "shipment_pk": 1,
                "document_id": 5,
                "kind": "pod",
                "signed": True,
                "units": pod_units,
                "delivery_date": delivered,
                "bol_number": "BOL9",
            }
        ]
        if asn and (pod_units or delivered)
        else [],
    )


@pytest.mark.parametrize(
    ("name", "inp", "verdict", "claim", "words"),
    [
        (
            "late ASN that was on time",
            build(
                [chargeback("1001", "Late ASN", 2_000)],
                confirmed=datetime(2026, 9, 1, 14, 20, tzinfo=UTC),
            ),
            Verdict.claimable,
            "20.00",
            "confirmed 2026-09-01 14:20 UTC, before the shipment left",
        ),
        (
            "late ASN that was late",
            build([chargeback("1001", "Late ASN", 2_000)]),
            Verdict.valid,
            "0.00",
            "fee matches the schedule",
        ),
        (
            "missing ASN that exists",
            build([chargeback("1002", "Missing ASN", 2_000)]),
            Verdict.claimable,
            "20.00",
            "ASN ASN9 was sent",
        ),
        (
            "missing ASN really missing",
            build([chargeback("1002", "Missing ASN", 2_000)], asn=False),
            Verdict.valid,
            "0.00",
            "stands",
        ),
        (
            "inaccurate ASN matching the POD",
            build([chargeback("1003", "Inaccurate ASN", 2_000)], pod_units=100),
            Verdict.claimable,
            "20.00",
            "shows the same 100 units",
        ),
        (
            "late delivery inside the window",
            build(
                [chargeback("1004", "Late delivery", 3_000, issue="PO On-Time")],
                delivered=date(2026, 9, 5),
            ),
            Verdict.claimable,
            "30.00",
            "inside the PO's delivery window",
        ),
        (
            "late delivery really late",
            build(
                [chargeback("1004", "Late delivery", 3_000, issue="PO On-Time")],
                delivered=date(2026, 9, 9),
            ),
            Verdict.valid,
            "0.00",
            "it stands",
        ),
        (
            "fee above the schedule",
            build([chargeback("1005", "Late ASN", 6_000)]),
            Verdict.claimable,
            "40.00",
            "2% of 100 units × $10.00",
        ),
        (
            "carton label fee per carton",
            build(
                [
                    chargeback(
                        "1006",
                        "Missing carton content label",
                        7_500,
                        issue="Carton Label",
                        cartons=10,
                    )
                ]
            ),
            Verdict.claimable,
            "25.00",
            "10 cartons × $5.00",
        ),
    ],
)
def test_chargeback_rule(name: str, inp: Any, verdict: Verdict, claim: str, words: str) -> None:
    [finding] = detect_chargebacks(inp, RuleSettings())
    assert finding.verdict == verdict, finding.reason
    assert finding.amount == Decimal(claim), finding.reason
    assert words in finding.reason
    assert finding.base_date is not None


def test_duplicate_chargeback_is_claimed_in_full_and_the_first_judged_on_its_own() -> None:
    inp = build(
        [
            chargeback("2001", "Late ASN", 2_000, notified=date(2026, 10, 1)),
            chargeback("2002", "Late ASN", 2_000, notified=date(2026, 10, 8)),
        ]
    )
    findings = {f.reference: f for f in detect_chargebacks(inp, RuleSettings())}
    assert findings["2001"].verdict == Verdict.valid
    assert findings["2002"].verdict == Verdict.claimable
    assert findings["2002"].amount == Decimal("20.00")
    assert "duplicates chargeback 2001" in findings["2002"].reason


def test_grace_is_a_setting() -> None:
    inp = build(
        [chargeback("1001", "Late ASN", 2_000)], confirmed=datetime(2026, 9, 1, 14, 45, tzinfo=UTC)
    )
    assert detect_chargebacks(inp, RuleSettings())[0].verdict == Verdict.valid
    generous = RuleSettings(asn_grace_minutes=60)
    assert detect_chargebacks(inp, generous)[0].verdict == Verdict.claimable


def test_debit_note_carries_the_chargeback_id() -> None:
    assert chargeback_id_of("12345678VCBSINV") == "12345678"
    assert chargeback_id_of("12345678") == "12345678"


def test_a_pod_tied_only_by_po_number_still_contradicts_a_late_delivery() -> None:
    inp = build([chargeback("1004", "Late delivery", 3_000, issue="PO On-Time")], asn=False)
    inp.documents = inp.documents.iloc[0:0]
    inp.documents.loc[0] = {
        "shipment_pk": None,
        "po_number": PO,
        "document_id": 8,
        "kind": "pod",
        "bol_number": "BOL8",
        "delivery_date": date(2026, 9, 4),
    }
    [finding] = detect_chargebacks(inp, RuleSettings())
    assert finding.verdict == Verdict.claimable
    assert "POD BOL8 shows delivery on 2026-09-04" in finding.reason
