"""Broken and hostile files: one clear line, exit code 1, nothing stored; suspect data stored
with a visible "needs a look" note. On SQLite and PostgreSQL.

The corpus in tests/data/hostile/ is hand-made, one file per way a file can be wrong (see
README.md's "What the importer refuses and why"); the hypothesis test breaks good files at
random on top of it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select
from sqlmodel import SQLModel

import recovery.models  # noqa: F401  (every table in the metadata)
from recovery.cli.app import main
from recovery.config import Settings
from recovery.errors import InputError
from recovery.sources.importing import import_file
from recovery.store import db

HOSTILE = Path(__file__).parents[1] / "data" / "hostile"
_CLI = [sys.executable, "-c", "from recovery.cli.app import main; main()"]
GOOD = Path(__file__).parents[1] / "data" / "imports"

# file -> (what the one line says, the row it names, the column it names)
REFUSED: dict[str, tuple[str, int | None, str | None]] = {
    "xlsx-bomb-used-range.xlsx": ("past the limit of 1,000 columns", None, None),
    "xlsx-bomb-cells.xlsx": ("more than the limit of 40,000,000 cells", None, None),
    "xlsx-bomb-rows.xlsx": ("past the limit of 1,048,576 rows", None, None),
    "cut-off-row.csv": ("the file ends mid-row: the last row has 10 cells", 3, None),
    "unclosed-quote.csv": ("a quoted cell opened on this row is never closed", 3, None),
    "date-year-9999.csv": ("a date outside 2000-01-01 to", 2, "Notification Date"),
    "date-before-window.csv": ("a date outside 2000-01-01 to", 2, "Notification Date"),
    "amount-1e20.csv": ("beyond the range of an amount", 2, "Charge Amount"),
    "quantity-1e20.csv": ("beyond the range of a count", 2, "Quantity"),
    "quantity-negative.csv": ("a count below zero: '-5'", 2, "Quantity"),
    "currency-not-iso.csv": ("not an ISO 4217 currency code: 'USX'", 2, "Currency"),
    "header-twice.csv": ("columns 9 and 11 are both headed as 'Charge Amount'", 1, None),
    "row-wider-than-header.csv": ("a value in column 13, right of the header's last", 3, None),
    "invoice-lines-disagree.csv": (
        "invoice INV-1001 has '1243.56' here but '1234.56' on an earlier line",
        3,
        "Invoice Amount",
    ),
}


def _row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in SQLModel.metadata.tables.items()
        }


def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(args)
    out, err = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else 1), out, err


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db_url: str) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RECOVERY_DATABASE_URL", db_url)
    monkeypatch.setenv("COLUMNS", "200")
    return tmp_path


def test_the_corpus_has_a_case_for_every_file() -> None:
    corpus = {p.name for p in HOSTILE.iterdir() if p.suffix in {".csv", ".xlsx"}}
    assert corpus == set(REFUSED) | {"currency-not-the-accounts.csv"}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_hostile_file_is_refused_in_one_line_and_nothing_is_stored(
    name: str, workdir: Path, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    message, row, column = REFUSED[name]
    before = _row_counts(engine)

    code, _, err = _cli(["import", str(HOSTILE / name)], capsys)

    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith(f"error: {name}") and message in lines[0], lines[0]
    if row is not None:
        assert f"row {row}" in lines[0]
    if column is not None:
        assert f"column {column!r}" in lines[0]
    assert _row_counts(engine) == before


def test_rows_in_another_currency_than_the_accounts_are_stored_with_a_note(
    workdir: Path, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _cli(["import", str(HOSTILE / "currency-not-the-accounts.csv")], capsys)

    assert code == 0, err
    note = next(line for line in out.splitlines() if line.startswith("needs a look"))
    assert "1 row(s) in EUR, first at row 2, while the account is in USD" in note
    assert _row_counts(engine)["chargeback"] == 2


def test_a_workbook_past_the_bytes_limit_is_refused(
    workdir: Path,
    engine: Engine,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Any workbook is a zip bomb to a small enough limit: a 2 GiB one is not worth writing.
    monkeypatch.setenv("RECOVERY_IMPORTS__XLSX_MAX_BYTES", "1000")
    before = _row_counts(engine)
    code, _, err = _cli(["import", str(HOSTILE / "xlsx-bomb-cells.xlsx")], capsys)
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert "more than 1,000 bytes of XML once unpacked" in err
    assert _row_counts(engine) == before


def test_an_unreadable_file_in_a_folder_stops_there_and_says_what_was_stored(
    workdir: Path,
    engine: Engine,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = workdir / "exports"
    folder.mkdir()
    for name in ("chargebacks.csv", "costs.csv", "invoices-lines.csv"):
        shutil.copy(GOOD / name, folder / name)
    if os.geteuid() == 0:
        # Root reads any file whatever its mode: a folder entry that is a file no one can
        # open stands in (the same OSError reaches the importer).
        (folder / "costs.csv").unlink()
        (folder / "costs.csv").symlink_to("/proc/self/mem")
        assert (folder / "costs.csv").is_file()
    else:
        (folder / "costs.csv").chmod(0)

    code, out, err = _cli(["import", str(folder)], capsys)

    assert code == 1
    assert (
        err.strip().startswith("error: costs.csv: cannot read the file")
        and len(err.strip().splitlines()) == 1
    ), err
    assert "Stored before it: chargebacks.csv. Files after it were not read." in out
    counts = _row_counts(engine)
    assert counts["chargeback"] == 2 and counts["cost_record"] == 0 and counts["invoice"] == 0


@pytest.mark.parametrize("command", [["init"], ["import", "x.csv"], ["detect"], ["claims", "list"]])
def test_an_unreachable_postgresql_is_one_line(
    command: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    # Port 9 (discard) on loopback: nothing listens there.
    monkeypatch.setenv("RECOVERY_DATABASE_URL", "postgresql+psycopg://recovery@127.0.0.1:9/nowhere")
    (tmp_path / "x.csv").write_text((GOOD / "chargebacks.csv").read_text())
    code, _, err = _cli(command, capsys)
    assert code == 1 and "Traceback" not in err
    assert (
        err.strip().startswith("error: cannot reach the database (")
        and len(err.strip().splitlines()) == 1
    ), err


def test_a_database_locked_past_the_busy_timeout_is_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    sqlite_template: Path,
) -> None:
    path = tmp_path / "recovery.db"
    shutil.copy(sqlite_template, path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RECOVERY_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 200)
    shutil.copy(GOOD / "chargebacks.csv", tmp_path / "cb.csv")
    holder = db.make_engine(f"sqlite:///{path}")
    with holder.begin() as conn:  # BEGIN IMMEDIATE: the write lock, held through the import
        conn.exec_driver_sql("SELECT 1")
        code, _, err = _cli(["import", "cb.csv"], capsys)
    holder.dispose()
    assert code == 1 and "Traceback" not in err
    assert err.strip().startswith("error: the database is busy: another recovery process held")
    assert "0.2 seconds" in err and len(err.strip().splitlines()) == 1


# Cells a broken or hostile export may hold, put anywhere in a good file by the fuzzer.
_HOSTILE_CELLS = [
    "12/31/9999",
    "1e20",
    "100000000000000000000",
    "-5",
    "USX",
    '"',
    '"open',
    '=HYPERLINK("http://x")',
    "\x00",
    "0.001",
    "(1,2,3)",
    "",
    "NaN",
    "Infinity",
    "١٢",
    "a,b",
]


@st.composite
def _broken(draw: st.DrawFn) -> tuple[str, bytes]:
    name = draw(st.sampled_from(["chargebacks.csv", "invoices-lines.csv", "shortages.csv"]))
    text = (GOOD / name).read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 3))):
        how = draw(st.sampled_from(["cell", "cut", "join"]))
        at = draw(st.integers(1, len(lines) - 1))
        if how == "cell":
            cells = lines[at].rstrip("\n").split(",")
            cells[draw(st.integers(0, len(cells) - 1))] = draw(st.sampled_from(_HOSTILE_CELLS))
            lines[at] = ",".join(cells) + "\n"
        elif how == "cut":
            # A download that stopped: the file ends anywhere in this line.
            lines = lines[: at + 1]
            lines[at] = lines[at][: draw(st.integers(1, max(1, len(lines[at]) - 1)))]
        else:
            lines[at] = lines[at].rstrip("\n") + "," + lines[at]
    return name, "".join(lines).encode("utf-8")


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=_broken())
def test_a_broken_file_is_stored_whole_or_refused_in_one_line_with_nothing_stored(
    case: tuple[str, bytes], engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    name, content = case
    path = tmp_path / name
    path.write_bytes(content)
    before = _row_counts(engine)
    try:
        import_file(engine, settings, path)
    except InputError as exc:
        message = str(exc)
        assert message.startswith(name) and "\n" not in message, message
        assert _row_counts(engine) == before


def test_a_broken_pdf_is_one_line_in_the_products_words(workdir: Path, db_url: str) -> None:
    # No %%EOF marker and no /Root: pypdf logs "EOF marker not found" while it tries. Run as a
    # user runs it: under pytest, its log capture would swallow the line this is about.
    broken = workdir / "pod.pdf"
    broken.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("RECOVERY_")}
    done = subprocess.run(
        [*_CLI, "evidence", "add", str(broken)],
        env={**env, "RECOVERY_DATABASE_URL": db_url},
        cwd=workdir,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"skipped {broken}: corrupt or unreadable PDF (No /Root object! - Is this really a PDF?)"
    ]
    assert "EOF marker" not in done.stdout + done.stderr
