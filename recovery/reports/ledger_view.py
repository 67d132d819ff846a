"""The ledger as a person reads it: each invoice's balance and where its deducted cents are,
payments no bank deposit answers (and Amazon deposits no payment explains), receivables past
due and short-pays without a deduction.

Read from the database and the last detection run's findings (`recovery detect` judges; this
only shows): the buckets are those the detect summary adds up, split per invoice.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Connection, func, select

from recovery.claims.incremental.stored_findings import load_findings, stored_fingerprint
from recovery.claims.inputs import DetectionInput
from recovery.claims.kinds import KINDS
from recovery.claims.reader import load_detection_input
from recovery.errors import RecoveryError
from recovery.ledger import (
    BUCKETS,
    InvoiceBalance,
    Receivable,
    balance_invoices,
    bucket_deductions,
    match_bank_deposits,
    receivables,
)
from recovery.models import BankTransaction, Claim, FilingAttempt, Payment, table_of

# A deposit that names Amazon is a payment's money; other payers' deposits are not the ledger's.
_FROM_AMAZON = re.compile(r"amazon|amzn", re.IGNORECASE)


@dataclass(frozen=True)
class InvoiceLedger:
    balance: InvoiceBalance
    buckets: dict[str, int]  # the invoice's deducted cents (gross debits) by bucket
    by_family: dict[str, dict[str, int]]  # the same, per kind of deduction


@dataclass(frozen=True)
class LooseDeduction:
    """Deductions that name no vendor invoice (chargebacks, co-op invoices): by reference."""

    reference: str
    family: str
    currency: str
    buckets: dict[str, int]


@dataclass(frozen=True)
class UnmatchedPayment:
    payment_number: str
    payment_date: date | None
    amount: int
    currency: str


@dataclass(frozen=True)
class UnmatchedDeposit:
    deposit_id: int
    booked_on: date
    amount: int
    currency: str
    reference: str
    description: str


@dataclass
class AccountLedger:
    vendor_code: str
    currency: str
    today: date
    invoices: list[InvoiceLedger] = field(default_factory=list)
    loose_deductions: list[LooseDeduction] = field(default_factory=list)
    unmatched_payments: list[UnmatchedPayment] = field(default_factory=list)
    unmatched_deposits: list[UnmatchedDeposit] = field(default_factory=list)
    receivables: list[Receivable] = field(default_factory=list)
    short_pays: list[InvoiceBalance] = field(default_factory=list)
    payments: int = 0
    hidden_settled: int = 0  # invoices paid in full without deductions, left out unless asked


def account_ledger(
    conn: Connection,
    account_id: int,
    vendor_code: str,
    currency: str,
    *,
    today: date,
    bank_match_days: int,
    invoice: str | None = None,
    settled: bool = False,
) -> AccountLedger:
    """One account's ledger; `invoice` keeps that invoice only, `settled` also lists invoices
    paid in full with nothing deducted."""
    if stored_fingerprint(conn, account_id) is None:
        raise RecoveryError(
            f"{vendor_code}: no detection run yet, so no deduction is judged: "
            "run `recovery detect` first"
        )
    inp = load_detection_input(conn, account_id, only=("deductions", "payments", "bank"))
    groups = bucket_deductions(
        inp,
        load_findings(conn, account_id),
        _claim_statuses(conn, account_id),
        _approved_so_far(conn, account_id),
        judged_families=KINDS,
    )
    balances = balance_invoices(conn, account_id)
    vendor_invoices = {b.invoice_number for b in balances}
    per_invoice: dict[str, dict[str, dict[str, int]]] = defaultdict(dict)
    reference_of = dict(zip(inp.deductions["id"], inp.deductions["reference"], strict=True))
    loose_by_reference: dict[str, LooseDeduction] = {}
    for group in groups:
        # Co-op invoices and chargebacks carry Amazon's own numbers, not a vendor invoice's.
        if group.invoice_number in vendor_invoices:
            family = per_invoice[group.invoice_number].setdefault(
                group.family, dict.fromkeys(BUCKETS, 0)
            )
            for bucket, minor in group.buckets.items():
                family[bucket] += minor
            continue
        kind, anchor = group.key.split(":", 1)
        reference = group.invoice_number or str(
            reference_of[int(anchor)] if kind == "judged" else anchor
        )
        known = loose_by_reference.setdefault(
            reference,
            LooseDeduction(reference, group.family, group.currency, dict.fromkeys(BUCKETS, 0)),
        )
        for bucket, minor in group.buckets.items():
            known.buckets[bucket] += minor
    loose = list(loose_by_reference.values())
    ledger = AccountLedger(vendor_code, currency, today)
    if invoice is not None:
        balances = [b for b in balances if b.invoice_number == invoice]
        if not balances:
            raise RecoveryError(f"--invoice {invoice}: no such invoice for {vendor_code}")
        loose = []
    for balance in balances:
        by_family = per_invoice.get(balance.invoice_number, {})
        totals = {b: sum(f[b] for f in by_family.values()) for b in BUCKETS}
        quiet = not by_family and balance.short_paid == 0 and balance.remaining == 0
        if quiet and not settled and invoice is None:
            ledger.hidden_settled += 1
            continue
        ledger.invoices.append(InvoiceLedger(balance, totals, by_family))
    ledger.loose_deductions = sorted(loose, key=lambda d: (d.family, d.reference))
    ledger.short_pays = [b for b in balances if b.short_paid > 0]
    ledger.receivables = receivables(balances, today)
    if invoice is None:
        _bank_side(conn, account_id, ledger, inp, bank_match_days)
    return ledger


def _bank_side(
    conn: Connection,
    account_id: int,
    ledger: AccountLedger,
    inp: DetectionInput,
    window_days: int,
) -> None:
    matches = match_bank_deposits(inp, window_days)
    matched_payments = {m.payment_number for m in matches}
    used = {deposit for m in matches for deposit in m.deposit_ids}
    p = table_of(Payment).c
    payments = conn.execute(
        select(p.payment_number, p.payment_date, p.amount_minor, p.currency)
        .where(p.account_id == account_id)
        .order_by(p.payment_date, p.payment_number)
    ).all()
    ledger.payments = len(payments)
    ledger.unmatched_payments = [
        UnmatchedPayment(str(r.payment_number), r.payment_date, int(r.amount_minor), r.currency)
        for r in payments
        if r.payment_number not in matched_payments
    ]
    b = table_of(BankTransaction).c
    deposits = conn.execute(
        select(b.id, b.booked_on, b.amount_minor, b.currency, b.reference, b.description)
        .where(b.account_id == account_id, b.amount_minor > 0)
        .order_by(b.booked_on, b.id)
    ).all()
    ledger.unmatched_deposits = [
        UnmatchedDeposit(
            int(r.id), r.booked_on, int(r.amount_minor), r.currency, r.reference, r.description
        )
        for r in deposits
        if r.id not in used and _FROM_AMAZON.search(f"{r.reference} {r.description}")
    ]


def _claim_statuses(conn: Connection, account_id: int) -> dict[str, tuple[str, int]]:
    """Finding key → (claim status, recovered): a filed claim's cents are "claimed", a won
    one's "recovered" (as the detect summary counts them)."""
    c = table_of(Claim).c
    rows = conn.execute(
        select(c.finding_key, c.status, c.recovered_minor).where(c.account_id == account_id)
    )
    return {str(key): (str(status), int(recovered or 0)) for key, status, recovered in rows}


def _approved_so_far(conn: Connection, account_id: int) -> dict[str, int]:
    """Finding key → what Amazon approved over the claim's decided disputes."""
    c = table_of(Claim).c
    attempts = table_of(FilingAttempt)
    a = attempts.c
    rows = conn.execute(
        select(c.finding_key, func.sum(a.approved_minor))
        .join(attempts, a.claim_id == c.id)
        .where(c.account_id == account_id, a.outcome == "filed", a.approved_minor.is_not(None))
        .group_by(c.finding_key)
    )
    return {str(key): int(total or 0) for key, total in rows}
