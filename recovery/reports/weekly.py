"""The weekly summary end to end: which week, which accounts, their figures, and each format."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from sqlalchemy import Engine

from recovery.config import Settings
from recovery.errors import RecoveryError
from recovery.reports.charts import account_charts
from recovery.reports.figures import WeeklyReport, account_figures
from recovery.reports.html import data_uri, render_html
from recovery.reports.pdf import render_pdf
from recovery.reports.periods import last_complete_week, report_calendar
from recovery.reports.rows import read_account_rows, report_accounts
from recovery.reports.xlsx import render_xlsx


class ReportFormat(StrEnum):
    html = "html"
    pdf = "pdf"
    xlsx = "xlsx"


def weekly_report(
    engine: Engine,
    settings: Settings,
    *,
    today: date,
    week: tuple[int, int] | None = None,
    vendor_code: str | None = None,
) -> WeeklyReport:
    """The figures of `week` (default: the last complete one before `today`) for every account,
    or only `vendor_code`'s."""
    year, number = week or last_complete_week(today)
    calendar = report_calendar(year, number)
    accounts_figures = []
    with engine.connect() as conn:
        accounts = report_accounts(conn, vendor_code)
        if vendor_code is not None and not accounts:
            raise RecoveryError(f"--account {vendor_code}: no such vendor account in the database")
        for account in accounts:
            rows = read_account_rows(
                conn,
                account,
                since=calendar.earliest,
                # Open items as the week closes: due on its Sunday is past due on Monday.
                as_of=calendar.week.end + timedelta(days=1),
                timezone=settings.calendar.timezone,
                bank_match_days=settings.rules.bank_match_days,
            )
            accounts_figures.append(account_figures(rows, calendar))
    return WeeklyReport(calendar, accounts_figures)


def render(report: WeeklyReport, fmt: ReportFormat) -> bytes:
    if fmt == ReportFormat.xlsx:
        return render_xlsx(report)
    charts = {a.vendor_code: account_charts(a) for a in report.accounts}
    if fmt == ReportFormat.pdf:
        return render_pdf(report, charts)
    sources = {
        code: {name: data_uri(png) for name, png in named.items()} for code, named in charts.items()
    }
    return render_html(report, sources).encode("utf-8")
