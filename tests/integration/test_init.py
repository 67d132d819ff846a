"""`recovery init` on a fresh machine, on SQLite and PostgreSQL, twice."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from cli_runner import Cli
from sqlalchemy import Engine, inspect, text
from sqlmodel import Session, SQLModel

from recovery.models import Invoice, VendorAccount
from recovery.store import db


def schema_snapshot(engine: Engine) -> dict[str, list[str]]:
    inspector = inspect(engine)
    return {
        table: sorted(c["name"] for c in inspector.get_columns(table))
        for table in sorted(inspector.get_table_names())
    }


def test_init_on_a_fresh_machine_then_again_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = cli(["init"])
    assert code == 0
    assert "wrote" in out and "created" in out
    config = tmp_path / "config.toml"
    database = tmp_path / "recovery.db"
    assert config.exists() and database.exists()
    first_config = config.read_text()
    engine = db.make_engine("sqlite:///recovery.db")
    first_schema = schema_snapshot(engine)
    assert "claim" in first_schema and "deduction" in first_schema
    engine.dispose()

    code, out, _ = cli(["init"])
    assert code == 0
    assert "kept as it is" in out and "up to date" in out
    assert config.read_text() == first_config
    engine = db.make_engine("sqlite:///recovery.db")
    assert schema_snapshot(engine) == first_schema
    engine.dispose()


@pytest.mark.postgres
def test_init_creates_the_schema_in_postgresql(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    cli: Cli,
    postgres_db_url: str,
) -> None:
    db_url = postgres_db_url
    # db_url is already migrated; start from an empty schema to see init create it.
    engine = db.make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RECOVERY_DATABASE_URL", db_url)
    code, out, _ = cli(["init"])
    assert code == 0 and "created" in out
    assert "vendor_account" in schema_snapshot(engine)
    code, out, _ = cli(["init"])
    assert code == 0 and "up to date" in out
    engine.dispose()


def test_migrations_match_the_models(engine: Engine) -> None:
    """`alembic check`: the newest migration builds exactly the tables the models declare."""
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []


def test_sqlite_is_tuned_for_one_writer(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'r.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == db.SQLITE_BUSY_TIMEOUT_MS
    engine.dispose()


def test_foreign_keys_and_natural_keys_are_enforced(engine: Engine) -> None:
    with Session(engine) as session:
        session.add(Invoice(account_id=999, invoice_number="I1", currency="USD"))
        with pytest.raises(Exception, match="(?i)foreign key"):
            session.commit()
    with Session(engine) as session:
        account = VendorAccount(vendor_code="ABCDE")
        session.add(account)
        session.commit()
        assert account.id is not None
        session.add(Invoice(account_id=account.id, invoice_number="I1", currency="USD"))
        session.add(Invoice(account_id=account.id, invoice_number="I1", currency="USD"))
        with pytest.raises(Exception, match="(?i)unique"):
            session.commit()


def test_commands_refuse_a_database_that_was_never_initialised(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(Exception, match="recovery init"):
        db.require_current_schema(engine)
    engine.dispose()


def test_unsupported_database_urls_are_clear_errors() -> None:
    with pytest.raises(Exception, match="unsupported database"):
        db.make_engine("mysql://localhost/x")
    assert db.normalize_url("postgres://u@h/d") == "postgresql+psycopg://u@h/d"


def test_bad_config_is_one_line_and_exit_code_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.toml").write_text('[vendor_central]\npassword = "hunter2"\n')
    code, _, err = cli(["init"])
    assert code == 1
    assert "secret" in err and "Traceback" not in err and "hunter2" not in err
    code, _, err = cli(["no-such-command"])
    assert code == 2
