"""The vendor's invoices to Amazon, one row per invoice or one row per invoice line."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import compress, groupby, repeat
from operator import mul
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update

from recovery.models import Deduction, Invoice, InvoiceLine, table_of
from recovery.money import from_minor
from recovery.sources.importers.base import (
    Block,
    ImportContext,
    TabularImporter,
    chunked,
)
from recovery.sources.importers.simple import note_vendor_code
from recovery.sources.layouts import INVOICES
from recovery.store import changes
from recovery.store.upsert import (
    CHUNK_ROWS,
    Row,
    UpsertCounts,
    last_id,
    upsert,
    upsert_tuples,
    upsert_tuples_changed,
)

INVOICE = table_of(Invoice)
LINE = table_of(InvoiceLine)
DEDUCTION = table_of(Deduction)
# Where a row's fields go: the invoice's header, and its line when exported per line.
_HEADER = INVOICES.field_map
_LINE = INVOICES.parts["invoice_line"]
# The importer adds the invoice, the line's number and its amount (quantity × unit cost).
_LINE_COLUMNS = ("invoice_id", "line_no", *_LINE.columns, "amount_minor")


class InvoicesImporter(TabularImporter):
    kind = "invoices"
    layouts = (INVOICES,)

    def store(self, ctx: ImportContext, source: Any) -> UpsertCounts:
        counts = UpsertCounts()
        lines_per_invoice: dict[str, int] = {}
        seen: set[str] = set()
        account_id = ctx.account_id
        # Invoices with ids above this are new in this file: they have no old lines to drop.
        known_up_to = last_id(ctx.conn, INVOICE)
        earlier: dict[str, int] = {}
        # For detection: the invoices there before whose lines this file changes, their rows
        # and how many lines each had (the upsert of the headers notes the invoices new or
        # changed).
        headers: dict[str, Row] = {}
        changed_lines: set[int] = set()
        stored_counts: dict[int, int] = {}
        agreed: dict[str, tuple[Any, ...]] = {}
        for block in chunked(source, CHUNK_ROWS):
            c = block.columns
            numbers: list[str] = c["invoice_number"]
            _check_header_agreement(block, agreed, ctx.currency)
            for code, rows in Counter(c["vendor_code"]).items():
                note_vendor_code(ctx, code, rows)
            # A per-line export repeats the invoice on each of its lines: the invoice row is
            # made once, from its last line in the block (what the upsert would keep anyway).
            last = {number: index for index, number in enumerate(numbers)}
            made = {number: self._invoice_row(ctx, block, index) for number, index in last.items()}
            result = upsert(
                ctx.conn,
                INVOICE,
                list(made.values()),
                ("account_id", "invoice_number"),
                want_ids=True,
            )
            # An invoice whose lines spread over several blocks is one invoice, not updates.
            again = sum(1 for number in last if number in seen)
            seen.update(last)
            counts = counts + UpsertCounts(result.counts.inserted, result.counts.updated - again)
            ids = {number: result.ids[(account_id, number)] for number in last}
            known_here = {n: i for n, i in ids.items() if i <= known_up_to}
            earlier.update(known_here)
            headers.update((n, made[n]) for n in known_here)
            line_rows = self._line_rows(ctx, block, ids, lines_per_invoice)
            # Lines of an invoice new in this file are new (the file numbers them itself):
            # they go in without the conflict check, about a tenth of SQLite's work per line.
            known: list[tuple[Any, ...]] = []
            if min(ids.values()) <= known_up_to:
                known = [row for row in line_rows if row[0] <= known_up_to]
                line_rows = [row for row in line_rows if row[0] > known_up_to]
            _count_stored_lines(ctx, {row[0] for row in known}, stored_counts)
            key = ("invoice_id", "line_no")
            known_counts, changed = upsert_tuples_changed(
                ctx.conn, LINE, _LINE_COLUMNS, known, key, report="invoice_id"
            )
            changed_lines |= changed
            counts = counts + known_counts
            counts = counts + upsert_tuples(ctx.conn, LINE, _LINE_COLUMNS, line_rows, ())
        shorter = {
            earlier[number]: count
            for number, count in lines_per_invoice.items()
            if number in earlier and stored_counts.get(earlier[number], 0) > count
        }
        self._drop_stale_lines(ctx, shorter)
        changed_lines |= shorter.keys()
        changes.note_rows(
            ctx.conn,
            INVOICE,
            [headers[number] for number, i in earlier.items() if i in changed_lines],
        )
        self._link_deductions(ctx)
        return counts

    def _invoice_row(self, ctx: ImportContext, block: Block, index: int) -> Row:
        c = block.columns
        values = {name: c[name][index] for name, _ in _HEADER.stored}
        return {"account_id": ctx.account_id, **_HEADER.row(values, {"currency": ctx.currency})}

    def _line_rows(
        self,
        ctx: ImportContext,
        block: Block,
        ids: dict[str, int],
        lines_per_invoice: dict[str, int],
    ) -> list[tuple[Any, ...]]:
        """The block's lines in `_LINE_COLUMNS` order (tuples: there are millions of lines).

        Built a column at a time, since a loop over each line's cells was a fifth of the
        import. A row with neither ASIN nor quantity is an invoice-level row, not a line.
        """
        c = block.columns
        numbers: list[str] = c["invoice_number"]
        positions: Sequence[int] = range(len(block))
        line = c
        if None in c["asin"]:
            pairs = zip(c["asin"], c["quantity"], strict=True)
            keep = [asin is not None or quantity is not None for asin, quantity in pairs]
            line = {name: list(compress(c[name], keep)) for name, _ in _LINE.stored}
            numbers = list(compress(numbers, keep))
            positions = list(compress(positions, keep))
        if None in line["unit_cost"]:
            index = positions[line["unit_cost"].index(None)]
            raise block.fail(index, "Unit Cost", "empty on an invoice line")
        values = _LINE.column_values(line, {"currency": ctx.currency})
        costs, quantities = values["unit_cost"], values["quantity"]
        # Lines are numbered per invoice in file order, over the whole file.
        invoice_ids: list[int] = []
        line_nos: list[int] = []
        for number, run in groupby(numbers):
            count = len(list(run))
            first = lines_per_invoice.get(number, 0)
            lines_per_invoice[number] = first + count
            invoice_ids.extend(repeat(ids[number], count))
            line_nos.extend(range(first + 1, first + count + 1))
        amounts = list(map(mul, costs, quantities))
        return list(zip(invoice_ids, line_nos, *values.values(), amounts, strict=True))

    def _drop_stale_lines(self, ctx: ImportContext, shorter: dict[int, int]) -> None:
        """A newer per-line export lists an invoice's lines again: extra old ones go.

        `shorter`: invoices stored before with more lines than this file gives them, and how
        many it gives.
        """
        if shorter:
            ctx.conn.execute(
                delete(LINE).where(
                    LINE.c.invoice_id == bindparam("invoice"), LINE.c.line_no > bindparam("count")
                ),
                [{"invoice": invoice, "count": count} for invoice, count in shorter.items()],
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


# What a per-line export repeats on each line of an invoice, and must repeat alike.
_HEADER_FIELDS = ("invoice_date", "po_number", "invoice_amount", "currency", "due_date")


def _check_header_agreement(
    block: Block, agreed: dict[str, tuple[Any, ...]], currency: str
) -> None:
    """Refuse an invoice whose lines disagree on its header (date, PO, amount, currency, due
    date): which one is the invoice is unknowable, and a wrong amount would misstate what
    Amazon owes. `agreed`: each invoice's header as its first line in the file gave it."""
    c = block.columns
    numbers: list[str] = c["invoice_number"]
    headers = list(zip(*(c[name] for name in _HEADER_FIELDS), strict=True))
    last = dict(zip(numbers, headers, strict=True))
    if len(set(zip(numbers, headers, strict=True))) == len(last) and all(
        agreed.get(number, header) == header for number, header in last.items()
    ):
        agreed.update((n, h) for n, h in last.items() if n not in agreed)
        return
    for index, (number, header) in enumerate(zip(numbers, headers, strict=True)):
        first = agreed.setdefault(number, header)
        if first != header:
            field = next(i for i, (a, b) in enumerate(zip(first, header, strict=True)) if a != b)
            name = _HEADER_FIELDS[field]
            money = header[3] or currency
            raise block.fail(
                index,
                INVOICES.by_name[name].header,
                f"invoice {number} has {_shown(name, header[field], money)!r} here but "
                f"{_shown(name, first[field], money)!r} on an earlier line: its lines must agree",
            )


def _shown(name: str, value: Any, currency: str) -> str:
    if value is None:
        return ""
    if name == "invoice_amount":
        return str(from_minor(value, currency))
    return str(value)


def _count_stored_lines(
    ctx: ImportContext, invoice_ids: set[int], stored_counts: dict[int, int]
) -> None:
    """Put in `stored_counts` how many lines each of `invoice_ids` has stored, for those not
    in it yet (the first block an invoice is in comes before its lines are written)."""
    wanted = sorted(invoice_ids - stored_counts.keys())
    for start in range(0, len(wanted), _ID_CHUNK):
        part = wanted[start : start + _ID_CHUNK]
        stored_counts.update(dict.fromkeys(part, 0))
        query = (
            select(LINE.c.invoice_id, func.count())
            .where(LINE.c.invoice_id.in_(part))
            .group_by(LINE.c.invoice_id)
        )
        stored_counts.update((invoice_id, count) for invoice_id, count in ctx.conn.execute(query))


_ID_CHUNK = 500
