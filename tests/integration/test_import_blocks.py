"""Big files are read in blocks of rows, column by column: what a user sees must be what the
row-by-row reading gave, errors and repeated headers included, wherever in a block they fall."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session, col

from recovery.config import Settings
from recovery.errors import InputError
from recovery.models import CoopBackupLine, Invoice, InvoiceLine
from recovery.sources.importers.base import BLOCK_ROWS
from recovery.sources.importing import import_file

HEAD = "Invoice Number,Invoice Date,Invoice Amount,Payment Due Date,ASIN,Quantity,Unit Cost\n"


def lines(count: int, start: int = 0) -> list[str]:
    return [
        f"I{n // 4},10/01/2026,100.00,12/01/2026,B{n:09d},{n % 5},2.50\n"
        for n in range(start, start + count)
    ]


def counts(engine: Engine) -> tuple[int, int]:
    with Session(engine) as s:
        invoices = s.exec(select(func.count()).select_from(Invoice)).one()
        stored = s.exec(select(func.count()).select_from(InvoiceLine)).one()
    return invoices[0], stored[0]


def test_a_bad_cell_deep_in_a_block_names_its_own_row_and_column(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    rows = lines(BLOCK_ROWS + 700)
    bad = BLOCK_ROWS + 123
    rows[bad] = rows[bad].replace(",2.50\n", ",2.5O\n")
    path = tmp_path / "invoices.csv"
    path.write_text("Vendor Central export\n" + HEAD + "".join(rows))

    with pytest.raises(InputError) as caught:
        import_file(engine, settings, path)

    # The preamble and the header are rows 1 and 2; data row i is row i + 3.
    error = caught.value
    assert (error.file, error.row, error.column) == ("invoices.csv", bad + 3, "Unit Cost")
    assert "not an amount: '2.5O'" in error.detail
    assert counts(engine) == (0, 0)  # the file is rejected whole


def test_a_header_repeated_inside_a_block_starts_its_own_part(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    # Two exports pasted together, the second with its columns in another order.
    first = lines(BLOCK_ROWS // 2)
    second = [
        f"B{n:09d},{n % 5},2.50,I{n // 4},10/01/2026,100.00,12/01/2026\n"
        for n in range(BLOCK_ROWS // 2, BLOCK_ROWS * 2)
    ]
    head = "ASIN,Quantity,Unit Cost,Invoice Number,Invoice Date,Invoice Amount,Payment Due Date\n"
    path = tmp_path / "invoices.csv"
    path.write_text(HEAD + "".join(first) + head + "".join(second))

    result = import_file(engine, settings, path)

    assert result.rows_read == BLOCK_ROWS * 2 and result.skipped == 0
    assert counts(engine) == (BLOCK_ROWS // 2, BLOCK_ROWS * 2)
    with Session(engine) as s:
        last = s.exec(select(InvoiceLine).where(InvoiceLine.asin == f"B{BLOCK_ROWS * 2 - 1:09d}"))
        line = last.scalar_one()
        assert (line.quantity, line.unit_cost_minor) == ((BLOCK_ROWS * 2 - 1) % 5, 250)


def test_short_rows_read_their_missing_cells_as_empty(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    rows = lines(BLOCK_ROWS + 10)
    # An invoice-level row with its line cells cut off, as some tools save a CSV.
    rows[5] = "I1,10/01/2026,100.00,12/01/2026\n"
    path = tmp_path / "invoices.csv"
    path.write_text(HEAD + "".join(rows))

    result = import_file(engine, settings, path)

    assert result.rows_read == BLOCK_ROWS + 10
    assert counts(engine) == ((BLOCK_ROWS + 10 + 3) // 4, BLOCK_ROWS + 9)


def test_backup_lines_are_numbered_across_blocks_and_a_shorter_backup_drops_the_rest(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    head = "Receive Date,Quantity,Net Receipts,Currency,Rebate In Agreement Currency,Asin\n"

    def backup(count: int, rebate: str) -> Path:
        path = tmp_path / f"coop-backup-CO-9-{count}.csv"
        rows = [f"2026-09-03,{n % 3 + 1},10.00,,{rebate},B{n:09d}\n" for n in range(count)]
        path.write_text("Invoice Number: CO-9\n" + head + "".join(rows) + "Total,,,,,\n")
        return path

    long = BLOCK_ROWS * 2 + 7
    first = import_file(engine, settings, backup(long, "0.50"))
    second = import_file(engine, settings, backup(BLOCK_ROWS + 1, "0.40"))

    assert (first.inserted, first.updated, first.skipped) == (long, 0, 1)
    assert (second.inserted, second.updated) == (0, BLOCK_ROWS + 1)
    with Session(engine) as s:
        stored = s.exec(
            select(CoopBackupLine.line_no, CoopBackupLine.asin, CoopBackupLine.rebate_minor)
            .where(CoopBackupLine.coop_invoice_number == "CO-9")
            .order_by(col(CoopBackupLine.line_no))
        ).all()
    assert [tuple(row) for row in stored] == [
        (n + 1, f"B{n:09d}", 40) for n in range(BLOCK_ROWS + 1)
    ]
