"""Write the hand-made hard evidence documents and their truth (run from the repository root).

    .venv/bin/python tests/data/evidence/make_hard_documents.py

Output is deterministic (reportlab invariant mode), so re-running changes nothing in git,
except encrypted.pdf: encryption salts are random by design.
- multi_po_bol.pdf: a VICS BOL covering eleven POs (the order table runs long).
- handwritten_exception_pod.pdf: a delivery receipt with a handwritten-style shortage note.
- handmade_pod.pdf: drawn here, not by the renderer: other words ("BOL#", "P.O. #'s", "Cases",
  "Receiver Signature"), a two-digit-year date, a consignee block and "3 cs crushed" in ink.
- osd_report_pod.pdf: a carrier's OS&D inspection report, drawn here: counts in a table
  (expected / received / condition per piece type) and "SHORT" alone in a cell. No phrase
  says how many of what, so the reader must call it unreadable (a person looks), never clean.
- stamped_receipt_pod.pdf: a receiving clerk's stamp "RECEIVED SUBJECT TO COUNT" beside the
  note "rec'd 46/48 ctns - 2 short", labels in other words ("Waybill/BOL No.", "Del. Date").
- pallet_damage_pod.pdf: a POD whose receiver counted pallets: "2 PLTS DAMAGED".
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


OSD_REPORT_POD = replace(
    BASE,
    kind="pod",
    layout="osd_report",
    carrier="Central Plains Freight",
    bol_number="BOL20260517",
    pro_number="PRO88310452",
    ship_date=date(2026, 5, 17),
    delivery_date=date(2026, 5, 20),
    po_numbers=["7QWE3RTY"],
    ship_to="PHX6",
    cartons=48,
    pallets=2,
    units=None,
    weight_lb=1040,
    receiver="Luis Romero",
    exception_kind="unreadable",
    exception_units=None,
)

STAMPED_RECEIPT_POD = replace(
    BASE,
    kind="pod",
    layout="stamped_receipt",
    carrier="Great Lakes Cartage",
    bol_number="GLC-55071",
    pro_number="60417725",
    ship_date=date(2026, 6, 8),
    delivery_date=date(2026, 6, 11),
    po_numbers=["4MNB8VCX"],
    ship_to="ABE2",
    cartons=48,
    pallets=2,
    units=None,
    weight_lb=860,
    receiver="Pat Doyle",
    exception_kind="short",
    exception_units=2,
)

PALLET_DAMAGE_POD = replace(
    BASE,
    kind="pod",
    layout="pallet_receipt",
    carrier="Southwest Motor Freight",
    bol_number="BOL20260702",
    pro_number="PRO44018733",
    ship_date=date(2026, 7, 2),
    delivery_date=date(2026, 7, 6),
    po_numbers=["9ZXC4VBN", "2LKJ7HGF"],
    ship_to="LGB8",
    cartons=240,
    pallets=8,
    units=2880,
    weight_lb=5120,
    receiver="Kim Tran",
    exception_kind="damage",
    exception_units=2,
    exception_unit="pallet",
)


def _ink(canvas: Canvas, x: float, y: float, text: str, size: float = 14) -> None:
    canvas.saveState()
    canvas.setFillColorRGB(0.05, 0.1, 0.45)
    canvas.translate(x, y)
    canvas.skew(0, 6)
    canvas.setFont("Times-BoldItalic", size)
    canvas.drawString(0, 0, text)
    canvas.restoreState()


def osd_report_pod() -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=letter, invariant=1)
    _, height = letter
    canvas.setFont("Helvetica-Bold", 16)
    canvas.drawString(50, height - 56, "Central Plains Freight")
    canvas.drawString(330, height - 56, "DELIVERY RECEIPT")
    canvas.setFont("Helvetica", 10)
    for x, down, text in (
        (50, 90, "Pro Number: PRO88310452"),
        (300, 90, "Bill of Lading No.: BOL20260517"),
        (50, 106, "Ship Date: 05/17/2026"),
        (300, 106, "Delivery Date: 05/20/2026"),
        (50, 122, "Consignee: Amazon.com Services PHX6"),
        (50, 138, "PO Number: 7QWE3RTY"),
        (50, 154, "Total Pieces: 48"),
        (200, 154, "Pallets: 2"),
        (330, 154, "Total Weight: 1,040 LBS"),
    ):
        canvas.drawString(x, height - down, text)
    # The inspection table: counts per piece type, the condition in a column of its own.
    canvas.setFont("Helvetica-Bold", 9)
    canvas.drawString(50, height - 196, "OVER / SHORT / DAMAGE INSPECTION")
    for x, text in ((50, "PIECE TYPE"), (180, "EXPECTED"), (280, "COUNTED"), (380, "CONDITION")):
        canvas.drawString(x, height - 214, text)
    canvas.setFont("Helvetica", 9)
    for x, text in ((50, "CTN"), (180, "48"), (280, "45")):
        canvas.drawString(x, height - 228, text)
    _ink(canvas, 380, height - 230, "SHORT", 13)
    for x, text in ((50, "PLT"), (180, "2"), (280, "2")):
        canvas.drawString(x, height - 242, text)
    _ink(canvas, 380, height - 244, "OK", 13)
    canvas.setFont("Helvetica", 10)
    canvas.drawString(50, height - 290, "Received by: Luis Romero")
    _ink(canvas, 300, height - 290, "Luis Romero", 16)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def stamped_receipt_pod() -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=letter, invariant=1)
    _, height = letter
    canvas.setFont("Times-Bold", 18)
    canvas.drawString(50, height - 56, "GREAT LAKES CARTAGE")
    canvas.setFont("Times-Roman", 12)
    canvas.drawString(50, height - 74, "Proof of Delivery")
    canvas.setFont("Times-Roman", 11)
    for x, down, text in (
        (50, 110, "B/L No.: GLC-55071"),
        (300, 110, "PRO #: 60417725"),
        (50, 128, "Pick-up date: 8-Jun-2026"),
        (300, 128, "Delivered on: 11-Jun-2026"),
        (50, 146, "Ship to: AMAZON ABE2, Breinigsville PA"),
        (50, 164, "Customer Order No.: 4MNB8VCX"),
        (50, 182, "Ctns: 48"),
        (200, 182, "Skids: 2"),
        (330, 182, "Weight: 860 lbs"),
    ):
        canvas.drawString(x, height - down, text)
    # A receiving stamp: a box with printed words, the clerk's count written across it.
    canvas.setStrokeColorRGB(0.6, 0.1, 0.1)
    canvas.rect(50, height - 270, 260, 60)
    canvas.setFillColorRGB(0.6, 0.1, 0.1)
    canvas.setFont("Helvetica-Bold", 11)
    canvas.drawString(60, height - 228, "RECEIVED SUBJECT TO COUNT")
    canvas.setFillColorRGB(0, 0, 0)
    _ink(canvas, 60, height - 256, "rec'd 46/48 ctns - 2 short")
    canvas.setFont("Times-Roman", 11)
    canvas.drawString(50, height - 300, "Signed by: Pat Doyle")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def pallet_damage_pod() -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=letter, invariant=1)
    _, height = letter
    canvas.setFont("Helvetica-Bold", 15)
    canvas.drawString(50, height - 56, "Southwest Motor Freight")
    canvas.drawString(360, height - 56, "POD")
    canvas.setFont("Helvetica", 10)
    for x, down, text in (
        (50, 92, "Bill of Lading Number: BOL20260702"),
        (320, 92, "Pro Number: PRO44018733"),
        (50, 108, "Shipping date: 07/02/2026"),
        (320, 108, "Date delivered: 07/06/2026"),
        (50, 124, "Destination: Amazon LGB8"),
        (50, 140, "PO Numbers: 9ZXC4VBN / 2LKJ7HGF"),
        (50, 156, "Total Cartons: 240"),
        (200, 156, "Total Pallets: 8"),
        (330, 156, "Total Units: 2,880"),
        (50, 172, "Gross Weight: 5,120 LB"),
        (50, 206, "Remarks:"),
    ):
        canvas.drawString(x, height - down, text)
    _ink(canvas, 120, height - 207, "2 PLTS DAMAGED - forks through wrap")
    canvas.drawString(50, height - 250, "Consignee signature: Kim Tran")
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
        "osd_report_pod.pdf": (OSD_REPORT_POD, osd_report_pod()),
        "stamped_receipt_pod.pdf": (STAMPED_RECEIPT_POD, stamped_receipt_pod()),
        "pallet_damage_pod.pdf": (PALLET_DAMAGE_POD, pallet_damage_pod()),
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
