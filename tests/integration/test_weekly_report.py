"""The weekly summary on a generated scenario with outcomes, cross-checked against the ledger
and the claims to the cent (SQLite and PostgreSQL); the command line; the e-mail through a real
local SMTP server (aiosmtpd)."""

from __future__ import annotations

import io
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import time_machine
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword
from aiosmtpd.smtp import Session as SmtpSession
from claims_factory import shortage_claim
from openpyxl import load_workbook
from pipeline import run_pipeline
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from recovery.claims import workflow
from recovery.claims.reader import load_detection_input
from recovery.cli.app import main
from recovery.config import Settings
from recovery.ledger import balance_invoices, match_bank_deposits, receivables
from recovery.models import Chargeback, Claim, ClaimStatus, Deduction, Payment, VendorAccount
from recovery.reports.figures import AccountFigures, deduction_group
from recovery.reports.run_summary import AccountResult, run_detection
from recovery.reports.weekly import weekly_report
from recovery.store import db

MONDAY = date(2026, 11, 23)  # the scenario's today: detection drafts its claims this day
WEEK_END = date(2026, 11, 29)
REPORT_DAY = date(2026, 11, 30)


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 18, tzinfo=UTC)  # 10:00 in Los Angeles


@dataclass
class Outcome:
    claim_id: int
    amount: int
    filed: date
    decided: date
    decision: str
    recovered: int
    deduction_on: date | None


@dataclass
class Scenario:
    before: AccountResult
    after: AccountResult
    outcomes: list[Outcome]
    figures: AccountFigures


def _decide(engine: Engine) -> list[Outcome]:
    """Three of the drafted claims through the workflow: won, partly won, denied."""
    plans = [
        ("won", date(2026, 11, 24), date(2026, 11, 26), None),
        ("partially_won", date(2026, 11, 24), date(2026, 11, 27), "Rate matches the agreement"),
        ("denied", date(2026, 11, 25), date(2026, 11, 27), "Backup lines are correct"),
    ]
    outcomes = []
    with db.session_scope(engine) as session:
        ready = session.exec(
            select(Claim).where(Claim.status == ClaimStatus.ready).order_by(col(Claim.id))
        ).all()
        assert len(ready) >= len(plans), "the scenario must draft enough claims to decide"
        for claim, (decision, filed, decided, note) in zip(ready, plans, strict=False):
            for status, day in (("approved", filed), ("filing", filed), ("filed", filed)):
                workflow.transition(session, claim, ClaimStatus(status), actor="t", now=at(day))
            workflow.transition(
                session,
                claim,
                ClaimStatus(decision),
                actor="portal",
                note=note or "",
                now=at(decided),
            )
            recovered = {"won": claim.amount_minor, "partially_won": claim.amount_minor // 3}.get(
                decision, 0
            )
            claim.recovered_minor = recovered
            session.add(claim)
            deduction = session.get(Deduction, claim.deduction_id) if claim.deduction_id else None
            assert claim.id is not None
            outcomes.append(
                Outcome(
                    claim.id,
                    claim.amount_minor,
                    filed,
                    decided,
                    decision,
                    recovered,
                    (deduction.raised_on or deduction.notified_on) if deduction else None,
                )
            )
    return outcomes


def _scenario(engine: Engine, settings: Settings, tmp_path: Path) -> Scenario:
    with time_machine.travel(at(MONDAY), tick=True):
        run = run_pipeline(engine, settings, tmp_path, seed=5, size="tiny")
    outcomes = _decide(engine)
    after = run_detection(engine, settings, today=MONDAY, full=True)
    report = weekly_report(engine, settings, today=REPORT_DAY)
    assert report.calendar.week.start == MONDAY
    (figures,) = report.accounts
    return Scenario(run.detection.accounts[0], after.accounts[0], outcomes, figures)


