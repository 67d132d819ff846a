"""`recovery ledger` on a generated vendor, checked against the scenario's answer key, on SQLite
and PostgreSQL: balances and buckets per invoice, short-pays, receivables, bank matching."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from cli_runner import Cli
from pipeline import TODAY, PipelineRun, cents, expected_buckets, run_pipeline
from sqlalchemy import Engine
from sqlmodel import Session, select

from recovery.config import Settings
from recovery.ledger import BUCKETS
from recovery.models import BankTransaction, Deduction, Payment
from recovery.store import db


@pytest.fixture
def vendor(
    engine: Engine,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> PipelineRun:
    pipeline = run_pipeline(engine, settings, tmp_path, seed=5, size="tiny")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RECOVERY_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("RECOVERY_DATA_DIR", str(settings.data_dir))
    return pipeline


def ledger_json(cli: Cli, *args: str) -> dict[str, Any]:
    code, out, err = cli(["ledger", "--format", "json", "--today", TODAY.isoformat(), *args])
    assert code == 0, err
    [account] = json.loads(out)
    return dict(account)


def test_every_invoice_shows_its_balance_and_the_buckets_the_answer_key_states(
    vendor: PipelineRun, engine: Engine, cli: Cli
) -> None:
    ledger = ledger_json(cli, "--all")
    key = vendor.answer_key
    with Session(engine) as session:
        invoice_of = {
            d.reference: d.invoice_number or None for d in session.exec(select(Deduction)).all()
        }
    expected = expected_buckets(key, invoice_of)
    # The ledger knows what became of each claim: one whose window has passed is written off.
    for claim in key["claims"]:
        if date.fromisoformat(claim["deadline"]) < TODAY:
            reference = claim["deductions"][0]
            anchor = invoice_of.get(reference) or reference
            expected[anchor]["claimable"] -= cents(claim["amount"])
            expected[anchor]["written_off"] += cents(claim["amount"])
    shown = {
        item["invoice_number"]: {b: cents(item["buckets"][b]) for b in BUCKETS}
        for item in ledger["invoices"]
    }
    shown.update(
        {
            d["reference"]: {b: cents(d["buckets"][b]) for b in BUCKETS}
            for d in ledger["deductions_without_invoice"]
        }
    )
    empty = dict.fromkeys(BUCKETS, 0)
    wrong = {
        anchor: (shown.get(anchor), buckets)
        for anchor, buckets in expected.items()
        if shown.get(anchor, empty) != buckets
    }
    assert wrong == {}
    for item in ledger["invoices"]:
        # invoiced = paid + discount + deducted + remaining + short-paid, to the cent
        parts = ("paid", "discount", "deducted", "remaining", "short_paid")
        assert cents(item["invoiced"]) == sum(cents(item[p]) for p in parts)
    assert ledger["invoices_not_listed"] == 0


def test_short_pays_and_receivables_are_those_of_the_answer_key(
    vendor: PipelineRun, cli: Cli
) -> None:
    ledger = ledger_json(cli)
    key = vendor.answer_key
    assert key["short_pays"] and key["receivables"]
    assert {(s["invoice_number"], s["amount"]) for s in ledger["short_pays"]} == {
        (s["invoice_number"], s["amount"]) for s in key["short_pays"]
    }
    assert {
        (r["invoice_number"], r["open_amount"], r["due_date"]) for r in ledger["receivables"]
    } == {(r["invoice_number"], r["amount"], r["due_date"]) for r in key["receivables"]}
    for r in ledger["receivables"]:
        assert r["days_past_due"] == (TODAY - date.fromisoformat(r["due_date"])).days > 0
    # Without --all, only invoices with something to see: a deduction, an open or short amount.
    for item in ledger["invoices"]:
        assert item["by_type"] or item["remaining"] != "0.00" or item["short_paid"] != "0.00"
    assert ledger["invoices_not_listed"] > 0


def test_payments_and_deposits_that_do_not_match_are_listed_currency_included(
    vendor: PipelineRun, engine: Engine, cli: Cli
) -> None:
    with Session(engine) as session:
        payments = session.exec(select(Payment)).all()
        booked = {t.reference for t in session.exec(select(BankTransaction)).all()}
        account_id = payments[0].account_id
        # Payments the bank has not booked yet (paid in the last days) have no deposit.
        unbooked = {
            p.payment_number for p in payments if not any(p.payment_number in b for b in booked)
        }
    ledger = ledger_json(cli)
    assert {p["payment_number"] for p in ledger["unmatched_payments"]} == unbooked
    assert ledger["unmatched_deposits"] == []
    assert ledger["payments"] == len(payments)

    # A payment whose only deposit of the right figure is in another currency, and a stray
    # Amazon deposit; a deposit from another customer is not the ledger's business.
    paid_on = TODAY - timedelta(days=20)
    with db.session_scope(engine) as session:
        session.add(
            Payment(
                account_id=account_id,
                payment_number="99000001",
                payment_date=paid_on,
                amount_minor=123_456,
                currency="USD",
            )
        )
        for amount, currency, reference, description in (
            (123_456, "CAD", "AMAZON.COM SVCS PMT 99000001", "ACH CREDIT AMAZON.COM"),
            (77_700, "USD", "AMAZON.COM SVCS PMT 99000002", "ACH CREDIT AMAZON.COM"),
            (55_500, "USD", "WMT 123456", "ACH CREDIT WALMART INC PAYABLES"),
        ):
            session.add(
                BankTransaction(
                    account_id=account_id,
                    booked_on=paid_on + timedelta(days=1),
                    amount_minor=amount,
                    currency=currency,
                    reference=reference,
                    description=description,
                )
            )
    ledger = ledger_json(cli)
    assert {p["payment_number"] for p in ledger["unmatched_payments"]} == unbooked | {"99000001"}
    assert [(d["amount"], d["currency"]) for d in ledger["unmatched_deposits"]] == [
        ("1234.56", "CAD"),
        ("777.00", "USD"),
    ]
    code, out, err = cli(["ledger", "--today", TODAY.isoformat()])
    assert code == 0, err
    assert f"Payments not matched to a bank deposit ({len(unbooked) + 1} of " in out
    assert "99000001" in out and "AMAZON.COM SVCS PMT 99000002" in out and "WMT" not in out


def test_one_invoice_table_csv_and_what_detect_points_to(vendor: PipelineRun, cli: Cli) -> None:
    short_pay = vendor.answer_key["short_pays"][0]
    number = short_pay["invoice_number"]
    one = ledger_json(cli, "--invoice", number)
    assert [item["invoice_number"] for item in one["invoices"]] == [number]
    assert [s["amount"] for s in one["short_pays"]] == [short_pay["amount"]]

    code, out, err = cli(["ledger", "--invoice", number, "--today", TODAY.isoformat()])
    assert code == 0, err
    assert number in out and "Short-paid without a deduction (1)" in out

    code, out, err = cli(["ledger", "--format", "csv", "--today", TODAY.isoformat()])
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    sections = {row["section"] for row in rows}
    assert {"invoice", "deduction_without_invoice", "short_pay", "receivable"} <= sections
    short_rows = [r for r in rows if r["section"] == "short_pay"]
    assert {(r["reference"], r["amount"]) for r in short_rows} == {
        (s["invoice_number"], s["amount"]) for s in vendor.answer_key["short_pays"]
    }

    code, out, err = cli(["ledger", "--invoice", "NOPE-1"])
    assert code == 1 and out == ""
    assert err.strip().splitlines() == [
        "error: --invoice NOPE-1: no such invoice for " + vendor.answer_key["vendor_code"]
    ]

    # Every pointer of detect's summary to the ledger names a command that exists.
    code, out, err = cli(["detect", "--today", TODAY.isoformat(), "--no-draft"])
    assert code == 0, err
    assert "`recovery ledger`" in out
    assert "Short-paid without a deduction" in out and "Receivables past due" in out
