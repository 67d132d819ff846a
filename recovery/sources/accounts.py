"""Which vendor account a file's rows belong to."""

from __future__ import annotations

from sqlmodel import Session, col, select

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
        else:
            existing = session.exec(select(VendorAccount).limit(2)).all()
            if len(existing) == 1:
                return existing[0], False
            if len(existing) > 1:
                raise InputError(
                    "the file does not say which vendor account it is for and the database "
                    "holds several: pass --account CODE"
                )
            code = DEFAULT_VENDOR_CODE
    found = session.exec(
        select(VendorAccount).where(col(VendorAccount.vendor_code) == code)
    ).first()
    if found is not None:
        return found, False
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
    session.add(account)
    session.flush()
    return account, True
