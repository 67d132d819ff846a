"""Fixtures shared by every test: fresh migrated databases on SQLite and PostgreSQL.

PostgreSQL tests run when RECOVERY_TEST_POSTGRES_URL points at a server (as `.ci/run` does) and
are skipped otherwise. Each test gets its own database, cloned from a migrated template, so
tests never see each other's rows and can run in parallel.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_runner import Cli, cli_runner
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from recovery.config import Settings
from recovery.store import db

POSTGRES_URL = os.environ.get("RECOVERY_TEST_POSTGRES_URL")


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own RECOVERY_* variables must not leak into tests."""
    for name in list(os.environ):
        if name.startswith("RECOVERY_") and name != "RECOVERY_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = db.make_engine(f"sqlite:///{path}")
    db.upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_template(worker_id: str) -> Iterator[str]:
    if not POSTGRES_URL:
        pytest.skip("RECOVERY_TEST_POSTGRES_URL is not set")
    name = f"tpl_{worker_id}_{uuid.uuid4().hex[:8]}"
    admin = _pg_admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    engine = db.make_engine(url)
    db.upgrade(engine)
    engine.dispose()
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _pg_admin_engine() -> Engine:
    assert POSTGRES_URL
    return create_engine(db.normalize_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of a fresh database at the current schema, on each engine."""
    if request.param == "sqlite":
        path = tmp_path / "recovery.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    yield from _fresh_postgres_database(request.getfixturevalue("postgres_template"))


@pytest.fixture
def postgres_db_url(postgres_template: str) -> Iterator[str]:
    """URL of a fresh PostgreSQL database at the current schema (skipped without a server)."""
    yield from _fresh_postgres_database(postgres_template)


def _fresh_postgres_database(template: str) -> Iterator[str]:
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    assert POSTGRES_URL
    yield (
        make_url(db.normalize_url(POSTGRES_URL))
        .set(database=name)
        .render_as_string(hide_password=False)
    )
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = db.make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=db_url, data_dir=tmp_path / "data")


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    """`cli(["import", path])` runs the `recovery` command as a user would and gives its exit
    code, stdout and stderr."""
    return cli_runner(capsys)
