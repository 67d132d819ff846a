"""Bulk inserts on SQLite go as statements of many rows: every row lands, however the rows
divide among the statements, and an upsert's conflicts still update."""

import shutil
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from claims_factory import account
from sqlalchemy import Engine, event, select, text
from sqlmodel import Session

from recovery.models import CoopBackupLine, CostRecord, table_of
from recovery.store import db
from recovery.store.sqlite_rows import multirow_sql
from recovery.store.upsert import upsert_tuples

COLUMNS = ("account_id", "coop_invoice_number", "revised", "line_no", "quantity", "currency")
KEY = ("account_id", "coop_invoice_number", "revised", "line_no")


@pytest.fixture
def engine(sqlite_template: Path, tmp_path: Path) -> Engine:
    path = tmp_path / "recovery.db"
    shutil.copy(sqlite_template, path)
    return db.make_engine(f"sqlite:///{path}")


def _capped(engine: Engine, parameters: int) -> None:
    """Each new connection takes at most `parameters` per statement."""

    @event.listens_for(engine, "connect")
    def cap(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        dbapi_connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, parameters)


def test_rows_beyond_a_statement_go_in_further_statements_and_conflicts_update(
    engine: Engine,
) -> None:
    _capped(engine, 60)
    with Session(engine) as session:
        account_id = account(session).id
        session.commit()
    table = table_of(CoopBackupLine)
    first = [(account_id, "C1", False, n, n, "USD") for n in range(1, 96)]
    # Again, with the quantities of the first 40 lines changed and 7 more lines.
    again = [(account_id, "C1", False, n, n * 10 if n <= 40 else n, "USD") for n in range(1, 103)]
    inserts: list[tuple[str, int]] = []  # (statement, its parameters)

    def seen(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        if statement.startswith("INSERT INTO coop_backup_line"):
            inserts.append((statement, len(parameters)))

    event.listen(engine, "before_cursor_execute", seen)
    with engine.begin() as conn:
        assert upsert_tuples(conn, table, COLUMNS, first, KEY).inserted == 95
    # As many rows per statement as 60 parameters hold (a row carries the columns with
    # defaults too), the rest in the last.
    sizes = [parameters for _statement, parameters in inserts]
    width, remainder = divmod(sum(sizes), 95)
    assert remainder == 0
    per = 60 // width
    assert sizes == [per * width] * (95 // per) + ([95 % per * width] if 95 % per else [])
    with engine.begin() as conn:
        counts = upsert_tuples(conn, table, COLUMNS, again, KEY)
    assert (counts.inserted, counts.updated) == (7, 95)
    with engine.connect() as conn:
        stored = conn.execute(
            text("SELECT line_no, quantity FROM coop_backup_line ORDER BY line_no")
        ).all()
    assert [tuple(row) for row in stored] == [(row[3], row[4]) for row in again]


def test_a_statement_that_is_not_an_insert_of_one_row_is_refused() -> None:
    sql = "INSERT INTO t (a, b) VALUES (?, ?) ON CONFLICT (a) DO UPDATE SET b = excluded.b"
    assert multirow_sql(sql, 2, 3) == (
        "INSERT INTO t (a, b) VALUES (?, ?), (?, ?), (?, ?) "
        "ON CONFLICT (a) DO UPDATE SET b = excluded.b"
    )
    with pytest.raises(ValueError, match="one VALUES group of 3"):
        multirow_sql(sql, 3, 2)


def test_tuples_in_another_column_order_with_dates_land_in_their_columns(engine: Engine) -> None:
    """Rows given in the caller's column order (not the table's), with a date column that
    goes through its bind processor, over several statements."""
    _capped(engine, 50)
    with Session(engine) as session:
        account_id = account(session).id
        session.commit()
    table = table_of(CostRecord)
    columns = ("account_id", "source", "asin", "vendor_sku", "effective_from", "source_ref")
    columns += ("cost_minor", "currency")
    rows = [
        (account_id, "po", f"B0{n:08d}", "", date(2026, 1, 1 + n % 28), f"PO{n}", 100 + n, "USD")
        for n in range(37)
    ]
    with engine.begin() as conn:
        assert upsert_tuples(conn, table, columns, rows, columns[:6]).inserted == 37
    with engine.connect() as conn:
        stored = conn.execute(select(*(table.c[name] for name in columns)).order_by(table.c.id))
        assert [tuple(row) for row in stored] == rows
