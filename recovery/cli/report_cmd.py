"""`recovery report …`: summaries for managers. Thin: the figures live in `recovery.reports`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from recovery.calendar import BusinessCalendar
from recovery.cli.context import app_context
from recovery.errors import RecoveryError
from recovery.reports.mail import send_weekly
from recovery.reports.periods import parse_week
from recovery.reports.weekly import ReportFormat, render, weekly_report

report_app = typer.Typer(help="Summaries for managers.", no_args_is_help=True)


@report_app.command("weekly")
def weekly(
    ctx: typer.Context,
    week: Annotated[
        str | None,
        typer.Option("--week", help="ISO week, e.g. 2026-W48 (default: the last complete one)."),
    ] = None,
    account: Annotated[str | None, typer.Option("--account", help="Only this vendor code.")] = None,
    fmt: Annotated[ReportFormat, typer.Option("--format", help="html, pdf or xlsx.")] = (
        ReportFormat.html
    ),
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Where to write it (default: recovery-weekly-<week>.<format>)."),
    ] = None,
    email: Annotated[
        bool, typer.Option("--email", help="Mail it to reports.recipients (HTML, PDF, XLSX).")
    ] = False,
    to: Annotated[
        list[str] | None, typer.Option("--to", help="Mail it to this address (repeatable).")
    ] = None,
) -> None:
    """The week's recovery figures with the trailing 4 and 13 weeks and the year to date."""
    app = app_context(ctx)
    chosen = parse_week(week) if week is not None else None
    today = BusinessCalendar.from_settings(app.settings.calendar).today()
    report = weekly_report(app.engine, app.settings, today=today, week=chosen, vendor_code=account)
    label = report.calendar.week.label.removeprefix("Week ")
    mailing = email or bool(to)
    if out is not None or not mailing:
        path = out or Path(f"recovery-weekly-{label}.{fmt.value}")
        try:
            path.write_bytes(render(report, fmt))
        except OSError as exc:
            raise RecoveryError(f"--out {path}: cannot write it ({exc.strerror})") from None
        app.console.print(f"Wrote the weekly summary for {label} to {path}.", highlight=False)
    if mailing:
        recipients = list(to or app.settings.reports.recipients)
        send_weekly(report, app.settings.smtp, recipients)
        app.console.print(
            f"Mailed the weekly summary for {label} to {', '.join(recipients)}.", highlight=False
        )
