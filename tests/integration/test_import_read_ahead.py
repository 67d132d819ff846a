"""Files read ahead in a reader process import exactly as files read by the importer itself:
same rows, same counts, same warnings, same errors; a reader that fails stops the run."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import signal
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session
from test_import_blocks import HEAD, lines
from test_import_kinds import DATA, _backup_workbook
from test_import_spapi_examples import examples
from test_import_spapi_stream import MANY, order, stored_orders

from recovery.config import AccountSettings, ImportSettings, Settings
from recovery.errors import InputError
from recovery.models import BankTransaction, Chargeback, InvoiceLine, VendorAccount
from recovery.sources.importers.base import BLOCK_ROWS
from recovery.sources.importers.spapi_json import BATCH_DOCUMENTS
from recovery.sources.importing import ImportResult, import_file, import_files
from recovery.sources.read_ahead import AheadFile, ReadAhead
from recovery.store import db

ALWAYS = ImportSettings(read_ahead_min_bytes=0)
NEVER = ImportSettings(read_ahead=False)


@pytest.fixture
def read_ahead_blocks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files whose rows the importer took from the reader process."""
    taken: list[str] = []
    original = AheadFile.blocks

    def blocks(self: AheadFile, ctx: Any) -> Iterator[Any]:
        taken.append(ctx.file_name)
        return original(self, ctx)

    monkeypatch.setattr(AheadFile, "blocks", blocks)
    return taken


# Samples of German and British accounts (one is the marketplace test's).
_OTHER_MARKETPLACES = {"bank-de.csv", "remittance-transactions.csv"}


def _files(folder: Path) -> list[Path]:
    folder.mkdir()
    for sample in sorted(DATA.iterdir()):
        if sample.name not in _OTHER_MARKETPLACES:
            shutil.copy(sample, folder / sample.name)
    _backup_workbook(folder / "backup-export.xlsx", preamble=True, revised=True)
    # More than one block, so rows arrive while earlier ones are stored.
    (folder / "invoices-big.csv").write_text(
        "Vendor Central export\n" + HEAD + "".join(lines(3 * BLOCK_ROWS + 17))
    )
    # SP-API documents of every kind, as Amazon's models show them and in many batches.
    for n, (_, kind, status, response) in enumerate(examples()):
        if status == 200:
            (folder / f"spapi-{n:02d}-{kind}.json").write_text(json.dumps(response))
    orders = {"payload": {"orders": [order(n) for n in range(MANY)]}}
    (folder / "spapi-orders-big.json").write_text(json.dumps(orders))
    return sorted(folder.iterdir())


def _summary(results: list[ImportResult]) -> list[tuple[Any, ...]]:
    return [
        (
            r.path.name,
            r.kind,
            r.account,
            r.account_created,
            r.rows_read,
            r.inserted,
            r.updated,
            r.skipped,
            r.warnings,
            r.needs_look,
        )
        for r in results
    ]


