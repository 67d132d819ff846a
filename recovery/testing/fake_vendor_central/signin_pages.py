"""Sign-in pages: e-mail and password, then the one-time code; sign-out and home."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from recovery.testing.fake_vendor_central.site import MEMBERS, PENDING_COOKIE, SESSION_COOKIE

if TYPE_CHECKING:
    from recovery.testing.fake_vendor_central.app import PortalApp


def add_signin_routes(ui: PortalApp, app: FastAPI) -> None:
    auth = ui.auth

    @app.get("/")
    def root() -> Response:
        return RedirectResponse(f"{MEMBERS}/home", status_code=303)

    @app.get("/ap/signin")
    def signin_page(request: Request) -> Response:
        back = request.query_params.get("openid.return_to", f"{MEMBERS}/home")
        return ui.render("signin.html", request, back=back, error="")

    @app.post("/ap/signin")
    async def signin(request: Request) -> Response:
        form = await request.form()
        back = _safe_back(str(form.get("openid.return_to", "")))
        if auth.locked():
            return ui.render("signin.html", request, back=back, error=_LOCKED, status=403)
        if ui.faults.throttle_signin > 0:
            ui.faults.throttle_signin -= 1
            return ui.render("throttled.html", request, status=503)
        token = auth.check_password(str(form.get("email", "")), str(form.get("password", "")))
        if auth.signing_in_too_often():
            return ui.render("throttled.html", request, status=503)
        if token is None:
            return ui.render(
                "signin.html",
                request,
                back=back,
                error="Your password is incorrect",
                status=401,
            )
        response = RedirectResponse(
            f"/ap/mfa?openid.return_to={quote(back, safe='')}", status_code=303
        )
        response.set_cookie(PENDING_COOKIE, token, httponly=True, samesite="lax")
        return response

    @app.get("/ap/mfa")
    def mfa_page(request: Request) -> Response:
        if not auth.pending(request.cookies.get(PENDING_COOKIE)):
            return RedirectResponse("/ap/signin", status_code=303)
        back = request.query_params.get("openid.return_to", f"{MEMBERS}/home")
        return ui.render("mfa.html", request, back=back, error="")

    @app.post("/ap/mfa")
    async def mfa(request: Request) -> Response:
        form = await request.form()
        back = _safe_back(str(form.get("openid.return_to", "")))
        token = request.cookies.get(PENDING_COOKIE)
        if auth.locked():
            return ui.render("signin.html", request, back=back, error=_LOCKED, status=403)
        if not auth.pending(token):
            return RedirectResponse("/ap/signin", status_code=303)
        session = auth.check_code(token, str(form.get("otpCode", "")))
        if session is None:
            if auth.locked():
                return ui.render("signin.html", request, back=back, error=_LOCKED, status=403)
            return ui.render(
                "mfa.html",
                request,
                back=back,
                status=401,
                error="The code you entered is not valid. Please check the code and try again.",
            )
        response = RedirectResponse(back, status_code=303)
        response.set_cookie(SESSION_COOKIE, session, httponly=True, samesite="lax")
        response.delete_cookie(PENDING_COOKIE)
        return response

    @app.get("/ap/signout")
    def signout(request: Request) -> Response:
        auth.end(request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse("/ap/signin", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    @app.get(f"{MEMBERS}/home")
    def home(request: Request) -> Response:
        return ui.render("home.html", request)


_LOCKED = (
    "Your account has been temporarily locked because of too many failed attempts. Try again later."
)


def _safe_back(path: str) -> str:
    """Only our own pages: a return address never leaves the portal."""
    return path if path.startswith(MEMBERS) else f"{MEMBERS}/home"
