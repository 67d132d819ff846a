"""Invoice balances, summed by the database: invoiced = paid + discount + deductions + remaining."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine
from sqlmodel import Session

from recovery.ledger import balance_invoices, receivables
from recovery.models import Deduction, Invoice, RemittanceLine, VendorAccount


def invoice(account_id: int, number: str, amount: int, due: date) -> Invoice:
    return Invoice(
        account_id=account_id,
        invoice_number=number,
        amount_minor=amount,
        currency="USD",
        due_date=due,
    )


def payment_line(
    account_id: int,
    payment: str,
    printed: str,
    paid: int,
    discount: int,
    remaining: int,
    base: str | None = None,
) -> RemittanceLine:
    return RemittanceLine(
        account_id=account_id,
        payment_number=payment,
        invoice_number=printed,
        base_invoice_number=base,
        kind="invoice_payment",
        invoice_amount_minor=100_000,
        paid_minor=paid,
        discount_minor=discount,
        remaining_minor=remaining,
        currency="USD",
    )


def deduction(account_id: int, kind: str, reference: str, amount: int, invoice: str | None):
    return Deduction(
        account_id=account_id,
        kind=kind,
        reference=reference,
        invoice_number=invoice,
        amount_minor=amount,
        currency="USD",
    )


def seed(engine: Engine) -> int:
    with Session(engine) as session:
        account = VendorAccount(vendor_code="ABCDE")
        other = VendorAccount(vendor_code="OTHER")
        session.add_all([account, other])
        session.flush()
        assert account.id is not None and other.id is not None
        a = account.id
        session.add_all(
            [
                invoice(a, "INV1", 100_000, date(2026, 9, 1)),
                invoice(a, "INV2", 50_000, date(2026, 9, 1)),
                invoice(a, "INV3", 70_000, date(2026, 12, 1)),
                # Another account's invoice of the same number is not this one's.
                invoice(other.id, "INV3", 70_000, date(2026, 12, 1)),
                payment_line(other.id, "P9", "INV3", 70_000, 0, 0),
                # Two payments: the later states less still open.
                payment_line(a, "P1", "INV1", 68_000, 2_000, 30_000),
                payment_line(a, "P2", "INV1", 30_000, 0, 0),
                # Printed with a suffix; its base invoice is what it pays.
                payment_line(a, "P1", "INV2-A", 45_000, 1_000, 0, base="INV2"),
                # A payment of an invoice never imported balances nothing.
                payment_line(a, "P1", "INV404", 5_000, 0, 0),
                deduction(a, "shortage", "INV1SC", 20_160, "INV1"),
                deduction(a, "shortage_reversal", "INV1SCR", -7_160, "INV1"),
                deduction(a, "returns", "RTV9", 3_000, None),
                deduction(a, "other", "X1", 1_000, ""),
            ]
        )
        session.commit()
        return a


def test_invoice_balances_and_short_pays(engine: Engine) -> None:
    account_id = seed(engine)
    with engine.connect() as conn:
        balances = balance_invoices(conn, account_id)
        unsettled = balance_invoices(conn, account_id, unsettled_only=True)
    assert [b.invoice_number for b in balances] == ["INV1", "INV2", "INV3"]
    by_number = {b.invoice_number: b for b in balances}
    one = by_number["INV1"]
    assert (one.paid, one.discount, one.deducted, one.remaining) == (85_000, 2_000, 13_000, 0)
    # 100,000 = 85,000 cash (98,000 paid on its lines less 13,000 deducted) + 2,000 + 13,000 + 0
    assert one.short_paid == 0
    two = by_number["INV2"]
    assert (two.paid, two.discount, two.remaining) == (45_000, 1_000, 0)
    assert two.short_paid == 4_000  # paid short with no deduction line: unexplained
    three = by_number["INV3"]
    assert (three.paid, three.remaining, three.short_paid) == (0, 70_000, 0)
    assert three.due_date == date(2026, 12, 1)
    overdue = receivables(balances, date(2026, 12, 15))
    assert [(r.invoice_number, r.open_amount, r.days_past_due) for r in overdue] == [
        ("INV3", 70_000, 14)
    ]
    # The summary asks only for the invoices still open or paid short: the same balances.
    assert unsettled == [two, three]
