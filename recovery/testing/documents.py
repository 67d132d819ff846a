"""Realistic BOL and POD PDFs for tests, the demo and the scenario generator.

Each layout imitates a real family of freight paperwork, with its own words for the same thing
("BOL #" / "Bill of Lading No.", "Cartons" / "Cases" / "Pieces", "Pallets" / "Skids"), its own date
format and its own arrangement (label: value, labels above boxed values, tables with totals), so
the extractor is tested against variety rather than one template. Every layout renders both kinds:
a POD is the same form signed by the consignee with the delivery noted, as carriers do.

Output is deterministic for the same truth: reportlab's invariant mode fixes the creation date and
document id, and every "random" choice (phrasing, noise) is seeded from the truth itself.
"""

from __future__ import annotations

import hashlib
import io
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from reportlab.lib.pagesizes import letter
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from recovery.evidence.pdfium import PDFIUM_LOCK

PAGE_WIDTH, PAGE_HEIGHT = letter
MARGIN = 40.0
HANDWRITING_FONT = "Times-BoldItalic"
SCAN_DPI = 300


@dataclass(frozen=True)
class DocumentTruth:
    """What a document says; the extractor is scored against these values."""

    kind: str  # "bol" | "pod"
    layout: str  # one of LAYOUTS
    carrier: str
    bol_number: str
    pro_number: str | None
    ship_date: date
    delivery_date: date | None  # PODs
    po_numbers: list[str]  # one document can cover several POs
    ship_to: str  # Amazon FC code, e.g. "SDF8"
    shipper: str
    cartons: int
    pallets: int
    units: int | None  # some layouts show units, some don't
    weight_lb: int
    signed: bool  # carrier signature on a BOL, receiver signature on a POD
    receiver: str | None  # POD receiver name
    exception_kind: str | None  # "short" | "damage" | "refused"
    # The count the receiver wrote, in `exception_unit`s: carriers count freight pieces
    # ("SHORT 2 CTNS", "Short 2 pcs"); some receivers count units.
    exception_units: int | None
    exception_unit: str = "carton"  # "carton" | "unit" | "pallet"
    # Words the receiver wrote that count nothing ("OS&D", "DAMAGED"), written as they are
    # where the note goes; with `exception_kind` None. A reader must call them unreadable.
    exception_note: str | None = None


LAYOUTS: tuple[str, ...] = (
    "vics_bol",
    "ltl_bol",
    "parcel_pod",
    "delivery_receipt",
    "freight_bill",
)
# The layout each kind most naturally uses, for generators that want realism over variety.
NATURAL_LAYOUTS: dict[str, tuple[str, ...]] = {
    "bol": ("vics_bol", "ltl_bol"),
    "pod": ("parcel_pod", "delivery_receipt", "vics_bol", "freight_bill"),
}
KINDS = ("bol", "pod")
EXCEPTION_KINDS = ("short", "damage", "refused")


def render_document(truth: DocumentTruth, *, scanned: bool = False) -> bytes:
    """A one-page PDF saying what `truth` says; `scanned` gives an image-only page (no text)."""
    if truth.kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {truth.kind!r}")
    if truth.layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}, got {truth.layout!r}")
    if truth.exception_kind is not None and truth.exception_kind not in EXCEPTION_KINDS:
        raise ValueError(f"exception_kind must be one of {EXCEPTION_KINDS}")
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=letter, invariant=1, pageCompression=1)
    canvas.setTitle(f"{truth.kind.upper()} {truth.bol_number}")
    canvas.setAuthor(truth.carrier)
    _DRAWERS[truth.layout](canvas, truth, _Chooser(truth))
    canvas.showPage()
    canvas.save()
    pdf = buffer.getvalue()
    return _as_scan(pdf, truth) if scanned else pdf


class _Chooser:
    """Deterministic choices seeded by the truth, so the same truth always renders the same."""

    def __init__(self, truth: DocumentTruth) -> None:
        self._seed = hashlib.sha256(repr(truth).encode()).hexdigest()

    def pick(self, salt: str, options: Sequence[str]) -> str:
        digest = hashlib.sha256((self._seed + salt).encode()).digest()
        return options[digest[0] % len(options)]

    def rng(self, salt: str) -> random.Random:
        return random.Random(self._seed + salt)


