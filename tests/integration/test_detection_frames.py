"""A scoped detection run reads the disputes, shipments and documents of its keys, and all of
them; a full run reads every one. Of a disputed PO's ASN lines, only those a rule looks at."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session

from recovery.claims.incremental.scope import Scope
from recovery.claims.inputs import DetectionInput
from recovery.claims.reader import load_detection_input
from recovery.models import (
    Chargeback,
    Deduction,
    EvidenceLink,
    Invoice,
    InvoiceLine,
    PriceVarianceLine,
    PurchaseOrder,
    Shipment,
    ShipmentItem,
    ShortageLine,
)
from tests.integration.claims_factory import account, document


def _two_pos_with_disputes_and_evidence(engine: Engine) -> int:
    """POs 4Q8Z1 and 7B2C9, each with a shortage, a price variance and a chargeback, an ASN
    whose BOL is linked to it, and a POD that only the PO number ties to its PO."""
    with Session(engine) as session:
        vendor = account(session)
        assert vendor.id is not None
        for n, po_number in enumerate(("4Q8Z1", "7B2C9"), start=1):
            session.add(PurchaseOrder(account_id=vendor.id, po_number=po_number))
            shipment = Shipment(account_id=vendor.id, shipment_id=f"ASN-{n}")
            session.add(shipment)
            session.flush()
            assert shipment.id is not None
            session.add(
                ShipmentItem(
                    shipment_id=shipment.id, line_no=1, po_number=po_number, asin=f"B0ASIN000{n}"
                )
            )
            session.add(
                ShortageLine(
                    account_id=vendor.id,
                    invoice_number=f"INV-{n}",
                    po_number=po_number,
                    asin=f"B0ASIN000{n}",
                    currency="USD",
                )
            )
            session.add(
                PriceVarianceLine(
                    account_id=vendor.id,
                    invoice_number=f"INV-P{n}",
                    po_number=po_number,
                    asin=f"B0ASIN000{n}",
                    currency="USD",
                )
            )
            session.add(
                Chargeback(
                    account_id=vendor.id,
                    chargeback_id=f"CB-{n}",
                    po_number=po_number,
                    currency="USD",
                )
            )
            bol = document(session, f"bol-{po_number}.pdf", kind="bol")
            pod = document(session, f"pod-{po_number}.pdf", kind="pod")
            session.add(
                EvidenceLink(
                    document_id=bol.id,
                    shipment_id=shipment.id,
                    account_id=vendor.id,
                    po_number=po_number,
                )
            )
            session.add(EvidenceLink(document_id=pod.id, account_id=vendor.id, po_number=po_number))
        session.commit()
        return vendor.id


def _read(inp: DetectionInput) -> dict[str, list[str]]:
    return {
        "shortages": sorted(inp.shortage_lines["po_number"]),
        "prices": sorted(inp.price_lines["po_number"]),
        "chargebacks": sorted(inp.chargebacks["chargeback_id"]),
        "asn_lines": sorted(inp.shipment_items["shipment_id"]),
        "documents": sorted(inp.documents["original_name"]),
    }


def test_a_scoped_read_takes_the_disputes_and_documents_of_its_keys(engine: Engine) -> None:
    account_id = _two_pos_with_disputes_and_evidence(engine)
    with engine.connect() as conn:
        by_po = load_detection_input(
            conn, account_id, Scope(frozenset({"7B2C9"}), frozenset(), frozenset())
        )
        by_invoice = load_detection_input(
            conn, account_id, Scope(frozenset(), frozenset({"INV-1"}), frozenset({"CB-1"}))
        )
        full = load_detection_input(conn, account_id)

    assert _read(by_po) == {
        "shortages": ["7B2C9"],
        "prices": ["7B2C9"],
        "chargebacks": ["CB-2"],
        "asn_lines": ["ASN-2"],
        "documents": ["bol-7B2C9.pdf", "pod-7B2C9.pdf"],
    }
    # The invoice and the chargeback lead to their PO's ASN and documents.
    assert _read(by_invoice) == {
        "shortages": ["4Q8Z1"],
        "prices": [],
        "chargebacks": ["CB-1"],
        "asn_lines": ["ASN-1"],
        "documents": ["bol-4Q8Z1.pdf", "pod-4Q8Z1.pdf"],
    }
    assert _read(full) == {
        "shortages": ["4Q8Z1", "7B2C9"],
        "prices": ["4Q8Z1", "7B2C9"],
        "chargebacks": ["CB-1", "CB-2"],
        "asn_lines": ["ASN-1", "ASN-2"],
        "documents": sorted(f"{k}-{p}.pdf" for k in ("bol", "pod") for p in ("4Q8Z1", "7B2C9")),
    }


def test_only_the_asn_lines_a_rule_looks_at_are_read(engine: Engine) -> None:
    """PO 4Q8Z1 shipped on three ASNs. Read: the lines of the shorted ASINs (one named by its
    shortage line, one whose shortage line leaves the PO to its invoice), of the charged ASIN,
    and every line of the ASN whose POD notes a carrier exception; not the other line of
    ASN-1. Each line carries what its whole ASN shipped."""
    with Session(engine) as session:
        vendor = account(session)
        assert vendor.id is not None
        session.add(PurchaseOrder(account_id=vendor.id, po_number="4Q8Z1"))
        session.add(
            Invoice(account_id=vendor.id, invoice_number="INV-2", po_number="4Q8Z1", currency="USD")
        )
        asns = {}
        for name, lines in {
            "ASN-1": [("B0SHORTED1", 10), ("B0UNTOUCHD", 20), ("B0BYINVOIC", 30)],
            "ASN-2": [("B0CARRIED1", 40), ("B0CARRIED2", 50)],
            "ASN-3": [("B0CHARGED1", 60)],
        }.items():
            asns[name] = shipment = Shipment(account_id=vendor.id, shipment_id=name)
            session.add(shipment)
            session.flush()
            assert shipment.id is not None
            for line_no, (asin, eaches) in enumerate(lines, start=1):
                session.add(
                    ShipmentItem(
                        shipment_id=shipment.id,
                        line_no=line_no,
                        po_number="4Q8Z1",
                        asin=asin,
                        shipped_eaches=eaches,
                    )
                )
        for invoice_number, po_number, asin in (
            ("INV-1", "4Q8Z1", "B0SHORTED1"),
            ("INV-2", None, "B0BYINVOIC"),
        ):
            session.add(
                ShortageLine(
                    account_id=vendor.id,
                    invoice_number=invoice_number,
                    po_number=po_number,
                    asin=asin,
                    currency="USD",
                )
            )
        session.add(
            Chargeback(
                account_id=vendor.id,
                chargeback_id="CB-1",
                po_number="4Q8Z1",
                asin="B0CHARGED1",
                currency="USD",
            )
        )
        pod = document(session, "pod-asn-2.pdf", exception_units=1, exception_unit="carton")
        session.add(
            EvidenceLink(
                document_id=pod.id,
                shipment_id=asns["ASN-2"].id,
                account_id=vendor.id,
                po_number="4Q8Z1",
            )
        )
        session.commit()
        account_id = vendor.id

    with engine.connect() as conn:
        items = load_detection_input(conn, account_id).shipment_items

    read = sorted(zip(items["shipment_id"], items["asin"], items["asn_eaches"], strict=True))
    assert read == [
        ("ASN-1", "B0BYINVOIC", 60),
        ("ASN-1", "B0SHORTED1", 60),
        ("ASN-2", "B0CARRIED1", 90),
        ("ASN-2", "B0CARRIED2", 90),
        ("ASN-3", "B0CHARGED1", 60),
    ]


def test_only_the_invoice_lines_a_rule_looks_at_are_read(engine: Engine) -> None:
    """Of INV-1, shorted on one ASIN, that line alone; of INV-2, price-debited without price
    lines, every line with an ASIN (the rule judges the debit from them); of INV-3, nothing
    disputed, none. A shortage line names an ASIN the invoice does not bill: no line."""
    with Session(engine) as session:
        vendor = account(session)
        assert vendor.id is not None
        invoices = {}
        for number, asins in {
            "INV-1": ["B0SHORTED1", "B0UNTOUCHD"],
            "INV-2": ["B0PRICED01", "B0PRICED02", None],
            "INV-3": ["B0SHORTED1"],
        }.items():
            invoices[number] = invoice = Invoice(
                account_id=vendor.id, invoice_number=number, po_number="4Q8Z1", currency="USD"
            )
            session.add(invoice)
            session.flush()
            assert invoice.id is not None
            for line_no, asin in enumerate(asins, start=1):
                session.add(
                    InvoiceLine(invoice_id=invoice.id, line_no=line_no, asin=asin, currency="USD")
                )
        for asin in ("B0SHORTED1", "B0NOTBILLD"):
            session.add(
                ShortageLine(
                    account_id=vendor.id,
                    invoice_number="INV-1",
                    po_number="4Q8Z1",
                    asin=asin,
                    currency="USD",
                )
            )
        session.add(
            Deduction(
                account_id=vendor.id,
                kind="price",
                reference="PD-1",
                invoice_number="INV-2",
                amount_minor=500,
                currency="USD",
            )
        )
        session.commit()
        account_id = vendor.id

    with engine.connect() as conn:
        lines = load_detection_input(conn, account_id).invoice_lines

    read = sorted(zip(lines["invoice_number"], lines["line_no"], lines["asin"], strict=True))
    assert read == [
        ("INV-1", 1, "B0SHORTED1"),
        ("INV-2", 1, "B0PRICED01"),
        ("INV-2", 2, "B0PRICED02"),
    ]
