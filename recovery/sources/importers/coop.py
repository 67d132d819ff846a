"""Co-op: Amazon's co-op invoices, their backup reports, and the vendor's signed agreements."""

from __future__ import annotations

import re
from itertools import repeat
from pathlib import PurePath
from typing import Any

from sqlalchemy import bindparam, delete

from recovery.errors import InputError
from recovery.models import (
    PPM_PER_PERCENT,
    AgreementStatus,
    CoopAgreement,
    CoopBackupLine,
    CoopInvoice,
    table_of,
)
from recovery.sources.importers.base import (
    ImportContext,
    Record,
    TabularImporter,
    chunked,
)
from recovery.sources.importers.simple import SimpleImporter, note_vendor_code
from recovery.sources.layouts import COOP_AGREEMENTS, COOP_BACKUP, COOP_INVOICES
from recovery.store.upsert import CHUNK_ROWS, Row, UpsertCounts, upsert_tuples


class CoopInvoicesImporter(SimpleImporter):
    kind = "coop-invoices"
    layouts = (COOP_INVOICES,)
    table = table_of(CoopInvoice)
    key = ("account_id", "invoice_number")

    def row(self, ctx: ImportContext, record: Record) -> Row:
        note_vendor_code(ctx, record.values["vendor_code"])
        return super().row(ctx, record)


_BASES = {
    "netreceipts": "net receipts",
    "receipts": "net receipts",
    "netsales": "net sales",
    "sales": "net sales",
}


class CoopAgreementsImporter(SimpleImporter):
    """The vendor's own record of its signed terms; rates in percent, stored in ppm."""

    kind = "coop-agreements"
    layouts = (COOP_AGREEMENTS,)
    table = table_of(CoopAgreement)
    key = ("account_id", "agreement_id")

    def row(self, ctx: ImportContext, record: Record) -> Row:
        v = record.values
        note_vendor_code(ctx, v["vendor_code"])
        ppm = v["rate_percent"] * PPM_PER_PERCENT
        if ppm != ppm.to_integral_value() or ppm < 0:
            raise record.fail(
                "Rate Percent", f"not a rate we can hold exactly: {v['rate_percent']}"
            )
        basis = _BASES.get(re.sub(r"[^a-z]", "", (v["basis"] or "net receipts").lower()))
        if basis is None:
            raise record.fail(
                "Basis", f"expected 'net receipts' or 'net sales', got {v['basis']!r}"
            )
        status = (v["status"] or AgreementStatus.active.value).strip().lower()
        if status not in {s.value for s in AgreementStatus}:
            raise record.fail("Status", f"expected active, waived or expired, got {v['status']!r}")
        if v["end_date"] is not None and v["end_date"] < v["start_date"]:
            raise record.fail("End Date", "ends before Start Date")
        return {
            "account_id": ctx.account_id,
            **COOP_AGREEMENTS.table_row(v),
            "rate_ppm": int(ppm),
            "basis": basis,
            "status": status,
        }


_FILE_NAME = re.compile(r"coop[-_ ]?backup[-_ ]+(.+)$", re.IGNORECASE)
_PREAMBLE = re.compile(r"invoice\s*(?:number|no\.?|#)\s*[:#]?\s*([A-Za-z0-9][\w\-/.]*)", re.I)


def backup_invoice_number(file_name: str, preamble: list[list[str]]) -> str | None:
    """The co-op invoice a backup belongs to: a preamble line, else the file name."""
    for cells in preamble:
        found = _PREAMBLE.search(" ".join(c for c in cells if c))
        if found:
            return found[1]
    named = _FILE_NAME.match(PurePath(file_name).stem)
    return named[1].strip() if named else None


# What the importer adds to each backup line; the rest is the layout's field map.
_BACKUP_COLUMNS = (
    "account_id",
    "coop_invoice_number",
    "revised",
    "line_no",
    *COOP_BACKUP.field_map.columns,
)


class CoopBackupImporter(TabularImporter):
    """A co-op invoice's backup lines; a sheet named Revised holds lines that replace them."""

    kind = "coop-backup"
    layouts = (COOP_BACKUP,)
    table = table_of(CoopBackupLine)
    key = ("account_id", "coop_invoice_number", "revised", "line_no")
    total_ends_data = True

    def store(self, ctx: ImportContext, source: Any) -> UpsertCounts:
        counts = UpsertCounts()
        line_counts: dict[tuple[str, bool], int] = {}
        # Once per sheet, not per block: its preambles are all known by its first row.
        numbers: dict[str, str] = {}
        currency = {"currency": ctx.currency}
        for block in chunked(source, CHUNK_ROWS):
            number = numbers.get(block.label)
            if number is None:
                number = numbers[block.label] = self.invoice_number(ctx, block.label)
            revised = (block.sheet or "").strip().lower() == "revised"
            first = line_counts.get((number, revised), 0) + 1
            line_counts[(number, revised)] = first + len(block) - 1
            c = block.columns
            rows = list(
                zip(
                    repeat(ctx.account_id),
                    repeat(number),
                    repeat(revised),
                    range(first, first + len(block)),
                    *COOP_BACKUP.field_map.column_values(c, fill=currency).values(),
                )
            )
            counts = counts + upsert_tuples(ctx.conn, self.table, _BACKUP_COLUMNS, rows, self.key)
        if line_counts:
            # A newer backup with fewer lines: the lines it no longer lists are gone.
            ctx.conn.execute(
                delete(self.table).where(
                    self.table.c.account_id == ctx.account_id,
                    self.table.c.coop_invoice_number == bindparam("number"),
                    self.table.c.revised == bindparam("flag"),
                    self.table.c.line_no > bindparam("count"),
                ),
                [{"number": n, "flag": r, "count": c} for (n, r), c in line_counts.items()],
            )
        return counts

    def invoice_number(self, ctx: ImportContext, label: str) -> str:
        # The sheet's own preamble first; a Revised sheet often has none: then the workbook's.
        preamble = ctx.preambles.get(label, [])
        preamble = preamble + [row for rows in ctx.preambles.values() for row in rows]
        number = backup_invoice_number(ctx.file_name, preamble)
        if number is None:
            raise InputError(
                "cannot tell which co-op invoice this backup is for: name the file "
                "coop-backup-<invoice number>.csv or add a line 'Invoice Number: <number>' "
                "above the header",
                file=label,
            )
        return number


__all__ = [
    "CoopAgreementsImporter",
    "CoopBackupImporter",
    "CoopInvoicesImporter",
    "backup_invoice_number",
]
