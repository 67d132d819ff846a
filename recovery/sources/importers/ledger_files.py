"""The vendor's own files: its cost list and its bank statement."""

from __future__ import annotations

from collections.abc import Iterator

from recovery.models import BankTransaction, CostRecord, CostSource, table_of
from recovery.sources.importers.base import ImportContext, Record
from recovery.sources.importers.simple import SimpleImporter
from recovery.sources.layouts import BANK, COSTS
from recovery.store.upsert import Row, UpsertCounts, upsert


class CostsImporter(SimpleImporter):
    """Cost per each by ASIN and/or vendor SKU, effective from a date."""

    kind = "costs"
    layouts = (COSTS,)
    table = table_of(CostRecord)
    key = ("account_id", "source", "asin", "vendor_sku", "effective_from", "source_ref")

    def row(self, ctx: ImportContext, record: Record) -> Row:
        v = record.values
        if not v["asin"] and not v["vendor_sku"]:
            raise record.fail("ASIN", "needs an ASIN or a Vendor SKU")
        if v["effective_to"] is not None and v["effective_to"] < v["effective_from"]:
            raise record.fail("Effective To", "ends before Effective From")
        row = super().row(ctx, record)
        row["source"] = CostSource.price_list.value
        # Empty, not the file name: a newer cost list must update, not duplicate, entries.
        row["source_ref"] = ""
        return row


class BankImporter(SimpleImporter):
    """Bank statement lines; identical lines on one day are told apart by their order."""

    kind = "bank"
    layouts = (BANK,)
    table = table_of(BankTransaction)
    key = ("account_id", "booked_on", "amount_minor", "reference", "occurrence")

    def store_records(self, ctx: ImportContext, records: Iterator[Record]) -> UpsertCounts:
        seen: dict[tuple[object, ...], int] = {}

        def rows() -> Iterator[Row]:
            for record in records:
                row = self.row(ctx, record)
                identity = (row["booked_on"], row["amount_minor"], row["reference"])
                row["occurrence"] = seen.get(identity, 0)
                seen[identity] = row["occurrence"] + 1
                yield row

        return upsert(ctx.conn, self.table, rows(), self.key).counts
