"""`/healthz`, for load balancers and monitors (no session): the database answers, and no
background job is overdue (503 when one is, with each job's last success)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlmodel import Session

from recovery.service.health import service_health
from recovery.web.context import web_context

router = APIRouter()


@router.get("/healthz")
def healthz(request: Request) -> JSONResponse:
    context = web_context(request)
    with Session(context.engine) as session:
        session.execute(text("SELECT 1"))
        health = service_health(session, context.settings, datetime.now(UTC))
    body = {
        "status": "ok" if health.ok else "overdue",
        "service": "running" if health.service_seen else "not started",
        "jobs": {job.job: job.as_json() for job in health.jobs},
    }
    return JSONResponse(body, status_code=200 if health.ok else 503)
