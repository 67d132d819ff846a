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
        v = record.values
        currency = v["currency"] or ctx.currency
        note_vendor_code(ctx, v["vendor_code"])
        return {
            "account_id": ctx.account_id,
            "invoice_number": v["invoice_number"],
            "external_id": v["external_id"] or "",
            "payee_code": v["vendor_code"],
            "invoice_date": v["invoice_date"],
            "due_date": v["due_date"],
            "po_number": v["po_number"],
            "asin": v["asin"],
            "unit_price_minor": v["unit_price"] or 0,
            "invoiced_quantity": v["invoiced_quantity"] or 0,
            "shortage_quantity": v["shortage_quantity"],
            "shortage_minor": v["shortage_amount"],
            "dispute_quantity": v["dispute_quantity"],
            "dispute_minor": v["dispute_amount"],
            "approved_quantity": v["approved_quantity"],
            "decision": v["decision"],
            "currency": currency,
        }


class PriceDetailsImporter(SimpleImporter):
    """One row per (invoice, PO, ASIN) Amazon paid at a lower cost than invoiced."""

    kind = "price-details"
    layouts = (PRICE_DETAILS,)
    table = table_of(PriceVarianceLine)
    key = ("account_id", "invoice_number", "po_number", "asin")

    def row(self, ctx: ImportContext, record: Record) -> Row:
        v = record.values
        currency = v["currency"] or ctx.currency
        return {
            "account_id": ctx.account_id,
            "invoice_number": v["invoice_number"],
            "po_number": v["po_number"] or "",
            "asin": v["asin"],
            "quantity": v["quantity"],
            "invoice_cost_minor": v["invoice_cost"],
            "po_cost_minor": v["po_cost"],
            "adjusted_cost_minor": v["adjusted_cost"],
            "variance_minor": v["variance"],
            "currency": currency,
        }
