"""The vendor's invoices to Amazon, one row per invoice or one row per invoice line."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import Any

from sqlalchemy import and_, bindparam, delete, select, update

from recovery.models import Deduction, Invoice, InvoiceLine, table_of
from recovery.sources.importers.base import ImportContext, Record, TabularImporter
from recovery.sources.importers.simple import note_vendor_code
from recovery.sources.layouts import INVOICES
from recovery.upsert import CHUNK_ROWS, Row, UpsertCounts, upsert, upsert_tuples

INVOICE = table_of(Invoice)
LINE = table_of(InvoiceLine)
DEDUCTION = table_of(Deduction)
_LINE_COLUMNS = (
    "invoice_id",
    "line_no",
    "asin",
    "vendor_sku",
    "quantity",
    "unit_cost_minor",
    "amount_minor",
    "currency",
)


class InvoicesImporter(TabularImporter):
    kind = "invoices"
    layouts = (INVOICES,)

    def store_records(self, ctx: ImportContext, records: Iterator[Record]) -> UpsertCounts:
        counts = UpsertCounts()
        lines_per_invoice: dict[str, int] = {}
        seen: set[str] = set()
        records = iter(records)
        account_id = ctx.account_id
        while chunk := list(islice(records, CHUNK_ROWS)):
            # A per-line export repeats the invoice on each of its lines: the invoice row is
            # made once, from its last line in the chunk (what the upsert would keep anyway).
            last: dict[str, Record] = {}
            lines: list[tuple[str, Record]] = []
            codes: dict[str | None, int] = {}
            for record in chunk:
                v = record.values
                number = v["invoice_number"]
                codes[v["vendor_code"]] = codes.get(v["vendor_code"], 0) + 1
                last[number] = record
                if v["asin"] or v["quantity"] is not None:
                    lines.append((number, record))
            for code, rows in codes.items():
                note_vendor_code(ctx, code, rows)
            result = upsert(
                ctx.conn,
                INVOICE,
                [self._invoice_row(ctx, record) for record in last.values()],
                ("account_id", "invoice_number"),
                want_ids=True,
            )
            # An invoice whose lines spread over several chunks is one invoice, not updates.
            again = sum(1 for number in last if number in seen)
            seen.update(last)
            counts = counts + UpsertCounts(result.counts.inserted, result.counts.updated - again)
            line_rows = []
            for number, record in lines:
                line_no = lines_per_invoice.get(number, 0) + 1
                lines_per_invoice[number] = line_no
                invoice_id = result.ids[(account_id, number)]
                line_rows.append(self._line_row(ctx, record, invoice_id, line_no))
            counts = counts + upsert_tuples(
                ctx.conn, LINE, _LINE_COLUMNS, line_rows, ("invoice_id", "line_no")
            )
        self._drop_stale_lines(ctx, lines_per_invoice)
        self._link_deductions(ctx)
        return counts

    def _invoice_row(self, ctx: ImportContext, record: Record) -> Row:
        v = record.values
        currency = v["currency"] or ctx.currency
        return {
            "account_id": ctx.account_id,
            "invoice_number": v["invoice_number"],
            "invoice_date": v["invoice_date"],
            "po_number": v["po_number"],
            "amount_minor": v["invoice_amount"],
            "currency": currency,
            "due_date": v["due_date"],
            "status": v["status"],
        }

    def _line_row(
        self, ctx: ImportContext, record: Record, invoice_id: int, line_no: int
    ) -> tuple[Any, ...]:
        """The line's values in `_LINE_COLUMNS` order (a tuple: there are millions of lines)."""
        v = record.values
        quantity = v["quantity"] if v["quantity"] is not None else 0
        unit_cost: int | None = v["unit_cost"]
        if unit_cost is None:
            raise record.fail("Unit Cost", "empty on an invoice line")
        currency = v["currency"] or ctx.currency
        return (
            invoice_id,
            line_no,
            v["asin"],
            v["vendor_sku"],
            quantity,
            unit_cost,
            unit_cost * quantity,
            currency,
        )

    def _drop_stale_lines(self, ctx: ImportContext, lines_per_invoice: dict[str, int]) -> None:
        """A newer per-line export lists an invoice's lines again: extra old ones go."""
        if not lines_per_invoice:
            return
        invoice_id = (
            select(INVOICE.c.id)
            .where(INVOICE.c.account_id == ctx.account_id)
            .where(INVOICE.c.invoice_number == bindparam("number"))
            .scalar_subquery()
        )
        ctx.conn.execute(
            delete(LINE).where(
                and_(LINE.c.invoice_id == invoice_id, LINE.c.line_no > bindparam("count"))
            ),
            [{"number": n, "count": c} for n, c in lines_per_invoice.items()],
        )

    def _link_deductions(self, ctx: ImportContext) -> None:
        """Deductions imported before their invoice get linked now that it is known."""
        invoice_id = (
            select(INVOICE.c.id)
            .where(INVOICE.c.account_id == DEDUCTION.c.account_id)
            .where(INVOICE.c.invoice_number == DEDUCTION.c.invoice_number)
            .scalar_subquery()
        )
        ctx.conn.execute(
            update(DEDUCTION)
            .where(DEDUCTION.c.account_id == ctx.account_id)
            .where(DEDUCTION.c.invoice_id.is_(None))
            .where(DEDUCTION.c.invoice_number.is_not(None))
            .values(invoice_id=invoice_id)
        )
