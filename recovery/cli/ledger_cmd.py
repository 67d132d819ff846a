"""`recovery ledger`: each invoice's balance and buckets, unmatched payments and deposits,
receivables past due and short-pays without a deduction (what `recovery detect` sums up)."""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from sqlmodel import Session, col, select

from recovery.calendar import BusinessCalendar
from recovery.cli.context import app_context
from recovery.cli.options import parse_day
from recovery.errors import RecoveryError
from recovery.ledger import BUCKETS
from recovery.models import VendorAccount
from recovery.money import format_minor, from_minor
from recovery.reports.ledger_view import AccountLedger, account_ledger


class LedgerFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


BALANCE_COLUMNS = ("invoiced", "paid", "discount", "deducted", "remaining", "short_paid")
CSV_COLUMNS = (
    "account",
    "section",
    "reference",
    "date",
    "currency",
    "amount",
    *BALANCE_COLUMNS,
    *BUCKETS,
    "detail",
)


def ledger(
    ctx: typer.Context,
    invoice: Annotated[str | None, typer.Option(help="Only this vendor invoice.")] = None,
    account: Annotated[str | None, typer.Option(help="Only this vendor code.")] = None,
    fmt: Annotated[LedgerFormat, typer.Option("--format", help="table, json or csv.")] = (
        LedgerFormat.table
    ),
    settled: Annotated[
        bool,
        typer.Option("--all", help="Also invoices paid in full with nothing deducted."),
    ] = False,
    today: Annotated[
        str | None, typer.Option(help="Receivables past due as of this date (YYYY-MM-DD).")
    ] = None,
) -> None:
    """Where every invoiced and deducted cent went, as of the last `recovery detect`."""
    app = app_context(ctx)
    as_of = parse_day(today) or BusinessCalendar.from_settings(app.settings.calendar).today()
    with Session(app.engine) as session:
        query = select(VendorAccount).order_by(col(VendorAccount.vendor_code))
        if account:
            query = query.where(col(VendorAccount.vendor_code) == account.upper())
        vendors = list(session.exec(query).all())
    if account and not vendors:
        raise RecoveryError(f"--account {account}: no such vendor account")
    ledgers = []
    with app.engine.connect() as conn:
        for vendor in vendors:
            assert vendor.id is not None
            try:
                ledgers.append(
                    account_ledger(
                        conn,
                        vendor.id,
                        vendor.vendor_code,
                        vendor.currency,
                        today=as_of,
                        bank_match_days=app.settings.rules.bank_match_days,
                        invoice=invoice,
                        settled=settled,
                    )
                )
            except RecoveryError:
                # An invoice is one account's: the others not having it is no error.
                if invoice is None or len(vendors) == 1:
                    raise
    if invoice is not None and not ledgers:
        raise RecoveryError(f"--invoice {invoice}: no such invoice")
    if fmt == LedgerFormat.json:
        typer.echo(json.dumps([ledger_json(x) for x in ledgers], indent=2, ensure_ascii=False))
    elif fmt == LedgerFormat.csv:
        write_ledger_csv(ledgers, sys.stdout)
    elif not ledgers:
        app.console.print("No vendor accounts yet: import data first (`recovery import`).")
    else:
        for one in ledgers:
            _print_ledger(app.console, one, detailed=invoice is not None)


def _money(minor: int, currency: str) -> str:
    return str(from_minor(minor, currency))


