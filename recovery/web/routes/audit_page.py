"""The audit trail of the UI: who did what, newest first (admins only)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from recovery.store.db import session_scope
from recovery.web import reads
from recovery.web.auth import AdminUser
from recovery.web.context import web_context
from recovery.web.rendering import page

router = APIRouter()


@router.get("/audit")
def audit(request: Request, user: AdminUser) -> Response:
    with session_scope(web_context(request).engine) as session:
        entries = reads.recent_audit(session)
    return page(request, "audit.html", entries=entries)
