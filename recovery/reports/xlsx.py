"""The summary as a workbook: one sheet per view, money as numbers in a currency format, the
13-week trend as native Excel charts (they stay live when a manager filters or re-plots).

Every text cell is written with `write_string` after `recovery.exports.inert_text`: invoice
numbers, references, denial notes and chargeback types come from Amazon's files and must never
become formulas.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from recovery.exports import inert_text
from recovery.money import exponent, format_minor, from_minor
from recovery.reports.figures import DEDUCTION_GROUPS, AccountFigures, WeeklyReport
from recovery.reports.html import TYPE_NAMES

# A cell: text, a whole number, money (minor units with their currency), a ratio, days, a date.
Cell = tuple[str, Any]


def money(minor: int, currency: str) -> Cell:
    return ("money", (minor, currency))


class _Writer:
    def __init__(self, workbook: Workbook) -> None:
        self.workbook = workbook
        self.header = workbook.add_format({"bold": True, "bg_color": "#EEF2F8", "text_wrap": True})
        self.date = workbook.add_format({"num_format": "yyyy-mm-dd"})
        self.ratio = workbook.add_format({"num_format": "0.0%"})
        self.days = workbook.add_format({"num_format": "0.0"})
        self._money: dict[str, Format] = {}

    def money_format(self, currency: str) -> Format:
        if currency not in self._money:
            self._money[currency] = self.workbook.add_format(
                {"num_format": currency_number_format(currency)}
            )
        return self._money[currency]

    def sheet(
        self,
        name: str,
        headers: Sequence[str],
        rows: Sequence[Sequence[Cell]],
        widths: Sequence[int],
    ) -> Worksheet:
        sheet = self.workbook.add_worksheet(name)
        for col, (title, width) in enumerate(zip(headers, widths, strict=True)):
            sheet.write_string(0, col, title, self.header)
            sheet.set_column(col, col, width)
        for r, row in enumerate(rows, start=1):
            for col, cell in enumerate(row):
                self.write(sheet, r, col, cell)
        sheet.freeze_panes(1, 0)
        if rows:
            sheet.autofilter(0, 0, len(rows), len(headers) - 1)
        return sheet

    def write(self, sheet: Worksheet, row: int, col: int, cell: Cell) -> None:
        kind, value = cell
        if value is None:
            sheet.write_blank(row, col, None)
        elif kind == "text":
            sheet.write_string(row, col, inert_text(str(value)))
        elif kind == "int":
            sheet.write_number(row, col, int(value))
        elif kind == "money":
            minor, currency = value
            sheet.write_number(row, col, from_minor(minor, currency), self.money_format(currency))
        elif kind == "ratio":
            sheet.write_number(row, col, value, self.ratio)
        elif kind == "days":
            sheet.write_number(row, col, value, self.days)
        elif kind == "date":
            sheet.write_datetime(row, col, value, self.date)
        else:
            raise ValueError(f"unknown cell kind {kind!r}")


def currency_number_format(currency: str) -> str:
    """Excel's number format for a currency as people read it: `"$"#,##0.00` for USD."""
    places = exponent(currency)
    digits = "0" + ("." + "0" * places if places else "")
    prefix, _, suffix = format_minor(0, currency).partition(digits)
    pattern = "#,##0" + ("." + "0" * places if places else "")
    quoted = (f'"{prefix}"' if prefix else "") + pattern + (f'"{suffix}"' if suffix else "")
    return f"{quoted};-{quoted}"


def _text(value: str | None) -> Cell:
    return ("text", value)


def _int(value: int) -> Cell:
    return ("int", value)


def _ratio(value: Decimal | None) -> Cell:
    return ("ratio", value)


def _days(value: Decimal | None) -> Cell:
    return ("days", value)


def _date(value: date | None) -> Cell:
    return ("date", value)


def _account_rows(
    report: WeeklyReport, rows_of: Callable[[AccountFigures], list[list[Cell]]]
) -> list[list[Cell]]:
    return [[_text(a.vendor_code), *row] for a in report.accounts for row in rows_of(a)]