# --- small drawing helpers ---------------------------------------------------------------------


def _fmt_mdy(day: date) -> str:
    return day.strftime("%m/%d/%Y")


def _fmt_iso(day: date) -> str:
    return day.isoformat()


def _fmt_long(day: date) -> str:
    return f"{day.strftime('%b')} {day.day}, {day.year}"


def _fmt_dmon(day: date) -> str:
    return day.strftime("%d-%b-%y").upper()


def _text(canvas: Canvas, x: float, y: float, text: str, size: float = 9, font: str = "") -> None:
    canvas.setFont(font or "Helvetica", size)
    canvas.drawString(x, y, text)


def _bold(canvas: Canvas, x: float, y: float, text: str, size: float = 9) -> None:
    _text(canvas, x, y, text, size, "Helvetica-Bold")


def _box(canvas: Canvas, x: float, y: float, width: float, height: float) -> None:
    canvas.setLineWidth(0.6)
    canvas.rect(x, y, width, height)


def _handwritten(canvas: Canvas, x: float, y: float, text: str, size: float = 13) -> None:
    """Ink: a slanted script-like face in dark blue, as a receiver writes on the form."""
    canvas.saveState()
    canvas.setFillColorRGB(0.05, 0.1, 0.45)
    canvas.translate(x, y)
    canvas.skew(0, 8)
    canvas.setFont(HANDWRITING_FONT, size)
    canvas.drawString(0, 0, text)
    canvas.restoreState()


_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def _exception_note(truth: DocumentTruth, chooser: _Chooser) -> str | None:
    """The receiver's note in one of the many ways receivers write it (OS&D wording: see
    recovery/evidence/exceptions.py for the sources)."""
    if truth.exception_note is not None:
        return truth.exception_note
    if truth.exception_kind is None or truth.exception_units is None:
        return None
    n = truth.exception_units
    # The words must say what the number counts: the shortage rule converts cartons to units.
    phrasings: dict[str, dict[str, list[str]]] = {
        "carton": {
            "short": [
                f"SHORT {n} CTNS",
                f"Short {n} pcs",
                f"{n} cartons short",
                f"OS&D: short {n} cs",
                f"shortage of {n} ctns",
            ],
            "damage": [
                f"{n} cartons damaged",
                f"DMG {n} CTNS",
                f"{n} pcs damaged",
                f"{n} cs crushed",
                f"damaged {n} cases",
                f"{n} ctns dmgd",
            ],
            "refused": [
                f"REFUSED {n} CTNS",
                f"{n} pcs refused",
                f"Refused {n} cartons",
                f"{n} cs rejected",
            ],
        },
        "unit": {
            "short": [
                f"{n} units short",
                f"SHORT {n} UNITS",
                f"short {n} ea",
                f"{n} eaches short",
            ],
            "damage": [f"{n} units damaged", f"DMG {n} UNITS", f"{n} ea damaged"],
            "refused": [f"Refused {n} units", f"REFUSED {n} UNITS", f"rejected {n} ea"],
        },
        "pallet": {
            "short": [f"{n} plt short", f"SHORT {n} PLTS", f"{n} skids short"],
            "damage": [f"{n} plts damaged", f"DMG {n} PALLETS"],
            "refused": [f"refused {n} plt", f"{n} pallets refused"],
        },
    }
    if truth.exception_unit not in phrasings:
        raise ValueError(f"exception_unit must be one of {tuple(phrasings)}")
    options = phrasings[truth.exception_unit][truth.exception_kind]
    if truth.exception_unit == "carton" and truth.exception_kind == "short":
        if truth.cartons > n:
            received = truth.cartons - n
            options += [
                f"received {received} of {truth.cartons} cartons",
                f"rec'd {received}/{truth.cartons} ctns",
            ]
        if n < len(_NUMBER_WORDS):
            options.append(f"{_NUMBER_WORDS[n]} cases short")
    return chooser.pick("exception", options)


