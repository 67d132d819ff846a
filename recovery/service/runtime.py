"""What a job needs from the process that runs it: settings, the database, the time, and
whether the process is stopping. Jobs take ids (they are pickled into the job store and sent
through the queue), so they find these here; `recovery run` and `recovery worker` install them
at start."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from recovery.config import Settings
from recovery.errors import RecoveryError
from recovery.models.base import utcnow
from recovery.service.schedule import JobId

if TYPE_CHECKING:
    from playwright.sync_api import Browser


class Dispatcher(Protocol):
    def dispatch(self, job: JobId, vendor_codes: Sequence[str]) -> None: ...


class ServiceNotStarted(RecoveryError):
    """A job ran in a process that did not install a runtime."""


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    # Tests run a simulated year on a fake clock through this.
    clock: Callable[[], datetime] = utcnow
    # Set on SIGTERM/SIGINT: long jobs stop between their units of work.
    stopping: threading.Event = field(default_factory=threading.Event)
    # Where per-account jobs go (`recovery.service.dispatch`); None: run them here.
    dispatcher: Dispatcher | None = None
    # A Chromium the portal jobs share, for a caller that already drives one in this thread
    # (Playwright's sync API allows one driver per thread); None: each job launches its own.
    browser: Browser | None = None

    def now(self) -> datetime:
        return self.clock()

    def business_today(self) -> date:
        """Today where the business is: deadlines are judged in its timezone."""
        return self.now().astimezone(ZoneInfo(self.settings.calendar.timezone)).date()


_current: Runtime | None = None
_guard = threading.Lock()


def install(runtime: Runtime) -> None:
    global _current
    with _guard:
        _current = runtime


def uninstall() -> None:
    global _current
    with _guard:
        _current = None


def current() -> Runtime:
    runtime = _current
    if runtime is None:
        raise ServiceNotStarted("no service runtime in this process (start `recovery run`)")
    return runtime
