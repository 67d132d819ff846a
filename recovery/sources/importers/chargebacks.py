"""Operational chargebacks as Vendor Central lists them."""

from __future__ import annotations

from recovery.models import Chargeback, table_of
from recovery.sources.importers.base import ImportContext, Record
from recovery.sources.importers.simple import SimpleImporter, note_vendor_code
from recovery.sources.layouts import CHARGEBACKS
from recovery.store.upsert import Row


class ChargebacksImporter(SimpleImporter):
    kind = "chargebacks"
    layouts = (CHARGEBACKS,)
    table = table_of(Chargeback)
    key = ("account_id", "chargeback_id")

    def row(self, ctx: ImportContext, record: Record) -> Row:
        v = record.values
        currency = v["currency"] or ctx.currency
        note_vendor_code(ctx, v["vendor_code"])
        return {
            "account_id": ctx.account_id,
            "chargeback_id": v["chargeback_id"],
            "issue_type": v["issue_type"] or "",
            "sub_type": v["sub_type"] or "",
            "po_number": v["po_number"],
            "asin": v["asin"],
            "vendor_code": v["vendor_code"],
            "notified_on": v["notified_on"],
            "quantity": v["quantity"],
            "cartons": v["cartons"],
            "amount_minor": v["amount"],
            "currency": currency,
            "status": v["status"],
        }