def _amazon_address(fc: str) -> tuple[str, str]:
    # Fictitious street, real-looking shape: FCs are addressed by their code.
    number = 100 + sum(ord(c) for c in fc) * 7 % 8900
    return f"{number} Fulfillment Way", f"Building {fc}, Anytown, KY 40{number % 1000:03d}"


def _shipper_address(shipper: str) -> tuple[str, str]:
    number = 10 + sum(ord(c) for c in shipper) * 13 % 990
    return f"{number} Commerce Drive", "Columbus, OH 43215"


def _po_lines(po_numbers: Sequence[str], separator: str, per_line: int = 5) -> list[str]:
    """A long PO list wraps like a form's field does: continued on the next line."""
    return [
        separator.join(po_numbers[start : start + per_line])
        for start in range(0, len(po_numbers), per_line)
    ]


def _split(total: int, parts: int) -> list[int]:
    """Spread a total over parts (per-PO cartons on a VICS BOL), summing exactly to the total."""
    base, rest = divmod(total, parts)
    return [base + (1 if i < rest else 0) for i in range(parts)]


def _receiver_name(truth: DocumentTruth) -> str:
    return truth.receiver or "J. Smith"


# --- layouts -----------------------------------------------------------------------------------


def _draw_vics_bol(canvas: Canvas, truth: DocumentTruth, chooser: _Chooser) -> None:
    """The VICS straight bill of lading: boxed ship-from/ship-to, an order table, a grand total."""
    top = PAGE_HEIGHT - MARGIN
    title = "STRAIGHT BILL OF LADING - SHORT FORM"
    if truth.kind == "pod":
        title = "BILL OF LADING - CONSIGNEE COPY"
    _bold(canvas, MARGIN, top - 10, title, 13)
    _text(canvas, MARGIN, top - 24, "Original - Not Negotiable", 8)
    _text(canvas, 440, top - 10, f"Date: {_fmt_mdy(truth.ship_date)}", 10)
    _text(canvas, 440, top - 24, "Page 1 of 1", 8)

    y = top - 44
    _box(canvas, MARGIN, y - 66, 270, 66)
    _bold(canvas, MARGIN + 4, y - 12, "SHIP FROM")
    street, city = _shipper_address(truth.shipper)
    _text(canvas, MARGIN + 4, y - 26, f"Name: {truth.shipper}")
    _text(canvas, MARGIN + 4, y - 38, f"Address: {street}")
    _text(canvas, MARGIN + 4, y - 50, f"City/State/Zip: {city}")
    _box(canvas, 320, y - 66, 252, 66)
    _text(canvas, 324, y - 14, f"Bill of Lading Number: {truth.bol_number}", 10)
    _text(canvas, 324, y - 30, f"CARRIER NAME: {truth.carrier}")
    _text(canvas, 324, y - 44, "Trailer number: 53-" + truth.bol_number[-4:])
    _text(canvas, 324, y - 58, "SCAC: " + "".join(w[0] for w in truth.carrier.split())[:4].upper())

    y -= 76
    _box(canvas, MARGIN, y - 66, 270, 66)
    _bold(canvas, MARGIN + 4, y - 12, "SHIP TO")
    street, city = _amazon_address(truth.ship_to)
    _text(canvas, MARGIN + 4, y - 26, "Name: Amazon.com Services LLC")
    _text(canvas, MARGIN + 4, y - 38, f"Location #: {truth.ship_to}")
    _text(canvas, MARGIN + 4, y - 50, f"Address: {street}, {city}")
    _box(canvas, 320, y - 66, 252, 66)
    _text(canvas, 324, y - 14, f"Pro number: {truth.pro_number or ''}", 10)
    _text(canvas, 324, y - 30, "Freight Charge Terms: Prepaid")
    _text(canvas, 324, y - 44, "Master bill of lading: N/A")

    y -= 84
    _bold(canvas, MARGIN, y, "CUSTOMER ORDER INFORMATION", 10)
    y -= 16
    columns = (MARGIN + 4, 200, 280, 360, 460)
    for x, label in zip(
        columns,
        ("CUSTOMER ORDER NUMBER", "# PKGS", "WEIGHT", "PALLET/SLIP", "ADDITIONAL INFO"),
        strict=True,
    ):
        _bold(canvas, x, y, label, 8)
    packages = _split(truth.cartons, len(truth.po_numbers))
    weights = _split(truth.weight_lb, len(truth.po_numbers))
    for po, pkgs, weight in zip(truth.po_numbers, packages, weights, strict=True):
        y -= 14
        for x, value in zip(columns, (po, str(pkgs), str(weight), "Y", "Amazon PO"), strict=True):
            _text(canvas, x, y, value)
    y -= 16
    _bold(canvas, columns[0], y, "GRAND TOTAL")
    _bold(canvas, columns[1], y, str(truth.cartons))
    _bold(canvas, columns[2], y, f"{truth.weight_lb:,}")

    y -= 34
    _bold(canvas, MARGIN, y, "CARRIER INFORMATION", 10)
    y -= 16
    _text(canvas, MARGIN + 4, y, f"Handling units: {truth.pallets} PLT")
    _text(canvas, 200, y, f"Packages: {truth.cartons} CTN")
    _text(canvas, 330, y, f"Total weight: {truth.weight_lb:,} LBS")
    if truth.units is not None:
        _text(canvas, 470, y, f"Units: {truth.units:,}")
    y -= 14
    _text(canvas, MARGIN + 4, y, "Commodity description: General merchandise, NMFC 156600 Class 55")

    y -= 40
    _box(canvas, MARGIN, y - 70, 260, 80)
    _bold(canvas, MARGIN + 4, y, "SHIPPER SIGNATURE / DATE", 8)
    _text(canvas, MARGIN + 4, y - 14, "This is to certify that the above named materials are", 7)
    _text(canvas, MARGIN + 4, y - 23, "properly classified, packaged, marked and labeled.", 7)
    _text(canvas, MARGIN + 4, y - 56, f"Shipper: {truth.shipper}")
    _box(canvas, 312, y - 70, 260, 80)
    _bold(canvas, 316, y, "CARRIER SIGNATURE / PICKUP DATE", 8)
    if truth.kind == "bol" and truth.signed:
        _handwritten(canvas, 320, y - 40, "R. Driver")
        _text(canvas, 316, y - 56, f"Carrier signature: R. Driver   {_fmt_mdy(truth.ship_date)}")
    else:
        _text(canvas, 316, y - 56, "Carrier signature: ______________________")

    if truth.kind == "pod":
        y -= 100
        _box(canvas, MARGIN, y - 90, 532, 100)
        _bold(canvas, MARGIN + 4, y, "CONSIGNEE RECEIPT", 9)
        assert truth.delivery_date is not None, "a POD needs a delivery date"
        _text(canvas, MARGIN + 4, y - 16, f"Date received: {_fmt_mdy(truth.delivery_date)}")
        if truth.signed:
            _text(canvas, MARGIN + 4, y - 34, f"Received by: {_receiver_name(truth)}")
            _handwritten(canvas, 330, y - 34, _receiver_name(truth), 15)
        else:
            _text(canvas, MARGIN + 4, y - 34, "Received by: ______________________")
        _text(canvas, MARGIN + 4, y - 52, "Exceptions:")
        note = _exception_note(truth, chooser)
        if note:
            _handwritten(canvas, MARGIN + 80, y - 56, note, 14)