def _check_the_weeks_figures_match_the_claims_to_the_cent(scenario: Scenario) -> None:
    week = scenario.figures.week.total
    outcomes = scenario.outcomes
    assert (week.filed, week.won, week.partly_won, week.denied) == (3, 1, 1, 1)
    assert week.disputed_minor == sum(o.amount for o in outcomes)
    assert week.decided_minor == sum(o.amount for o in outcomes)
    assert week.recovered_minor == sum(o.recovered for o in outcomes)
    assert week.recovered_minor > 0
    assert week.win_rate is not None and week.win_rate * 3 == 2
    expected_to_file = [(o.filed - o.deduction_on).days for o in outcomes if o.deduction_on]
    assert sorted(week.days_to_file) == sorted(expected_to_file)
    assert sorted(week.days_to_decision) == sorted((o.decided - o.filed).days for o in outcomes)
    reasons = {r.reason for r in scenario.figures.denial_reasons}
    assert reasons == {"Rate matches the agreement", "Backup lines are correct"}


def _check_recoverable_matches_what_detection_found(scenario: Scenario) -> None:
    # Every claim was drafted on Monday; the expired ones are missed deadlines, not recoverable.
    week = scenario.figures.week
    for claim_type, summary in scenario.before.types.items():
        assert week.types[claim_type].recoverable_minor == summary.recoverable, claim_type
        assert week.types[claim_type].drafted == summary.claims, claim_type
    expired = sum(s.expired for s in scenario.before.types.values())
    missed = [m for m in scenario.figures.missed if m.status == "expired"]
    assert sum(m.amount_minor for m in missed) == expired


def _check_outcomes_move_the_ledgers_buckets_by_the_reported_amounts(scenario: Scenario) -> None:
    before, after = scenario.before.buckets, scenario.after.buckets
    ytd = next(p for p in scenario.figures.periods if p.period.key == "ytd").total
    assert after["recovered"] - before["recovered"] == ytd.recovered_minor
    assert after["denied"] - before["denied"] == ytd.decided_minor - ytd.recovered_minor
    assert before["claimable"] - after["claimable"] == ytd.disputed_minor
    assert after["claimed"] == before["claimed"]  # every filed claim is decided


def _check_open_items_match_the_ledger(
    scenario: Scenario, engine: Engine, settings: Settings
) -> None:
    figures = scenario.figures
    with engine.connect() as conn:
        account = conn.execute(select(VendorAccount.id)).scalar_one()
        balances = balance_invoices(conn, account)
        matched = match_bank_deposits(
            load_detection_input(conn, account, only=("payments", "bank")),
            settings.rules.bank_match_days,
        )
        payments = conn.execute(select(Payment.payment_number, Payment.amount_minor)).all()
    assert figures.short_paid_minor == sum(b.short_paid for b in balances if b.short_paid > 0)
    assert figures.short_paid_minor == sum(b.short_paid for b in scenario.after.short_paid)
    due = receivables(balances, WEEK_END + timedelta(days=1))
    assert figures.receivables_minor == sum(r.open_amount for r in due)
    assert [r.invoice_number for r in figures.receivables] == [r.invoice_number for r in due]
    matched_numbers = {m.payment_number for m in matched}
    assert figures.unmatched_minor == sum(a for n, a in payments if n not in matched_numbers)
    assert len(figures.unmatched_payments) == (
        scenario.after.payments - scenario.after.payments_matched
    )


def _check_deductions_and_chargebacks_match_the_imported_rows(
    scenario: Scenario, engine: Engine
) -> None:
    periods = {p.period.key: p for p in scenario.figures.periods}
    with Session(engine) as session:
        deductions = session.exec(select(Deduction)).all()
        chargebacks = session.exec(select(Chargeback)).all()
    for key, pf in periods.items():
        expected: dict[str, tuple[int, int]] = {}
        for d in deductions:
            day = d.raised_on or d.notified_on
            if d.amount_minor > 0 and day is not None and pf.period.start <= day <= pf.period.end:
                count, total = expected.get(deduction_group(d.kind), (0, 0))
                expected[deduction_group(d.kind)] = (count + 1, total + d.amount_minor)
        found = {
            group: (tf.deductions_raised, tf.deductions_raised_minor)
            for group, tf in pf.types.items()
            if tf.deductions_raised
        }
        assert found == expected, key
    quarter = periods["13w"].period
    in_quarter = [
        c for c in chargebacks if c.notified_on and quarter.start <= c.notified_on <= quarter.end
    ]
    assert sum(g.minor_13w for g in scenario.figures.chargeback_types) == sum(
        c.amount_minor for c in in_quarter
    )
    assert sum(g.count_13w for g in scenario.figures.chargeback_types) == len(in_quarter)
    assert in_quarter, "the scenario's chargebacks must fall in the 13 weeks"


