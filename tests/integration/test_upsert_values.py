"""Rows the bulk upsert writes hold the same stored values as rows the ORM writes.

On SQLite dates and timestamps are text: a timestamp stored without its microseconds by one
path and with them by the other sorts and compares differently in SQL, and dates left to
sqlite3's default adapter depend on a conversion Python 3.12 deprecates.
"""

from datetime import UTC, date, datetime
from typing import Any

from claims_factory import account
from sqlalchemy import Engine, text
from sqlmodel import Session

from recovery.models import CoopBackupLine, Shipment, table_of
from recovery.store.upsert import UpsertCounts, upsert, upsert_tuples


def _account(engine: Engine) -> int:
    with Session(engine) as session:
        account_id = account(session).id
        session.commit()
    assert account_id is not None
    return account_id


def _stored(engine: Engine, table: str, columns: str, where: str) -> list[tuple[Any, ...]]:
    """The values as the database holds them, with no type's result processing."""
    with engine.connect() as conn:
        query = f"SELECT {columns} FROM {table} WHERE {where}"
        return [tuple(row) for row in conn.execute(text(query))]


def test_dates_and_flags_are_stored_as_the_orm_stores_them(engine: Engine) -> None:
    account_id = _account(engine)
    values = {
        "account_id": account_id,
        "coop_invoice_number": "COOP1",
        "revised": True,
        "receive_date": date(2026, 3, 9),
        "order_date": date(2026, 2, 28),
        "quantity": 4,
        "net_sales_minor": 1000,
        "rebate_minor": 50,
        "currency": "USD",
    }
    with Session(engine) as session:
        session.add(CoopBackupLine(line_no=1, **values))
        session.commit()
    columns = ("line_no", *values)
    # Several rows with repeated dates and flags, as a backup file has them.
    rows = [(line_no, *values.values()) for line_no in (2, 3, 4)]
    with engine.begin() as conn:
        key = ("account_id", "coop_invoice_number", "revised", "line_no")
        counts = upsert_tuples(conn, table_of(CoopBackupLine), columns, rows, key)
    assert counts.inserted == 3
    stored = _stored(
        engine,
        "coop_backup_line",
        "revised, receive_date, order_date, ship_date",
        "coop_invoice_number = 'COOP1' ORDER BY line_no",
    )
    assert len(stored) == 4
    assert stored[1:] == [stored[0]] * 3


def test_timestamps_are_stored_as_the_orm_stores_them(engine: Engine) -> None:
    account_id = _account(engine)
    created = datetime(2026, 3, 9, 14, 30, 5, tzinfo=UTC)
    shipped = datetime(2026, 3, 10, 8, 0, 0, 250000, tzinfo=UTC)
    with Session(engine) as session:
        session.add(
            Shipment(
                account_id=account_id, shipment_id="ASN-ORM", created_at=created, shipped_at=shipped
            )
        )
        session.commit()
    with engine.begin() as conn:
        upsert(
            conn,
            table_of(Shipment),
            [
                {
                    "account_id": account_id,
                    "shipment_id": "ASN-BULK",
                    "created_at": created,
                    "shipped_at": shipped,
                }
            ],
            ("account_id", "shipment_id"),
        )
    where = "shipment_id LIKE 'ASN-%' ORDER BY shipment_id"
    bulk, orm = _stored(engine, "shipment", "created_at, shipped_at", where)
    assert bulk == orm


def test_ids_of_parents_written_again_are_theirs_whatever_their_key_holds(engine: Engine) -> None:
    """Ids come back from the write with the key beside them: a flag in the key comes back as
    stored (an integer on SQLite) and must still find its row."""
    account_id = _account(engine)
    table = table_of(CoopBackupLine)
    key = ("account_id", "coop_invoice_number", "revised", "line_no")

    def rows(quantity: int) -> list[dict[str, Any]]:
        return [
            {
                "account_id": account_id,
                "coop_invoice_number": "COOP1",
                "revised": revised,
                "line_no": line_no,
                "quantity": quantity,
                "currency": "USD",
            }
            for revised in (False, True)
            for line_no in (1, 2, 3)
        ]

    with engine.begin() as conn:
        first = upsert(conn, table, rows(1), key, want_ids=True)
        # In chunks of 4, the first row again in the second chunk: found, like the rest.
        second = upsert(conn, table, rows(2) + rows(2)[:1], key, want_ids=True, chunk_rows=4)
    with engine.connect() as conn:
        stored = {
            (account_id, number, bool(revised), line_no): row_id
            for row_id, number, revised, line_no in conn.execute(
                text("SELECT id, coop_invoice_number, revised, line_no FROM coop_backup_line")
            )
        }
    assert first.counts == UpsertCounts(6, 0)
    assert second.counts == UpsertCounts(0, 7)
    assert first.ids == second.ids == stored
