"""The dashboard: money by stage, recovery rate by month, what to file this week, by type."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from recovery.store.db import session_scope
from recovery.web import reads
from recovery.web.auth import ViewerUser
from recovery.web.context import web_context
from recovery.web.rendering import page

router = APIRouter()


@router.get("/")
def dashboard(request: Request, user: ViewerUser) -> Response:
    context = web_context(request)
    today = context.calendar.today()
    with session_scope(context.engine) as session:
        figures = reads.dashboard(session, today, context.settings.rules)
    return page(request, "dashboard.html", figures=figures, today=today)