def _figures_rows(a: AccountFigures) -> list[list[Cell]]:
    cur = a.currency
    rows = []
    for pf in a.periods:
        for tf in pf.rows:
            rows.append(
                [
                    _text(pf.period.label),
                    _date(pf.period.start),
                    _date(pf.period.end),
                    _text(TYPE_NAMES[tf.type]),
                    _int(tf.deductions_raised),
                    money(tf.deductions_raised_minor, cur),
                    _int(tf.drafted),
                    money(tf.recoverable_minor, cur),
                    _int(tf.filed),
                    money(tf.disputed_minor, cur),
                    _int(tf.won),
                    _int(tf.partly_won),
                    _int(tf.denied),
                    money(tf.decided_minor, cur),
                    money(tf.recovered_minor, cur),
                    _ratio(tf.recovery_rate_disputed),
                    _ratio(tf.recovery_rate_recoverable),
                    _ratio(tf.win_rate),
                    _days(tf.avg_days_to_file),
                    _days(tf.avg_days_to_decision),
                    _int(tf.deadlines_missed),
                ]
            )
    return rows


FIGURES_HEADERS = (
    "Account",
    "Period",
    "From",
    "To",
    "Type",
    "Deductions raised",
    "Raised",
    "Claims drafted",
    "Recoverable",
    "Filed",
    "Disputed",
    "Won",
    "Partly won",
    "Denied",
    "Disputed, decided",
    "Recovered",
    "Recovery rate on disputed",
    "Recovery rate on recoverable",
    "Win rate",
    "Avg days deduction to filing",
    "Avg days filing to decision",
    "Deadlines missed",
)


def _trend_sheet(writer: _Writer, report: WeeklyReport) -> None:
    headers = (
        "Account",
        "Week",
        "Recoverable",
        "Recovered",
        *(f"Raised: {TYPE_NAMES[g]}" for g in DEDUCTION_GROUPS),
    )
    rows = _account_rows(
        report,
        lambda a: [
            [
                _text(p.label),
                money(p.recoverable_minor, a.currency),
                money(p.recovered_minor, a.currency),
                *(money(p.raised_minor[g], a.currency) for g in DEDUCTION_GROUPS),
            ]
            for p in a.trend
        ],
    )
    sheet = writer.sheet("Trend", headers, rows, [10, 10, 14, 14, *([14] * len(DEDUCTION_GROUPS))])
    first = 1
    for n, account in enumerate(report.accounts):
        last = first + len(account.trend) - 1
        weeks = ["Trend", first, 1, last, 1]
        recovery = writer.workbook.add_chart({"type": "column"})
        for col, colour in ((2, "#9DB4D6"), (3, "#1F6F43")):
            recovery.add_series(
                {
                    "name": ["Trend", 0, col],
                    "categories": weeks,
                    "values": ["Trend", first, col, last, col],
                    "fill": {"color": colour},
                }
            )
        recovery.set_title({"name": f"{account.vendor_code}: recoverable vs recovered"})
        recovery.set_y_axis({"num_format": currency_number_format(account.currency)})
        raised = writer.workbook.add_chart({"type": "column", "subtype": "stacked"})
        for col in range(4, 4 + len(DEDUCTION_GROUPS)):
            raised.add_series(
                {
                    "name": ["Trend", 0, col],
                    "categories": weeks,
                    "values": ["Trend", first, col, last, col],
                }
            )
        raised.set_title({"name": f"{account.vendor_code}: deductions raised by type"})
        raised.set_y_axis({"num_format": currency_number_format(account.currency)})
        top = 1 + n * 32
        sheet.insert_chart(top, len(headers) + 1, recovery, {"x_scale": 1.4})
        sheet.insert_chart(top + 16, len(headers) + 1, raised, {"x_scale": 1.4})
        first = last + 1


