"""Sign-in sessions and roles.

A session is a random token in an httponly, SameSite=Lax cookie (Secure unless turned off);
the database keeps only its SHA-256 and an expiry. Every page declares the least role it
needs with `require(role)`; viewer < specialist < admin.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Depends, Request, Response
from sqlmodel import Session, col, delete, select

from recovery.models.accounts import Role, User
from recovery.models.base import utcnow
from recovery.models.web import WebSession
from recovery.store.db import session_scope
from recovery.web.context import web_context

SESSION_COOKIE = "recovery_session"
ROLE_RANK = {Role.viewer: 0, Role.specialist: 1, Role.admin: 2}


@dataclass(frozen=True)
class SignedIn:
    id: int
    username: str
    role: Role

    def can(self, role: Role) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]


class NotSignedIn(Exception):
    """No valid session: pages send the browser to the sign-in form."""


class Forbidden(Exception):
    """Signed in, but the role does not allow this."""

    def __init__(self, needed: Role) -> None:
        self.needed = needed
        super().__init__(f"this needs the {needed.value} role")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, user: User, hours: int, now: datetime | None = None) -> str:
    assert user.id is not None
    moment = now or utcnow()
    token = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            token_sha256=_digest(token),
            user_id=user.id,
            created_at=moment,
            expires_at=moment + timedelta(hours=hours),
        )
    )
    # Expired sessions are removed as new ones start: the table stays as small as its users.
    session.exec(delete(WebSession).where(col(WebSession.expires_at) < moment))
    return token


def end_session(session: Session, token: str) -> None:
    session.exec(delete(WebSession).where(col(WebSession.token_sha256) == _digest(token)))


def signed_in_user(session: Session, token: str, now: datetime | None = None) -> SignedIn | None:
    row = session.exec(
        select(User.id, User.username, User.role)
        .join(WebSession, col(WebSession.user_id) == col(User.id))
        .where(
            col(WebSession.token_sha256) == _digest(token),
            col(WebSession.expires_at) > (now or utcnow()),
            col(User.active).is_(True),
        )
    ).first()
    if row is None:
        return None
    user_id, username, role = row
    assert user_id is not None
    return SignedIn(user_id, username, Role(role))


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    settings = web_context(request).settings.ui
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_hours * 3600,
        httponly=True,
        secure=settings.secure_cookies,
        samesite="lax",
        path="/",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def current_user(request: Request) -> SignedIn | None:
    cached = getattr(request.state, "user", False)
    if cached is not False:
        assert cached is None or isinstance(cached, SignedIn)
        return cached
    token = request.cookies.get(SESSION_COOKIE)
    user = None
    if token:
        with session_scope(web_context(request).engine) as session:
            user = signed_in_user(session, token)
    request.state.user = user
    return user


def require(role: Role) -> Callable[[Request], SignedIn]:
    """A dependency: the signed-in user, who must hold at least `role`."""

    def dependency(request: Request) -> SignedIn:
        user = current_user(request)
        if user is None:
            raise NotSignedIn()
        if not user.can(role):
            raise Forbidden(role)
        return user

    dependency.required_role = role  # type: ignore[attr-defined]
    return dependency


ViewerUser = Annotated[SignedIn, Depends(require(Role.viewer))]
SpecialistUser = Annotated[SignedIn, Depends(require(Role.specialist))]
AdminUser = Annotated[SignedIn, Depends(require(Role.admin))]
