"""`recovery worker`: run per-account jobs from the PostgreSQL queue, on any machine. Thin:
the worker lives in `recovery.service.worker`."""

from __future__ import annotations

from typing import Annotated

import typer

from recovery.cli.context import app_context
from recovery.errors import ConfigError


def worker(
    ctx: typer.Context,
    concurrency: Annotated[
        int | None,
        typer.Option(
            "--concurrency", min=1, max=32, help="Jobs at once (default: [service] setting)."
        ),
    ] = None,
) -> None:
    """Run the jobs `recovery run` queues (PostgreSQL only) until SIGTERM or Ctrl-C; the
    running job finishes first."""
    from recovery.service.logs import configure_logging
    from recovery.service.process import uses_queue
    from recovery.service.runtime import Runtime, install, uninstall
    from recovery.service.worker import run_worker

    app = app_context(ctx)
    settings = app.settings
    engine = app.engine
    if not uses_queue(engine):
        raise ConfigError(
            "recovery worker needs PostgreSQL (database_url = postgresql+psycopg://…); with"
            " SQLite, `recovery run` runs every job itself"
        )
    configure_logging(settings.service.log_format)
    install(Runtime(settings, engine))
    try:
        run_worker(
            engine.url.render_as_string(hide_password=False),
            concurrency=concurrency or settings.service.worker_concurrency,
            stalled_seconds=settings.service.worker_stalled_seconds,
        )
    finally:
        uninstall()
