"""Sign-in and sign-out: with `/healthz` (health_route), the only routes reachable without a
session."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from recovery.store.db import session_scope
from recovery.users import authenticate
from recovery.web.audit import record_audit
from recovery.web.auth import (
    SESSION_COOKIE,
    ViewerUser,
    clear_session_cookie,
    end_session,
    set_session_cookie,
    start_session,
)
from recovery.web.context import web_context
from recovery.web.rendering import go, page

router = APIRouter()


def _local(target: str) -> str:
    """Only paths on this site: a sign-in link must not bounce anyone elsewhere."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.get("/signin")
def signin_form(request: Request, next: str = "/") -> Response:
    return page(request, "signin.html", next=_local(next), email="")


@router.post("/signin")
def signin(
    request: Request,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    context = web_context(request)
    with session_scope(context.engine) as session:
        user = authenticate(session, email, password)
        if user is None:
            record_audit(session, email.strip().lower()[:100], "sign-in-failed")
            token = None
        else:
            token = start_session(session, user, context.settings.ui.session_hours)
            record_audit(session, user.username, "sign-in")
    if token is None:
        return page(
            request,
            "signin.html",
            status_code=400,
            next=_local(next),
            email=email,
            signin_error="Wrong e-mail or password.",
        )
    response = go(request, _local(next))
    set_session_cookie(request, response, token)
    return response


@router.post("/signout")
def signout(request: Request, user: ViewerUser) -> Response:
    token = request.cookies.get(SESSION_COOKIE, "")
    with session_scope(web_context(request).engine) as session:
        end_session(session, token)
        record_audit(session, user.username, "sign-out")
    response = go(request, "/signin")
    clear_session_cookie(response)
    return response
