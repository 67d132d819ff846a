"""`recovery init`: write a config if there is none, create or upgrade the database."""

from __future__ import annotations

import typer

from recovery.cli.context import app_context
from recovery.config import load_settings, resolve_config_path
from recovery.resources import example_config
from recovery.store import db


def init(ctx: typer.Context) -> None:
    """Write config.toml from the example if missing, then create or upgrade the database."""
    app = app_context(ctx)
    path = resolve_config_path(app.config_path)
    if path.exists():
        app.console.print(f"Config: {path.resolve()} (kept as it is)")
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(example_config(), encoding="utf-8")
        app.console.print(f"Config: wrote {path.resolve()} from the example; edit it to taste")
    settings = load_settings(path)
    app._settings = settings
    engine = db.engine_from_settings(settings)
    before, after = db.upgrade(engine)
    where = engine.url.render_as_string(hide_password=True)
    if before is None:
        app.console.print(f"Database: created {where} (schema {after})")
    elif before == after:
        app.console.print(f"Database: {where} is up to date (schema {after})")
    else:
        app.console.print(f"Database: upgraded {where} from schema {before} to {after}")
    engine.dispose()
