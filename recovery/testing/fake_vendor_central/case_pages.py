"""Contact Us: the support case form ("Topic", "Subject", "Description", "Attachments", "Send"),
the case log and a case's own page, beside the Statement of Open Items it settles."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from recovery.testing.fake_vendor_central.model import Attachment
from recovery.testing.fake_vendor_central.portal import Refusal
from recovery.testing.fake_vendor_central.site import MEMBERS
from recovery.testing.fake_vendor_central.support_cases import TOPICS, statement_rows

if TYPE_CHECKING:
    from recovery.testing.fake_vendor_central.app import PortalApp


def add_case_routes(ui: PortalApp, app: FastAPI) -> None:
    portal = ui.portal
    base = f"{MEMBERS}/contact-us"

    @app.get(base)
    def contact(request: Request) -> Response:
        return ui.render("contact.html", request)

    @app.get(f"{base}/statement-of-open-items")
    def open_items(request: Request) -> Response:
        with portal.lock:
            portal.settle()
            items = portal.open_items()
        return ui.render("open_items.html", request, items=items)

    @app.get(f"{base}/case/new")
    def case_form(request: Request) -> Response:
        topic = request.query_params.get("topic", "")
        return ui.render("case_new.html", request, topics=TOPICS, chosen=topic, error="")

    @app.post(f"{base}/case/new")
    async def case_send(request: Request) -> Response:
        form = await request.form()
        attachments: list[Attachment] = []
        items: list[dict[str, str]] | None = None
        for upload in form.getlist("attachments"):
            if isinstance(upload, UploadFile) and upload.filename:
                body = await upload.read()
                digest = hashlib.sha256(body).hexdigest()
                attachments.append(Attachment(upload.filename, digest, len(body)))
                if items is None and upload.filename.lower().endswith(".xlsx"):
                    items = statement_rows(body)
        topic = str(form.get("topic", ""))
        try:
            case = portal.open_case(
                topic,
                str(form.get("subject", "")),
                str(form.get("description", "")),
                attachments,
                items,
            )
        except Refusal as refusal:
            return ui.render(
                "case_new.html", request, status=400, topics=TOPICS, chosen=topic,
                error=refusal.message,
            )  # fmt: skip
        return ui.case_sent(request, case)

    @app.get(f"{base}/cases")
    def case_log(request: Request) -> Response:
        query = request.query_params.get("q", "")
        with portal.lock:
            cases = portal.case_list(query)
        return ui.render("cases.html", request, cases=cases, query=query)

    @app.get(base + "/cases/{case_id}")
    def case(request: Request, case_id: str) -> Response:
        found = portal.cases.get(case_id)
        if found is None:
            return ui.render("refusal.html", request, status=404, message="No such case.")
        return ui.render("case.html", request, case=found)
