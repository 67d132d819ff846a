"""What detection works on: one pandas frame per kind of row (`DetectionInput`), and the
columns each frame has. No SQL here: `recovery.claims.reader` fills the frames from the
database, the rule tests fill them from plain rows. Money stays in integer minor units.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, fields
from typing import Any

import pandas as pd


@dataclass
class DetectionInput:
    deductions: pd.DataFrame
    invoices: pd.DataFrame
    invoice_lines: pd.DataFrame
    shortage_lines: pd.DataFrame
    price_lines: pd.DataFrame
    po_items: pd.DataFrame
    shipment_items: pd.DataFrame  # the ASN lines the rules look at, with their ASN's columns
    documents: pd.DataFrame  # evidence linked to shipments (one row per link)
    costs: pd.DataFrame
    coop_invoices: pd.DataFrame
    coop_lines: pd.DataFrame
    coop_agreements: pd.DataFrame
    chargebacks: pd.DataFrame
    payments: pd.DataFrame
    bank: pd.DataFrame

    def sizes(self) -> dict[str, int]:
        return {f.name: len(getattr(self, f.name)) for f in fields(self)}


FRAMES = frozenset(f.name for f in fields(DetectionInput))

# Each frame's columns, in the reader's order.
FRAME_COLUMNS: dict[str, tuple[str, ...]] = {
    "deductions": (
        "id",
        "kind",
        "reference",
        "payment_number",
        "invoice_number",
        "po_number",
        "asin",
        "amount_minor",
        "currency",
        "raised_on",
        "description",
    ),
    "invoices": (
        "id",
        "invoice_number",
        "invoice_date",
        "po_number",
        "amount_minor",
        "currency",
        "due_date",
        "status",
    ),
    "invoice_lines": (
        "invoice_number",
        "po_number",
        "due_date",
        "invoice_date",
        "line_no",
        "asin",
        "quantity",
        "unit_cost_minor",
        "amount_minor",
        "currency",
    ),
    "shortage_lines": (
        "invoice_number",
        "external_id",
        "po_number",
        "asin",
        "unit_price_minor",
        "invoiced_quantity",
        "shortage_quantity",
        "shortage_minor",
        "currency",
        "due_date",
        "invoice_date",
    ),
    "price_lines": (
        "invoice_number",
        "po_number",
        "asin",
        "quantity",
        "invoice_cost_minor",
        "po_cost_minor",
        "adjusted_cost_minor",
        "variance_minor",
        "currency",
    ),
    "po_items": (
        "po_number",
        "ordered_at",
        "delivery_window_start",
        "delivery_window_end",
        "asin",
        "ordered_unit",
        "unit_size",
        "ordered_eaches",
        "net_cost_minor",
        "currency",
        "received_eaches",
    ),
    "shipment_items": (
        "shipment_pk",
        "line_no",
        "po_number",
        "asin",
        "shipped_eaches",
        "shipment_id",
        "bol_number",
        "pro_number",
        "freight_term",
        "created_at",
        "confirmed_at",
        "shipped_at",
        "delivered_at",
        "carton_count",
        "asn_eaches",
    ),
    "documents": (
        "shipment_pk",
        "po_number",
        "document_id",
        "original_name",
        "kind",
        "bol_number",
        "pro_number",
        "signed",
        "cartons",
        "pallets",
        "units",
        "delivery_date",
        "exception_kind",
        "exception_units",
        "exception_unit",
    ),
    "costs": (
        "asin",
        "vendor_sku",
        "cost_minor",
        "currency",
        "effective_from",
        "effective_to",
        "source",
        "source_ref",
    ),
    "coop_invoices": (
        "invoice_number",
        "agreement_id",
        "vendor_code",
        "period_start",
        "period_end",
        "invoice_date",
        "amount_minor",
        "currency",
    ),
    "coop_lines": (
        "coop_invoice_number",
        "revised",
        "receive_date",
        "order_date",
        "transaction_type",
        "quantity",
        "net_sales_minor",
        "rebate_minor",
        "po_number",
        "asin",
        "received_eaches",
    ),
    "coop_agreements": (
        "agreement_id",
        "title",
        "vendor_code",
        "rate_ppm",
        "basis",
        "start_date",
        "end_date",
        "status",
        "waived_from",
        "waived_to",
    ),
    "chargebacks": (
        "chargeback_id",
        "issue_type",
        "sub_type",
        "po_number",
        "asin",
        "vendor_code",
        "notified_on",
        "quantity",
        "cartons",
        "amount_minor",
        "currency",
        "status",
    ),
    "payments": ("id", "payment_number", "payment_date", "amount_minor", "currency"),
    "bank": ("id", "booked_on", "amount_minor", "currency", "reference"),
}


def empty_frame(name: str) -> pd.DataFrame:
    """A frame with `name`'s columns and no rows (one not read)."""
    return pd.DataFrame(columns=list(FRAME_COLUMNS[name]))


def frames_of(read: Collection[str]) -> frozenset[str]:
    """The frames named in `read`, checked: a kind declaring a frame that does not exist is a
    bug to see at once."""
    unknown = set(read) - FRAMES
    if unknown:
        raise ValueError(f"unknown frames {sorted(unknown)}")
    return frozenset(read)


def detection_input(**rows: list[dict[str, Any]]) -> DetectionInput:
    """Frames from plain rows, every column present (absent ones None): for rule tests."""
    frames = {}
    for name, columns in FRAME_COLUMNS.items():
        given = rows.pop(name, [])
        unknown = {key for row in given for key in row} - set(columns)
        if unknown:
            raise ValueError(f"{name}: unknown columns {sorted(unknown)}")
        frames[name] = pd.DataFrame(
            [{c: row.get(c) for c in columns} for row in given], columns=list(columns)
        )
    if rows:
        raise ValueError(f"unknown frames {sorted(rows)}")
    return DetectionInput(**frames)
