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
        note_vendor_code(ctx, record.values["vendor_code"])
        return super().row(ctx, record)
