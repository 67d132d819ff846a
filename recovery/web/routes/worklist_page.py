"""The worklist: claims waiting for a document, and deductions waiting for a person's look."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from recovery.store.db import session_scope
from recovery.web import reads
from recovery.web.auth import ViewerUser
from recovery.web.context import web_context
from recovery.web.rendering import page
from recovery.web.routes.claim_page import ATTACH_KINDS

router = APIRouter()


@router.get("/worklist")
def worklist(request: Request, user: ViewerUser) -> Response:
    context = web_context(request)
    with session_scope(context.engine) as session:
        today, rules = context.calendar.today(), context.settings.rules
        evidence = reads.needs_evidence(session, today, rules)
        look_claims = reads.needs_look_claims(session, today, rules)
        look = reads.needs_look(session)
    return page(
        request,
        "worklist.html",
        evidence=evidence,
        look_claims=look_claims,
        look=look,
        attach_kinds=ATTACH_KINDS,
    )