def render_xlsx(report: WeeklyReport) -> bytes:
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    writer = _Writer(workbook)
    writer.sheet(
        "Figures",
        FIGURES_HEADERS,
        _account_rows(report, _figures_rows),
        [10, 20, 11, 11, 11, *([12] * (len(FIGURES_HEADERS) - 5))],
    )
    _trend_sheet(writer, report)
    writer.sheet(
        "Deadlines missed",
        ("Account", "Claim", "Type", "Reference", "Deadline", "Amount", "Status", "What happened"),
        _account_rows(
            report,
            lambda a: [
                [
                    _int(m.claim_id),
                    _text(TYPE_NAMES[m.type]),
                    _text(m.reference),
                    _date(m.deadline),
                    money(m.amount_minor, a.currency),
                    _text(m.status),
                    _text(m.how),
                ]
                for m in a.missed
            ],
        ),
        [10, 8, 12, 22, 11, 12, 14, 40],
    )
    writer.sheet(
        "Due next week",
        (
            "Account",
            "Claim",
            "Type",
            "Reference",
            "Invoice",
            "File by",
            "Deadline",
            "Amount",
            "Status",
        ),
        _account_rows(
            report,
            lambda a: [
                [
                    _int(d.claim_id),
                    _text(TYPE_NAMES[d.type]),
                    _text(d.reference),
                    _text(d.invoice_number),
                    _date(d.plan_date),
                    _date(d.deadline),
                    money(d.amount_minor, a.currency),
                    _text(d.status),
                ]
                for d in a.due_next_week
            ],
        ),
        [10, 8, 12, 22, 16, 11, 11, 12, 14],
    )
    writer.sheet(
        "Denial reasons",
        ("Account", "Reason (13 weeks)", "Decisions", "Refused"),
        _account_rows(
            report,
            lambda a: [
                [_text(r.reason), _int(r.decisions), money(r.denied_minor, a.currency)]
                for r in a.denial_reasons
            ],
        ),
        [10, 60, 10, 12],
    )
    writer.sheet(
        "Chargebacks",
        (
            "Account",
            "Issue",
            "Sub-type",
            "This week",
            "Amount this week",
            "13 weeks",
            "Amount 13 weeks",
        ),
        _account_rows(
            report,
            lambda a: [
                [
                    _text(g.issue_type),
                    _text(g.sub_type),
                    _int(g.week_count),
                    money(g.week_minor, a.currency),
                    _int(g.count_13w),
                    money(g.minor_13w, a.currency),
                ]
                for g in a.chargeback_types
            ],
        ),
        [10, 24, 24, 10, 14, 10, 14],
    )
    writer.sheet(
        "Short-pays",
        (
            "Account",
            "Invoice",
            "Invoiced",
            "Paid",
            "Discount",
            "Deducted",
            "Still open",
            "Short-paid",
        ),
        _account_rows(
            report,
            lambda a: [
                [
                    _text(b.invoice_number),
                    money(b.invoiced, b.currency),
                    money(b.paid, b.currency),
                    money(b.discount, b.currency),
                    money(b.deducted, b.currency),
                    money(b.remaining, b.currency),
                    money(b.short_paid, b.currency),
                ]
                for b in a.short_pays
            ],
        ),
        [10, 18, 12, 12, 12, 12, 12, 12],
    )
    writer.sheet(
        "Receivables",
        ("Account", "Invoice", "Due", "Days past due", "Open"),
        _account_rows(
            report,
            lambda a: [
                [
                    _text(r.invoice_number),
                    _date(r.due_date),
                    _int(r.days_past_due),
                    money(r.open_amount, r.currency),
                ]
                for r in a.receivables
            ],
        ),
        [10, 18, 11, 12, 12],
    )
    writer.sheet(
        "Unmatched payments",
        ("Account", "Payment", "Date", "Amount"),
        _account_rows(
            report,
            lambda a: [
                [_text(p.payment_number), _date(p.payment_date), money(p.amount_minor, p.currency)]
                for p in a.unmatched_payments
            ],
        ),
        [10, 18, 11, 14],
    )
    workbook.close()
    return out.getvalue()
