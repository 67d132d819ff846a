"""Re-importing is a no-op; a newer export overlapping an older one updates, never duplicates."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, event, func, select
from sqlmodel import Session, col

from recovery.claims.incremental.stored_findings import save_fingerprint
from recovery.config import Settings
from recovery.models import (
    ChangedKey,
    CostRecord,
    Deduction,
    ImportBatch,
    Invoice,
    InvoiceLine,
    Payment,
    RemittanceLine,
    ShortageLine,
    VendorAccount,
    table_of,
)
from recovery.sources.importing import import_file
from recovery.store.upsert import existing_ids, upsert

HEADER = (
    "Payment Number,Invoice Number,Invoice Date,Description,Invoice Amount,"
    "Terms Discount Taken,Amount Paid,Remaining Amount,Invoice Currency\n"
)


def count(engine: Engine, model: type) -> int:
    with Session(engine) as s:
        return int(s.exec(select(func.count()).select_from(model)).scalar_one())


def test_same_file_twice_is_a_no_op(engine: Engine, settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "remit.csv"
    path.write_text(
        HEADER + "P1,INV1,2026-10-01,Payments,100.00,0,100.00,0,USD\n"
        "P1,INV1SC,2026-10-05,Quantity shortage,-10.00,0,-10.00,0,USD\n"
    )
    first = import_file(engine, settings, path)
    assert first.inserted == 3 and not first.duplicate  # a derived payment and two lines
    copy = tmp_path / "renamed-copy.csv"
    copy.write_bytes(path.read_bytes())
    second = import_file(engine, settings, copy)
    assert second.duplicate and second.kind == "remittance" and second.rows_read == 0
    assert count(engine, RemittanceLine) == 2
    assert count(engine, Deduction) == 1
    assert count(engine, ImportBatch) == 1


def test_newer_remittance_export_updates_overlapping_lines(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    older = tmp_path / "older.csv"
    older.write_text(
        HEADER + "P1,INV1,2026-10-01,Payments,100.00,0,60.00,40.00,USD\n"
        "P1,INV1SC,2026-10-05,Quantity shortage,-10.00,0,-10.00,0,USD\n"
    )
    newer = tmp_path / "newer.csv"
    newer.write_text(
        HEADER + "P1,INV1,2026-10-01,Payments,100.00,0,60.00,30.00,USD\n"
        "P1,INV1SC,2026-10-05,Quantity shortage,-12.00,0,-12.00,0,USD\n"
        "P2,INV2,2026-10-09,Payments,50.00,0,50.00,0,USD\n"
    )
    import_file(engine, settings, older)
    result = import_file(engine, settings, newer)
    # New: payment P2 and line INV2; updated: payment P1 (its amount) and two lines.
    assert (result.inserted, result.updated) == (2, 3)
    with Session(engine) as s:
        lines = {r.invoice_number: r for r in s.exec(select(RemittanceLine)).scalars()}
        assert len(lines) == 3
        assert lines["INV1"].remaining_minor == 3000
        deduction = s.exec(select(Deduction)).scalar_one()
        assert deduction.amount_minor == 1200
        assert deduction.remittance_line_id == lines["INV1SC"].id
        payments = {p.payment_number: p.amount_minor for p in s.exec(select(Payment)).scalars()}
        assert payments == {"P1": 6000 - 1200, "P2": 5000}
    assert count(engine, ImportBatch) == 2


def test_a_newer_export_queues_for_detection_only_the_rows_it_adds_or_changes(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    """Exports are downloaded again with a day more: the rows they repeat as they were must
    not send the next detect to judge their invoices again."""
    older = tmp_path / "older.csv"
    older.write_text(
        HEADER + "P1,INV1,2026-10-01,Payments,100.00,0,100.00,0,USD\n"
        "P1,INV1SC,2026-10-05,Quantity shortage,-10.00,0,-10.00,0,USD\n"
        "P1,INV3,2026-10-02,Payments,50.00,0,50.00,0,USD\n"
    )
    newer = tmp_path / "newer.csv"
    newer.write_text(
        HEADER + "P1,INV1,2026-10-01,Payments,100.00,0,100.00,0,USD\n"
        "P1,INV1SC,2026-10-05,Quantity shortage,-12.00,0,-12.00,0,USD\n"
        "P1,INV3,2026-10-02,Payments,50.00,0,50.00,0,USD\n"
        "P2,INV2,2026-10-09,Payments,30.00,0,30.00,0,USD\n"
    )
    import_file(engine, settings, older)
    # Never detected: one row says "everything" (the first run judges it all anyway).
    assert _take_queue(engine) == {"*"}

    result = import_file(engine, settings, newer)
    assert (result.inserted, result.updated) == (2, 4)  # P2 and INV2; P1 and three lines
    queued = _take_queue(engine)
    # The shortage changed (and names its invoice), INV2 is new; INV3 came again unchanged.
    assert queued == {"INV1", "INV1SC", "INV2"}


def test_an_invoice_export_again_queues_the_invoices_whose_lines_changed(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    head = "Invoice Number,Invoice Date,Invoice Amount,Payment Due Date,ASIN,Quantity,Unit Cost\n"
    older, newer = tmp_path / "inv1.csv", tmp_path / "inv2.csv"
    older.write_text(
        head + "I1,2026-10-01,30.00,2026-12-01,A1,1,10.00\n"
        "I1,2026-10-01,30.00,2026-12-01,A2,2,10.00\n"
        "I2,2026-10-01,30.00,2026-12-01,B1,3,10.00\n"
        "I3,2026-10-01,30.00,2026-12-01,C1,3,10.00\n"
        "I5,2026-10-01,30.00,2026-12-01,E1,3,10.00\n"
    )
    # I1 lost a line, I2's line has another ASIN, I3 is as it was, I4 is new; I5's header
    # changed (its due date) and its line did not.
    newer.write_text(
        head + "I1,2026-10-01,30.00,2026-12-01,A1,1,10.00\n"
        "I2,2026-10-01,30.00,2026-12-01,B9,3,10.00\n"
        "I3,2026-10-01,30.00,2026-12-01,C1,3,10.00\n"
        "I4,2026-10-02,30.00,2026-12-02,D1,3,10.00\n"
        "I5,2026-10-01,30.00,2026-12-05,E1,3,10.00\n"
    )
    import_file(engine, settings, older)
    _take_queue(engine)
    import_file(engine, settings, newer)
    assert _take_queue(engine) == {"I1", "I2", "I4", "I5"}


def _take_queue(engine: Engine) -> set[str]:
    """The keys queued for detection, taken off the queue as a run would; the accounts are
    then detected ones, whose writes queue their keys."""
    queue = table_of(ChangedKey)
    with engine.begin() as conn:
        keys = {key for (key,) in conn.execute(select(queue.c.key))}
        conn.execute(delete(queue))
        for account_id in conn.execute(select(table_of(VendorAccount).c.id)).scalars():
            save_fingerprint(conn, account_id, "a run's")
    return keys


def test_existing_rows_are_looked_up_together_whichever_key_column_varies(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    """A debit note's key ends with its payment, a shortage line's with its ASIN: 30 debit
    notes of one payment, or 30 lines of 10 shortages, are one query, not one each (a
    remittance export of thousands took seconds more)."""
    remittance = tmp_path / "remit.csv"
    remittance.write_text(
        HEADER
        + "".join(
            f"P1,INV{n}SC,2026-10-05,Quantity shortage,-1.00,0,-1.00,0,USD\n" for n in range(30)
        )
    )
    shortages = tmp_path / "shortages.csv"
    shortages.write_text(
        "Invoice Number,External ID,ASIN,Shortage Quantity,Shortage Amount\n"
        + "".join(f"I{n // 3},I{n // 3}SC,A{n % 3},1,10.00\n" for n in range(30))
    )
    import_file(engine, settings, remittance)
    import_file(engine, settings, shortages)
    with Session(engine) as s:
        debit_notes = {
            (d.account_id, d.reference, d.payment_number): d.id
            for d in s.exec(select(Deduction)).scalars()
        }
        lines = {
            (r.account_id, r.invoice_number, r.external_id, r.asin): r.id
            for r in s.exec(select(ShortageLine)).scalars()
        }
    assert len(debit_notes) == len(lines) == 30
    statements: list[str] = []

    def capture(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    for table, key, stored in (
        (Deduction, ("account_id", "reference", "payment_number"), debit_notes),
        (ShortageLine, ("account_id", "invoice_number", "external_id", "asin"), lines),
    ):
        statements.clear()
        with engine.connect() as conn:
            event.listen(conn, "before_cursor_execute", capture)
            found = existing_ids(conn, table_of(table), key, list(stored))
            event.remove(conn, "before_cursor_execute", capture)
        assert found == stored
        assert len([sql for sql in statements if sql.startswith("SELECT")]) == 1


def test_newer_invoice_export_replaces_lines_and_shortage_rows(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    head = "Invoice Number,Invoice Date,Invoice Amount,Payment Due Date,ASIN,Quantity,Unit Cost\n"
    older = tmp_path / "inv1.csv"
    older.write_text(
        head + "I1,2026-10-01,30.00,2026-12-01,A1,1,10.00\n"
        "I1,2026-10-01,30.00,2026-12-01,A2,2,10.00\n"
    )
    newer = tmp_path / "inv2.csv"
    # The newer export also brings a new invoice: its lines stay whole.
    newer.write_text(
        head + "I1,2026-10-01,20.00,2026-12-01,A1,2,10.00\n"
        "I2,2026-10-02,30.00,2026-12-02,B1,1,10.00\n"
        "I2,2026-10-02,30.00,2026-12-02,B2,2,10.00\n"
    )
    import_file(engine, settings, older)
    result = import_file(engine, settings, newer)
    assert (result.inserted, result.updated) == (3, 2)
    with Session(engine) as s:
        invoice = s.exec(select(Invoice).where(Invoice.invoice_number == "I1")).scalar_one()
        assert invoice.amount_minor == 2000
        lines = s.exec(select(InvoiceLine).order_by(col(InvoiceLine.id))).scalars().all()
        assert [(li.asin, li.quantity) for li in lines] == [("A1", 2), ("B1", 1), ("B2", 2)]

    short = "Invoice Number,External ID,ASIN,Shortage Quantity,Shortage Amount\n"
    (tmp_path / "s1.csv").write_text(short + "I1,I1SC,A1,1,10.00\n")
    (tmp_path / "s2.csv").write_text(short + "I1,I1SC,A1,2,20.00\nI1,I1SC,A2,1,10.00\n")
    import_file(engine, settings, tmp_path / "s1.csv")
    again = import_file(engine, settings, tmp_path / "s2.csv")
    assert (again.inserted, again.updated) == (1, 1)
    with Session(engine) as s:
        rows = s.exec(select(ShortageLine).order_by(col(ShortageLine.asin))).scalars().all()
        assert [(r.asin, r.shortage_quantity) for r in rows] == [("A1", 2), ("A2", 1)]


def test_a_failing_file_stores_nothing(engine: Engine, settings: Settings, tmp_path: Path) -> None:
    rows = "".join(f"P1,INV{n},2026-10-01,Payments,1.00,0,1.00,0,USD\n" for n in range(5000))
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + rows + "P1,INVX,2026-10-01,Payments,1.00,0,one dollar,0,USD\n")
    try:
        import_file(engine, settings, path)
    except Exception as exc:
        assert "row 5002" in str(exc) and "Amount Paid" in str(exc)
    else:
        raise AssertionError("the bad amount was accepted")
    for model in (RemittanceLine, Payment, Deduction, ImportBatch):
        assert count(engine, model) == 0


def test_po_cost_observations_written_again_are_not_looked_up(engine: Engine) -> None:
    """Detection does not watch PO cost observations (one per PO line, millions on a year of
    SP-API data): writing them again must not read them back to see what changed."""
    with Session(engine) as s:
        vendor = VendorAccount(vendor_code="ABCDE")
        s.add(vendor)
        s.commit()
        account_id = vendor.id
    rows = [
        {
            "account_id": account_id,
            "asin": f"B0{n:08d}",
            "vendor_sku": "",
            "cost_minor": 840,
            "currency": "USD",
            "effective_from": date(2026, 10, 1),
            "source": source,
            "source_ref": f"4Q8Z{n}",
        }
        for n in range(10)
        for source in ("po", "price_list")
    ]
    key = ("account_id", "source", "asin", "vendor_sku", "effective_from", "source_ref")
    cost = table_of(CostRecord)
    statements: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append((statement, parameters))

    with engine.begin() as conn:
        upsert(conn, cost, rows[:2], key)  # (the table is no longer empty)
        event.listen(conn, "before_cursor_execute", capture)
        counts = upsert(conn, cost, [{**r, "cost_minor": 850} for r in rows], key).counts
        event.remove(conn, "before_cursor_execute", capture)
    assert (counts.inserted, counts.updated) == (18, 2)
    lookups = [
        # (PostgreSQL's driver takes them by name)
        list(parameters.values() if isinstance(parameters, dict) else parameters)
        for sql, parameters in statements
        if sql.startswith("SELECT") and "source_ref" in sql
    ]
    # One lookup, of the cost list's rows only.
    assert len(lookups) == 1
    assert "price_list" in lookups[0] and "po" not in lookups[0]
