"""Claims as detection writes them, for the workflow and CLI tests."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from sqlmodel import Session, select

from recovery.models import (
    Claim,
    ClaimEvidence,
    ClaimLine,
    EvidenceDocument,
    VendorAccount,
)


def account(session: Session, code: str = "ABCDE") -> VendorAccount:
    found = session.exec(select(VendorAccount).where(VendorAccount.vendor_code == code)).first()
    if found is not None:
        return found
    created = VendorAccount(vendor_code=code, name="Example Brand US")
    session.add(created)
    session.flush()
    return created


def document(session: Session, name: str, kind: str = "pod", **fields: Any) -> EvidenceDocument:
    doc = EvidenceDocument(
        sha256=hashlib.sha256(name.encode()).hexdigest(),
        original_name=name,
        stored_path=f"xx/{name}",
        kind=kind,
        **fields,
    )
    session.add(doc)
    session.flush()
    return doc


def shortage_claim(
    session: Session,
    *,
    key: str = "shortage:INV-1001SC",
    status: str = "draft",
    amount_minor: int = 20160,
    confidence: int = 95,
    deadline: date | None = date(2026, 5, 11),
    with_pod: bool = True,
    claim_type: str = "shortage",
    **overrides: Any,
) -> Claim:
    acct = account(session)
    assert acct.id is not None
    values: dict[str, Any] = {
        "account_id": acct.id,
        "finding_key": key,
        "type": claim_type,
        "status": status,
        "reference": "INV-1001SC",
        "invoice_number": "INV-1001",
        "po_number": "4Q8Z1KXA",
        "asin": "B07XJ8C8F5",
        "quantity": 24,
        "amount_minor": amount_minor,
        "currency": "USD",
        "confidence_pct": confidence,
        "reason": "ASN 88213 shipped 120 units; POD 7741 signed for 10 cartons; Amazon "
        "received 96; 24 units × $8.40 = $201.60",
        "deadline": deadline,
        "band": "optimal",
        "draft_fields": {"shipped_date": "2026-03-02", "invoiced_units": 120},
    }
    values.update(overrides)
    claim = Claim(**values)
    session.add(claim)
    session.flush()
    assert claim.id is not None
    session.add(
        ClaimLine(
            claim_id=claim.id,
            line_no=1,
            invoice_number=claim.invoice_number,
            po_number=claim.po_number,
            asin=claim.asin,
            quantity=claim.quantity,
            amount_minor=amount_minor,
            currency="USD",
        )
    )
    if with_pod:
        pod = document(
            session,
            f"pod-{key.replace(':', '-')}.pdf",
            "pod",
            bol_number="7741",
            signed=True,
            cartons=10,
            delivery_date=date(2026, 3, 5),
        )
        assert pod.id is not None
        session.add(ClaimEvidence(claim_id=claim.id, document_id=pod.id))
    session.flush()
    return claim
