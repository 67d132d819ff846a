"""The chargeback rule (DOMAIN.md, "Operational chargebacks")."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from recovery.claims.chargeback_types import ChargebackType, SynonymTable
from recovery.claims.findings import Verdict
from recovery.claims.inputs import detection_input
from recovery.claims.kinds.chargeback import chargeback_id_of, detect_chargebacks
from recovery.config import ChargebackFee, RuleSettings
from recovery.errors import ConfigError

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
    asn_cartons: int | None = None,
    pod_cartons: int | None = None,
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
                "carton_count": asn_cartons,
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
                "cartons": pod_cartons,
                "delivery_date": delivered,
                "bol_number": "BOL9",
            }
        ]
        if asn and (pod_units or delivered or pod_cartons)
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
        (
            "carton label fee for more cartons than the ASN and the POD show",
            build(
                [chargeback("1007", "Carton content label", 7_000, issue="Labels", cartons=14)],
                asn_cartons=10,
                pod_cartons=10,
            ),
            Verdict.claimable,
            "20.00",
            "10 cartons (ASN ASN9 10, POD BOL9 10; 14 cartons were charged) × $5.00",
        ),
        (
            "carton label fee within what the ASN shows",
            build(
                [chargeback("1008", "CCL missing", 5_000, issue="Labels", cartons=10)],
                asn_cartons=12,
            ),
            Verdict.valid,
            "0.00",
            "10 cartons × $5.00",
        ),
        (
            "ASN and POD disagree: the larger count caps the fee",
            build(
                [chargeback("1009", "Carton Label", 6_500, issue="Labels", cartons=13)],
                asn_cartons=10,
                pod_cartons=12,
            ),
            Verdict.claimable,
            "5.00",
            "12 cartons (ASN ASN9 10, POD BOL9 12; 13 cartons were charged)",
        ),
        (
            "a type the rules do not know needs a look",
            build([chargeback("1010", "Unsellable inbound", 4_000, issue="Receiving")]),
            Verdict.unexplained,
            "40.00",
            "not a chargeback type the rules know",
        ),
        (
            "a known type with no fee rule and no evidence needs a look",
            build([chargeback("1011", "Prep - poly bag", 4_000, issue="Prep")]),
            Verdict.unexplained,
            "40.00",
            "type prep: no fee rule applies",
        ),
        (
            "ASN accuracy in other words, contradicted by the POD",
            build([chargeback("1012", "Accuracy: ASN", 2_000, issue="")], pod_units=100),
            Verdict.claimable,
            "20.00",
            "shows the same 100 units",
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


@pytest.mark.parametrize(
    ("issue", "sub", "kind"),
    [
        ("ASN", "Late ASN", ChargebackType.late_asn),
        ("ASN / Late ASN", "", ChargebackType.late_asn),
        ("ASN", "ASN Timeliness", ChargebackType.late_asn),
        ("Vendor compliance", "ASN - late", ChargebackType.late_asn),
        ("ASN", "Missing ASN", ChargebackType.missing_asn),
        ("ASN", "No ASN received", ChargebackType.missing_asn),
        ("Accuracy: ASN", None, ChargebackType.inaccurate_asn),
        ("ASN", "Inaccurate ASN", ChargebackType.inaccurate_asn),
        ("ASN", "ASN quantity mismatch", ChargebackType.inaccurate_asn),
        ("PO On-Time Accuracy", None, ChargebackType.late_delivery),
        ("PO On-Time", "Late delivery", ChargebackType.late_delivery),
        ("On-time delivery", "Units arrived late", ChargebackType.late_delivery),
        ("PO Confirmation", "Late confirmation", ChargebackType.po_confirmation),
        ("Carton Label", "Missing carton content label", ChargebackType.carton_label),
        ("Labels", "Carton content label", ChargebackType.carton_label),
        ("Labeling", "CCL missing", ChargebackType.carton_label),
        ("Prep", None, ChargebackType.prep),
        ("Overweight", "Over weight carton", ChargebackType.overweight),
        ("Transportation", "Missed appointment", ChargebackType.missed_appointment),
        ("Transportation", "No-show", ChargebackType.missed_appointment),
        ("Receiving", "Unsellable inbound", None),
        ("", "", None),
    ],
)
def test_chargeback_types_by_meaning(issue: str, sub: str | None, kind: ChargebackType) -> None:
    assert SynonymTable.build().classify(issue, sub) == kind


def test_users_extend_the_synonyms_and_key_fees_by_type_or_by_words() -> None:
    inp = build([chargeback("1020", "Unsellable inbound", 4_000, issue="Receiving", cartons=8)])
    rules = RuleSettings(
        chargeback_synonyms={"carton_label": ["unsellable inbound"]},
        chargeback_fees={"Labels/Carton content label": ChargebackFee(per_carton=Decimal("4"))},
    )
    [finding] = detect_chargebacks(inp, rules)
    assert finding.verdict == Verdict.claimable
    assert finding.amount == Decimal("8.00")  # $40.00 charged, 8 cartons × $4.00 due
    assert finding.facts["chargeback_type"] == "carton_label"


def test_an_unknown_type_in_the_settings_is_a_config_error() -> None:
    rules = RuleSettings(chargeback_synonyms={"late_pallet": ["pallet late"]})
    with pytest.raises(ConfigError, match="unknown chargeback type 'late_pallet'"):
        detect_chargebacks(build([chargeback("1", "Late ASN", 2_000)]), rules)


def test_duplicates_are_the_same_type_in_other_words() -> None:
    inp = build(
        [
            chargeback("2001", "Late ASN", 2_000),
            chargeback("2002", "ASN timeliness", 2_000, notified=date(2026, 10, 9)),
        ]
    )
    findings = {f.reference: f for f in detect_chargebacks(inp, RuleSettings())}
    assert findings["2002"].verdict == Verdict.claimable
    assert "duplicates chargeback 2001" in findings["2002"].reason
