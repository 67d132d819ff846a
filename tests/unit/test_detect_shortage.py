"""The shortage rule, case by case (docs: DOMAIN.md, "Shortage claims")."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from recovery.claims.findings import Verdict
from recovery.claims.inputs import detection_input
from recovery.claims.kinds.shortage import detect_shortages

INV, PO, ASIN = "INV100", "4Q8Z1", "B000TEST01"
COST = 840  # $8.40 per unit


@dataclass
class Case:
    name: str
    debits: list[tuple[str, int]]  # (debit note, units; negative for a reversal)
    shipments: list[tuple[int, str | None]]  # (units shipped, proof: "pod"/"bol"/None)
    verdict: Verdict
    units: int
    invoiced: int = 120
    exception_units: int = 0
    exception_kind: str = "short"  # as the evidence reader stores it
    payments_per_debit: dict[str, int] = field(default_factory=dict)
    detail: bool = True
    # What the detail rows' External ID holds: None, the debit note (some exports); else this
    # product id (a UPC, as DOMAIN.md defines the column).
    product_id: str | None = None
    # Notes whose detail rows name the note even where the others carry the product id.
    self_named: tuple[str, ...] = ()


CASES = [
    Case(
        "shipped everything, less received",
        [("INV100SC", 24)],
        [(120, "pod")],
        Verdict.claimable,
        24,
    ),
    Case("vendor under-shipped", [("INV100SC", 24)], [(96, "pod")], Verdict.valid, 0),
    Case(
        "under-shipped less than deducted",
        [("INV100SC", 24)],
        [(110, "bol")],
        Verdict.claimable,
        14,
    ),
    Case(
        "partial reversal",
        [("INV100SC", 24), ("INV100SCR", -10)],
        [(120, "pod")],
        Verdict.claimable,
        14,
    ),
    Case(
        "reversed in full",
        [("INV100SC", 24), ("INV100SCR", -24)],
        [(120, "pod")],
        Verdict.claimable,
        0,
    ),
    Case(
        "re-raised after reversal",
        [("INV100SC", 24), ("INV100SCR", -24), ("INV100SCRSC", 24)],
        [(120, "pod")],
        Verdict.claimable,
        24,
    ),
    Case(
        "carrier exception on the POD",
        [("INV100SC", 24)],
        [(120, "pod")],
        Verdict.claimable,
        18,
        exception_units=6,
    ),
    Case(
        "exception covers the whole shortage",
        [("INV100SC", 6)],
        [(120, "pod")],
        Verdict.valid,
        0,
        exception_units=6,
    ),
    Case(
        "duplicate of a valid shortage",
        [("INV100SC", 24)],
        [(96, "pod")],
        Verdict.claimable,
        24,
        payments_per_debit={"INV100SC": 2},
    ),
    Case(
        "split shipments both proven",
        [("INV100SC", 30)],
        [(60, "bol"), (60, "pod")],
        Verdict.claimable,
        30,
    ),
    Case(
        "split shipment one unproven",
        [("INV100SC", 30)],
        [(60, "bol"), (60, None)],
        Verdict.needs_evidence,
        30,
    ),
    Case(
        "short and damaged noted on the POD",
        [("INV100SC", 24)],
        [(120, "pod")],
        Verdict.claimable,
        18,
        exception_units=6,
        exception_kind="short+damage",
    ),
    Case(
        "an overage takes nothing from the proof",
        [("INV100SC", 24)],
        [(120, "pod")],
        Verdict.claimable,
        24,
        exception_units=6,
        exception_kind="over",
    ),
    Case(
        "POD notes an exception that could not be read: a person looks",
        [("INV100SC", 24)],
        [(120, "pod")],
        Verdict.unexplained,
        24,
        exception_kind="unreadable",
    ),
    Case(
        "unreadable exception, but the vendor under-shipped anyway",
        [("INV100SC", 24)],
        [(96, "pod")],
        Verdict.valid,
        0,
        exception_kind="unreadable",
    ),
    Case("no signed document", [("INV100SC", 24)], [(120, None)], Verdict.needs_evidence, 24),
    Case("no ASN at all", [("INV100SC", 24)], [], Verdict.needs_evidence, 24),
]


def build(case: Case) -> Any:
    deductions, shortage_lines = [], []
    next_id = 1
    for debit, units in case.debits:
        kind = "shortage_reversal" if units < 0 else "shortage"
        for payment in range(case.payments_per_debit.get(debit, 1)):
            deductions.append(
                {
                    "id": next_id,
                    "kind": kind,
                    "reference": debit,
                    "payment_number": f"P{payment}",
                    "invoice_number": INV,
                    "amount_minor": units * COST,
                    "currency": "USD",
                }
            )
            next_id += 1
        if case.detail:
            shortage_lines.append(
                {
                    "invoice_number": INV,
                    "external_id": (
                        debit if debit in case.self_named else case.product_id or debit
                    ),
                    "po_number": PO,
                    "asin": ASIN,
                    "unit_price_minor": COST,
                    "invoiced_quantity": case.invoiced,
                    "shortage_quantity": units,
                    "shortage_minor": units * COST,
                    "currency": "USD",
                    "due_date": date(2026, 9, 1),
                }
            )
    shipment_items, documents = [], []
    exception_left = case.exception_units
    for number, (units, proof) in enumerate(case.shipments, start=1):
        shipment_items.append(
            {
                "shipment_pk": number,
                "shipment_id": f"ASN{number}",
                "bol_number": f"BOL{number}",
                "line_no": 1,
                "po_number": PO,
                "asin": ASIN,
                "shipped_eaches": units,
            }
        )
        if proof:
            documents.append(
                {
                    "shipment_pk": number,
                    "document_id": 100 + number,
                    "kind": proof,
                    "signed": True,
                    "cartons": units // 12,
                    "bol_number": f"BOL{number}",
                    "exception_kind": (
                        case.exception_kind
                        if exception_left or case.exception_kind == "unreadable"
                        else None
                    ),
                    "exception_units": exception_left or None,
                }
            )
            exception_left = 0
            if case.exception_kind == "unreadable":
                case = replace(case, exception_kind="")
    return detection_input(
        deductions=deductions,
        shortage_lines=shortage_lines,
        shipment_items=shipment_items,
        documents=documents,
        invoice_lines=[
            {
                "invoice_number": INV,
                "po_number": PO,
                "asin": ASIN,
                "quantity": case.invoiced,
                "unit_cost_minor": COST,
                "currency": "USD",
                "line_no": 1,
                "due_date": date(2026, 9, 1),
            }
        ],
    )


# The same table with `External ID` holding the product's UPC: the rule reads the debit notes
# from the remittance, and the claim's reference stays the SC debit note.
PRODUCT_ID_CASES = [
    replace(case, name=f"{case.name} (External ID a UPC)", product_id="012345678905")
    for case in CASES
] + [
    # The first debit's rows carry the product id, the re-raise's rows name SCRSC: the
    # product-id rows are not the re-raise's detail too (it was counted twice).
    Case(
        "re-raised, the SCRSC rows naming their note",
        [("INV100SC", 24), ("INV100SCR", -24), ("INV100SCRSC", 24)],
        [(120, "pod")],
        Verdict.claimable,
        24,
        product_id="012345678905",
        self_named=("INV100SCRSC",),
    ),
    Case(
        "re-raised, the reversal and the SCRSC rows naming their notes",
        [("INV100SC", 24), ("INV100SCR", -24), ("INV100SCRSC", 24)],
        [(120, "pod")],
        Verdict.claimable,
        24,
        product_id="012345678905",
        self_named=("INV100SCR", "INV100SCRSC"),
    ),
]


@pytest.mark.parametrize("case", CASES + PRODUCT_ID_CASES, ids=lambda c: c.name)
def test_shortage_rule(case: Case) -> None:
    findings = detect_shortages(build(case))
    if case.debits and all(u <= 0 for _, u in case.debits):
        assert findings == []
        return
    net = sum(u * case.payments_per_debit.get(d, 1) for d, u in case.debits)
    if net <= 0:
        assert findings == []
        return
    assert len(findings) == 1
    finding = findings[0]
    assert finding.verdict == case.verdict, finding.reason
    assert finding.quantity == case.units, finding.reason
    assert finding.amount == Decimal(case.units * COST) / 100
    assert (finding.invoice_number, finding.po_number, finding.asin) == (INV, PO, ASIN)
    assert finding.base_date == date(2026, 9, 1)
    assert finding.reference == "INV100SC"  # the deduction's own id, never the product id
    if case.verdict == Verdict.unexplained:
        assert "could not be read" in finding.reason
        assert finding.is_claim  # a claim in status needs_look: a person reads the note


def test_reason_names_the_numbers_and_documents() -> None:
    finding = detect_shortages(build(CASES[0]))[0]
    assert finding.reason == (
        "Invoice INV100 (PO 4Q8Z1) ASIN B000TEST01: invoiced 120 units; ASN ASN1 shipped 120 "
        "units (POD BOL1 signed for 10 cartons with no exception); Amazon deducted 24 units net "
        "(INV100SC); Amazon may deduct only I − P = 120 − 120 = 0 units; 24 units × $8.40 = "
        "$201.60."
    )
    assert finding.evidence_ids == (101,)
    assert finding.deduction_ids == (1,)
    assert finding.key == "shortage:INV100:4Q8Z1:B000TEST01"


def test_claim_never_exceeds_what_was_deducted_in_money() -> None:
    case = Case("cheaper debit", [("INV100SC", 24)], [(120, "pod")], Verdict.claimable, 24)
    inp = build(case)
    inp.shortage_lines.loc[:, "shortage_minor"] = 24 * 800  # Amazon used $8.00
    finding = detect_shortages(inp)[0]
    assert finding.amount == Decimal("192.00")


def test_debit_without_line_detail_is_unexplained() -> None:
    case = Case(
        "no detail", [("INV100SC", 24)], [(120, "pod")], Verdict.unexplained, 0, detail=False
    )
    findings = detect_shortages(build(case))
    assert [f.verdict for f in findings] == [Verdict.unexplained]
    assert findings[0].amount == Decimal("201.60")
    assert "shortage dispute details" in findings[0].reason


def test_two_invoices_share_the_proven_units_of_one_po() -> None:
    inp = detection_input(
        deductions=[
            {
                "id": 1,
                "kind": "shortage",
                "reference": "A1SC",
                "invoice_number": "A1",
                "amount_minor": 10 * COST,
                "currency": "USD",
                "payment_number": "P1",
            },
            {
                "id": 2,
                "kind": "shortage",
                "reference": "A2SC",
                "invoice_number": "A2",
                "amount_minor": 10 * COST,
                "currency": "USD",
                "payment_number": "P1",
            },
        ],
        shortage_lines=[
            {
                "invoice_number": inv,
                "external_id": f"{inv}SC",
                "po_number": PO,
                "asin": ASIN,
                "unit_price_minor": COST,
                "invoiced_quantity": 50,
                "shortage_quantity": 10,
                "shortage_minor": 10 * COST,
                "currency": "USD",
            }
            for inv in ("A1", "A2")
        ],
        shipment_items=[
            {
                "shipment_pk": 1,
                "shipment_id": "ASN1",
                "line_no": 1,
                "po_number": PO,
                "asin": ASIN,
                "shipped_eaches": 90,
            }
        ],
        documents=[{"shipment_pk": 1, "document_id": 7, "kind": "pod", "signed": True}],
    )
    by_invoice = {f.invoice_number: f for f in detect_shortages(inp)}
    # 90 proven: A1 gets 50 (claim all 10), A2 gets 40 of 50 (Amazon may deduct 10: claim 0).
    assert by_invoice["A1"].quantity == 10 and by_invoice["A1"].verdict == Verdict.claimable
    assert by_invoice["A2"].quantity == 0 and by_invoice["A2"].verdict == Verdict.valid


@pytest.mark.parametrize(
    ("unit", "count", "cartons", "claim"),
    [("carton", 2, 10, 0), ("carton", 1, 10, 12), ("unit", 6, 10, 18), ("carton", 1, None, 0)],
)
def test_exceptions_written_in_cartons_become_units(
    unit: str, count: int, cartons: int | None, claim: int
) -> None:
    # 120 units shipped in 10 cartons (12 each); 24 deducted.
    inp = build(Case("exception", [("INV100SC", 24)], [(120, "pod")], Verdict.claimable, 0))
    rows = len(inp.documents)
    inp.documents = inp.documents.assign(
        exception_units=[count] * rows,
        exception_unit=[unit] * rows,
        exception_kind=["short"] * rows,
        cartons=[cartons] * rows,
    )
    [finding] = detect_shortages(inp)
    # Without a carton count the conversion is unknown: assume the worst, claim nothing.
    assert finding.quantity == claim, finding.reason


def _asn_line(line_no: int, asin: str, units: int) -> dict[str, Any]:
    return {
        "shipment_pk": 1,
        "shipment_id": "ASN1",
        "line_no": line_no,
        "po_number": PO,
        "asin": asin,
        "shipped_eaches": units,
        "carton_count": 10,
    }


@pytest.mark.parametrize(("exception", "claim"), [(30, 24), (40, 14), (60, 0)])
def test_a_carrier_exception_is_charged_to_the_asns_earlier_items_first(
    exception: int, claim: int
) -> None:
    # The ASN's first line is another item (30 units, never shorted); ours is its second line.
    inp = build(Case("shared", [("INV100SC", 24)], [(120, "pod")], Verdict.claimable, 0))
    inp.shipment_items = detection_input(
        shipment_items=[_asn_line(1, "B000OTHER1", 30), _asn_line(2, ASIN, 120)]
    ).shipment_items
    inp.documents = inp.documents.assign(
        exception_units=[exception], exception_unit=["unit"], exception_kind=["short"]
    )
    [finding] = detect_shortages(inp)
    assert finding.quantity == claim, finding.reason
    assert finding.facts["exception_units"] == exception - 30


def test_a_po_only_the_invoice_line_names_finds_its_shipments() -> None:
    inp = build(
        Case("po from the invoice line", [("INV100SC", 24)], [(120, "pod")], Verdict.claimable, 24)
    )
    inp.shortage_lines = inp.shortage_lines.assign(po_number=[None])
    [finding] = detect_shortages(inp)
    assert finding.po_number == PO
    assert (finding.verdict, finding.quantity) == (Verdict.claimable, 24), finding.reason
    assert finding.facts["shipments"] == ["ASN1"]
