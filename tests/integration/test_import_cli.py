"""`recovery import` as a user runs it: messages, exit codes, summary, and no tracebacks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cli_runner import Cli
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from recovery.models import ImportBatch, RemittanceLine

DATA = Path(__file__).parents[1] / "data" / "imports"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db_url: str) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RECOVERY_DATABASE_URL", db_url)
    monkeypatch.setenv("COLUMNS", "200")
    for name in ("remittance-na.csv", "invoices-lines.csv", "chargebacks.csv"):
        shutil.copy(DATA / name, tmp_path / name)
    return tmp_path


def test_import_detects_kinds_and_prints_a_summary(workdir: Path, engine: Engine, cli: Cli) -> None:
    code, out, err = cli(["import", "remittance-na.csv", "invoices-lines.csv"])
    assert code == 0, err
    assert "remittance-na.csv: detected remittance" in out
    assert "invoices-lines.csv: detected invoices" in out
    assert "created vendor account DEFAULT" in out
    assert "Import summary" in out and "rows read" in out
    assert "needs a look" in out and "Freight adjustment" in out
    code, out, _ = cli(["import", "remittance-na.csv"])
    assert code == 0 and "already imported" in out and "nothing to do" in out
    with Session(engine) as s:
        assert s.exec(select(func.count()).select_from(ImportBatch)).scalar_one() == 2


def test_a_folder_imports_every_file_in_it(workdir: Path, cli: Cli) -> None:
    folder = workdir / "exports"
    folder.mkdir()
    shutil.copy(workdir / "chargebacks.csv", folder / "cb.csv")
    code, out, _ = cli(["import", "--account", "acme1", str(folder)])
    assert code == 0 and "cb.csv: detected chargebacks" in out and "ACME1" in out


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "Payment Number,Invoice Number,Description,Invoice Amount,Amount Paid\n"
            "P1,I1,Payments,10.00,ten\n",
            "bad.csv, row 2, column 'Amount Paid': not an amount: 'ten'",
        ),
        (
            "Chargeback ID,Charge Amount,Notification Date\n1,5.00,31/31/2026\n",
            "bad.csv, row 2, column 'Notification Date': not a date",
        ),
        (
            "Chargeback ID,Charge Amount\n,5.00\n",
            "bad.csv, row 2, column 'Chargeback ID': empty",
        ),
        ("just some text\n", "bad.csv: cannot tell what kind of file this is"),
    ],
)
def test_bad_input_is_one_line_exit_1_and_stores_nothing(
    workdir: Path,
    engine: Engine,
    cli: Cli,
    content: str,
    expected: str,
) -> None:
    (workdir / "bad.csv").write_text(content)
    code, _, err = cli(["import", "bad.csv"])
    assert code == 1
    assert expected in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    with Session(engine) as s:
        assert s.exec(select(func.count()).select_from(RemittanceLine)).scalar_one() == 0
        assert s.exec(select(func.count()).select_from(ImportBatch)).scalar_one() == 0


def test_missing_required_column_names_the_header_row(workdir: Path, cli: Cli) -> None:
    (workdir / "agreements.csv").write_text(
        "Our agreements\n\nAgreement ID,Rate Percent,Start Date\nA1,5,2026-01-01\n"
    )
    code, _, err = cli(["import", "--kind", "coop-agreements", "agreements.csv"])
    assert code == 0, err
    (workdir / "costs.csv").write_text("ASIN,Currency,Effective From,Cost Price\n")
    (workdir / "costs2.csv").write_text("Preamble\nASIN,Cost,Currency\nB1,1.00,USD\n")
    code, _, err = cli(["import", "--kind", "costs", "costs2.csv"])
    assert code == 1 and "no costs header found" in err
    (workdir / "inv.csv").write_text(
        "Invoice Number,Invoice Date,Payment Due Date,Invoice Amount\nI1,2026-01-01,2026-02-01,1\n"
    )
    (workdir / "rem.csv").write_text(
        "x\nPayment Number,Invoice Number,Amount Paid,Invoice Amount\nP1,I1,1.00,1.00\n"
    )
    code, _, err = cli(["import", "--kind", "remittance", "inv.csv"])
    assert code == 1 and "no remittance header found" in err


def test_unknown_kind_is_a_usage_error_and_missing_file_a_user_error(
    workdir: Path, cli: Cli
) -> None:
    code, _, _ = cli(["import", "--kind", "receipts", "remittance-na.csv"])
    assert code == 2
    code, _, err = cli(["import", "nowhere.csv"])
    assert code == 1 and "nowhere.csv: no such file" in err


def test_several_configured_accounts_need_an_account_option(workdir: Path, cli: Cli) -> None:
    (workdir / "config.toml").write_text(
        '[[accounts]]\nvendor_code = "AAA01"\n[[accounts]]\nvendor_code = "BBB01"\n'
    )
    code, _, err = cli(["import", "remittance-na.csv"])
    assert code == 1 and "--account" in err
    code, out, _ = cli(["import", "--account", "BBB01", "remittance-na.csv"])
    assert code == 0 and "BBB01" in out


def test_a_run_read_ahead_in_a_reader_process_imports_as_usual(
    workdir: Path,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    cli: Cli,
) -> None:
    monkeypatch.setenv("RECOVERY_IMPORTS__READ_AHEAD_MIN_BYTES", "0")  # (every run)
    code, out, err = cli(["import", "remittance-na.csv", "invoices-lines.csv"])
    assert code == 0, err
    assert "remittance-na.csv: detected remittance" in out
    assert "invoices-lines.csv: detected invoices" in out
    assert "needs a look" in out and "Freight adjustment" in out
    with Session(engine) as s:
        assert s.exec(select(func.count()).select_from(ImportBatch)).scalar_one() == 2
