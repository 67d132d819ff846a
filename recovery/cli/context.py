"""What every command needs: the settings and the database, loaded once per invocation."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import typer
from rich.console import Console
from sqlalchemy import Engine

from recovery import db
from recovery.config import Settings, load_settings


@dataclass
class AppContext:
    config_path: Path | None = None
    # soft_wrap: long lines (paths, messages) stay whole for people who copy them and for tools.
    console: Console = field(default_factory=lambda: Console(soft_wrap=True))
    err: Console = field(default_factory=lambda: Console(stderr=True, soft_wrap=True))
    _settings: Settings | None = None
    _engine: Engine | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config_path)
        return self._settings

    @property
    def engine(self) -> Engine:
        """The database, checked to be initialised and at the current schema."""
        if self._engine is None:
            engine = db.engine_from_settings(self.settings)
            db.require_current_schema(engine)
            self._engine = engine
        return self._engine


def app_context(ctx: typer.Context) -> AppContext:
    root = ctx.find_root()
    if not isinstance(root.obj, AppContext):
        root.obj = AppContext()
    return root.obj
