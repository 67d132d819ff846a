"""The portal's downloads, written in the shapes our importers read (DOMAIN.md "Data shapes").

Amazon's exports carry a UTF-8 BOM and a short preamble above the header; US dates and plain
amounts with a minus sign are what the North American portal writes. The columns are the ones
the scenario's files have, so a download reads back to the same rows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from recovery.money import from_minor
from recovery.sources.layouts import (
    CHARGEBACKS,
    COOP_INVOICES,
    INVOICES,
    PRICE_DETAILS,
    REMITTANCE_LINES,
    REMITTANCE_PAYMENTS,
    SHORTAGES,
    FieldType,
    Layout,
)

Row = dict[str, Any]

_WITHOUT = {
    # The portal's shortage and price exports have no currency column.
    SHORTAGES.kind: {"currency"},
    PRICE_DETAILS.kind: {"currency"},
}

DISPUTE_LIST_HEADER = (
    "Dispute ID",
    "Dispute Type",
    "Reason",
    "Invoice Number",
    "Creation Date",
    "Status",
    "Outcome",
    "Amount",
    "Approved Amount",
    "Resolution Date",
    "Currency",
)


def us_date(day: date | None) -> str:
    return day.strftime("%m/%d/%Y") if day else ""


def money_text(minor: int | None, currency: str) -> str:
    return "" if minor is None else str(from_minor(minor, currency))


def _cell(value: Any, kind: FieldType, currency: str) -> str:
    if value is None:
        return ""
    if kind == FieldType.amount:
        return money_text(int(value), currency)
    if kind == FieldType.date:
        return us_date(value)
    return str(value)


class _Sheet:
    def __init__(self, title: str, generated: date) -> None:
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\r\n")
        self.writer.writerow([f"Vendor Central export - {title}"])
        self.writer.writerow([f"Generated on {us_date(generated)} 06:00"])

    def table(self, layout: Layout, rows: Iterable[Row], currency: str) -> None:
        skip = _WITHOUT.get(layout.kind, set())
        columns = [c for c in layout.columns if c.name not in skip]
        self.writer.writerow([c.header for c in columns])
        for row in rows:
            self.writer.writerow([_cell(row.get(c.name), c.type, currency) for c in columns])

    def bytes(self) -> bytes:
        return ("\ufeff" + self.buffer.getvalue()).encode("utf-8")


def tabular_csv(
    title: str, layout: Layout, rows: Iterable[Row], currency: str, generated: date
) -> bytes:
    sheet = _Sheet(title, generated)
    sheet.table(layout, rows, currency)
    return sheet.bytes()


def remittance_csv(
    payments: Sequence[Row], lines: Sequence[Row], currency: str, generated: date
) -> bytes:
    """The payment block, a line `Invoices`, then the lines (the remittance's own shape)."""
    sheet = _Sheet("Remittance", generated)
    sheet.table(REMITTANCE_PAYMENTS, payments, currency)
    sheet.writer.writerow(["Invoices"])
    sheet.table(REMITTANCE_LINES, lines, currency)
    return sheet.bytes()


def invoices_csv(rows: Sequence[Row], currency: str, generated: date) -> bytes:
    return tabular_csv("Invoices", INVOICES, rows, currency, generated)


def shortages_csv(rows: Sequence[Row], currency: str, generated: date) -> bytes:
    return tabular_csv("Shortage claims", SHORTAGES, rows, currency, generated)


def price_details_csv(rows: Sequence[Row], currency: str, generated: date) -> bytes:
    return tabular_csv("Price discrepancies", PRICE_DETAILS, rows, currency, generated)


def coop_invoices_csv(rows: Sequence[Row], currency: str, generated: date) -> bytes:
    return tabular_csv("Co-op invoices", COOP_INVOICES, rows, currency, generated)


def chargebacks_csv(rows: Sequence[Row], currency: str, generated: date) -> bytes:
    return tabular_csv("Chargebacks", CHARGEBACKS, rows, currency, generated)


def dispute_list_csv(rows: Sequence[Sequence[str]], generated: date) -> bytes:
    """Dispute Management's "Export as spreadsheet" (no importer reads it yet)."""
    sheet = _Sheet("Disputes", generated)
    sheet.writer.writerow(DISPUTE_LIST_HEADER)
    for row in rows:
        sheet.writer.writerow(row)
    return sheet.bytes()
