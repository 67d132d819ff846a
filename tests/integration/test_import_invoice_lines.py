"""Per-line invoice exports: one invoice row per invoice, its lines numbered across chunks, and
parents found through the unique index however big the table grows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, select
from sqlmodel import Session, col

from recovery.claims.incremental.stored_findings import save_fingerprint
from recovery.config import Settings
from recovery.models import (
    ChangedKey,
    CoopBackupLine,
    Invoice,
    InvoiceLine,
    VendorAccount,
    table_of,
)
from recovery.sources.importing import import_file
from recovery.store.upsert import CHUNK_ROWS, existing_ids, upsert_tuples

HEAD = "Invoice Number,Invoice Date,Vendor Code,Invoice Amount,Payment Due Date,Invoice Status,"
HEAD += "ASIN,Quantity,Unit Cost\n"


def line(number: str, status: str, asin: str, quantity: int, code: str = "V1") -> str:
    return f"{number},10/01/2026,{code},100.00,12/01/2026,{status},{asin},{quantity},2.50\n"


def test_an_invoice_takes_its_last_line_and_its_lines_run_on_across_chunks(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    long = CHUNK_ROWS + 500
    rows = [line("A", "Unpaid", f"X{n}", n % 7 + 1) for n in range(long - 1)]
    rows.append(line("A", "Paid", "XLAST", 3))
    rows += [line("B", "Unpaid", "B1", 1, "OTHER"), line("B", "Unpaid", "B2", 2, "OTHER")]
    rows.append(line("B", "Disputed", "B3", 4, "OTHER"))
    path = tmp_path / "invoices.csv"
    path.write_text(HEAD + "".join(rows))

    result = import_file(engine, settings, path)

    assert (result.inserted, result.updated) == (2 + long + 3, 0)
    assert "rows for other vendor codes were stored under V1: OTHER (3 rows)" in result.warnings
    with Session(engine) as s:
        invoices = s.exec(select(Invoice).order_by(col(Invoice.invoice_number))).scalars().all()
        assert [(i.invoice_number, i.status) for i in invoices] == [
            ("A", "Paid"),
            ("B", "Disputed"),
        ]
        lines = s.exec(
            select(InvoiceLine.invoice_id, InvoiceLine.line_no, InvoiceLine.asin).order_by(
                col(InvoiceLine.invoice_id), col(InvoiceLine.line_no)
            )
        ).all()
    a_id, b_id = invoices[0].id, invoices[1].id
    assert [n for i, n, _ in lines if i == a_id] == list(range(1, long + 1))
    assert [(i, n, asin) for i, n, asin in lines if i == b_id] == [
        (b_id, 1, "B1"),
        (b_id, 2, "B2"),
        (b_id, 3, "B3"),
    ]
    assert lines[long - 1][2] == "XLAST"


def test_existing_ids_are_the_asking_accounts_and_found_through_the_index(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "invoices.csv"
    path.write_text(HEAD + line("A", "Paid", "X", 1) + line("C", "Paid", "X", 1))
    import_file(engine, settings, path, account="V1")
    other = tmp_path / "other.csv"
    other.write_text(HEAD + line("A", "Paid", "X", 1, "V2"))
    import_file(engine, settings, other, account="V2")
    with Session(engine) as s:
        accounts = {a.vendor_code: a.id for a in s.exec(select(VendorAccount)).scalars()}
        ids = {(i.account_id, i.invoice_number): i.id for i in s.exec(select(Invoice)).scalars()}
    v1, v2 = accounts["V1"], accounts["V2"]

    statements: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append((statement, parameters))

    with engine.connect() as conn:
        keys = [(v1, "A"), (v2, "A"), (v2, "C"), (v1, "C"), (None, "A"), (v1, None)]
        event.listen(conn, "before_cursor_execute", capture)
        found = existing_ids(conn, table_of(Invoice), ("account_id", "invoice_number"), keys)
        event.remove(conn, "before_cursor_execute", capture)
        assert found == {k: ids[k] for k in [(v1, "A"), (v2, "A"), (v1, "C")]}
        lookups = [(sql, params) for sql, params in statements if sql.startswith("SELECT")]
        # One per account, each naming its invoices (not every invoice of both accounts).
        assert len(lookups) == 2
        if engine.dialect.name == "sqlite":
            for statement, parameters in lookups:
                plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
                details = [row[-1] for row in plan]
                assert not any(d.startswith("SCAN invoice") for d in details), details


def test_upsert_tuples_takes_its_columns_in_any_order_and_updates_on_the_key(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "invoices.csv"
    path.write_text(HEAD + line("A", "Unpaid", "X1", 1))
    import_file(engine, settings, path)
    lines = table_of(InvoiceLine)
    with engine.begin() as conn:
        invoice_id = conn.execute(select(table_of(Invoice).c.id)).scalar_one()
        columns = ("currency", "amount_minor", "unit_cost_minor", "quantity", "asin")
        columns += ("line_no", "invoice_id")
        counts = upsert_tuples(
            conn,
            lines,
            columns,
            [("USD", 500, 250, 2, "X1", 1, invoice_id), ("USD", 750, 250, 3, "X2", 2, invoice_id)],
            ("invoice_id", "line_no"),
        )
        assert (counts.inserted, counts.updated) == (1, 1)
        stored = conn.execute(
            select(lines.c.line_no, lines.c.asin, lines.c.quantity, lines.c.amount_minor).order_by(
                lines.c.line_no
            )
        ).all()
    assert [tuple(r) for r in stored] == [(1, "X1", 2, 500), (2, "X2", 3, 750)]


def test_upsert_tuples_queues_the_keys_detection_reads(engine: Engine) -> None:
    with Session(engine) as s:
        s.add(VendorAccount(vendor_code="V1"))
        s.commit()
    columns = ("account_id", "coop_invoice_number", "revised", "line_no", "quantity")
    columns += ("net_sales_minor", "rebate_minor", "currency")
    with engine.begin() as conn:
        account_id = conn.execute(select(table_of(VendorAccount).c.id)).scalar_one()
        save_fingerprint(conn, account_id, "a run's")  # detected before: keys are queued
        counts = upsert_tuples(
            conn,
            table_of(CoopBackupLine),
            columns,
            [(account_id, "C9", True, n, 1, 100, 5, "USD") for n in (1, 2)],
            ("account_id", "coop_invoice_number", "revised", "line_no"),
        )
        queued = conn.execute(select(table_of(ChangedKey).c.kind, table_of(ChangedKey).c.key)).all()
        revised = conn.execute(select(table_of(CoopBackupLine).c.revised)).scalars().all()
    assert (counts.inserted, counts.updated) == (2, 0)
    assert ("ref", "C9") in [tuple(r) for r in queued]
    assert revised == [True, True]  # through the column type's bind processor
