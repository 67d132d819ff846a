"""A receiver's exception note, from the PDF through the evidence store to the shortage rule:
a counted exception reduces the claim, a note nobody can count makes the finding "needs a
look" (a needs_look claim, nothing claimable), and a clean POD proves the whole shipment."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import Engine
from sqlmodel import Session, select
from test_detection import claims, seed

from recovery.config import Settings
from recovery.evidence.ingest import add_evidence
from recovery.models import EvidenceDocument, Shipment
from recovery.reports.run_summary import run_detection

BOL = "BOL770012"


def pod_with_note(note: str) -> bytes:
    """A carrier's delivery receipt for the seeded shipment (120 units in 10 cartons), with the
    receiver's note in ink under the exceptions box."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=letter, invariant=1)
    _, height = letter
    canvas.setFont("Helvetica-Bold", 16)
    canvas.drawString(50, height - 60, "PRAIRIE LINES")
    canvas.drawString(330, height - 60, "DELIVERY RECEIPT")
    canvas.setFont("Helvetica", 10)
    for down, text in (
        (100, f"BOL Number: {BOL}"),
        (116, "PRO Number: 55120099"),
        (132, "Ship Date: 07/01/2026"),
        (148, "Delivery Date: 07/03/2026"),
        (164, "Consignee: AMAZON.COM SDF8"),
        (180, "PO Number: PO100001"),
        (196, "Cartons: 10"),
        (212, "Units: 120"),
        (240, "Received by: Ann Lee"),
        (270, "Exceptions:"),
    ):
        canvas.drawString(50, height - down, text)
    canvas.saveState()
    canvas.setFillColorRGB(0.05, 0.1, 0.45)
    canvas.setFont("Times-BoldItalic", 14)
    canvas.drawString(60, height - 290, note)
    canvas.restoreState()
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("note", "kind", "units"),
    [
        ("no exceptions", None, 24),
        ("received 9 of 10 cartons", "short", 12),
        ("OS&D: 1 ctn dmgd", "damage", 12),
        ("1 carton over", "over", 24),
        ("freight wet, shrink wrap torn - see photos", "unreadable", None),
    ],
)
def test_the_pods_exception_decides_the_shortage_claim(
    engine: Engine,
    settings: Settings,
    tmp_path: Path,
    note: str,
    kind: str | None,
    units: int | None,
) -> None:
    seed(engine, with_pod=False)
    with Session(engine) as session:
        shipment = session.exec(select(Shipment)).one()
        shipment.bol_number = BOL
        session.add(shipment)
        session.commit()
    pdf = tmp_path / "pod.pdf"
    pdf.write_bytes(pod_with_note(note))
    add_evidence(engine, settings, [pdf])
    with Session(engine) as session:
        document = session.exec(select(EvidenceDocument)).one()
        assert (document.kind, document.signed, document.exception_kind) == ("pod", True, kind)
    result = run_detection(engine, settings, today=date(2026, 9, 20), draft=False)
    shortage = result.accounts[0].types["shortage"]
    found = claims(engine)
    if units is None:
        # Not a clean POD: the whole deduction waits for a person, as a needs_look claim.
        assert [(c.status, c.amount_minor) for c in found] == [("needs_look", 24 * 840)]
        assert shortage.unexplained == 24 * 840
        assert shortage.recoverable == 0
        return
    [claim] = found
    assert claim.quantity == units
    assert shortage.recoverable == units * 840
