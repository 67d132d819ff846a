"""What every command needs: the settings and the database, loaded once per invocation."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import typer
from rich.console import Console
from sqlalchemy import Engine

from recovery.config import Settings, load_settings
from recovery.store import db

# psycopg's and sqlite3's words for a database that cannot be reached, or is busy.
_UNREACHABLE = (
    "connection refused",
    "could not connect",
    "connection failed",
    "could not translate host name",
    "timeout expired",
    "no such host",
    "name or service not known",
    "server closed the connection",
    "does not exist",
    "password authentication failed",
    "unable to open database file",
)


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


def database_problem(exc: Exception) -> str | None:
    """One line for a database that is busy or out of reach (a SQLAlchemy OperationalError
    or InterfaceError), or None when the error is something else (a bug: its traceback is
    worth having)."""
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    first = reason[0] if reason else type(exc).__name__
    lowered = first.lower()
    if "database is locked" in lowered or "database table is locked" in lowered:
        seconds = db.SQLITE_BUSY_TIMEOUT_MS / 1000
        return (
            f"the database is busy: another recovery process held it for more than {seconds:g} "
            "seconds (an import or detect still running?); nothing was changed, try again when "
            "it has finished"
        )
    if any(words in lowered for words in _UNREACHABLE):
        return (
            f"cannot reach the database ({first}); check database_url in config.toml or "
            "RECOVERY_DATABASE_URL, and that the server is running"
        )
    return None
