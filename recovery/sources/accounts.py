"""Which vendor account a file's rows belong to."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, select

from recovery.config import Settings
from recovery.errors import InputError
from recovery.models import VendorAccount

DEFAULT_VENDOR_CODE = "DEFAULT"


def resolve_account(
    session: Session, settings: Settings, vendor_code: str | None
) -> tuple[VendorAccount, bool]:
    """(account, created): the account for `vendor_code`, creating it when first seen.

    The caller passes the explicit `--account` code, else the code the file carries. Without
    either: the single configured account; with none configured, the single account already in
    the database; with none at all, an account named DEFAULT (a new user importing right after
    `recovery init`). Several candidates and no code is an error: the user must say which.
    """
    account = account_among(known_accounts(session), settings, vendor_code)
    if account.id is not None:
        return account, False
    session.add(account)
    session.flush()
    return account, True


def known_accounts(session: Session) -> list[VendorAccount]:
    return list(session.exec(select(VendorAccount)).all())


def account_among(
    accounts: Sequence[VendorAccount], settings: Settings, vendor_code: str | None
) -> VendorAccount:
    """The account of `vendor_code` among these, else a new one as configured (no database:
    a reader process uses it to tell how a file's rows are written)."""
    code = (vendor_code or "").strip().upper() or None
    if code is None:
        if len(settings.accounts) == 1:
            code = settings.accounts[0].vendor_code.strip().upper()
        elif settings.accounts:
            codes = ", ".join(a.vendor_code for a in settings.accounts)
            raise InputError(
                f"the file does not say which vendor account it is for and several are "
                f"configured ({codes}): pass --account CODE"
            )
        elif len(accounts) == 1:
            return accounts[0]
        elif len(accounts) > 1:
            raise InputError(
                "the file does not say which vendor account it is for and the database "
                "holds several: pass --account CODE"
            )
        else:
            code = DEFAULT_VENDOR_CODE
    found = next((a for a in accounts if a.vendor_code == code), None)
    if found is not None:
        return found
    configured = settings.account(code)
    account = VendorAccount(vendor_code=code)
    if configured is not None:
        account.name = configured.name
        account.marketplace = configured.marketplace.upper()
        account.currency = configured.currency.upper()
    elif len(settings.accounts) == 1:
        # A second vendor code of the same business: same marketplace and currency.
        account.marketplace = settings.accounts[0].marketplace.upper()
        account.currency = settings.accounts[0].currency.upper()
    return account
