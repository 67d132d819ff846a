"""Engines, sessions and migrations for SQLite (the default) and PostgreSQL.

SQLite is tuned for one writer and many readers: WAL journal, foreign keys enforced (SQLite
leaves them off by default), a busy timeout instead of instant "database is locked" errors, and
write transactions that take the write lock up front (`BEGIN IMMEDIATE`), so two writers queue
instead of deadlocking on lock upgrade.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlmodel import Session

from recovery.config import Settings
from recovery.errors import ConfigError
from recovery.store import changes

SQLITE_BUSY_TIMEOUT_MS = 30_000
# A new database's page size (an existing one keeps its own). Twice SQLite's default: a large
# vendor's first import stores millions of rows, and with 8 KB pages SQLite took them 8-11 %
# faster (PO items, ASN lines and cost records of a year, 6 M rows into a fresh database).
SQLITE_PAGE_BYTES = 8192


def normalize_url(url: str) -> str:
    """Accept `postgres://` and `postgresql://` as people write them; use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, *, echo: bool = False, read_only: bool = False) -> Engine:
    """`read_only`: for a process that only reads; on SQLite its transactions then take no
    write lock, so it can read while another connection holds it."""
    # Whatever writes through this engine's sessions queues what it changed for `detect`.
    changes.watch_orm_writes()
    url = normalize_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"database_url: not a database URL: {url!r}") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(url, parsed.database, echo=echo, read_only=read_only)
    if backend == "postgresql":
        if parsed.drivername != "postgresql+psycopg":
            raise ConfigError("database_url: use postgresql+psycopg:// for PostgreSQL")
        return create_engine(url, echo=echo, pool_pre_ping=True, json_serializer=json_text)
    raise ConfigError(f"database_url: unsupported database {backend!r} (SQLite or PostgreSQL)")


def json_text(value: Any) -> str:
    """JSON columns are written with orjson: detection stores tens of thousands of findings
    per run, and the standard library's encoder was a tenth of a full run. Keys that are not
    strings become strings, as the standard library makes them."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def reading_engine(engine: Engine) -> Engine | None:
    """An engine whose connections can read while one of `engine`'s holds a write transaction
    (for reads run beside it): on SQLite their transactions take no write lock. None for an
    in-memory SQLite database, which no other connection sees. Dispose of it when done."""
    if not shared(engine):
        return None
    return make_engine(engine.url.render_as_string(hide_password=False), read_only=True)


def shared(engine: Engine) -> bool:
    """Whether other connections and processes see this engine's database (not so an
    in-memory SQLite one)."""
    url = engine.url
    return url.get_backend_name() != "sqlite" or url.database not in (None, "", ":memory:")


def engine_from_settings(settings: Settings) -> Engine:
    return make_engine(settings.database_url)


def _sqlite_engine(
    url: str, database: str | None, *, echo: bool, read_only: bool = False
) -> Engine:
    if database and database != ":memory:":
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        echo=echo,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        json_serializer=json_text,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below emit BEGIN instead of pysqlite's implicit one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if database and database != ":memory:":
            # (before WAL: a database in WAL mode cannot change its page size)
            cursor.execute(f"PRAGMA page_size={SQLITE_PAGE_BYTES}")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session whose work commits at the end of the block, or rolls back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


# Tables other libraries create and manage in our database: APScheduler's job store and
# procrastinate's queue (`recovery.service`). Migrations neither track nor drop them.
FOREIGN_TABLES = ("apscheduler_jobs",)
FOREIGN_PREFIXES = ("procrastinate_",)


def include_name(name: str | None, type_: str, _parent_names: object) -> bool:
    """Alembic's `include_name` hook: everything but the foreign tables."""
    if type_ == "table" and name is not None:
        return name not in FOREIGN_TABLES and not name.startswith(FOREIGN_PREFIXES)
    return True


def migrations_dir() -> Path:
    return Path(str(importlib.resources.files("recovery._migrations")))


def alembic_config(engine: Engine) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    config.attributes["engine"] = engine
    return config


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def upgrade(engine: Engine) -> tuple[str | None, str | None]:
    """Bring the schema to the newest migration; returns (revision before, revision after)."""
    before = current_revision(engine)
    command.upgrade(alembic_config(engine), "head")
    return before, current_revision(engine)


def require_current_schema(engine: Engine) -> None:
    """Commands that use the database call this first, so a missing `init` is one clear line."""
    current, head = current_revision(engine), head_revision(engine)
    if current is None:
        raise ConfigError(
            f"database {engine.url.render_as_string(hide_password=True)} is not set up: "
            "run `recovery init`"
        )
    if current != head:
        raise ConfigError(
            f"database schema is at {current}, this version needs {head}: run `recovery init`"
        )
