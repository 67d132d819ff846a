"""`recovery outcomes`: follow filed disputes in Vendor Central. Thin: the work lives in
`recovery.claims.outcomes`."""

from __future__ import annotations

import typer

from recovery.claims.outcomes import follow_outcomes
from recovery.cli.context import app_context
from recovery.money import format_minor


def outcomes(ctx: typer.Context) -> None:
    """Amazon's decisions on filed disputes, and the credits later remittances paid for them."""
    app = app_context(ctx)
    with app.err.status("reading Vendor Central…"):
        report = follow_outcomes(app.engine, app.settings)
    for status, count in sorted(report.decided.items()):
        app.console.print(f"{status}: {count} claim(s)")
    app.console.print(f"still pending: {report.pending} dispute(s)")
    if report.settlement_cases:
        app.console.print(
            f"statements of open items sent as Contact Us cases: {report.settlement_cases}"
            " (Amazon answers in the case; see the portal's case log)"
        )
    for currency, minor in sorted(report.recovered_minor.items()):
        app.console.print(f"recovered (credits seen): {format_minor(minor, currency)}")
    for claim_id, level in report.ladder.climbed:
        step = "re-dispute" if level == 2 else "statement of open items"
        app.console.print(f"claim {claim_id}: {step} drafted (level {level}), to approve")
    for claim_id, reason in report.ladder.closed:
        app.console.print(f"claim {claim_id}: closed, {reason}")