def _draw_ltl_bol(canvas: Canvas, truth: DocumentTruth, chooser: _Chooser) -> None:
    """A carrier's own LTL bill: letterhead, labelled lines, a piece table, ISO dates."""
    top = PAGE_HEIGHT - MARGIN
    _bold(canvas, MARGIN, top - 12, truth.carrier.upper(), 16)
    _text(canvas, MARGIN, top - 26, "Less-Than-Truckload Services  |  1-800-555-0100", 8)
    heading = "Bill of Lading" if truth.kind == "bol" else "Proof of Delivery"
    _bold(canvas, 400, top - 12, heading, 14)

    y = top - 56
    pro = chooser.pick("pro-label", ("PRO #", "Pro Number", "PRO"))
    _text(canvas, MARGIN, y, f"B/L No.: {truth.bol_number}", 10)
    _text(canvas, 230, y, f"{pro}: {truth.pro_number or 'N/A'}", 10)
    _text(canvas, 420, y, f"Ship Date: {_fmt_iso(truth.ship_date)}", 10)
    y -= 24
    _bold(canvas, MARGIN, y, "Shipper")
    _bold(canvas, 320, y, "Consignee")
    street, city = _shipper_address(truth.shipper)
    fc_street, fc_city = _amazon_address(truth.ship_to)
    for offset, left, right in (
        (14, truth.shipper, f"AMAZON.COM {truth.ship_to}"),
        (26, street, fc_street),
        (38, city, fc_city),
    ):
        _text(canvas, MARGIN, y - offset, left)
        _text(canvas, 320, y - offset, right)
    y -= 64
    label = "Purchase Order(s): " if len(truth.po_numbers) > 1 else "Purchase Order: "
    indent = MARGIN + canvas.stringWidth(label, "Helvetica", 9)
    for index, line in enumerate(_po_lines(truth.po_numbers, ", ")):
        if index == 0:
            _text(canvas, MARGIN, y, label + line)
        else:
            _text(canvas, indent, y, line)
        y -= 14
    _text(canvas, MARGIN, y, "Freight charges: Collect     Bill to: Amazon.com Services LLC")

    y -= 30
    columns = (MARGIN, 110, 180, 400, 490)
    for x, head in zip(columns, ("Pcs", "Pkg Type", "Description", "Class", "Weight"), strict=True):
        _bold(canvas, x, y, head)
    canvas.line(MARGIN, y - 4, PAGE_WIDTH - MARGIN, y - 4)
    rows = [
        (
            str(truth.cartons),
            "CTN",
            "Consumer goods - see packing list",
            "55",
            f"{truth.weight_lb}",
        ),
        (str(truth.pallets), "SKID", "(handling units)", "", ""),
    ]
    for row in rows:
        y -= 14
        for x, value in zip(columns, row, strict=True):
            _text(canvas, x, y, value)
    y -= 22
    _bold(canvas, MARGIN, y, f"Total Pieces: {truth.cartons}")
    _bold(canvas, 180, y, f"Skids: {truth.pallets}")
    _bold(canvas, 330, y, f"Total Weight: {truth.weight_lb:,} lb")
    if truth.units is not None:
        _bold(canvas, 480, y, f"Units: {truth.units}")

    y -= 48
    _text(canvas, MARGIN, y, f"Carrier: {truth.carrier}")
    if truth.kind == "bol":
        if truth.signed:
            _text(canvas, MARGIN, y - 18, "Driver signature:")
            _handwritten(canvas, MARGIN + 90, y - 18, "M. Alvarez")
        else:
            _text(canvas, MARGIN, y - 18, "Driver signature: ________________________")
        _text(canvas, 330, y - 18, f"Pickup: {_fmt_iso(truth.ship_date)}")
        return
    assert truth.delivery_date is not None, "a POD needs a delivery date"
    _text(canvas, 330, y, f"Delivered: {_fmt_iso(truth.delivery_date)} 09:40")
    if truth.signed:
        _text(canvas, MARGIN, y - 18, f"Consignee signature: {_receiver_name(truth)}")
        _handwritten(canvas, 330, y - 20, _receiver_name(truth))
    else:
        _text(canvas, MARGIN, y - 18, "Consignee signature: ________________________")
    note = _exception_note(truth, chooser)
    _text(canvas, MARGIN, y - 40, "Delivery exceptions:")
    if note:
        _handwritten(canvas, MARGIN + 110, y - 42, note)


