"""What every request handler needs: settings, database, calendar and templates, made once."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine

from recovery.calendar import BusinessCalendar
from recovery.config import Settings


@dataclass(frozen=True)
class WebContext:
    settings: Settings
    engine: Engine
    calendar: BusinessCalendar
    templates: Jinja2Templates


def web_context(request: Request) -> WebContext:
    context = request.app.state.web
    assert isinstance(context, WebContext)
    return context
