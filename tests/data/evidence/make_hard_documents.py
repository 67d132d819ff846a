"""Write the hand-made hard evidence documents and their truth (run from the repository root).

    .venv/bin/python tests/data/evidence/make_hard_documents.py

Output is deterministic (reportlab invariant mode), so re-running changes nothing in git,
except encrypted.pdf: encryption salts are random by design.
- multi_po_bol.pdf: a VICS BOL covering eleven POs (the order table runs long).
- handwritten_exception_pod.pdf: a delivery receipt with a handwritten-style shortage note.
- handmade_pod.pdf: drawn here, not by the renderer: other words ("BOL#", "P.O. #'s", "Cases",
  "Receiver Signature"), a two-digit-year date, a consignee block and "3 cs crushed" in ink.
- encrypted.pdf (needs a password), corrupt.pdf (truncated), not_a_pdf.pdf (text).
The scanned case is rendered by the tests (image-only, about 300 KB) rather than stored.
"""

from __future__ import annotations

import io
import json
from dataclasses import asdict, replace
from datetime import date
from pathlib import Path

import pypdf
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen.canvas import Canvas

from recovery.testing.documents import DocumentTruth, render_document

HERE = Path(__file__).resolve().parent

BASE = DocumentTruth(
    kind="bol",
    layout="vics_bol",
    carrier="Old Dominion Freight Line",
    bol_number="BOL20260311",
    pro_number="PRO55012877",
    ship_date=date(2026, 3, 11),
    delivery_date=None,
    po_numbers=[
        "2K4BXQ7Z",
        "9PLMN3RT",
        "HHQ2W8ZD",
        "4TFGY6UP",
        "Z7R2KCVB",
        "MNB5XQ8W",
        "QW3ERT7Y",
        "L8KJH2GF",
        "V5CXZ9NM",
        "7YTR4EWQ",
        "PLKJ6HGF",
    ],
    ship_to="MDW2",
    shipper="Northwind Kitchenware LLC",
    cartons=611,
    pallets=14,
    units=7332,
    weight_lb=15880,
    signed=True,
    receiver=None,
    exception_kind=None,
    exception_units=None,
)

HANDWRITTEN_POD = replace(
    BASE,
    kind="pod",
    layout="delivery_receipt",
    carrier="SAIA",
    bol_number="BOL20260402",
    pro_number="PRO77120045",
    ship_date=date(2026, 4, 2),
    delivery_date=date(2026, 4, 6),
    po_numbers=["3XK9QW2L"],
    ship_to="ONT8",
    cartons=48,
    pallets=2,
    units=576,
    weight_lb=912,
    receiver="Maria Lopez",
    exception_kind="short",
    exception_units=2,
)

HANDMADE_POD = replace(
    BASE,
    kind="pod",
    layout="handmade",
    carrier="XYZ Freight Lines",
    bol_number="4471-2209-88",
    pro_number="77120045",
    ship_date=date(2026, 2, 27),
    delivery_date=date(2026, 3, 2),
    po_numbers=["8HJK2LMN", "5TRE9WQA"],
    ship_to="DEN4",
    cartons=120,
    pallets=4,
    units=None,
    weight_lb=2410,
    receiver="Dana Whitfield",
    exception_kind="damage",
    exception_units=3,
)


def handmade_pod() -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=letter, invariant=1)
    _, height = letter
    canvas.setFont("Helvetica-Bold", 18)
    canvas.drawString(50, height - 60, "XYZ FREIGHT LINES")
    canvas.setFont("Helvetica", 12)
    canvas.drawString(50, height - 80, "DELIVERY RECEIPT / POD")
    canvas.setFont("Courier", 10)
    lines = [
        (50, 120, "Pro #: 77120045"),
        (300, 120, "BOL#: 4471-2209-88"),
        (50, 138, "Pickup Date: 02/27/26"),
        (300, 138, "Delivery Date: 03-02-2026"),
        (50, 170, "Consignee:"),
        (50, 184, "AMAZON.COM DEN4"),
        (50, 198, "24208 E 19th Ave, Aurora CO 80019"),
        (50, 226, "P.O. #'s: 8HJK2LMN, 5TRE9WQA"),
    ]
    for x, down, text in lines:
        canvas.drawString(x, height - down, text)
    canvas.setFont("Courier-Bold", 10)
    for x, text in ((50, "Cases"), (170, "Skids"), (290, "Gross Weight")):
        canvas.drawString(x, height - 260, text)
    canvas.setFont("Courier", 10)
    for x, text in ((50, "120"), (170, "4"), (290, "2,410 LB")):
        canvas.drawString(x, height - 274, text)
    canvas.drawString(50, height - 320, "Receiver Signature: Dana Whitfield")
    canvas.saveState()
    canvas.setFillColorRGB(0.1, 0.1, 0.5)
    canvas.translate(60, height - 350)
    canvas.skew(0, 10)
    canvas.setFont("Times-BoldItalic", 15)
    canvas.drawString(0, 0, "3 cs crushed")
    canvas.restoreState()
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def encrypted(pdf: bytes) -> bytes:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def main() -> None:
    documents = {
        "multi_po_bol.pdf": (BASE, render_document(BASE)),
        "handwritten_exception_pod.pdf": (HANDWRITTEN_POD, render_document(HANDWRITTEN_POD)),
        "handmade_pod.pdf": (HANDMADE_POD, handmade_pod()),
    }
    truth = {}
    for name, (document_truth, pdf) in documents.items():
        (HERE / name).write_bytes(pdf)
        truth[name] = asdict(document_truth)
    (HERE / "truth.json").write_text(json.dumps(truth, indent=2, default=str) + "\n")
    (HERE / "encrypted.pdf").write_bytes(encrypted(render_document(HANDWRITTEN_POD)))
    (HERE / "corrupt.pdf").write_bytes(render_document(BASE)[:700])
    (HERE / "not_a_pdf.pdf").write_text("Carrier invoice 2231\nThis is a text file.\n")


if __name__ == "__main__":
    main()
