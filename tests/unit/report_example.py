"""One account's rows with every kind of event the weekly summary counts, dated around the week
2026-W48 (Monday 2026-11-23 to Sunday 2026-11-29): for the figure tests and the snapshots."""

from __future__ import annotations

from datetime import date

from recovery.ledger import InvoiceBalance, Receivable
from recovery.reports.figures import WeeklyReport, account_figures
from recovery.reports.periods import report_calendar
from recovery.reports.rows import (
    AccountRows,
    ChargebackRow,
    ClaimRow,
    DeductionRow,
    PaymentRow,
    StatusChange,
)

WEEK = (2026, 48)


def claim(
    claim_id: int,
    type_: str,
    amount: int,
    drafted: date,
    *,
    status: str,
    deduction_on: date | None,
    deadline: date | None = date(2027, 9, 30),
    plan_date: date | None = None,
    recovered: int = 0,
    reference: str | None = None,
) -> ClaimRow:
    return ClaimRow(
        id=claim_id,
        type=type_,
        status=status,
        reference=reference or f"REF-{claim_id}",
        invoice_number=f"INV-{claim_id}",
        amount_minor=amount,
        recovered_minor=recovered,
        currency="USD",
        drafted_on=drafted,
        deadline=deadline,
        plan_date=plan_date or deadline,
        deduction_on=deduction_on,
    )


D = date
CLAIMS = [
    claim(
        1,
        "shortage",
        20160,
        D(2026, 11, 2),
        status="won",
        deduction_on=D(2026, 10, 1),
        recovered=20160,
    ),
    claim(
        2,
        "shortage",
        10000,
        D(2026, 11, 2),
        status="partially_won",
        deduction_on=D(2026, 10, 10),
        recovered=4000,
    ),
    claim(3, "price", 5000, D(2026, 11, 10), status="denied", deduction_on=D(2026, 10, 20)),
    claim(
        4,
        "chargeback",
        3500,
        D(2026, 11, 24),
        status="ready",
        deduction_on=D(2026, 11, 20),
        deadline=D(2026, 12, 20),
        plan_date=D(2026, 12, 1),
    ),
    # Drafted long after Amazon's last day: never recoverable, listed as a missed deadline.
    claim(
        5,
        "coop",
        22874,
        D(2026, 11, 23),
        status="expired",
        deduction_on=D(2026, 3, 1),
        deadline=D(2026, 6, 3),
    ),
    # Filed five days late, then denied.
    claim(
        6,
        "chargeback",
        1200,
        D(2026, 10, 1),
        status="denied",
        deduction_on=D(2026, 9, 28),
        deadline=D(2026, 10, 28),
        reference='=HYPERLINK("http://x")',
    ),
    # Denied, re-disputed, won: its recovery counts once, at the win.
    claim(
        7, "shortage", 8000, D(2026, 9, 1), status="won", deduction_on=D(2026, 8, 1), recovered=8000
    ),
    # Still ready on the Sunday after its deadline passed on Friday.
    claim(
        8,
        "price",
        2500,
        D(2026, 11, 16),
        status="ready",
        deduction_on=D(2026, 11, 1),
        deadline=D(2026, 11, 27),
        plan_date=D(2026, 11, 25),
    ),
    # Nobody filed it in time; the deadline job expired it the day after.
    claim(
        10,
        "coop",
        1500,
        D(2026, 10, 1),
        status="expired",
        deduction_on=D(2026, 9, 15),
        deadline=D(2026, 11, 10),
    ),
    # A person decided not to file it: a passed deadline is no miss.
    claim(
        9,
        "coop",
        700,
        D(2026, 11, 3),
        status="rejected",
        deduction_on=D(2026, 10, 30),
        deadline=D(2026, 11, 20),
    ),
]


def change(claim_id: int, day: date, to: str, note: str = "") -> StatusChange:
    return StatusChange(claim_id, day, to, note)


CHANGES = [
    change(7, D(2026, 9, 10), "filed"),
    change(7, D(2026, 10, 5), "denied", "Units received as per receiving records"),
    change(7, D(2026, 10, 20), "filed"),
    change(7, D(2026, 11, 24), "won"),
    change(6, D(2026, 11, 3), "filed"),
    change(1, D(2026, 11, 5), "filed"),
    change(2, D(2026, 11, 6), "filed"),
    change(3, D(2026, 11, 12), "filed"),
    change(1, D(2026, 11, 24), "won"),
    change(2, D(2026, 11, 25), "partially_won", "10 units approved"),
    change(3, D(2026, 11, 26), "denied", "Cost was correct per the cost file"),
    change(6, D(2026, 11, 27), "denied", "  Cost was correct per\nthe cost file "),
    change(9, D(2026, 11, 4), "rejected", "duplicate of a paid credit"),
    change(10, D(2026, 11, 11), "expired", "deadline 2026-11-10 passed"),
]

DEDUCTIONS = [
    DeductionRow("shortage", 20160, "USD", D(2026, 11, 23)),
    DeductionRow("price_reversal", -5000, "USD", D(2026, 11, 24)),  # money back, not raised
    DeductionRow("returns", 700, "USD", D(2026, 11, 25)),
    DeductionRow("chargeback", 3500, "USD", D(2026, 11, 20)),
    DeductionRow("coop", 22874, "USD", D(2026, 3, 1)),
    DeductionRow("shortage", 999, "USD", None),  # undated: no period can claim it
]

CHARGEBACKS = [
    ChargebackRow("ASN", "Late ASN", 3500, "USD", D(2026, 11, 20)),
    ChargebackRow("ASN", "Late ASN", 1200, "USD", D(2026, 9, 28)),
    ChargebackRow("Carton Label", "Missing carton content label", 500, "USD", D(2026, 11, 24)),
    ChargebackRow("ASN", "Late ASN", 999, "USD", D(2026, 5, 1)),  # before the 13 weeks
]


def example_rows() -> AccountRows:
    return AccountRows(
        vendor_code="ABCDE",
        name="Example Brand US",
        currency="USD",
        claims=CLAIMS,
        changes=CHANGES,
        deductions=DEDUCTIONS,
        chargebacks=CHARGEBACKS,
        short_pays=[
            InvoiceBalance("-1003", "USD", 50000, 48000, 1000, 0, 0, 1000, D(2026, 10, 15)),
        ],
        receivables=[Receivable("INV-2001", "USD", 12112, D(2026, 11, 1), 29)],
        unmatched_payments=[PaymentRow("@30240045", D(2026, 11, 17), 48000, "USD")],
    )


def example_report() -> WeeklyReport:
    calendar = report_calendar(*WEEK)
    return WeeklyReport(calendar, [account_figures(example_rows(), calendar)])
