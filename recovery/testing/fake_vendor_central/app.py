"""The fake portal's web app: templates, the helpers its pages share, and the gate every
imitated page passes (faults, throttling, sign-in). The routes live in `*_pages.py` and
`control_api.py`."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Callable
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import UploadFile

from recovery.money import to_minor
from recovery.resources import templates_dir
from recovery.testing.fake_vendor_central import exports
from recovery.testing.fake_vendor_central.account_pages import (
    add_chargeback_routes,
    add_coop_routes,
    add_payment_routes,
)
from recovery.testing.fake_vendor_central.auth import Auth
from recovery.testing.fake_vendor_central.case_pages import add_case_routes
from recovery.testing.fake_vendor_central.control_api import add_control_routes
from recovery.testing.fake_vendor_central.dispute_pages import add_dispute_routes
from recovery.testing.fake_vendor_central.faults import Faults
from recovery.testing.fake_vendor_central.model import (
    Attachment,
    Draft,
)
from recovery.testing.fake_vendor_central.portal import (
    INELIGIBLE,
    Portal,
    Refusal,
)
from recovery.testing.fake_vendor_central.signin_pages import add_signin_routes
from recovery.testing.fake_vendor_central.site import MEMBERS, SESSION_COOKIE

# Form steps a session can expire in the middle of (the `expire_mid_form` fault).
_FORM_STEPS = ("/lines", "/submit", "/price-dispute", "/dispute", "/redispute", "/case/new")
# Pages that hold a dispute's or a case's last step (its submit button): the "form" event.
_FINAL_FORMS = frozenset(
    {
        "dispute_justify.html",
        "price_dispute.html",
        "chargeback.html",
        "redispute.html",
        "case_new.html",
    }
)

# A listener for what a filer is doing: "form" (a dispute's last form is being sent), "stored"
# (a submission is stored, its answer not yet sent), "confirmation" (the confirmation page is
# about to be sent). Crash trials kill the filer from here at exact points.
EventListener = Callable[[str], None]


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(templates_dir() / "fake_vendor_central"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["us_date"] = exports.us_date
    return env


class PortalApp:
    """Builds the FastAPI app around a `Portal`, its sign-in and its faults."""

    def __init__(
        self, portal: Portal, auth: Auth, faults: Faults, on_event: EventListener | None = None
    ) -> None:
        self.portal = portal
        self.auth = auth
        self.faults = faults
        self.on_event = on_event
        self._member_pages = 0  # signed-in page loads, for `Faults.expire_every_pages`
        self.env = _environment()
        self.app = self._build()

    # -- helpers -------------------------------------------------------------------------

    def render(self, name: str, request: Request, status: int = 200, **context: Any) -> Response:
        if name in _FINAL_FORMS:
            self._event("form")
        template = self.env.get_template(name)
        html = template.render(
            request=request,
            portal=self.portal,
            money=self.portal.money,
            today=self.portal.today,
            signed_in=self.auth.valid(request.cookies.get(SESSION_COOKIE)),
            members=MEMBERS,
            layout=self.faults.layout,
            **context,
        )
        pause = self.faults.stream_pause_seconds
        if pause > 0:
            return StreamingResponse(
                _in_two_parts(html, pause), status_code=status, media_type="text/html"
            )
        return HTMLResponse(html, status_code=status)

    def download(self, body: bytes, name: str) -> Response:
        return Response(
            body,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    def minor(self, text: str) -> int | None:
        text = text.strip().replace(",", "").replace("$", "")
        if not text:
            return None
        try:
            return to_minor(Decimal(text), self.portal.data.currency)
        except (InvalidOperation, ValueError):
            raise Refusal(INELIGIBLE) from None

    @staticmethod
    def count(text: str) -> int | None:
        text = text.strip()
        if not text:
            return None
        if not text.lstrip("-").isdigit():
            raise Refusal(INELIGIBLE)
        return int(text)

    async def attachments(self, form: Any, field: str = "attachments") -> list[Attachment]:
        found = []
        for item in form.getlist(field):
            if isinstance(item, UploadFile) and item.filename:
                body = await item.read()
                digest = hashlib.sha256(body).hexdigest()
                found.append(Attachment(item.filename, digest, len(body)))
        return found

    def draft(self, token: str) -> Draft | None:
        return self.portal.drafts.get(token)

    # -- app -----------------------------------------------------------------------------

    def _build(self) -> FastAPI:
        app = FastAPI(title="fake Vendor Central", openapi_url=None, docs_url=None, redoc_url=None)
        app.middleware("http")(self._gate)
        add_control_routes(self, app)
        add_signin_routes(self, app)
        add_payment_routes(self, app)
        add_coop_routes(self, app)
        add_chargeback_routes(self, app)
        add_dispute_routes(self, app)
        add_case_routes(self, app)
        return app

    async def _gate(self, request: Request, call_next: Any) -> Response:
        """Faults, throttling and sign-in for every imitated page (not `/_fake/`)."""
        path = request.url.path
        if path.startswith("/_fake/"):
            response: Response = await call_next(request)
            return response
        faults = self.faults
        if faults.slow_seconds > 0:
            await asyncio.sleep(faults.slow_seconds)
        throttled = faults.throttle_pages > 0
        if throttled:
            faults.throttle_pages -= 1
        if throttled or not self.auth.page_allowed():
            return self.render("throttled.html", request, status=503)
        if path.startswith(MEMBERS):
            if request.method == "POST" and faults.expire_mid_form and path.endswith(_FORM_STEPS):
                faults.expire_mid_form = False
                self.auth.expire_all()
            self._member_pages += 1
            every = faults.expire_every_pages
            if every > 0 and self._member_pages % every == 0:
                self.auth.expire_all()
            if not self.auth.valid(request.cookies.get(SESSION_COOKIE)):
                back = path if request.method == "GET" else f"{MEMBERS}/disputes"
                if request.method == "GET" and request.url.query:
                    back += "?" + request.url.query
                return RedirectResponse(
                    f"/ap/signin?openid.return_to={quote(back, safe='')}", status_code=303
                )
        response = await call_next(request)
        return response

    def confirmed(self, request: Request, disputes: list[Any]) -> Response:
        return self._stored(request, "dispute_done.html", disputes=disputes)

    def case_sent(self, request: Request, case: Any) -> Response:
        return self._stored(request, "case_done.html", case=case)

    def _stored(self, request: Request, template: str, **context: Any) -> Response:
        """The confirmation of what was just stored (a dispute or a case)."""
        self._event("stored")
        if self.faults.fail_after_store > 0:
            # It is stored; only the answer is lost: the double-filing trap.
            self.faults.fail_after_store -= 1
            return self.render("error.html", request, status=500)
        page = self.render(template, request, **context)
        self._event("confirmation")
        return page

    def _event(self, point: str) -> None:
        if self.on_event is not None:
            self.on_event(point)


async def _in_two_parts(html: str, pause: float) -> AsyncIterator[bytes]:
    """The page up to its `<main>` (the header a browser shows at once), then the rest."""
    top, found, rest = html.partition("<main")
    yield top.encode()
    await asyncio.sleep(pause)
    yield (found + rest).encode()
