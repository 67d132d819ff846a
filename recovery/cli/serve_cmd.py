"""`recovery serve`: the review UI on one host and port (uvicorn)."""

from __future__ import annotations

from typing import Annotated

import typer

from recovery.cli.context import app_context


def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option("--host", help="Address to listen on.")] = None,
    port: Annotated[
        int | None, typer.Option("--port", min=1, max=65535, help="Port to listen on.")
    ] = None,
) -> None:
    """Serve the review UI (default: [ui] host and port of the config)."""
    import uvicorn

    from recovery.web.app import create_app

    app = app_context(ctx)
    settings = app.settings
    web = create_app(settings, app.engine)
    bind_host = host or settings.ui.host
    bind_port = port or settings.ui.port
    app.console.print(f"recovery UI on http://{bind_host}:{bind_port}/", highlight=False)
    uvicorn.run(web, host=bind_host, port=bind_port, log_level="info", proxy_headers=False)
