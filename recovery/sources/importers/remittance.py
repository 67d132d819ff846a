"""Remittances: payments, every line of them, and a deduction for every deduction line.

Both Vendor Central layouts: the North-American one (a payment block, a line reading
`Invoices`, then the lines) and the transaction layout (lines only, with Transaction type /
description and Original Invoice Number). Without a payment block the payments are derived from
their lines (amount = Σ Amount Paid).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import bindparam, select, update

from recovery.models import Deduction, Invoice, Payment, RemittanceKind, RemittanceLine, table_of
from recovery.money import from_minor
from recovery.sources.classify import classify
from recovery.sources.importers.base import ImportContext, Record, RecordImporter
from recovery.sources.layouts import (
    REMITTANCE_LINE_FIELDS,
    REMITTANCE_LINES,
    REMITTANCE_PAYMENTS,
    REMITTANCE_TRANSACTIONS,
)
from recovery.store.upsert import CHUNK_ROWS, Row, UpsertCounts, upsert

PAYMENT = table_of(Payment)
LINE = table_of(RemittanceLine)
DEDUCTION = table_of(Deduction)
INVOICE = table_of(Invoice)

_PAYMENT_KEY = ("account_id", "payment_number")
_DEDUCTION_KINDS = frozenset(kind.value for kind in RemittanceKind if kind.is_deduction)
_LINE_KEY = ("account_id", "payment_number", "invoice_number")
_DEDUCTION_KEY = ("account_id", "reference", "payment_number")


@dataclass
class _PaymentTotals:
    """What the file says about each payment, to derive or check payment amounts."""

    ids: dict[str, int] = field(default_factory=dict)
    stated: dict[str, int] = field(default_factory=dict)  # from the payment block
    currency: dict[str, str] = field(default_factory=dict)
    paid: dict[str, int] = field(default_factory=dict)  # Σ Amount Paid of the lines


@dataclass
class _Unknown:
    count: int
    first_row: str
    kinds: set[str] = field(default_factory=set)


class RemittanceImporter(RecordImporter):
    kind = "remittance"
    layouts = (REMITTANCE_TRANSACTIONS, REMITTANCE_LINES, REMITTANCE_PAYMENTS)

    def store_records(self, ctx: ImportContext, records: Iterator[Record]) -> UpsertCounts:
        totals = _PaymentTotals()
        unknown: dict[str, _Unknown] = {}
        payments: list[Row] = []
        deductions: list[Row] = []
        payment_counts = UpsertCounts()

        def flush_payments() -> None:
            nonlocal payment_counts, payments
            if payments:
                result = upsert(ctx.conn, PAYMENT, payments, _PAYMENT_KEY, want_ids=True)
                totals.ids.update({k[1]: v for k, v in result.ids.items()})
                payment_counts = payment_counts + result.counts
                payments = []

        def line_rows() -> Iterator[Row]:
            nonlocal deductions, payment_counts
            for record in records:
                if record.section == "payments":
                    payments.append(self._payment_row(ctx, record, totals))
                    continue
                flush_payments()
                row = self._line_row(ctx, record, unknown)
                number = row["payment_number"]
                if number not in totals.ids:
                    paid_on = record.values.get("payment_date")
                    derived = self._derive_payment(ctx, number, row["currency"], paid_on, totals)
                    payment_counts = payment_counts + derived
                row["payment_id"] = totals.ids[number]
                totals.paid[number] = totals.paid.get(number, 0) + row["paid_minor"]
                if row["kind"] in _DEDUCTION_KINDS:
                    deductions.append(row)
                    if len(deductions) >= CHUNK_ROWS:
                        self._store_deductions(ctx, deductions)
                        deductions = []
                yield row
            flush_payments()

        counts = upsert(ctx.conn, LINE, line_rows(), _LINE_KEY).counts
        self._store_deductions(ctx, deductions)
        self._link_lines(ctx)
        self._settle_payments(ctx, totals)
        for description, seen in unknown.items():
            kinds = ", ".join(sorted(seen.kinds))
            how = (
                "kind 'other'" if kinds == "other" else f"kind {kinds} by the invoice-number suffix"
            )
            ctx.needs_look.append(
                f"remittance description {description!r} is not one we know: {seen.count} "
                f"line(s), first at {seen.first_row}; stored as {how}"
            )
        return counts + payment_counts

    def _derive_payment(
        self,
        ctx: ImportContext,
        number: str,
        currency: str,
        paid_on: date | None,
        totals: _PaymentTotals,
    ) -> UpsertCounts:
        """No payment block for this payment: create it from its lines (amount settled later;
        the date from the lines' `Payment Date` when the download has one)."""
        row = {
            "account_id": ctx.account_id,
            "payment_number": number,
            "currency": currency,
            "payment_date": paid_on,
        }
        # A date the lines give fills a payment stored without one; a stored date stays.
        result = upsert(ctx.conn, PAYMENT, [row], _PAYMENT_KEY, update=(), want_ids=True)
        if paid_on is not None:
            ctx.conn.execute(
                update(PAYMENT)
                .where(PAYMENT.c.account_id == ctx.account_id)
                .where(PAYMENT.c.payment_number == number)
                .where(PAYMENT.c.payment_date.is_(None))
                .values(payment_date=paid_on)
            )
        totals.ids.update({k[1]: v for k, v in result.ids.items()})
        totals.currency.setdefault(number, currency)
        return result.counts

    def _payment_row(self, ctx: ImportContext, record: Record, totals: _PaymentTotals) -> Row:
        row = {
            "account_id": ctx.account_id,
            **REMITTANCE_PAYMENTS.field_map.row(record.values, {"currency": ctx.currency}),
        }
        number = row["payment_number"]
        totals.stated[number] = row["amount_minor"]
        totals.currency[number] = row["currency"]
        return row

    def _line_row(self, ctx: ImportContext, record: Record, unknown: dict[str, _Unknown]) -> Row:
        v = record.values
        invoice_number: str = v["invoice_number"]
        description = v.get("description") or ""
        found = classify(
            invoice_number,
            description,
            transaction_type=v.get("transaction_type"),
            original_invoice_number=v.get("original_invoice_number"),
        )
        if found.unknown_description:
            seen = unknown.setdefault(description, _Unknown(0, f"row {record.row}"))
            seen.count += 1
            seen.kinds.add(found.kind.value)
        return {
            "account_id": ctx.account_id,
            **REMITTANCE_LINE_FIELDS.row(v, {"currency": ctx.currency}),
            "base_invoice_number": found.base_invoice_number,
            "kind": found.kind.value,
        }

    def _store_deductions(self, ctx: ImportContext, rows: list[Row]) -> None:
        if not rows:
            return
        bases = {row["base_invoice_number"] for row in rows if row["base_invoice_number"]}
        invoice_ids: dict[str, int] = {}
        if bases:
            query = select(INVOICE.c.invoice_number, INVOICE.c.id).where(
                INVOICE.c.account_id == ctx.account_id, INVOICE.c.invoice_number.in_(bases)
            )
            invoice_ids = {number: ident for number, ident in ctx.conn.execute(query)}
        deductions = []
        for row in rows:
            # Amount Paid carries the money taken (negative) or given back (positive).
            taken = -(row["paid_minor"] or row["invoice_amount_minor"])
            deductions.append(
                {
                    "account_id": ctx.account_id,
                    "kind": row["kind"],
                    "reference": row["invoice_number"],
                    "payment_number": row["payment_number"],
                    "invoice_id": invoice_ids.get(row["base_invoice_number"] or ""),
                    "invoice_number": row["base_invoice_number"],
                    "amount_minor": taken,
                    "currency": row["currency"],
                    "description": row["description"],
                    "raised_on": row["invoice_date"],
                }
            )
        upsert(ctx.conn, DEDUCTION, deductions, _DEDUCTION_KEY, count=False)

    def _link_lines(self, ctx: ImportContext) -> None:
        """Point new deductions at their remittance line, in one statement for the file."""
        line_id = (
            select(LINE.c.id)
            .where(LINE.c.account_id == DEDUCTION.c.account_id)
            .where(LINE.c.payment_number == DEDUCTION.c.payment_number)
            .where(LINE.c.invoice_number == DEDUCTION.c.reference)
            .scalar_subquery()
        )
        ctx.conn.execute(
            update(DEDUCTION)
            .where(DEDUCTION.c.account_id == ctx.account_id)
            .where(DEDUCTION.c.remittance_line_id.is_(None))
            .values(remittance_line_id=line_id)
        )

    def _settle_payments(self, ctx: ImportContext, totals: _PaymentTotals) -> None:
        derived = [
            {"payment_id": totals.ids[number], "amount": paid}
            for number, paid in totals.paid.items()
            if number not in totals.stated
        ]
        if derived:
            ctx.conn.execute(
                update(PAYMENT)
                .where(PAYMENT.c.id == bindparam("payment_id"))
                .values(amount_minor=bindparam("amount")),
                derived,
            )
        for number, stated in totals.stated.items():
            paid = totals.paid.get(number)
            if paid is not None and paid != stated:
                currency = totals.currency[number]
                ctx.warn(
                    f"payment {number}: the payment block says {from_minor(stated, currency)} "
                    f"but its lines add up to {from_minor(paid, currency)}"
                )