def ledger_json(ledger: AccountLedger) -> dict[str, Any]:
    """Amounts as decimal strings, dates ISO, as `claims list --format json` writes them."""

    def amounts(values: dict[str, int], currency: str) -> dict[str, str]:
        return {name: _money(minor, currency) for name, minor in values.items()}

    return {
        "account": ledger.vendor_code,
        "as_of": ledger.today.isoformat(),
        "invoices": [
            {
                "invoice_number": item.balance.invoice_number,
                "currency": item.balance.currency,
                "due_date": _iso(item.balance.due_date),
                **{
                    name: _money(getattr(item.balance, name), item.balance.currency)
                    for name in BALANCE_COLUMNS
                },
                "buckets": amounts(item.buckets, item.balance.currency),
                "by_type": {
                    family: amounts(buckets, item.balance.currency)
                    for family, buckets in sorted(item.by_family.items())
                },
            }
            for item in ledger.invoices
        ],
        "invoices_not_listed": ledger.hidden_settled,
        "deductions_without_invoice": [
            {
                "reference": d.reference,
                "type": d.family,
                "currency": d.currency,
                "buckets": amounts(d.buckets, d.currency),
            }
            for d in ledger.loose_deductions
        ],
        "payments": ledger.payments,
        "unmatched_payments": [
            {
                "payment_number": p.payment_number,
                "payment_date": _iso(p.payment_date),
                "amount": _money(p.amount, p.currency),
                "currency": p.currency,
            }
            for p in ledger.unmatched_payments
        ],
        "unmatched_deposits": [
            {
                "booked_on": d.booked_on.isoformat(),
                "amount": _money(d.amount, d.currency),
                "currency": d.currency,
                "reference": d.reference,
                "description": d.description,
            }
            for d in ledger.unmatched_deposits
        ],
        "receivables": [
            {
                "invoice_number": r.invoice_number,
                "due_date": r.due_date.isoformat(),
                "days_past_due": r.days_past_due,
                "open_amount": _money(r.open_amount, r.currency),
                "currency": r.currency,
            }
            for r in ledger.receivables
        ],
        "short_pays": [
            {
                "invoice_number": b.invoice_number,
                "due_date": _iso(b.due_date),
                "amount": _money(b.short_paid, b.currency),
                "currency": b.currency,
            }
            for b in ledger.short_pays
        ],
    }


def write_ledger_csv(ledgers: list[AccountLedger], out: Any) -> None:
    """One table for a spreadsheet: a `section` column says what each row is."""
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for one in ledgers:
        code = one.vendor_code
        for item in one.invoices:
            b = item.balance
            writer.writerow(
                {
                    "account": code,
                    "section": "invoice",
                    "reference": b.invoice_number,
                    "date": _iso(b.due_date),
                    "currency": b.currency,
                    "amount": _money(b.invoiced, b.currency),
                    **{n: _money(getattr(b, n), b.currency) for n in BALANCE_COLUMNS},
                    **{n: _money(m, b.currency) for n, m in item.buckets.items()},
                }
            )
        for d in one.loose_deductions:
            writer.writerow(
                {
                    "account": code,
                    "section": "deduction_without_invoice",
                    "reference": d.reference,
                    "currency": d.currency,
                    "amount": _money(sum(d.buckets.values()), d.currency),
                    **{n: _money(m, d.currency) for n, m in d.buckets.items()},
                    "detail": d.family,
                }
            )
        for p in one.unmatched_payments:
            writer.writerow(
                {
                    "account": code,
                    "section": "unmatched_payment",
                    "reference": p.payment_number,
                    "date": _iso(p.payment_date),
                    "currency": p.currency,
                    "amount": _money(p.amount, p.currency),
                }
            )
        for dep in one.unmatched_deposits:
            writer.writerow(
                {
                    "account": code,
                    "section": "unmatched_deposit",
                    "reference": dep.reference,
                    "date": dep.booked_on.isoformat(),
                    "currency": dep.currency,
                    "amount": _money(dep.amount, dep.currency),
                    "detail": dep.description,
                }
            )
        for r in one.receivables:
            writer.writerow(
                {
                    "account": code,
                    "section": "receivable",
                    "reference": r.invoice_number,
                    "date": r.due_date.isoformat(),
                    "currency": r.currency,
                    "amount": _money(r.open_amount, r.currency),
                    "detail": f"{r.days_past_due} days past due",
                }
            )
        for s in one.short_pays:
            writer.writerow(
                {
                    "account": code,
                    "section": "short_pay",
                    "reference": s.invoice_number,
                    "date": _iso(s.due_date),
                    "currency": s.currency,
                    "amount": _money(s.short_paid, s.currency),
                }
            )


