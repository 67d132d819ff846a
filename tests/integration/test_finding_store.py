"""Stored findings: read back summarised for every run, whole for the claims a run rewrites."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Engine
from sqlmodel import Session

from recovery.claims.findings import Finding, FindingLine, Verdict
from recovery.claims.incremental.stored_findings import (
    complete_findings,
    load_findings,
    replace_findings,
)
from recovery.models import VendorAccount


def claim_finding(number: int) -> Finding:
    invoice, po = f"INV{number}", f"PO{number}"
    return Finding(
        type="shortage",
        verdict=Verdict.claimable if number % 3 else Verdict.valid,
        key=f"shortage:{invoice}:{po}:B0{number}",
        reference=f"{invoice}SC",
        amount=Decimal("12.34") if number % 3 else Decimal("0.00"),
        currency="USD",
        reason=f"ASN {number} shipped 10 units; Amazon received 8",
        confidence=95,
        invoice_number=invoice,
        po_number=po,
        asin=f"B0{number}",
        quantity=2,
        base_date=date(2026, 9, 1),
        deduction_ids=(number,),
        evidence_ids=(number, number + 1),
        lines=(FindingLine(invoice, po, f"B0{number}", 2, Decimal("12.34")),),
        dispute_reason="Shortage",
        facts={"invoice_date": "2026-07-01", "shipped_units": 10},
    )


def test_findings_come_back_summarised_and_whole_on_request(engine: Engine) -> None:
    with Session(engine) as session:
        account = VendorAccount(vendor_code="ABCDE")
        session.add(account)
        session.commit()
        assert account.id is not None
        account_id = account.id
    findings = [claim_finding(n) for n in range(1, 1201)]  # more than one chunk of keys
    with engine.begin() as conn:
        replace_findings(conn, account_id, None, findings)
    with engine.connect() as conn:
        summarised = {f.key: f for f in load_findings(conn, account_id)}
        whole = complete_findings(conn, account_id, [f.key for f in findings])
    claims = [f for f in findings if f.is_claim]
    assert len(summarised) == len(findings) and 0 < len(claims) < len(findings)
    # A claim comes back whole; a finding no claim is made of as it was summarised.
    assert [whole[f.key] for f in claims] == claims
    for finding in findings:
        summary = summarised[finding.key]
        assert (summary.verdict, summary.amount, summary.deduction_ids, summary.base_date) == (
            finding.verdict,
            finding.amount,
            finding.deduction_ids,
            finding.base_date,
        )
        assert summary.reason == "" and summary.evidence_ids == ()
        assert summary.facts == {"invoice_date": "2026-07-01"}
        assert [(line.invoice_number, line.po_number) for line in summary.lines] == [
            (finding.invoice_number, finding.po_number)
        ]
        if not finding.is_claim:
            assert whole[finding.key] == summary
