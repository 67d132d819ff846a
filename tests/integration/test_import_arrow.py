"""A CSV file stores the same whether Arrow reads its bulk or csv.reader reads all of it.

The csv.reader path is the oracle: files with blank lines, notes, total rows, repeated
headers, rows with an empty first cell and bad cells, all after the first 100 rows (where Arrow
takes over), must give the same rows stored, the same counts and warnings, or the same error.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from recovery.config import Settings
from recovery.errors import InputError
from recovery.models import Invoice, InvoiceLine
from recovery.sources import csv_columns, files
from recovery.sources.csv_columns import ColumnRun
from recovery.sources.importing import import_file
from recovery.store import db

HEADER = "Invoice Number,Invoice Date,Invoice Amount,Payment Due Date,ASIN,Quantity,Unit Cost"
REORDERED = "ASIN,Quantity,Unit Cost,Invoice Number,Invoice Date,Invoice Amount,Payment Due Date"


def _line(n: int, reordered: bool, number: str = "I") -> str:
    cells = [
        f"{number}{n // 3}",
        "10/01/2026",
        "100.00",
        "12/01/2026",
        f"B{n:09d}",
        str(n % 5),
        "2.50",
    ]
    if reordered:
        cells = cells[4:] + cells[:4]
    return ",".join(cells)


def _file(seed: int, bad: bool) -> str:
    rng = random.Random(seed)
    out = ["Vendor Central export - Invoices", HEADER]
    reordered = False
    for n in range(2500):
        roll = rng.random()
        if len(out) > 90 and roll < 0.02:
            # As wide as the data (Arrow reads on), or not (csv.reader takes over).
            wide = ["", ",,,,,,", "Invoices continued,,,,,,", "Total,,700.00,,,,", "x,,,,,,"]
            out.append(rng.choice([*wide, *wide, *wide, "Invoices continued"]))
        elif len(out) > 90 and roll < 0.025:
            reordered = not reordered
            out.append(REORDERED if reordered else HEADER)
        # Data whose invoice number looks a little like "total": read as data, one at a time.
        number = "Tol-tal " if roll > 0.99 else "I"
        out.append(_line(n, reordered, number))
    if bad:
        at = rng.randrange(120, len(out))
        out[at] = out[at].replace("2.50", "2.5O")
    return "\n".join(out) + "\n"


def _stored(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    snapshot = {}
    with engine.connect() as conn:
        for model in (Invoice, InvoiceLine):
            table = model.__table__  # type: ignore[attr-defined]
            kept = [c for c in table.columns if not c.name.endswith(("id", "_at"))]
            snapshot[table.name] = sorted(conn.execute(select(*kept)).all())
    return snapshot


def _import(template: Path, folder: Path, path: Path) -> tuple[Any, Any]:
    """(what the import reported or raised, what it stored) on a fresh database."""
    folder.mkdir()
    url = f"sqlite:///{folder / 'recovery.db'}"
    shutil.copy(template, folder / "recovery.db")
    engine = db.make_engine(url)
    try:
        settings = Settings(database_url=url, data_dir=folder / "data")
        try:
            result = import_file(engine, settings, path)
        except InputError as exc:
            return str(exc), _stored(engine)
        report = (result.rows_read, result.skipped, result.inserted, result.warnings)
        return report, _stored(engine)
    finally:
        engine.dispose()


@pytest.mark.parametrize("bad", [False, True])
@pytest.mark.parametrize("seed", range(4))
def test_a_file_stores_the_same_read_by_arrow_or_by_csv_reader(
    seed: int,
    bad: bool,
    sqlite_template: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "invoices.csv"
    path.write_text(_file(seed, bad))
    # Small batches: a row Arrow does not read stops it there, not for the whole file.
    monkeypatch.setattr(csv_columns, "BLOCK_BYTES", 8192)
    by_arrow_rows = []

    def counted(*args: Any) -> Generator[ColumnRun, None, tuple[int, bool]]:
        result = yield from csv_columns.column_runs(*args)
        by_arrow_rows.append(result[0] - files.CSV_HEAD_ROWS)
        return result

    monkeypatch.setattr(files, "column_runs", counted)
    by_arrow = _import(sqlite_template, tmp_path / "arrow", path)
    assert by_arrow_rows[0] > 500
    monkeypatch.setattr(files, "CSV_HEAD_ROWS", 10**9)
    by_csv_reader = _import(sqlite_template, tmp_path / "csv", path)

    assert by_arrow == by_csv_reader
    report, stored = by_arrow
    if bad:
        assert "not an amount: '2.5O'" in report
        assert stored == {"invoice": [], "invoice_line": []}
    else:
        assert report[0] == 2500 and len(stored["invoice_line"]) == 2500