def _draw_parcel_pod(canvas: Canvas, truth: DocumentTruth, chooser: _Chooser) -> None:
    """A parcel-carrier style letter: prose-like label/value pairs, long dates, no tables."""
    top = PAGE_HEIGHT - MARGIN
    heading = "Proof of Delivery" if truth.kind == "pod" else "Bill of Lading - Pickup Record"
    _bold(canvas, MARGIN, top - 14, f"{truth.carrier}", 15)
    _bold(canvas, MARGIN, top - 40, heading, 18)
    intro = (
        "Dear Customer, this notice serves as proof of delivery for the shipment listed below."
        if truth.kind == "pod"
        else "This record confirms that the shipment listed below was picked up."
    )
    _text(canvas, MARGIN, top - 62, intro, 9)

    pieces = chooser.pick("pieces-label", ("Pieces", "Cartons", "Number of pieces"))
    rows: list[tuple[str, str]] = [
        ("Tracking / PRO number", truth.pro_number or "not assigned"),
        ("Bill of lading", truth.bol_number),
        ("Ship date", _fmt_long(truth.ship_date)),
    ]
    if truth.kind == "pod":
        assert truth.delivery_date is not None, "a POD needs a delivery date"
        rows.append(("Delivery date", f"{_fmt_long(truth.delivery_date)} at 10:42 AM"))
        signed_for = _receiver_name(truth).upper() if truth.signed else "(no signature)"
        rows.append(("Signed for by", signed_for))
    if truth.kind == "pod":
        rows.append(("Delivered to", f"Amazon {truth.ship_to}"))
    else:
        rows.append(("Destination", f"Amazon fulfillment center {truth.ship_to}"))
    rows += [
        ("Shipper", truth.shipper),
        ("Reference (PO)", "\n".join(_po_lines(truth.po_numbers, " / ", per_line=4))),
        (pieces, str(truth.cartons)),
        ("Pallets", str(truth.pallets)),
        ("Weight", f"{truth.weight_lb} lbs"),
    ]
    if truth.units is not None:
        rows.append(("Total units", str(truth.units)))
    y = top - 96
    for label, value in rows:
        _bold(canvas, MARGIN, y, f"{label}:", 10)
        for line in value.split("\n"):
            _text(canvas, 200, y, line, 10)
            y -= 14
        y -= 4
    if truth.kind == "bol":
        y -= 10
        if truth.signed:
            _text(canvas, MARGIN, y, f"Picked up by driver: T. Nguyen ({truth.carrier})", 10)
        else:
            _text(canvas, MARGIN, y, "Picked up by driver: (no signature)", 10)
    note = _exception_note(truth, chooser)
    if note:
        y -= 12
        _bold(canvas, MARGIN, y, "Notes:", 10)
        _handwritten(canvas, 200, y, note)
    y -= 40
    if truth.kind == "pod" and truth.signed:
        _text(canvas, MARGIN, y, "Signature image on file:", 9)
        _handwritten(canvas, 200, y - 4, _receiver_name(truth), 18)
    _text(canvas, MARGIN, 60, "Thank you for choosing us. Please retain for your records.", 8)


