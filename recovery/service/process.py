"""The `recovery run` process: the scheduler lock, the scheduler, and the review UI, stopped
gracefully on SIGTERM/SIGINT (the running job finishes, or stops at its next checkpoint)."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from contextlib import ExitStack
from types import FrameType

from sqlalchemy import Engine

from recovery.config import Settings
from recovery.errors import RecoveryError
from recovery.service.lock import LockWaitStopped, scheduler_lock
from recovery.service.runtime import Runtime, install, uninstall
from recovery.service.scheduler import start_scheduler

log = logging.getLogger("recovery.service")


class WebServerFailed(RecoveryError):
    """The UI could not start (most often: the port is taken)."""


def uses_queue(engine: Engine) -> bool:
    """PostgreSQL carries per-account jobs to workers; SQLite runs them in this process."""
    return engine.url.get_backend_name() == "postgresql"


def stop_on_signals(stop: threading.Event) -> None:
    """Handlers only set the flag; the main loop does the stopping."""

    def handle(signum: int, _frame: FrameType | None) -> None:
        log.info("stopping", extra={"signal": signal.Signals(signum).name})
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)


def run_service(
    settings: Settings,
    engine: Engine,
    *,
    host: str,
    port: int,
    wait: bool,
    say: Callable[[str], None],
) -> None:
    import uvicorn

    from recovery.web.app import create_app

    stop = threading.Event()
    stop_on_signals(stop)
    with ExitStack() as held:
        try:
            me = held.enter_context(
                scheduler_lock(engine, wait=wait, on_wait=say, stop=stop.is_set)
            )
        except LockWaitStopped:
            log.info("stopped while waiting for the scheduler lock")
            return
        log.info("scheduler lock taken", extra={"holder": me.describe()})
        queue_app = None
        runtime = Runtime(settings, engine, stopping=stop)
        if uses_queue(engine):
            from recovery.service.dispatch import Queued
            from recovery.service.worker import ensure_queue_schema
            from recovery.service.worker import queue_app as make_queue_app

            url = engine.url.render_as_string(hide_password=False)
            ensure_queue_schema(url)
            queue_app = make_queue_app(url).open()
            runtime.dispatcher = Queued(queue_app)
        install(runtime)
        scheduler = start_scheduler()
        server = uvicorn.Server(
            uvicorn.Config(
                create_app(settings, engine),
                host=host,
                port=port,
                log_config=None,  # the root logger's format (JSON) for its lines too
                proxy_headers=False,
            )
        )
        # Not the main thread: uvicorn then leaves the signals to us.
        web = threading.Thread(target=server.run, name="web", daemon=True)
        web.start()
        say(f"recovery service: scheduler running, UI on http://{host}:{port}/")
        failed = False
        while not stop.wait(0.5):
            if not web.is_alive():
                failed = True
                break
        log.info("shutting down: waiting for the running job")
        # Paused first: APScheduler 3 may still hand a due job to the executor it is shutting
        # down, and would then count that run as done.
        scheduler.pause()
        scheduler.shutdown(wait=True)
        server.should_exit = True
        web.join(timeout=30)
        if queue_app is not None:
            queue_app.close()
        uninstall()
        log.info("stopped")
    if failed:
        raise WebServerFailed(f"the UI could not listen on {host}:{port} (see the log above)")
