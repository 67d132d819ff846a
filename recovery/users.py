"""The people who use the review UI: adding them and checking their passwords.

Passwords are hashed with argon2 (`pwdlib`'s recommended settings); only the hash is stored.
Used by `recovery users add` and by the UI's sign-in; knows nothing of either.
"""

from __future__ import annotations

import functools
import re

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlmodel import Session, col, select

from recovery.errors import RecoveryError
from recovery.models.accounts import Role, User

MIN_PASSWORD_LENGTH = 12
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

_hasher = PasswordHash((Argon2Hasher(),))


@functools.cache
def _dummy_hash() -> str:
    """Checked against when the user does not exist, so a wrong e-mail costs as long as a
    wrong password and the answer time does not tell which accounts exist. Made on first use:
    every `recovery` command imports this module, few sign anyone in."""
    return _hasher.hash("not-a-real-password")


class UserError(RecoveryError):
    """A user that cannot be added as asked (bad e-mail, short password, unknown role)."""


def normalise_email(email: str) -> str:
    address = email.strip().lower()
    if not _EMAIL.match(address):
        raise UserError(f"{email!r} is not an e-mail address")
    return address


def parse_role(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        raise UserError(
            f"unknown role {value!r}; choose from {', '.join(r.value for r in Role)}"
        ) from None


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def add_user(session: Session, email: str, role: Role, password: str) -> tuple[User, bool]:
    """Create the user, or reset an existing one's role and password; True when created."""
    address = normalise_email(email)
    hashed = hash_password(password)
    user = session.exec(select(User).where(col(User.username) == address)).first()
    created = user is None
    if user is None:
        user = User(username=address, display_name=address)
    user.role = role.value
    user.password_hash = hashed
    user.active = True
    session.add(user)
    session.flush()
    return user, created


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this e-mail and password, else None."""
    address = email.strip().lower()
    user = session.exec(select(User).where(col(User.username) == address)).first()
    if user is None or not user.active or not user.password_hash:
        _hasher.verify(password, _dummy_hash())
        return None
    valid, new_hash = _hasher.verify_and_update(password, user.password_hash)
    if not valid:
        return None
    if new_hash is not None:  # the hasher's parameters were raised since this hash was made
        user.password_hash = new_hash
        session.add(user)
    return user
