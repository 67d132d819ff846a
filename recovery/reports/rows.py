"""The rows the weekly figures are computed from, read in a few plain queries per account.

Thin on purpose: every decision about what a row means lives in `figures`, which sees only
these dataclasses. Times stored in UTC become dates in the business timezone here, so a claim
filed on Sunday evening in Los Angeles counts in Sunday's week.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, and_, func, select

from recovery.claims.reader import load_detection_input
from recovery.ledger import (
    InvoiceBalance,
    Receivable,
    balance_invoices,
    match_bank_deposits,
    receivables,
)
from recovery.models import (
    Chargeback,
    Claim,
    ClaimEvent,
    Deduction,
    Payment,
    VendorAccount,
    table_of,
)

# The day a person or the bot plans to file: a business day on or before Amazon's deadline.
PLAN_DATE = table_of(Claim).c.file_by


@dataclass(frozen=True)
class ClaimRow:
    id: int
    type: str
    status: str
    reference: str
    invoice_number: str | None
    amount_minor: int
    recovered_minor: int
    currency: str
    drafted_on: date
    deadline: date | None
    plan_date: date | None
    deduction_on: date | None  # when Amazon raised the deduction the claim answers


@dataclass(frozen=True)
class StatusChange:
    claim_id: int
    on: date
    to_status: str
    note: str


@dataclass(frozen=True)
class DeductionRow:
    kind: str
    amount_minor: int  # > 0 taken, < 0 given back
    currency: str
    raised_on: date | None


@dataclass(frozen=True)
class ChargebackRow:
    issue_type: str
    sub_type: str
    amount_minor: int
    currency: str
    notified_on: date | None


@dataclass(frozen=True)
class PaymentRow:
    payment_number: str
    payment_date: date | None
    amount_minor: int
    currency: str


@dataclass(frozen=True)
class AccountRows:
    vendor_code: str
    name: str
    currency: str
    claims: list[ClaimRow]
    changes: list[StatusChange]
    deductions: list[DeductionRow]
    chargebacks: list[ChargebackRow]
    short_pays: list[InvoiceBalance]
    receivables: list[Receivable]
    unmatched_payments: list[PaymentRow]


def report_accounts(conn: Connection, vendor_code: str | None) -> list[VendorAccount]:
    """Every account, or the one named (case-insensitively); empty when there is no such one."""
    query = select(table_of(VendorAccount)).order_by(table_of(VendorAccount).c.vendor_code)
    if vendor_code is not None:
        query = query.where(
            func.upper(table_of(VendorAccount).c.vendor_code) == vendor_code.upper()
        )
    return [VendorAccount.model_validate(row._mapping) for row in conn.execute(query)]


def read_account_rows(
    conn: Connection,
    account: VendorAccount,
    *,
    since: date,
    as_of: date,
    timezone: str,
    bank_match_days: int,
) -> AccountRows:
    """What the report needs of one account: claims and status changes, deductions and
    chargebacks dated from `since` on, and the ledger's open items as of `as_of`."""
    assert account.id is not None
    zone = ZoneInfo(timezone)
    balances = balance_invoices(conn, account.id, unsettled_only=True)
    return AccountRows(
        vendor_code=account.vendor_code,
        name=account.name,
        currency=account.currency,
        claims=_claims(conn, account.id, zone),
        changes=_changes(conn, account.id, zone),
        deductions=_deductions(conn, account.id, since),
        chargebacks=_chargebacks(conn, account.id, since),
        short_pays=[b for b in balances if b.short_paid > 0],
        receivables=receivables(balances, as_of),
        unmatched_payments=_unmatched_payments(conn, account.id, as_of, bank_match_days),
    )


def _day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def _claims(conn: Connection, account_id: int, zone: ZoneInfo) -> list[ClaimRow]:
    c, d, cb = table_of(Claim).c, table_of(Deduction).c, table_of(Chargeback).c
    # A chargeback claim may answer the chargeback export's row rather than a remittance line.
    query = (
        select(
            c.id,
            c.type,
            c.status,
            c.reference,
            c.invoice_number,
            c.amount_minor,
            c.recovered_minor,
            c.currency,
            c.created_at,
            c.deadline,
            PLAN_DATE.label("plan_date"),
            func.coalesce(d.raised_on, d.notified_on, cb.notified_on).label("deduction_on"),
        )
        .select_from(table_of(Claim))
        .outerjoin(table_of(Deduction), d.id == c.deduction_id)
        .outerjoin(
            table_of(Chargeback),
            and_(
                c.type == "chargeback",
                cb.account_id == c.account_id,
                cb.chargeback_id == c.reference,
            ),
        )
        .where(c.account_id == account_id)
        .order_by(c.id)
    )
    return [
        ClaimRow(
            id=r.id,
            type=r.type,
            status=r.status,
            reference=r.reference,
            invoice_number=r.invoice_number,
            amount_minor=int(r.amount_minor),
            recovered_minor=int(r.recovered_minor),
            currency=r.currency,
            drafted_on=_day(r.created_at, zone),
            deadline=r.deadline,
            plan_date=r.plan_date,
            deduction_on=r.deduction_on,
        )
        for r in conn.execute(query)
    ]


def _changes(conn: Connection, account_id: int, zone: ZoneInfo) -> list[StatusChange]:
    e, c = table_of(ClaimEvent).c, table_of(Claim).c
    query = (
        select(e.claim_id, e.at, e.to_status, e.note)
        .join(table_of(Claim), c.id == e.claim_id)
        .where(c.account_id == account_id, e.action == "transition")
        .order_by(e.at, e.id)
    )
    return [
        StatusChange(int(r.claim_id), _day(r.at, zone), str(r.to_status), str(r.note))
        for r in conn.execute(query)
    ]


def _deductions(conn: Connection, account_id: int, since: date) -> list[DeductionRow]:
    d = table_of(Deduction).c
    on = func.coalesce(d.raised_on, d.notified_on)
    query = select(d.kind, d.amount_minor, d.currency, on.label("on")).where(
        d.account_id == account_id, on >= since
    )
    return [
        DeductionRow(str(r.kind), int(r.amount_minor), str(r.currency), r.on)
        for r in conn.execute(query)
    ]


def _chargebacks(conn: Connection, account_id: int, since: date) -> list[ChargebackRow]:
    cb = table_of(Chargeback).c
    query = select(cb.issue_type, cb.sub_type, cb.amount_minor, cb.currency, cb.notified_on).where(
        cb.account_id == account_id, cb.notified_on >= since
    )
    return [
        ChargebackRow(
            str(r.issue_type), str(r.sub_type), int(r.amount_minor), str(r.currency), r.notified_on
        )
        for r in conn.execute(query)
    ]


def _unmatched_payments(
    conn: Connection, account_id: int, as_of: date, window_days: int
) -> list[PaymentRow]:
    """Payments up to `as_of` that no bank deposit answers (the ledger's matching, whole)."""
    inp = load_detection_input(conn, account_id, only=("payments", "bank"))
    matched = {m.payment_number for m in match_bank_deposits(inp, window_days)}
    p = table_of(Payment).c
    query = (
        select(p.payment_number, p.payment_date, p.amount_minor, p.currency)
        .where(p.account_id == account_id, p.payment_date <= as_of)
        .order_by(p.payment_date, p.payment_number)
    )
    return [
        PaymentRow(str(r.payment_number), r.payment_date, int(r.amount_minor), str(r.currency))
        for r in conn.execute(query)
        if r.payment_number not in matched
    ]
