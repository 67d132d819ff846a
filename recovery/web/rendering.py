"""Templates (under `templates/web/`), their filters, and the answers handlers give."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from recovery.money import format_money
from recovery.resources import templates_dir
from recovery.web.auth import current_user
from recovery.web.context import web_context


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(templates_dir() / "web"))
    templates.env.filters["money"] = _money
    templates.env.filters["minor"] = _minor_money
    templates.env.globals["query"] = _query
    return templates


def _money(value: Decimal | None, currency: str) -> str:
    return "" if value is None else format_money(value, currency)


def _minor_money(value: int, currency: str) -> str:
    from recovery.money import format_minor

    return format_minor(value, currency)


def _query(params: dict[str, Any], **changes: Any) -> str:
    """The current filters with some changed, as a query string (pagination, sorting)."""
    merged = {**params, **changes}
    return urlencode({k: v for k, v in merged.items() if v not in (None, "")})


def page(request: Request, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    context = web_context(request)
    return context.templates.TemplateResponse(
        request,
        template,
        {
            "user": current_user(request),
            "notice": request.query_params.get("notice", ""),
            "error": request.query_params.get("error", ""),
            "page_size": context.settings.ui.page_size,
            **values,
        },
        status_code=status_code,
    )


def go(request: Request, url: str, *, notice: str = "", error: str = "") -> Response:
    """After a change: back to a page, with one line saying what happened.

    htmx-driven forms get `HX-Redirect` (a full page load); plain ones a 303."""
    message = urlencode({k: v for k, v in (("notice", notice), ("error", error)) if v})
    target = f"{url}{'&' if '?' in url else '?'}{message}" if message else url
    if request.headers.get("HX-Request"):
        return Response(status_code=200, headers={"HX-Redirect": target})
    return Response(status_code=303, headers={"Location": target})