def _draw_delivery_receipt(canvas: Canvas, truth: DocumentTruth, chooser: _Chooser) -> None:
    """An LTL delivery receipt: labels above values in boxes, DD-MON-YY dates, cases and skids."""
    top = PAGE_HEIGHT - MARGIN
    heading = "DELIVERY RECEIPT" if truth.kind == "pod" else "SHIPPING ORDER / BILL OF LADING"
    _bold(canvas, MARGIN, top - 14, heading, 15)
    _text(canvas, 380, top - 14, truth.carrier, 11)

    def boxed_row(y: float, cells: Sequence[tuple[str, str]], widths: Sequence[float]) -> None:
        x = MARGIN
        for (label, value), width in zip(cells, widths, strict=True):
            _box(canvas, x, y - 30, width, 34)
            _bold(canvas, x + 4, y - 6, label, 7)
            _text(canvas, x + 4, y - 22, value, 10)
            x += width

    y = top - 40
    delivered = _fmt_dmon(truth.delivery_date) if truth.delivery_date else ""
    boxed_row(
        y,
        (
            ("PRO NUMBER", truth.pro_number or ""),
            ("BOL NUMBER", truth.bol_number),
            ("SHIP DATE", _fmt_dmon(truth.ship_date)),
            ("DELIVERY DATE", delivered if truth.kind == "pod" else ""),
        ),
        (133, 133, 133, 133),
    )
    y -= 50
    _bold(canvas, MARGIN, y, "CONSIGNEE", 8)
    _bold(canvas, 320, y, "SHIPPER", 8)
    street, city = _amazon_address(truth.ship_to)
    s_street, s_city = _shipper_address(truth.shipper)
    _text(canvas, MARGIN, y - 14, f"AMAZON FC {truth.ship_to}")
    _text(canvas, MARGIN, y - 26, street)
    _text(canvas, MARGIN, y - 38, city)
    _text(canvas, 320, y - 14, truth.shipper)
    _text(canvas, 320, y - 26, s_street)
    _text(canvas, 320, y - 38, s_city)

    y -= 60
    _bold(canvas, MARGIN, y, "PO NUMBERS", 8)
    for index, po in enumerate(truth.po_numbers):
        _text(canvas, MARGIN + (index % 4) * 130, y - 14 - (index // 4) * 12, po)
    y -= 20 + ((len(truth.po_numbers) - 1) // 4) * 12

    y -= 24
    cartons_label = chooser.pick("cases-label", ("CASES", "CARTONS", "PIECES"))
    units = f"{truth.units}" if truth.units is not None else "-"
    boxed_row(
        y,
        (
            (cartons_label, str(truth.cartons)),
            ("SKIDS", str(truth.pallets)),
            ("UNITS", units),
            ("WEIGHT (LBS)", f"{truth.weight_lb:,}"),
        ),
        (133, 133, 133, 133),
    )
    y -= 56
    _bold(canvas, MARGIN, y, "EXCEPTIONS (SHORTAGE / DAMAGE / REFUSED)", 8)
    note = _exception_note(truth, chooser)
    if note:
        _handwritten(canvas, MARGIN + 10, y - 22, note, 15)
    y -= 52
    if truth.kind == "pod":
        name = _receiver_name(truth) if truth.signed else "______________________"
        _text(canvas, MARGIN, y, f"Received by: {name}")
        if truth.signed:
            _handwritten(canvas, 320, y, _receiver_name(truth), 16)
        _text(canvas, MARGIN, y - 16, "Received in good order except as noted.", 8)
    else:
        driver = "K. Olsen" if truth.signed else "______________________"
        _text(canvas, MARGIN, y, f"Carrier signature: {driver}")
        if truth.signed:
            _handwritten(canvas, 320, y, driver, 16)


def _draw_freight_bill(canvas: Canvas, truth: DocumentTruth, chooser: _Chooser) -> None:
    """A carrier's freight bill that doubles as delivery receipt: the freight bill number is the
    PRO, the shipper's B/L is a reference on it, two-digit-year dates, a handling-unit table and
    an OS&D block of check boxes with the count beside the ticked one."""
    top = PAGE_HEIGHT - MARGIN
    _bold(canvas, MARGIN, top - 12, truth.carrier.upper(), 14)
    title = "FREIGHT BILL - DELIVERY RECEIPT"
    if truth.kind == "bol":
        title = "FREIGHT BILL - SHIPPER'S BILL OF LADING"
    _bold(canvas, 330, top - 12, title, 11)

    def short_date(day: date) -> str:
        return day.strftime("%m/%d/%y")

    y = top - 44
    left = [
        ("Freight Bill No.", truth.pro_number or "PENDING"),
        ("Shipper's B/L No.", truth.bol_number),
        ("Pickup Date", short_date(truth.ship_date)),
    ]
    right = [("Consignee", f"AMAZON.COM SERVICES LLC  {truth.ship_to}"), ("Shipper", truth.shipper)]
    if truth.kind == "pod":
        assert truth.delivery_date is not None, "a POD needs a delivery date"
        right.insert(0, ("Date Delivered", short_date(truth.delivery_date)))
    for index, (label, value) in enumerate(left):
        _text(canvas, MARGIN, y - index * 16, f"{label}: {value}", 10)
    for index, (label, value) in enumerate(right):
        _text(canvas, 300, y - index * 16, f"{label}: {value}", 10)
    y -= 16 * max(len(left), len(right)) + 10
    for index, line in enumerate(_po_lines(truth.po_numbers, ", ", per_line=4)):
        _text(canvas, MARGIN, y, ("P.O. Numbers: " if index == 0 else "    ") + line, 10)
        y -= 14

    y -= 16
    columns = (MARGIN, 100, 160, 240, 470)
    for x, head in zip(columns, ("HU", "TYPE", "PCS", "DESCRIPTION", "WT (LB)"), strict=True):
        _bold(canvas, x, y, head, 8)
    pallets = _split(truth.cartons, max(truth.pallets, 1))
    weights = _split(truth.weight_lb, max(truth.pallets, 1))
    for index, (pieces, weight) in enumerate(zip(pallets, weights, strict=True), start=1):
        y -= 13
        row = (str(index), "PLT", str(pieces), "CONSUMER GOODS NOI", str(weight))
        for x, value in zip(columns, row, strict=True):
            _text(canvas, x, y, value, 9)
        if index == 8 and truth.pallets > 9:
            y -= 13
            _text(canvas, columns[3], y, f"... {truth.pallets - 9} more", 9)
            break
    y -= 20
    totals = [
        f"Total Pieces: {truth.cartons}",
        f"Total Pallets: {truth.pallets}",
        f"Total Weight: {truth.weight_lb:,} LB",
    ]
    if truth.units is not None:
        totals.append(f"Total Units: {truth.units:,}")
    for index, text in enumerate(totals):
        _bold(canvas, MARGIN + index * 130, y, text, 9)
    y -= 34
    boxes = []
    for kind, word in (
        ("over", "OVER"),
        ("short", "SHORT"),
        ("damage", "DAMAGED"),
        ("refused", "REFUSED"),
    ):
        boxes.append(f"[{'X' if truth.exception_kind == kind else ' '}] {word}")
    osd = "OS&D: " + " ".join(boxes)
    if truth.exception_kind is not None and truth.exception_units is not None:
        unit = {"carton": "CTN", "unit": "EA", "pallet": "PLT"}[truth.exception_unit]
        osd += f" QTY: {truth.exception_units} {unit}"
    _text(canvas, MARGIN, y, osd, 10)
    if truth.exception_note is not None:
        # No box ticked: the receiver wrote under the boxes instead.
        _handwritten(canvas, MARGIN + 40, y - 18, truth.exception_note, 14)

    y -= 40
    if truth.kind == "pod":
        name = _receiver_name(truth) if truth.signed else "______________________"
        _text(canvas, MARGIN, y, f"Consignee signature: {name}", 10)
        if truth.signed:
            _handwritten(canvas, 330, y, _receiver_name(truth), 16)
        _text(canvas, MARGIN, y - 16, "Freight received subject to the OS&D noted above.", 8)
    else:
        driver = "B. Kowalski" if truth.signed else "______________________"
        _text(canvas, MARGIN, y, f"Driver signature: {driver}", 10)
        if truth.signed:
            _handwritten(canvas, 330, y, driver, 16)


_DRAWERS: dict[str, Callable[[Canvas, DocumentTruth, _Chooser], None]] = {
    "vics_bol": _draw_vics_bol,
    "ltl_bol": _draw_ltl_bol,
    "parcel_pod": _draw_parcel_pod,
    "delivery_receipt": _draw_delivery_receipt,
    "freight_bill": _draw_freight_bill,
}


def _as_scan(pdf: bytes, truth: DocumentTruth) -> bytes:
    """The page as a slightly rotated, speckled grayscale image: a scanner's output, no text."""
    import pypdfium2  # type: ignore[import-untyped]
    from PIL import Image, ImageDraw

    with PDFIUM_LOCK:
        document = pypdfium2.PdfDocument(pdf)
        try:
            bitmap = document[0].render(scale=SCAN_DPI / 72, grayscale=True)
            image = bitmap.to_pil().convert("L")
        finally:
            document.close()
    rng = _Chooser(truth).rng("scan")
    image = image.rotate(rng.uniform(-0.35, 0.35), resample=Image.Resampling.BICUBIC, fillcolor=255)
    draw = ImageDraw.Draw(image)
    width, height = image.size
    for _ in range(1500):
        x, y = rng.randrange(width), rng.randrange(height)
        draw.point((x, y), fill=rng.randrange(90, 200))
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=letter, invariant=1)
    canvas.drawImage(ImageReader(image), 0, 0, width=PAGE_WIDTH, height=PAGE_HEIGHT)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