def _rows(database: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, without the columns that say when they were written."""
    with sqlite3.connect(database) as conn:
        tables = [
            name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        rows = {}
        for table in tables:
            columns = [
                row[1]
                for row in conn.execute(f"PRAGMA table_info({table})")
                if not row[1].endswith("_at")
            ]
            rows[table] = conn.execute(
                f"SELECT {', '.join(columns)} FROM {table} ORDER BY 1"
            ).fetchall()
    return rows


def test_files_read_ahead_store_what_reading_them_here_stores(
    sqlite_template: Path, tmp_path: Path, read_ahead_blocks: list[str]
) -> None:
    files = _files(tmp_path / "files")
    outcomes = []
    waits: list[list[float]] = []
    for name, imports in (("here", NEVER), ("ahead", ALWAYS)):
        database = tmp_path / f"{name}.db"
        shutil.copy(sqlite_template, database)
        settings = Settings(
            database_url=f"sqlite:///{database}",
            accounts=[AccountSettings(vendor_code="VEND1")],  # (for files naming no account)
            imports=imports,
        )
        engine = db.make_engine(settings.database_url)
        results = import_files(engine, settings, files)
        engine.dispose()
        outcomes.append((_summary(results), _rows(database)))
        waits.append([r.waited_for_reader for r in results])

    assert read_ahead_blocks == [f.name for f in files]  # every file came from the reader
    (here_results, here_rows), (ahead_results, ahead_rows) = outcomes
    assert ahead_results == here_results
    assert any(r[8] for r in here_results) and any(r[9] for r in here_results)
    assert sum(len(rows) for rows in here_rows.values()) > 3 * BLOCK_ROWS
    assert ahead_rows == here_rows
    # The time the importer waited for the reader is told: the first file's rows cannot be
    # ready at once (the reader is only starting); none is waited for without one.
    here_waits, ahead_waits = waits
    assert here_waits == [0.0] * len(files)
    assert ahead_waits[0] > 0 and all(w >= 0 for w in ahead_waits)


def test_a_bad_cell_read_ahead_names_its_file_row_and_column_and_stops_the_run(
    engine: Engine, db_url: str, tmp_path: Path, read_ahead_blocks: list[str]
) -> None:
    good = tmp_path / "a-chargebacks.csv"
    shutil.copy(DATA / "chargebacks.csv", good)
    rows = lines(2 * BLOCK_ROWS)
    bad = BLOCK_ROWS + 321
    rows[bad] = rows[bad].replace(",2.50\n", ",2.5O\n")
    invoices = tmp_path / "b-invoices.csv"
    invoices.write_text("Vendor Central export\n" + HEAD + "".join(rows))
    never_reached = tmp_path / "c-costs.csv"
    shutil.copy(DATA / "costs.csv", never_reached)
    settings = Settings(database_url=db_url, imports=ALWAYS)

    with pytest.raises(InputError) as caught:
        import_files(engine, settings, [good, invoices, never_reached])

    error = caught.value
    assert (error.file, error.row, error.column) == ("b-invoices.csv", bad + 3, "Unit Cost")
    assert "not an amount: '2.5O'" in error.detail
    assert read_ahead_blocks == ["a-chargebacks.csv", "b-invoices.csv"]
    with Session(engine) as s:
        assert s.exec(select(func.count()).select_from(Chargeback)).one()[0] > 0
        assert s.exec(select(func.count()).select_from(InvoiceLine)).one()[0] == 0


def test_a_bad_value_in_sp_api_json_read_ahead_names_its_document_and_keeps_nothing(
    engine: Engine, db_url: str, tmp_path: Path, read_ahead_blocks: list[str]
) -> None:
    documents = [order(n) for n in range(MANY)]
    bad = BATCH_DOCUMENTS + 500
    documents[bad] = order(bad, amount="abc")
    late = tmp_path / "late.json"
    late.write_text(json.dumps({"payload": {"orders": documents}}))
    settings = Settings(database_url=db_url, imports=ALWAYS)

    with pytest.raises(InputError) as caught:
        import_files(engine, settings, [late])

    assert caught.value.file == "late.json"
    assert f"orders[{bad}].orderDetails.items[0].netCost" in str(caught.value)
    assert read_ahead_blocks == ["late.json"]
    assert stored_orders(engine) == (0, 0)


def test_a_file_read_for_another_marketplace_is_read_again_here(
    engine: Engine, db_url: str, tmp_path: Path, read_ahead_blocks: list[str]
) -> None:
    settings = Settings(
        database_url=db_url,
        accounts=[AccountSettings(vendor_code="DEV01", marketplace="DE", currency="EUR")],
    )
    statement = tmp_path / "bank-de.csv"
    shutil.copy(DATA / "bank-de.csv", statement)
    # The reader takes DEV01 for an American account: it reads 1.821,06 another way.
    american = VendorAccount(vendor_code="DEV01", marketplace="US", currency="USD")

    with ReadAhead(settings, [american]) as reader:
        reader.give([statement], 0, None, None)
        result = import_file(engine, settings, statement, ahead=reader.take(0))

    assert read_ahead_blocks == []
    assert result.inserted == 4
    with Session(engine) as s:
        amounts = s.exec(select(BankTransaction.amount_minor)).scalars().all()
        assert sorted(amounts) == [-1250, -1250, 100000, 182106]


def test_a_reader_that_dies_stops_the_import_with_a_clear_error(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    invoices = tmp_path / "invoices.csv"
    invoices.write_text(HEAD + "".join(lines(10)))

    with ReadAhead(settings, []) as reader:
        assert reader.pid is not None
        os.kill(reader.pid, signal.SIGKILL)
        reader.give([invoices], 0, None, None)
        with pytest.raises(RuntimeError, match=r"invoices\.csv: the reader process stopped"):
            import_file(engine, settings, invoices, ahead=reader.take(0))

    with Session(engine) as s:
        assert s.exec(select(func.count()).select_from(InvoiceLine)).one()[0] == 0


def test_an_input_error_crosses_processes_with_its_file_row_and_column() -> None:
    error = pickle.loads(pickle.dumps(InputError("not a date", file="a.csv", row=7, column="Due")))
    assert (error.file, error.row, error.column, error.detail) == ("a.csv", 7, "Due", "not a date")
    assert str(error) == "a.csv, row 7, column 'Due': not a date"


def test_files_imported_before_are_skipped_and_only_the_new_one_is_stored(
    engine: Engine, db_url: str, tmp_path: Path, read_ahead_blocks: list[str]
) -> None:
    settings = Settings(
        database_url=db_url, accounts=[AccountSettings(vendor_code="VEND1")], imports=ALWAYS
    )
    big = tmp_path / "invoices.csv"
    big.write_text("Vendor Central export\n" + HEAD + "".join(lines(3 * BLOCK_ROWS)))
    chargebacks = tmp_path / "chargebacks.csv"
    shutil.copy(DATA / "chargebacks.csv", chargebacks)
    import_files(engine, settings, [big, chargebacks])
    costs = tmp_path / "costs.csv"
    shutil.copy(DATA / "costs.csv", costs)
    read_ahead_blocks.clear()

    results = import_files(engine, settings, [big, chargebacks, costs])

    assert [r.duplicate for r in results] == [True, True, False]
    assert results[2].inserted > 0
    assert read_ahead_blocks == ["costs.csv"]


def test_a_run_read_ahead_knows_files_imported_before_and_names_one_it_cannot_read(
    engine: Engine, db_url: str, tmp_path: Path, read_ahead_blocks: list[str]
) -> None:
    accounts = [AccountSettings(vendor_code="VEND1")]
    chargebacks = tmp_path / "chargebacks.csv"
    shutil.copy(DATA / "chargebacks.csv", chargebacks)
    here = Settings(database_url=db_url, accounts=accounts, imports=NEVER)
    import_files(engine, here, [chargebacks])
    # Imported before without the reader: known as imported before in a run with it.
    ahead = Settings(database_url=db_url, accounts=accounts, imports=ALWAYS)
    costs = tmp_path / "costs.csv"
    shutil.copy(DATA / "costs.csv", costs)
    results = import_files(engine, ahead, [chargebacks, costs])
    assert [r.duplicate for r in results] == [True, False]
    assert read_ahead_blocks == ["costs.csv"]

    # A folder entry that no one can read (root reads any file whatever its mode).
    unreadable = tmp_path / "unreadable.csv"
    unreadable.symlink_to("/proc/self/mem")
    assert unreadable.is_file()
    big = tmp_path / "invoices.csv"
    big.write_text("Vendor Central export\n" + HEAD + "".join(lines(2 * BLOCK_ROWS)))
    with pytest.raises(InputError, match=r"^unreadable\.csv: cannot read the file"):
        import_files(engine, ahead, [big, unreadable])
    with Session(engine) as s:
        assert s.exec(select(func.count()).select_from(InvoiceLine)).one()[0] == 2 * BLOCK_ROWS
