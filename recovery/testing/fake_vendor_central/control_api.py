"""The control API under `/_fake/`: what tests and benchmarks use, never linked from a page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

if TYPE_CHECKING:
    from recovery.testing.fake_vendor_central.app import PortalApp


def add_control_routes(ui: PortalApp, app: FastAPI) -> None:
    portal = ui.portal

    @app.get("/_fake/disputes")
    def fake_disputes() -> JSONResponse:
        with portal.lock:
            portal.settle()
        return JSONResponse(portal.disputes_json())

    @app.get("/_fake/clock")
    def fake_clock() -> JSONResponse:
        return JSONResponse({"today": portal.today.isoformat()})

    @app.post("/_fake/clock")
    async def fake_advance(request: Request) -> JSONResponse:
        body = await _json_body(request)
        days = body.get("days")
        if isinstance(days, bool) or not isinstance(days, int) or days < 0:
            return JSONResponse({"error": "days must be a whole number ≥ 0"}, 400)
        today = portal.advance(days)
        return JSONResponse({"today": today.isoformat()})

    @app.get("/_fake/faults")
    def fake_faults() -> JSONResponse:
        return JSONResponse(ui.faults.as_json())

    @app.post("/_fake/faults")
    async def fake_set_faults(request: Request) -> JSONResponse:
        body = await _json_body(request)
        try:
            ui.faults.update(body)
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, 400)
        return JSONResponse(ui.faults.as_json())


async def _json_body(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
