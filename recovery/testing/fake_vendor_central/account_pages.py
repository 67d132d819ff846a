"""Payments › Remittance and Invoices (with the price dispute form), Co-op, and Reports ›
Operational Performance's chargebacks: lists, searches, exports and their dispute forms."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.responses import Response

from recovery.testing.fake_vendor_central import exports
from recovery.testing.fake_vendor_central.model import PRICE_REASONS
from recovery.testing.fake_vendor_central.portal import (
    NOT_AVAILABLE,
    Refusal,
)
from recovery.testing.fake_vendor_central.site import MEMBERS

if TYPE_CHECKING:
    from recovery.testing.fake_vendor_central.app import PortalApp


def add_payment_routes(ui: PortalApp, app: FastAPI) -> None:
    portal = ui.portal
    currency = portal.data.currency

    @app.get(f"{MEMBERS}/remittance")
    def remittance(request: Request) -> Response:
        invoice = request.query_params.get("invoice", "").strip()
        with portal.lock:
            payments, lines = portal.remittance()
        if invoice:
            lines = [ln for ln in lines if invoice in ln["invoice_number"]]
            numbers = {ln["payment_number"] for ln in lines}
            payments = [p for p in payments if p["payment_number"] in numbers]
        return ui.render(
            "remittance.html", request, payments=payments, lines=lines, invoice=invoice
        )

    @app.get(f"{MEMBERS}/remittance/export")
    def remittance_export() -> Response:
        with portal.lock:
            payments, lines = portal.remittance()
        body = exports.remittance_csv(payments, lines, currency, portal.today)
        return ui.download(body, "remittance.csv")

    @app.get(f"{MEMBERS}/invoices")
    def invoices(request: Request) -> Response:
        invoice = request.query_params.get("invoice", "").strip()
        status = request.query_params.get("status", "").strip()
        heads: dict[str, dict[str, Any]] = {}
        lines: Counter[str] = Counter()
        for row in portal.data.invoices:
            lines[row["invoice_number"]] += 1
            heads.setdefault(row["invoice_number"], row)
        found = [
            h
            for h in heads.values()
            if (not invoice or invoice in h["invoice_number"])
            and (not status or h["status"] == status)
        ]
        statuses = sorted({h["status"] for h in heads.values() if h["status"]})
        return ui.render(
            "invoices.html",
            request,
            invoices=found,
            line_count=lines,
            invoice=invoice,
            chosen_status=status,
            statuses=statuses,
            has_price=lambda n: bool(portal.price_lines(n)),
        )

    @app.get(f"{MEMBERS}/invoices/export")
    def invoices_export() -> Response:
        body = exports.invoices_csv(portal.data.invoices, currency, portal.today)
        return ui.download(body, "invoices.csv")

    @app.get(f"{MEMBERS}/invoices/shortages/export")
    def shortages_export() -> Response:
        with portal.lock:
            rows = portal.shortage_rows()
        return ui.download(exports.shortages_csv(rows, currency, portal.today), "shortages.csv")

    @app.get(f"{MEMBERS}/invoices/price-details/export")
    def price_export() -> Response:
        body = exports.price_details_csv(portal.data.price_details, currency, portal.today)
        return ui.download(body, "price-details.csv")

    @app.get(MEMBERS + "/invoices/{number}/price-dispute")
    def price_form(request: Request, number: str) -> Response:
        lines = portal.price_lines(number)
        if not lines:
            return ui.render("refusal.html", request, status=400, message=NOT_AVAILABLE)
        return ui.render(
            "price_dispute.html", request, number=number, lines=lines, reasons=PRICE_REASONS
        )

    @app.post(MEMBERS + "/invoices/{number}/price-dispute")
    async def price_submit(request: Request, number: str) -> Response:
        form = await request.form()
        files = await ui.attachments(form)
        try:
            dispute = portal.submit_price(
                number, str(form.get("reason", "")), str(form.get("justification", "")), files
            )
        except Refusal as refusal:
            return ui.render("refusal.html", request, status=400, message=refusal.message)
        return ui.confirmed(request, [dispute])


def add_coop_routes(ui: PortalApp, app: FastAPI) -> None:
    portal = ui.portal

    @app.get(f"{MEMBERS}/coop")
    def coop(request: Request) -> Response:
        invoice = request.query_params.get("invoice", "").strip()
        rows = [
            r for r in portal.data.coop_invoices if not invoice or invoice in r["invoice_number"]
        ]
        return ui.render(
            "coop.html", request, rows=rows, invoice=invoice, backups=portal.data.coop_backups
        )

    @app.get(f"{MEMBERS}/coop/export")
    def coop_export() -> Response:
        body = exports.coop_invoices_csv(
            portal.data.coop_invoices, portal.data.currency, portal.today
        )
        return ui.download(body, "coop-invoices.csv")

    @app.get(MEMBERS + "/coop/{number}/backup")
    def coop_backup(request: Request, number: str) -> Response:
        path = portal.data.coop_backups.get(number)
        if path is None:
            return ui.render("refusal.html", request, status=404, message="No backup report.")
        media = (
            "text/csv; charset=utf-8"
            if path.suffix == ".csv"
            else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        return Response(
            path.read_bytes(),
            media_type=media,
            headers={"Content-Disposition": f'attachment; filename="{path.name}"'},
        )


def add_chargeback_routes(ui: PortalApp, app: FastAPI) -> None:
    portal = ui.portal
    base = f"{MEMBERS}/operational-performance"

    @app.get(base)
    def fees(request: Request) -> Response:
        counts: Counter[str] = Counter(r["issue_type"] for r in portal.data.chargebacks)
        totals: Counter[str] = Counter()
        for row in portal.data.chargebacks:
            totals[row["issue_type"]] += row["amount"]
        return ui.render("fees.html", request, counts=counts, totals=totals)

    @app.get(f"{base}/chargebacks")
    def chargebacks(request: Request) -> Response:
        issue = request.query_params.get("issue", "")
        with portal.lock:
            rows = [r for r in portal.chargeback_rows() if not issue or r["issue_type"] == issue]
        return ui.render("chargebacks.html", request, rows=rows, issue=issue)

    @app.get(f"{base}/chargebacks/export")
    def chargebacks_export() -> Response:
        with portal.lock:
            rows = portal.chargeback_rows()
        body = exports.chargebacks_csv(rows, portal.data.currency, portal.today)
        return ui.download(body, "chargebacks.csv")

    @app.get(base + "/chargebacks/{chargeback_id}")
    def chargeback(request: Request, chargeback_id: str) -> Response:
        with portal.lock:
            rows = {r["chargeback_id"]: r for r in portal.chargeback_rows()}
        row = rows.get(chargeback_id)
        if row is None:
            return ui.render("refusal.html", request, status=404, message=NOT_AVAILABLE)
        return ui.render("chargeback.html", request, row=row)

    @app.post(base + "/chargebacks/{chargeback_id}/dispute")
    async def chargeback_dispute(request: Request, chargeback_id: str) -> Response:
        form = await request.form()
        files = await ui.attachments(form)
        try:
            dispute = portal.submit_chargeback(chargeback_id, str(form.get("summary", "")), files)
        except Refusal as refusal:
            return ui.render("refusal.html", request, status=400, message=refusal.message)
        return ui.confirmed(request, [dispute])
