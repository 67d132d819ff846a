"""Payments: Amazon's weekly payment runs, what each pays and deducts, and the bank's deposits.

Terms are Net 60 with a 1% discount when Amazon pays early (day 30). An invoice line shows the
invoice amount, the discount taken, what this payment paid and what is still open after it;
deductions are their own lines, so a payment's amount is the Σ of Amount Paid over its lines.
"""

from __future__ import annotations

import bisect
import random
from datetime import date, timedelta
from decimal import Decimal

from recovery.money import quantize
from recovery.testing.scenario.world import (
    CURRENCY,
    ZERO,
    BankLine,
    DeductionEvent,
    Invoice,
    Payment,
    RemittanceLine,
    World,
)

PAYMENT_WEEKDAY = 1  # Tuesday
EARLY_DISCOUNT = Decimal("0.01")


def _runs(start: date, today: date) -> list[date]:
    day = start + timedelta(days=(PAYMENT_WEEKDAY - start.weekday()) % 7)
    runs = []
    while day < today:
        runs.append(day)
        day += timedelta(days=7)
    return runs


class Ledger:
    """Payment runs being filled: invoice payments first, then deductions where money allows."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.dates = _runs(world.start, world.today)
        self.payments: dict[date, Payment] = {}
        self.totals: dict[date, Decimal] = {}
        self.references: set[tuple[date, str]] = set()

    def run_on_or_after(self, day: date) -> int:
        return bisect.bisect_left(self.dates, day)

    def payment(self, day: date) -> Payment:
        if day not in self.payments:
            self.payments[day] = Payment(number="", pay_date=day)
            self.totals[day] = ZERO
        return self.payments[day]

    def add(self, day: date, line: RemittanceLine) -> None:
        self.payments[day].lines.append(line)
        self.totals[day] += line.paid
        self.references.add((day, line.invoice_number))


def _installments(rng: random.Random, invoice: Invoice) -> list[tuple[date, Decimal, Decimal]]:
    """(earliest payment day, amount paid, discount taken) for each payment of the invoice."""
    amount = invoice.amount
    plan = invoice.po.billing_case
    if plan is None and rng.random() < 0.2:
        plan = "early_discount"
    invoice.plan = plan or "normal"
    if plan == "unpaid":
        return []
    if plan == "early_discount":
        discount = quantize(amount * EARLY_DISCOUNT, CURRENCY)
        return [(invoice.invoice_date + timedelta(days=30), amount - discount, discount)]
    if plan == "partial":
        first = quantize(amount * Decimal(rng.randint(40, 80)) / 100, CURRENCY)
        later = invoice.due_date + timedelta(days=rng.randint(14, 35))
        return [(invoice.due_date, first, ZERO), (later, amount - first, ZERO)]
    if plan == "short_pay":
        gap = max(Decimal("5.00"), quantize(amount * Decimal(rng.randint(1, 4)) / 100, CURRENCY))
        invoice.short_pay = min(gap, amount)
        return [(invoice.due_date, amount - invoice.short_pay, ZERO)]
    return [(invoice.due_date, amount, ZERO)]


def post_payments(rng: random.Random, world: World) -> None:
    ledger = Ledger(world)
    for invoice in world.invoices:
        settled = ZERO
        for target, paid, discount in _installments(rng, invoice):
            index = ledger.run_on_or_after(target)
            if index >= len(ledger.dates):
                break
            day = ledger.dates[index]
            ledger.payment(day)
            settled += paid + discount
            short = invoice.short_pay
            remaining = invoice.amount - settled - short
            invoice.paid += paid
            invoice.discount += discount
            invoice.remaining = remaining
            invoice.posted += 1
            ledger.add(
                day,
                RemittanceLine(
                    ledger.payments[day],
                    invoice.number,
                    invoice.invoice_date,
                    "Payments",
                    invoice.amount,
                    discount,
                    paid,
                    remaining,
                ),
            )
        if invoice.posted == 0:
            invoice.remaining = invoice.amount
    for event in sorted(world.events, key=lambda e: (e.target, e.reference, -e.amount)):
        _post_event(ledger, event)
    world.events = [event for event in world.events if event.payment is not None]
    base = 24_000_000 + rng.randint(0, 899) * 10_000
    for number, day in enumerate(sorted(ledger.payments), start=1):
        payment = ledger.payments[day]
        payment.number = str(base + number * 3)
        world.payments.append(payment)
    _bank(rng, world)


def _post_event(ledger: Ledger, event: DeductionEvent) -> None:
    """On the first run from the event's day that has not listed this reference yet and whose
    invoice payments cover the deduction: Amazon nets deductions against what it owes. Only when
    no later run can cover it does a payment come out negative (a debit on the bank statement)."""
    first = ledger.run_on_or_after(event.target)
    free = [
        ledger.dates[index]
        for index in range(first, len(ledger.dates))
        if (ledger.dates[index], event.reference) not in ledger.references
    ]
    funded = [
        day for day in free if event.amount <= 0 or ledger.totals.get(day, ZERO) - event.amount > 0
    ]
    chosen = funded[0] if funded else (free[0] if free else None)
    if chosen is None:
        return
    payment = ledger.payment(chosen)
    event.payment = payment
    ledger.add(
        chosen,
        RemittanceLine(
            payment,
            event.reference,
            event.document_date,
            event.description,
            -event.amount,
            ZERO,
            -event.amount,
            ZERO,
            event,
        ),
    )


def _bank(rng: random.Random, world: World) -> None:
    lines: list[BankLine] = []
    split_at = len(world.payments) - 3
    for index, payment in enumerate(world.payments):
        booked = payment.pay_date + timedelta(days=rng.randint(1, 2))
        if booked >= world.today:
            continue
        reference = f"AMAZON.COM SVCS PMT {payment.number}"
        if index == split_at and payment.amount > Decimal("100.00"):
            part = quantize(payment.amount * Decimal("0.6"), CURRENCY)
            lines.append(BankLine(booked, part, reference, "ACH CREDIT AMAZON.COM SERVICES LLC"))
            lines.append(
                BankLine(
                    booked, payment.amount - part, reference, "ACH CREDIT AMAZON.COM SERVICES LLC"
                )
            )
            continue
        lines.append(
            BankLine(booked, payment.amount, reference, "ACH CREDIT AMAZON.COM SERVICES LLC")
        )
    month = world.start.replace(day=1)
    while month < world.today:
        fee_day = month + timedelta(days=27)
        if world.start <= fee_day < world.today:
            lines.append(BankLine(fee_day, Decimal("-35.00"), "SVC CHG", "MONTHLY SERVICE FEE"))
            other = Decimal(rng.randint(150_000, 900_000)) / 100
            lines.append(
                BankLine(
                    fee_day - timedelta(days=9),
                    other,
                    f"WMT {rng.randint(100000, 999999)}",
                    "ACH CREDIT WALMART INC PAYABLES",
                )
            )
        month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    lines.sort(key=lambda line: (line.booked_on, line.reference, line.amount))
    world.bank = lines
