"""What the fake portal knows about a scenario directory: its exports, its truth, its documents.

This is the one module that knows the generator's output (docs/scenario.md): the Vendor Central
exports are read with our own importers' readers (so the fake serves exactly the rows a user's
download would hold), `answer_key.json` says what each deduction really is, SP-API shipments give
each PO's freight term, and the evidence PDFs are recognised by their content hash when a dispute
attaches them. Everything else in the fake works on `PortalData`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from recovery.config import Settings
from recovery.errors import InputError
from recovery.models import VendorAccount
from recovery.money import to_minor
from recovery.sources.file_kinds import detect_kind
from recovery.sources.files import open_sheets
from recovery.sources.importers import TABULAR
from recovery.sources.importers.base import ReadContext, records_of

Row = dict[str, Any]

# Chargeback cases whose contradiction lives in a shipping document (the BOL or POD shows the
# delivery time or the units); the others are proven by the fee rule or the earlier chargeback.
_CHARGEBACKS_NEEDING_DOCUMENTS = ("late_delivery", "inaccurate_asn")


@dataclass(frozen=True)
class Document:
    """A BOL or POD of the scenario, as the portal recognises an attachment."""

    file: str
    kind: str  # bol | pod
    po_numbers: tuple[str, ...]
    signed: bool


@dataclass(frozen=True)
class Recoverable:
    """What Amazon would give back for one disputable item, per the answer key."""

    amount_minor: int
    quantity: int | None = None
    needs_document: bool = False


@dataclass
class PortalData:
    seed: int
    today: date
    vendor_code: str
    currency: str
    payments: list[Row] = field(default_factory=list)
    remittance_lines: list[Row] = field(default_factory=list)
    invoices: list[Row] = field(default_factory=list)
    shortages: list[Row] = field(default_factory=list)
    price_details: list[Row] = field(default_factory=list)
    coop_invoices: list[Row] = field(default_factory=list)
    coop_backups: dict[str, Path] = field(default_factory=dict)
    chargebacks: list[Row] = field(default_factory=list)
    # (invoice, PO, ASIN) for shortages; invoice for price; co-op invoice; chargeback id.
    shortage_truth: dict[tuple[str, str, str], Recoverable] = field(default_factory=dict)
    price_truth: dict[str, Recoverable] = field(default_factory=dict)
    coop_truth: dict[str, Recoverable] = field(default_factory=dict)
    chargeback_truth: dict[str, Recoverable] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)  # by SHA-256
    freight_terms: dict[str, str] = field(default_factory=dict)  # PO → Collect | Prepaid


_EXPORTS = {
    "remittance": "vendor-central/remittance.csv",
    "invoices": "vendor-central/invoices.csv",
    "shortages": "vendor-central/shortages.csv",
    "price-details": "vendor-central/price-details.csv",
    "coop-invoices": "vendor-central/coop-invoices.csv",
    "chargebacks": "vendor-central/chargebacks.csv",
}


def read_export(
    path: Path, vendor_code: str = "", kind: str | None = None
) -> tuple[str, list[Row]]:
    """(kind, each data row's values) as our importers read the file: amounts in minor units."""
    settings = Settings()
    account = VendorAccount(id=0, vendor_code=vendor_code)
    with open_sheets(path) as sheets:
        found, _ = detect_kind(path, sheets, settings, kind)
        ctx = ReadContext(settings, account, path.name)
        rows = [
            {"section": r.section, **r.values} for r in records_of(TABULAR[found].read(ctx, sheets))
        ]
    return found, rows


def load_portal_data(scenario_dir: Path) -> PortalData:
    """Read a scenario written by `recovery testing scenario`; a missing part is one clear line."""
    root = Path(scenario_dir)
    meta = _json(root / "scenario.json")
    key = _json(root / "answer_key.json")
    currency = str(meta["currency"])
    data = PortalData(
        seed=int(meta["seed"]),
        today=date.fromisoformat(meta["today"]),
        vendor_code=str(meta["vendor_code"]),
        currency=currency,
    )
    rows = {kind: _rows(root / rel, data.vendor_code, kind) for kind, rel in _EXPORTS.items()}
    data.remittance_lines = [r for r in rows["remittance"] if r["section"] == "lines"]
    data.payments = [r for r in rows["remittance"] if r["section"] == "payments"] or (
        payments_of_lines(data.remittance_lines, currency)
    )
    data.invoices = rows["invoices"]
    data.shortages = rows["shortages"]
    data.price_details = rows["price-details"]
    data.coop_invoices = rows["coop-invoices"]
    data.chargebacks = rows["chargebacks"]
    for backup in sorted((root / "vendor-central" / "coop-backup").glob("coop-backup-*.*")):
        data.coop_backups[backup.stem.removeprefix("coop-backup-")] = backup
    _load_truth(data, key, currency)
    _load_documents(data, key, root / "evidence")
    _load_freight_terms(data, root / "spapi" / "shipments.json")
    return data


def payments_of_lines(lines: list[Row], currency: str) -> list[Row]:
    """The payments of a remittance downloaded as lines only (no payment block): each one's
    amount is what its lines paid, its date the lines' `Payment Date`, as the importer does."""
    payments: dict[str, Row] = {}
    for line in lines:
        number = line["payment_number"]
        payment = payments.setdefault(
            number,
            {
                "section": "payments",
                "payment_number": number,
                "payment_date": line.get("payment_date"),
                "payment_amount": 0,
                "currency": line.get("currency") or currency,
            },
        )
        payment["payment_amount"] += line["paid"] or 0
        payment["payment_date"] = payment["payment_date"] or line.get("payment_date")
    return list(payments.values())


def _json(path: Path) -> Any:
    if not path.is_file():
        raise InputError(
            "missing (is this a directory written by `testing scenario`?)", file=str(path)
        )
    return json.loads(path.read_text(encoding="utf-8"))


def _rows(path: Path, vendor_code: str, kind: str) -> list[Row]:
    if not path.is_file():
        raise InputError(
            "missing (is this a directory written by `testing scenario`?)", file=str(path)
        )
    return read_export(path, vendor_code, kind)[1]


def _minor(text: str, currency: str) -> int:
    return to_minor(Decimal(text), currency)


def _load_truth(data: PortalData, key: dict[str, Any], currency: str) -> None:
    for claim in key["claims"]:
        amount = _minor(claim["amount"], currency)
        kind = claim["type"]
        if kind == "shortage":
            line = (claim["invoice_number"], claim["po_number"], claim["asin"])
            data.shortage_truth[line] = Recoverable(amount, int(claim["quantity"]), True)
        elif kind == "price":
            data.price_truth[claim["invoice_number"]] = Recoverable(amount, claim["quantity"])
        elif kind == "coop":
            data.coop_truth[claim["reference"]] = Recoverable(amount)
        elif kind == "chargeback":
            needs = any(part in claim["case"] for part in _CHARGEBACKS_NEEDING_DOCUMENTS)
            data.chargeback_truth[claim["reference"]] = Recoverable(
                amount, claim["quantity"], needs
            )


def _load_documents(data: PortalData, key: dict[str, Any], evidence_dir: Path) -> None:
    for doc in key["evidence"]:
        path = evidence_dir / doc["file"]
        if not path.is_file():  # written with --no-pdfs: nothing can be attached
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        data.documents[digest] = Document(
            doc["file"], doc["kind"], tuple(doc["po_numbers"]), bool(doc["signed"])
        )


def _load_freight_terms(data: PortalData, shipments_path: Path) -> None:
    if not shipments_path.is_file():
        return
    shipments = _json(shipments_path)["payload"]["shipments"]
    for shipment in shipments:
        term = shipment.get("shipmentFreightTerm")
        if not term:
            continue
        for po in shipment.get("purchaseOrders", []):
            data.freight_terms.setdefault(po["purchaseOrderNumber"], term)
