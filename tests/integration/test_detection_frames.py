"""A scoped detection run reads the disputes, shipments and documents of its keys, and all of
them; a full run reads every one."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session

from recovery.claims.frames import DetectionInput, load_detection_input
from recovery.claims.scope import Scope
from recovery.models import (
    Chargeback,
    EvidenceLink,
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