def _print_ledger(console: Console, one: AccountLedger, *, detailed: bool) -> None:
    table = Table(title=f"Ledger of {one.vendor_code} as of {one.today}", title_justify="left")
    table.add_column("invoice")
    table.add_column("due")
    for name in (*BALANCE_COLUMNS, *BUCKETS):
        table.add_column(name.replace("_", " "), justify="right")
    for item in one.invoices:
        b = item.balance
        cells = [format_minor(getattr(b, n), b.currency) for n in BALANCE_COLUMNS]
        buckets = [_cell(item.buckets[n], b.currency) for n in BUCKETS]
        table.add_row(b.invoice_number, _iso(b.due_date) or "—", *cells, *buckets)
    console.print(table)
    console.print(
        "Buckets split each invoice's gross debits (before reversals): what a reversal or a "
        "won claim gave back is under recovered."
    )
    if one.hidden_settled:
        console.print(
            f"{one.hidden_settled} invoices paid in full with nothing deducted not listed "
            "(--all lists them)."
        )
    if detailed:
        for item in one.invoices:
            by_type = Table(title=f"Deductions of invoice {item.balance.invoice_number} by type")
            by_type.add_column("type")
            for name in BUCKETS:
                by_type.add_column(name.replace("_", " "), justify="right")
            for family, split in sorted(item.by_family.items()):
                currency = item.balance.currency
                by_type.add_row(family, *(_cell(split[n], currency) for n in BUCKETS))
            if item.by_family:
                console.print(by_type)
    if one.loose_deductions:
        loose = Table(title="Deductions that name no vendor invoice", title_justify="left")
        loose.add_column("reference")
        loose.add_column("type")
        for name in BUCKETS:
            loose.add_column(name.replace("_", " "), justify="right")
        for d in one.loose_deductions:
            loose.add_row(
                d.reference, d.family, *(_cell(d.buckets[n], d.currency) for n in BUCKETS)
            )
        console.print(loose)
    if not detailed:  # payments cover many invoices: the bank side is the account's
        _print_bank_side(console, one)
    _print_list(
        console,
        f"Receivables past due ({len(one.receivables)})",
        ("invoice", "due", "days past due", "open"),
        [
            (
                r.invoice_number,
                r.due_date.isoformat(),
                str(r.days_past_due),
                format_minor(r.open_amount, r.currency),
            )
            for r in one.receivables
        ],
    )
    _print_list(
        console,
        f"Short-paid without a deduction ({len(one.short_pays)})",
        ("invoice", "due", "short paid"),
        [
            (s.invoice_number, _iso(s.due_date) or "—", format_minor(s.short_paid, s.currency))
            for s in one.short_pays
        ],
    )


def _print_bank_side(console: Console, one: AccountLedger) -> None:
    _print_list(
        console,
        f"Payments not matched to a bank deposit ({len(one.unmatched_payments)} of {one.payments})",
        ("payment", "date", "amount"),
        [
            (p.payment_number, _iso(p.payment_date) or "—", format_minor(p.amount, p.currency))
            for p in one.unmatched_payments
        ],
    )
    _print_list(
        console,
        f"Amazon deposits no payment explains ({len(one.unmatched_deposits)})",
        ("date", "amount", "reference"),
        [
            (d.booked_on.isoformat(), format_minor(d.amount, d.currency), d.reference)
            for d in one.unmatched_deposits
        ],
    )


def _print_list(
    console: Console, title: str, columns: tuple[str, ...], rows: list[tuple[str, ...]]
) -> None:
    if not rows:
        console.print(f"{title}: none.")
        return
    table = Table(title=title, title_justify="left")
    for index, name in enumerate(columns):
        table.add_column(name, justify="left" if index == 0 or name == "reference" else "right")
    for row in rows:
        table.add_row(*row)
    console.print(table)


def _cell(minor: int, currency: str) -> str:
    return format_minor(minor, currency) if minor else "·"


def _iso(day: Any) -> str | None:
    return day.isoformat() if day is not None else None
