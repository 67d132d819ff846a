"""`recovery run`: the background service (scheduler + review UI) in one process. Thin: the
service lives in `recovery.service`."""

from __future__ import annotations

from typing import Annotated

import typer

from recovery.cli.context import app_context


def run(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option("--host", help="Address the UI listens on.")] = None,
    port: Annotated[
        int | None, typer.Option("--port", min=1, max=65535, help="Port the UI listens on.")
    ] = None,
    wait: Annotated[
        bool | None,
        typer.Option(
            "--wait/--no-wait",
            help="When another `recovery run` holds this database: wait for it to stop"
            " (default: [service] wait_for_lock) instead of exiting.",
        ),
    ] = None,
) -> None:
    """Run the scheduled jobs (sync, detect, file, outcomes, weekly report) and the UI until
    SIGTERM or Ctrl-C."""
    from recovery.service.logs import configure_logging
    from recovery.service.process import run_service

    app = app_context(ctx)
    settings = app.settings
    configure_logging(settings.service.log_format)
    run_service(
        settings,
        app.engine,
        host=host or settings.ui.host,
        port=port or settings.ui.port,
        wait=settings.service.wait_for_lock if wait is None else wait,
        say=lambda message: app.err.print(message, highlight=False),
    )
