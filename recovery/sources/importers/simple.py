"""Importers whose rows map one-to-one onto one table, keyed by its natural key."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from sqlalchemy import Table

from recovery.sources.importers.base import ImportContext, Record, RecordImporter
from recovery.store.upsert import Row, UpsertCounts, upsert


class SimpleImporter(RecordImporter):
    """One layout, one table: a record's row is its layout's field map (`Layout.table_row`),
    in the account, in the account's currency when the file names none."""

    table: ClassVar[Table]
    key: ClassVar[tuple[str, ...]]

    def row(self, ctx: ImportContext, record: Record) -> Row:
        """The table row for one record (raise `record.fail(...)` for a bad value)."""
        row = {"account_id": ctx.account_id, **self.layouts[0].table_row(record.values)}
        row["currency"] = row.get("currency") or ctx.currency
        return row

    def store_records(self, ctx: ImportContext, records: Iterator[Record]) -> UpsertCounts:
        rows = (self.row(ctx, record) for record in records)
        return upsert(ctx.conn, self.table, rows, self.key).counts


def note_vendor_code(ctx: ImportContext, code: str | None, rows: int = 1) -> None:
    """Count the vendor codes rows carry, so a file that mixes accounts can be pointed out."""
    if code:
        ctx.vendor_codes[code.upper()] = ctx.vendor_codes.get(code.upper(), 0) + rows
