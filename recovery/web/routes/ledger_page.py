"""The ledger: each open or short-paid invoice's buckets, payments with no bank deposit, and
receivables; a person can match a payment to a deposit or adjust a bucket, with a reason."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from recovery.errors import RecoveryError
from recovery.models import BankTransaction, LedgerAdjustment, Payment, VendorAccount
from recovery.money import parse_amount, to_minor
from recovery.store.db import session_scope
from recovery.web import reads
from recovery.web.audit import record_audit
from recovery.web.auth import SpecialistUser, ViewerUser
from recovery.web.context import web_context
from recovery.web.rendering import go, page

router = APIRouter()


@router.get("/ledger")
def ledger(request: Request, user: ViewerUser, account: str = "") -> Response:
    context = web_context(request)
    try:
        account_id = int(account) if account else None
    except ValueError:
        raise RecoveryError(f"account {account!r}: not an account id") from None
    with session_scope(context.engine) as session:
        view = reads.ledger_view(
            session, account_id, context.calendar.today(), context.settings.rules.bank_match_days
        )
        accounts = reads.accounts(session)
    return page(request, "ledger.html", view=view, accounts=accounts, buckets=reads.LEDGER_BUCKETS)


def _reason(reason: str) -> str:
    if not reason.strip():
        raise RecoveryError("say why: a manual change needs a reason")
    return reason.strip()


@router.post("/ledger/match")
def match(
    request: Request,
    user: SpecialistUser,
    payment_id: Annotated[int, Form()],
    deposit_id: Annotated[int, Form()],
    reason: Annotated[str, Form()] = "",
) -> Response:
    why = _reason(reason)
    with session_scope(web_context(request).engine) as session:
        payment = session.get(Payment, payment_id)
        deposit = session.get(BankTransaction, deposit_id)
        if payment is None or deposit is None or payment.account_id != deposit.account_id:
            raise RecoveryError("choose a payment and a deposit of the same account")
        if payment.bank_transaction_id is not None:
            raise RecoveryError(f"payment {payment.payment_number} is already matched")
        payment.bank_transaction_id = deposit.id
        session.add(payment)
        record_audit(
            session,
            user.username,
            "ledger-match",
            f"payment {payment.payment_number}",
            f"deposit #{deposit.id} of {deposit.booked_on}: {why}",
        )
        account = payment.account_id
    return go(
        request, f"/ledger?account={account}", notice=f"Payment {payment.payment_number} matched"
    )


@router.post("/ledger/adjust")
def adjust(
    request: Request,
    user: SpecialistUser,
    account_id: Annotated[int, Form()],
    invoice_number: Annotated[str, Form()],
    bucket: Annotated[str, Form()],
    amount: Annotated[str, Form()],
    reason: Annotated[str, Form()] = "",
) -> Response:
    why = _reason(reason)
    if bucket not in reads.LEDGER_BUCKETS:
        raise RecoveryError(
            f"unknown bucket {bucket!r}; choose from {', '.join(reads.LEDGER_BUCKETS)}"
        )
    try:
        value = parse_amount(amount)
    except RecoveryError:
        raise RecoveryError(f"amount {amount!r}: not an amount") from None
    if value == Decimal(0):
        raise RecoveryError("amount: an adjustment of zero changes nothing")
    with session_scope(web_context(request).engine) as session:
        account = session.get(VendorAccount, account_id)
        if account is None:
            raise RecoveryError(f"account {account_id}: no such account")
        session.add(
            LedgerAdjustment(
                account_id=account_id,
                invoice_number=invoice_number.strip(),
                bucket=bucket,
                amount_minor=to_minor(value, account.currency),
                currency=account.currency,
                reason=why,
                actor=user.username,
            )
        )
        record_audit(
            session,
            user.username,
            "ledger-adjust",
            f"invoice {invoice_number.strip()}",
            f"{value} {account.currency} to {bucket}: {why}",
        )
    return go(request, f"/ledger?account={account_id}", notice=f"Invoice {invoice_number} adjusted")
