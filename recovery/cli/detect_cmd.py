"""`recovery detect`: reconcile, find what is wrong, keep the claims in step, print a summary."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from recovery.cli.context import app_context
from recovery.cli.options import parse_day
from recovery.ledger import BUCKETS
from recovery.money import format_minor
from recovery.reports.run_summary import AccountResult, run_detection


def detect(
    ctx: typer.Context,
    account: Annotated[str | None, typer.Option(help="Only this vendor code.")] = None,
    today: Annotated[
        str | None, typer.Option(help="Judge deadlines as of this date (YYYY-MM-DD).")
    ] = None,
    draft: Annotated[bool, typer.Option(help="Render claim drafts after detection.")] = True,
    full: Annotated[
        bool,
        typer.Option(
            "--full", help="Judge every deduction again, not only what changed since last run."
        ),
    ] = False,
) -> None:
    """Check every deduction, write claims for the wrong ones, and print what was found."""
    app = app_context(ctx)
    as_of = parse_day(today)
    with app.err.status("detecting…") as status:
        result = run_detection(
            app.engine,
            app.settings,
            account=account,
            today=as_of,
            draft=draft,
            full=full,
            progress=lambda message: status.update(message),
        )
    if not result.accounts:
        app.console.print("No vendor accounts yet: import data first (`recovery import`).")
        return
    for account_result in result.accounts:
        _print_account(app.console, account_result)


def _print_account(console: Console, result: AccountResult) -> None:
    currency = result.currency

    def money(minor: int) -> str:
        return format_minor(minor, currency)

    table = Table(title=f"Detection for {result.vendor_code}", title_justify="left")
    for name in (
        "type",
        "claims",
        "recoverable",
        "valid",
        "needs evidence",
        "unexplained",
        "expired",
        "nearest deadlines",
    ):
        table.add_column(name, justify="left" if name in ("type", "nearest deadlines") else "right")
    for summary in result.types.values():
        nearest = ", ".join(f"{d.isoformat()} {ref}" for d, ref, _ in summary.nearest[:3])
        table.add_row(
            summary.type,
            str(summary.claims),
            money(summary.recoverable),
            money(summary.valid),
            money(summary.needs_evidence),
            money(summary.unexplained),
            money(summary.expired),
            nearest or "—",
        )
    console.print(table)
    buckets = Table(title="Where every deducted cent is", title_justify="left")
    for bucket in BUCKETS:
        buckets.add_column(bucket.replace("_", " "), justify="right")
    buckets.add_column("total deducted", justify="right")
    buckets.add_row(*(money(result.buckets.get(b, 0)) for b in BUCKETS), money(result.deducted))
    console.print(buckets)
    console.print(
        f"Claims: {result.created} new, {result.updated} updated, {result.retired} retired, "
        f"{result.unchanged} unchanged. Judged: {result.scope}."
    )
    if result.short_paid:
        total = sum(b.short_paid for b in result.short_paid)
        console.print(
            f"Short-paid without a deduction: {len(result.short_paid)} invoices, "
            f"{money(total)} (unexplained; see `recovery ledger`)."
        )
    if result.receivables:
        total = sum(r.open_amount for r in result.receivables)
        console.print(
            f"Receivables past due: {len(result.receivables)} invoices, {money(total)} "
            "(`recovery ledger` lists them)."
        )
    if result.payments:
        unmatched = result.payments - result.payments_matched
        console.print(
            f"Payments matched to bank deposits: {result.payments_matched} of {result.payments}"
            + (f" (`recovery ledger` lists the {unmatched} others)." if unmatched else ".")
        )
