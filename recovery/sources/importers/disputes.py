"""Vendor Central's dispute detail exports: shortage lines and price discrepancy lines."""

from __future__ import annotations

from recovery.models import PriceVarianceLine, ShortageLine, table_of
from recovery.sources.importers.base import ImportContext, Record
from recovery.sources.importers.simple import SimpleImporter, note_vendor_code
from recovery.sources.layouts import PRICE_DETAILS, SHORTAGES
from recovery.store.upsert import Row


class ShortagesImporter(SimpleImporter):
    """One row per (shortage debit or reversal, ASIN); reversals carry negative numbers."""

    kind = "shortages"
    layouts = (SHORTAGES,)
    table = table_of(ShortageLine)
    key = ("account_id", "invoice_number", "external_id", "asin")

    def row(self, ctx: ImportContext, record: Record) -> Row:
        note_vendor_code(ctx, record.values["vendor_code"])
        return super().row(ctx, record)


class PriceDetailsImporter(SimpleImporter):
    """One row per (invoice, PO, ASIN) Amazon paid at a lower cost than invoiced."""

    kind = "price-details"
    layouts = (PRICE_DETAILS,)
    table = table_of(PriceVarianceLine)
    key = ("account_id", "invoice_number", "po_number", "asin")
