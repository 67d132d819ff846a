"""Dispute Management: the list, Create new dispute's three steps, a dispute and its
re-dispute."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import QueryParams

from recovery.testing.fake_vendor_central import exports
from recovery.testing.fake_vendor_central.model import Dispute, DisputeType, Status
from recovery.testing.fake_vendor_central.portal import (
    INELIGIBLE,
    REDISPUTE_FAILED,
    Portal,
    Refusal,
)
from recovery.testing.fake_vendor_central.site import MEMBERS

if TYPE_CHECKING:
    from recovery.testing.fake_vendor_central.app import PortalApp


def add_dispute_routes(ui: PortalApp, app: FastAPI) -> None:
    portal = ui.portal
    base = f"{MEMBERS}/disputes"

    @app.get(base)
    def disputes(request: Request) -> Response:
        params = request.query_params
        with portal.lock:
            portal.settle()
            found = _listed(portal, params)
            counts = Counter(d.status.value for d in portal.disputes.values())
            drafts = list(portal.drafts.values())
        return ui.render(
            "disputes.html",
            request,
            disputes=found,
            counts=counts,
            drafts=drafts,
            statuses=[s.value for s in Status],
            params=params,
        )

    @app.get(f"{base}/export")
    def disputes_export(request: Request) -> Response:
        params = request.query_params
        with portal.lock:
            portal.settle()
            found = _listed(portal, params)
        rows = [
            (
                d.id,
                d.type.label,
                d.reason,
                d.invoice_number,
                exports.us_date(d.created),
                d.status.value,
                d.outcome.value if d.outcome else "",
                exports.money_text(d.amount_minor, d.currency),
                exports.money_text(d.approved_minor, d.currency) if d.outcome else "",
                exports.us_date(d.resolved_on),
                d.currency,
            )
            for d in found
        ]
        return ui.download(exports.dispute_list_csv(rows, portal.today), "disputes.csv")

    @app.get(f"{base}/new")
    def new(request: Request) -> Response:
        params = request.query_params
        return ui.render(
            "dispute_new.html",
            request,
            kinds=[t for t in DisputeType if t != DisputeType.chargeback],
            chosen=params.get("type", ""),
            invoice=params.get("invoice", ""),
            error="",
        )

    @app.post(f"{base}/new")
    async def new_next(request: Request) -> Response:
        form = await request.form()
        kind_text = str(form.get("disputeType", ""))
        numbers = str(form.get("invoiceNumbers", "")).replace(",", " ").split()
        try:
            kind = DisputeType(kind_text)
        except ValueError:
            kind = None
        if kind == DisputeType.price and len(numbers) == 1:
            return RedirectResponse(
                f"{MEMBERS}/invoices/{quote(numbers[0])}/price-dispute", status_code=303
            )
        try:
            if kind is None:
                raise Refusal(INELIGIBLE)
            draft = portal.start(kind, numbers)
        except Refusal as refusal:
            return ui.render(
                "dispute_new.html",
                request,
                status=400,
                kinds=[t for t in DisputeType if t != DisputeType.chargeback],
                chosen=kind_text,
                invoice=" ".join(numbers),
                error=refusal.message,
            )
        return ui.render("dispute_lines.html", request, draft=draft, error="")

    @app.post(base + "/draft/{token}/lines")
    async def lines(request: Request, token: str) -> Response:
        draft = ui.draft(token)
        if draft is None:
            return ui.render("refusal.html", request, status=400, message=INELIGIBLE)
        form = await request.form()
        try:
            quantities = [
                ui.count(str(form.get(f"disputeQuantity-{i}", ""))) for i in range(len(draft.lines))
            ]
            amounts = [
                ui.minor(str(form.get(f"disputeAmount-{i}", ""))) for i in range(len(draft.lines))
            ]
            shipped = [_day(str(form.get(f"shippedDate-{i}", ""))) for i in range(len(draft.lines))]
            portal.edit_lines(draft, quantities, amounts, shipped)
        except Refusal as refusal:
            return ui.render(
                "dispute_lines.html", request, status=400, draft=draft, error=refusal.message
            )
        return ui.render("dispute_justify.html", request, draft=draft, error="")

    @app.post(base + "/draft/{token}/submit")
    async def submit(request: Request, token: str) -> Response:
        draft = ui.draft(token)
        if draft is None:
            return ui.render("refusal.html", request, status=400, message=INELIGIBLE)
        form = await request.form()
        files = await ui.attachments(form)
        try:
            filed = portal.submit(draft, str(form.get("justification", "")), files)
        except Refusal as refusal:
            return ui.render(
                "dispute_justify.html", request, status=400, draft=draft, error=refusal.message
            )
        return ui.confirmed(request, filed)

    @app.get(base + "/{dispute_id}")
    def dispute(request: Request, dispute_id: str) -> Response:
        with portal.lock:
            portal.settle()
            found = portal.disputes.get(dispute_id)
            if found is None:
                return ui.render("refusal.html", request, status=404, message="No such dispute.")
            can = portal.can_redispute(found)
        return ui.render("dispute.html", request, dispute=found, can_redispute=can)

    @app.get(base + "/{dispute_id}/redispute")
    def redispute_form(request: Request, dispute_id: str) -> Response:
        found = portal.disputes.get(dispute_id)
        if found is None or not portal.can_redispute(found):
            return ui.render("refusal.html", request, status=400, message=REDISPUTE_FAILED)
        return ui.render("redispute.html", request, dispute=found, error="")

    @app.post(base + "/{dispute_id}/redispute")
    async def redispute(request: Request, dispute_id: str) -> Response:
        form = await request.form()
        files = await ui.attachments(form)
        try:
            child = portal.redispute(dispute_id, str(form.get("justification", "")), files)
        except Refusal as refusal:
            return ui.render("refusal.html", request, status=400, message=refusal.message)
        return ui.confirmed(request, [child])


def _listed(portal: Portal, params: QueryParams) -> list[Dispute]:
    """The list's search: dispute id or invoice (`q`), bucket (`status`), `from`/`to` dates."""
    return portal.dispute_list(
        query=params.get("q", ""),
        status=params.get("status", ""),
        date_from=_day(params.get("from", "")),
        date_to=_day(params.get("to", "")),
    )


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None