def test_every_figure_cross_checks_against_the_ledger_and_the_claims(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    # One generated scenario per database (it takes a while), checked from every side.
    scenario = _scenario(engine, settings, tmp_path)
    _check_the_weeks_figures_match_the_claims_to_the_cent(scenario)
    _check_recoverable_matches_what_detection_found(scenario)
    _check_outcomes_move_the_ledgers_buckets_by_the_reported_amounts(scenario)
    _check_open_items_match_the_ledger(scenario, engine, settings)
    _check_deductions_and_chargebacks_match_the_imported_rows(scenario, engine)


# --- the command line and the e-mail, on a few claims ---------------------------------------


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(args)
    out, err = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else 1), out, err


@pytest.fixture
def cli_env(
    engine: Engine, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    db.upgrade(engine)
    with db.session_scope(engine) as session:
        claim = shortage_claim(session, status="ready", deadline=date(2026, 12, 3))
        for status, day in (("approved", 24), ("filing", 24), ("filed", 24), ("won", 26)):
            workflow.transition(
                session, claim, ClaimStatus(status), actor="t", now=at(date(2026, 11, day))
            )
        claim.recovered_minor = claim.amount_minor
        session.add(claim)
        shortage_claim(session, key="shortage:INV-1002SC", status="ready", reference="=1+2")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RECOVERY_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("RECOVERY_DATA_DIR", str(settings.data_dir))
    return tmp_path


def test_report_weekly_writes_each_format(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(
        ["report", "weekly", "--week", "2026-W48", "--format", "xlsx", "--out", "w.xlsx"], capsys
    )
    assert (code, err) == (0, "")
    assert "Wrote the weekly summary for 2026-W48 to w.xlsx" in out
    sheet = load_workbook(cli_env / "w.xlsx")["Figures"]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
    week_total = next(r for r in rows if r[1] == "Week 2026-W48" and r[4] == "Total")
    headers = [c.value for c in sheet[1]]
    assert week_total[headers.index("Recovered")] == pytest.approx(201.60)
    assert week_total[headers.index("Won")] == 1
    code, out, _ = run_cli(["report", "weekly", "--week", "2026-W48", "--format", "pdf"], capsys)
    assert code == 0
    assert (cli_env / "recovery-weekly-2026-W48.pdf").read_bytes().startswith(b"%PDF-")
    code, out, _ = run_cli(["report", "weekly", "--week", "2026-W48", "--account", "abcde"], capsys)
    assert code == 0
    page = (cli_env / "recovery-weekly-2026-W48.html").read_text(encoding="utf-8")
    assert "Weekly recovery summary, 2026-W48" in page and "$201.60" in page


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--week", "2026-48"], 1, "--week '2026-48': expected an ISO week such as 2026-W48"),
        (["--week", "2025-W53"], 1, "2025 has no week 53"),
        (["--account", "NOPE"], 1, "--account NOPE: no such vendor account"),
        (["--out", "missing/dir/w.html"], 1, "--out missing/dir/w.html: cannot write it"),
        (["--format", "docx"], 2, "docx"),
        (["--email"], 1, "smtp.host: no SMTP server is configured"),
    ],
)
def test_bad_arguments_get_one_line(
    cli_env: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    code: int,
    message: str,
) -> None:
    found, _, err = run_cli(["report", "weekly", "--week", "2026-W48", *args], capsys)
    assert found == code
    assert message in " ".join(err.split())
    assert "Traceback" not in err


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.logins: list[tuple[bytes, bytes]] = []

    async def handle_DATA(self, server: SMTP, session: SmtpSession, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        message = message_from_bytes(content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 OK"

    def authenticate(
        self, server: SMTP, session: SmtpSession, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        self.logins.append((data.login, data.password))
        # handled=False: aiosmtpd answers a refusal with 535 itself.
        return AuthResult(
            success=(data.login, data.password) == (b"bot", b"s3cret pass"), handled=False
        )


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    with socket.socket() as probe:  # a free port: the controller cannot take 0
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=inbox.authenticate,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _smtp_env(monkeypatch: pytest.MonkeyPatch, port: int, password: str) -> None:
    monkeypatch.setenv("RECOVERY_SMTP__HOST", "127.0.0.1")
    monkeypatch.setenv("RECOVERY_SMTP__PORT", str(port))
    monkeypatch.setenv("RECOVERY_SMTP__STARTTLS", "false")
    monkeypatch.setenv("RECOVERY_SMTP__USER", "bot")
    monkeypatch.setenv("RECOVERY_SMTP__SENDER", "Recovery <bot@example.com>")
    monkeypatch.setenv("RECOVERY_SMTP__PASSWORD", password)
    monkeypatch.setenv("RECOVERY_SMTP__TIMEOUT", "10")


def test_the_report_is_mailed_with_html_body_and_both_attachments(
    cli_env: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    smtp_server: tuple[Inbox, int],
) -> None:
    inbox, port = smtp_server
    _smtp_env(monkeypatch, port, "s3cret pass")
    code, out, err = run_cli(
        [
            "report",
            "weekly",
            "--week",
            "2026-W48",
            "--to",
            "cfo@example.com",
            "--to",
            "ops@example.com",
        ],
        capsys,
    )
    assert (code, err) == (0, ""), err
    assert "Mailed the weekly summary for 2026-W48 to cfo@example.com, ops@example.com" in out
    assert not list(cli_env.glob("recovery-weekly-*")), "no file unless --out is given"
    (message,) = inbox.messages
    assert inbox.logins == [(b"bot", b"s3cret pass")]
    assert message["Subject"] == "Weekly recovery summary, 2026-W48"
    assert message["To"] == "cfo@example.com, ops@example.com"
    html = message.get_body(preferencelist=("html",))
    assert html is not None
    body = html.get_content()
    assert "$201.60" in body
    images = [p for p in message.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 2
    for image in images:
        assert f'src="cid:{image["Content-ID"].strip("<>")}"' in body
        assert image.get_content().startswith(b"\x89PNG")
    attachments = {a.get_filename(): a.get_content() for a in message.iter_attachments()}
    assert set(attachments) == {"recovery-weekly-2026-W48.pdf", "recovery-weekly-2026-W48.xlsx"}
    assert attachments["recovery-weekly-2026-W48.pdf"].startswith(b"%PDF-")
    book = load_workbook(io.BytesIO(attachments["recovery-weekly-2026-W48.xlsx"]))
    assert "Figures" in book.sheetnames
    assert "s3cret" not in out + err


def test_a_refused_login_or_missing_starttls_is_one_line(
    cli_env: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    smtp_server: tuple[Inbox, int],
) -> None:
    inbox, port = smtp_server
    _smtp_env(monkeypatch, port, "wrong")
    code, _, err = run_cli(["report", "weekly", "--week", "2026-W48", "--email"], capsys)
    assert code == 1
    assert "reports.recipients: nobody to send the report to" in err
    monkeypatch.setenv("RECOVERY_REPORTS__RECIPIENTS", '["cfo@example.com"]')
    code, _, err = run_cli(["report", "weekly", "--week", "2026-W48", "--email"], capsys)
    assert code == 1
    assert f"e-mail: 127.0.0.1:{port} refused the login of bot (535)" in err
    assert "wrong" not in err
    monkeypatch.setenv("RECOVERY_SMTP__STARTTLS", "true")
    code, _, err = run_cli(["report", "weekly", "--week", "2026-W48", "--email"], capsys)
    assert code == 1
    assert "does not offer STARTTLS (smtp.starttls)" in err
    assert inbox.messages == []


def test_the_smtp_password_is_read_from_the_secrets_dir_never_the_config_file(
    tmp_path: Path,
) -> None:
    from recovery.config import load_settings
    from recovery.errors import ConfigError

    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "smtp__password").write_text("from-the-secrets-dir\n")
    config = tmp_path / "config.toml"
    config.write_text(f'secrets_dir = "{secrets}"\n[smtp]\nhost = "mail.example.com"\n')
    settings = load_settings(config)
    assert settings.smtp.password is not None
    assert settings.smtp.password.get_secret_value() == "from-the-secrets-dir"
    config.write_text('[smtp]\npassword = "oops"\n')
    with pytest.raises(ConfigError, match="smtp.password is a secret"):
        load_settings(config)
