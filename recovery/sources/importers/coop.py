"""Co-op: Amazon's co-op invoices, their backup reports, and the vendor's signed agreements."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePath

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
from recovery.sources.importers.base import ImportContext, Record, RecordImporter
from recovery.sources.importers.simple import SimpleImporter, note_vendor_code
from recovery.sources.layouts import COOP_AGREEMENTS, COOP_BACKUP, COOP_INVOICES
from recovery.upsert import Row, UpsertCounts, upsert


class CoopInvoicesImporter(SimpleImporter):
    kind = "coop-invoices"
    layouts = (COOP_INVOICES,)
    table = table_of(CoopInvoice)
    key = ("account_id", "invoice_number")

    def row(self, ctx: ImportContext, record: Record) -> Row:
        v = record.values
        currency = v["currency"] or ctx.currency
        note_vendor_code(ctx, v["vendor_code"])
        return {
            "account_id": ctx.account_id,
            "invoice_number": v["invoice_number"],
            "agreement_id": v["agreement_id"],
            "agreement_title": v["title"] or "",
            "funding_type": v["funding_type"] or "",
            "vendor_code": v["vendor_code"],
            "period_start": v["period_start"],
            "period_end": v["period_end"],
            "invoice_date": v["invoice_date"],
            "amount_minor": v["amount"],
            "currency": currency,
        }


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
            "agreement_id": v["agreement_id"],
            "title": v["title"] or "",
            "funding_type": v["funding_type"] or "",
            "vendor_code": v["vendor_code"],
            "rate_ppm": int(ppm),
            "basis": basis,
            "start_date": v["start_date"],
            "end_date": v["end_date"],
            "status": status,
            "waived_from": v["waived_from"],
            "waived_to": v["waived_to"],
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


class CoopBackupImporter(RecordImporter):
    """A co-op invoice's backup lines; a sheet named Revised holds lines that replace them."""

    kind = "coop-backup"
    layouts = (COOP_BACKUP,)
    table = table_of(CoopBackupLine)
    key = ("account_id", "coop_invoice_number", "revised", "line_no")
    total_ends_data = True

    def store_records(self, ctx: ImportContext, records: Iterator[Record]) -> UpsertCounts:
        line_counts: dict[tuple[str, bool], int] = {}
        # Once per sheet, not per row: its preambles are all known by its first row.
        numbers: dict[str, str] = {}

        def rows() -> Iterator[Row]:
            for record in records:
                number = numbers.get(record.label)
                if number is None:
                    number = numbers[record.label] = self.invoice_number(ctx, record)
                row = self.row(ctx, record, number)
                slot = (row["coop_invoice_number"], row["revised"])
                line_counts[slot] = row["line_no"] = line_counts.get(slot, 0) + 1
                yield row

        counts = upsert(ctx.conn, self.table, rows(), self.key).counts
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

    def invoice_number(self, ctx: ImportContext, record: Record) -> str:
        # The sheet's own preamble first; a Revised sheet often has none: then the workbook's.
        preamble = ctx.preambles.get(record.label, [])
        preamble = preamble + [row for rows in ctx.preambles.values() for row in rows]
        number = backup_invoice_number(ctx.file_name, preamble)
        if number is None:
            raise InputError(
                "cannot tell which co-op invoice this backup is for: name the file "
                "coop-backup-<invoice number>.csv or add a line 'Invoice Number: <number>' "
                "above the header",
                file=record.label,
            )
        return number

    def row(self, ctx: ImportContext, record: Record, number: str) -> Row:
        v = record.values
        currency = v["currency"] or ctx.currency
        quantity: int = v["quantity"]
        return {
            "account_id": ctx.account_id,
            "coop_invoice_number": number,
            "revised": (record.sheet or "").strip().lower() == "revised",
            "line_no": 0,
            "receive_date": v["receive_date"],
            "order_date": v["order_date"],
            "ship_date": v["ship_date"],
            "return_date": v["return_date"],
            "cost_date": v["cost_date"],
            "transaction_type": v["transaction_type"],
            "quantity": quantity,
            "net_sales_minor": v["net_sales"],
            "list_price_minor": v["list_price"],
            "rebate_minor": v["rebate"],
            "currency": currency,
            "po_number": v["po_number"],
            "asin": v["asin"],
            "upc": v["upc"],
            "ean": v["ean"],
            "manufacturer": v["manufacturer"],
            "distributor": v["distributor"],
            "product_group": v["product_group"],
            "category": v["category"],
            "subcategory": v["subcategory"],
        }


__all__ = [
    "CoopAgreementsImporter",
    "CoopBackupImporter",
    "CoopInvoicesImporter",
    "backup_invoice_number",
]
