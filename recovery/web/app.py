"""The app factory: settings and database in, a FastAPI app out (`recovery serve` runs it)."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette_csrf.middleware import CSRFMiddleware

from recovery.calendar import BusinessCalendar
from recovery.config import Settings
from recovery.errors import RecoveryError
from recovery.web.auth import Forbidden, NotSignedIn
from recovery.web.context import WebContext
from recovery.web.rendering import make_templates, page
from recovery.web.routes import (
    audit_page,
    claim_page,
    dashboard_page,
    health_route,
    imports_page,
    ledger_page,
    queue_page,
    signin_page,
    worklist_page,
)

STATIC_DIR = Path(__file__).parent / "static"
CSRF_COOKIE = "csrftoken"
CSRF_HEADER = "x-csrftoken"


def create_app(settings: Settings, engine: Engine) -> FastAPI:
    app = FastAPI(title="recovery", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.web = WebContext(
        settings=settings,
        engine=engine,
        calendar=BusinessCalendar.from_settings(settings.calendar),
        templates=make_templates(),
    )
    key = settings.ui.session_key
    # Double-submit cookie: every unsafe request, sign-in included, must echo the signed cookie
    # in a header (static/app.js adds it to every htmx request). /healthz is read-only.
    app.add_middleware(
        CSRFMiddleware,
        secret=key.get_secret_value() if key else secrets.token_urlsafe(32),
        cookie_name=CSRF_COOKIE,
        header_name=CSRF_HEADER,
        cookie_secure=settings.ui.secure_cookies,
        cookie_samesite="strict",
        exempt_urls=[re.compile(r"^/healthz$")],
    )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in (
        health_route,
        signin_page,
        dashboard_page,
        queue_page,
        claim_page,
        worklist_page,
        ledger_page,
        imports_page,
        audit_page,
    ):
        app.include_router(module.router)
    app.add_exception_handler(NotSignedIn, _to_signin)
    app.add_exception_handler(Forbidden, _forbidden)
    app.add_exception_handler(RecoveryError, _user_error)
    return app


async def _to_signin(request: Request, _exc: Exception) -> Response:
    target = "/signin"
    if request.method == "GET":
        target += f"?next={request.url.path}"
    if request.headers.get("HX-Request"):
        return Response(status_code=401, headers={"HX-Redirect": target})
    if request.method == "GET":
        return Response(status_code=303, headers={"Location": target})
    return PlainTextResponse("sign in first", status_code=401)


async def _forbidden(request: Request, exc: Exception) -> Response:
    return page(request, "error.html", status_code=403, message=str(exc))


async def _user_error(request: Request, exc: Exception) -> Response:
    return page(request, "error.html", status_code=400, message=str(exc))
