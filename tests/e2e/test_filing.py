"""Filing against the fake Vendor Central: every approved claim becomes exactly one dispute, even
through a 500 after the store, an expired session in the middle of a form, throttling, the
second layout and a filer killed before a submit, after it and on the confirmation. Each check
reads the fake's own store."""

from __future__ import annotations

import os
import random
import shutil
import stat
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from pydantic import SecretStr
from sqlalchemy import Engine
from sqlmodel import Session, select

from recovery.calendar import BusinessCalendar
from recovery.claims import workflow
from recovery.claims.filing import KEY_PREFIX, file_claims, group_disputes
from recovery.claims.outcomes import follow_outcomes
from recovery.claims.queue import contract_record, load_rows
from recovery.config import Settings, VendorCentralSettings, load_settings
from recovery.filing_workspace import prepare_filing_workspace
from recovery.models.claims import Claim, ClaimStatus, FilingAttempt
from recovery.money import from_minor
from recovery.portal.session import STATE_FILE
from recovery.store import db
from recovery.testing.fake_vendor_central import (
    DEFAULT_EMAIL,
    DEFAULT_PASSWORD,
    DEFAULT_TOTP_SECRET,
    FakeVendorCentral,
    Odds,
)
from recovery.testing.fake_vendor_central.scenario_source import PortalData, load_portal_data
from recovery.testing.filing_crashes import Crash, run_trial, sample_groups

TODAY = date(2026, 11, 30)


@dataclass
class Prepared:
    root: Path  # a workspace with the database after detection, every ready claim approved
    data: PortalData


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    root = prepare_filing_workspace(tmp_path_factory.mktemp("filing") / "ws", TODAY)
    return Prepared(root, load_portal_data(root / "scenario"))


@dataclass
class Run:
    settings: Settings
    engine: Engine
    fake: FakeVendorCentral
    config: Path
    browser: Browser  # the suite's Chromium (conftest): one Playwright driver per process


@pytest.fixture
def run(prepared: Prepared, tmp_path: Path, browser: Browser) -> Iterator[Run]:
    root = tmp_path / "ws"
    shutil.copytree(prepared.root, root, ignore=shutil.ignore_patterns("scenario"))
    config = root / "config.toml"
    config.write_text(
        f'database_url = "sqlite:///{root / "recovery.db"}"\ndata_dir = "{root / "data"}"\n',
        encoding="utf-8",
    )
    with FakeVendorCentral(prepared.data, odds=Odds.certain()) as fake:
        settings = load_settings(config).model_copy(
            update={
                "vendor_central": VendorCentralSettings(
                    url=fake.url,
                    username=DEFAULT_EMAIL,
                    password=SecretStr(DEFAULT_PASSWORD),
                    totp_secret=SecretStr(DEFAULT_TOTP_SECRET),
                    pace_seconds=0.0,
                    throttle_backoff_seconds=0.3,
                    timeout_ms=15_000,
                    filing_lease_seconds=0,
                ),
            }
        )
        engine = db.engine_from_settings(settings)
        yield Run(settings, engine, fake, config, browser)
        engine.dispose()


def approved_groups(engine: Engine) -> list[list[Claim]]:
    with Session(engine) as session:
        claims = session.exec(select(Claim).where(Claim.status == ClaimStatus.approved)).all()
        return group_disputes(list(claims))


def assert_each_claim_filed_once(run: Run, groups: list[list[Claim]]) -> None:
    """The fake holds one dispute per group, each carrying one key, and our receipts agree."""
    stored = run.fake.disputes
    keys = Counter(
        d.justification.rsplit(KEY_PREFIX, 1)[1].strip()
        for d in stored
        if KEY_PREFIX in d.justification
    )
    assert len(stored) == len(groups), [(d.id, d.invoice_number) for d in stored]
    assert set(keys.values()) == {1}
    by_id = {d.id: d for d in stored}
    with Session(run.engine) as session:
        for group in groups:
            claims = [session.get(Claim, c.id) for c in group]
            assert all(c is not None and c.status == ClaimStatus.filed for c in claims)
            case_ids = {c.case_id for c in claims if c is not None}
            assert len(case_ids) == 1
            [case_id] = case_ids
            assert case_id in by_id
            attempts = session.exec(
                select(FilingAttempt).where(
                    FilingAttempt.case_id == case_id, FilingAttempt.outcome == "filed"
                )
            ).all()
            assert {a.claim_id for a in attempts} == {c.id for c in group}
            assert all(
                a.dispute_key and a.dispute_key in by_id[case_id].justification for a in attempts
            )
            assert all(a.screenshot_path and Path(a.screenshot_path).exists() for a in attempts)


def test_dry_run_submits_nothing_then_every_approved_claim_is_filed_once(run: Run) -> None:
    groups = approved_groups(run.engine)
    assert {g[0].type for g in groups} == {"shortage", "price", "coop", "chargeback"}

    preview = file_claims(run.engine, run.settings, dry_run=True, limit=2, browser=run.browser)
    assert len(preview.previews) == 2 and all(p.exists() for _, p in preview.previews)
    assert run.fake.disputes == []
    # Nothing moved: every claim is still approved, none has an attempt.
    assert [[c.id for c in g] for g in approved_groups(run.engine)] == [
        [c.id for c in g] for g in groups
    ]
    with Session(run.engine) as session:
        assert session.exec(select(FilingAttempt)).all() == []

    report = file_claims(run.engine, run.settings, browser=run.browser)
    assert not report.refused and not report.unknown, (report.refused, report.unknown)
    assert len(report.filed) == len(groups)
    assert_each_claim_filed_once(run, groups)
    # The shortage dispute of an invoice carries its lines and the signed document.
    shortage = next(d for d in run.fake.disputes if d.type.value == "shortage")
    assert shortage.attachments and shortage.lines

    state = run.settings.portal_dir / STATE_FILE
    assert stat.S_IMODE(state.stat().st_mode) == 0o600
    again = file_claims(run.engine, run.settings, browser=run.browser)
    assert again.filed == [] and again.refused == []
    assert len(run.fake.disputes) == len(groups)


def test_outcomes_follow_the_portals_decisions_and_recovered_is_the_credits_seen(
    run: Run,
) -> None:
    file_claims(run.engine, run.settings, browser=run.browser)
    filed = len(run.fake.disputes)
    early = follow_outcomes(run.engine, run.settings, run.browser)
    assert early.pending == filed and early.decided == {}

    run.fake.advance(14)  # every dispute is reviewed; the money comes with Tuesday's payment
    decided = follow_outcomes(run.engine, run.settings, run.browser)
    assert decided.pending == 0
    assert sum(decided.decided.values()) == sum(len(g) for g in approved_groups_filed(run))
    assert decided.recovered_minor.get("USD", 0) == 0  # approved is not yet paid

    run.fake.advance(7)
    paid = follow_outcomes(run.engine, run.settings, run.browser)
    approved = sum(d.approved_minor for d in run.fake.disputes)
    assert approved > 0
    assert paid.recovered_minor == {"USD": approved}
    with Session(run.engine) as session:
        claims = session.exec(select(Claim).where(Claim.case_id != None)).all()  # noqa: E711
        assert sum(c.recovered_minor for c in claims) == approved
        by_dispute = {d.id: d for d in run.fake.disputes}
        for claim in claims:
            outcome = by_dispute[claim.case_id or ""].outcome
            assert outcome is not None
            if outcome.value == "Denied":
                # The ladder took it on: a re-dispute drafted, or closed at the top.
                assert claim.recovered_minor == 0
                assert claim.status in (ClaimStatus.redispute_ready, ClaimStatus.closed)
            elif outcome.value == "Approved":
                assert claim.status == ClaimStatus.won
                assert claim.recovered_minor == claim.amount_minor
        # `claims list --format json` shows each filed claim's dispute and the money seen.
        calendar = BusinessCalendar.from_settings(run.settings.calendar)
        listed = {
            r["id"]: r for r in map(contract_record, load_rows(session, calendar=calendar,
                                                                rules=run.settings.rules))
        }  # fmt: skip
        for claim in claims:
            record = listed[claim.id]
            assert record["dispute_id"] == claim.case_id
            assert record["filed_at"] is not None
            assert record["outcome"] in ("approved", "partially_approved", "denied")
            assert Decimal(record["recovered"]) == from_minor(claim.recovered_minor, "USD")


def test_the_ladder_redisputes_a_denial_then_drafts_the_statement_of_open_items(
    run: Run,
) -> None:
    run.fake.portal.odds = Odds(optimal=0.0, maturing=0.0, mature=0.0)  # Amazon denies all
    first = file_claims(run.engine, run.settings, browser=run.browser)
    first_ids = {i for _, ids in first.filed for i in ids}
    run.fake.advance(14)
    denied = follow_outcomes(run.engine, run.settings, run.browser)
    assert {i for i, level in denied.ladder.climbed if level == 2} == first_ids
    with Session(run.engine) as session:
        for claim_id in first_ids:
            claim = session.get(Claim, claim_id)
            assert claim is not None and claim.status == ClaimStatus.redispute_ready
            assert claim.level == 2 and claim.deadline is not None
            if claim.type == "chargeback":  # one second dispute within 30 days of the rejection
                resolved = max(d.resolved_on for d in run.fake.disputes if d.resolved_on)
                assert claim.deadline <= resolved + timedelta(days=30)
            assert claim.case_id and claim.case_id in claim.draft_text  # names the first dispute
            workflow.approve(session, claim_id, actor="specialist")
        session.commit()

    second = file_claims(run.engine, run.settings, browser=run.browser)
    assert not second.refused and not second.unknown, (second.refused, second.unknown)
    redisputes = [d for d in run.fake.disputes if d.parent_id]
    assert len(redisputes) == len(first.filed)  # one re-dispute per first dispute
    run.fake.advance(14)
    again = follow_outcomes(run.engine, run.settings, run.browser)
    with Session(run.engine) as session:
        claims = [session.get(Claim, i) for i in first_ids]
    for claim in claims:
        assert claim is not None
        if claim.type == "chargeback":
            assert claim.status == ClaimStatus.closed  # no third dispute
        else:
            assert (claim.status, claim.level) == (ClaimStatus.redispute_ready, 3)
            [item] = claim.draft_fields["statement_of_open_items"]
            assert list(item) == [
                "Document Number",
                "Document Date",
                "Document Due Date",
                "Document Amount",
                "Item Balance",
            ]
            assert "Statement of open items" in claim.draft_text
    assert {i for i, _ in again.ladder.closed} | {i for i, _ in again.ladder.climbed} == first_ids

    # The third rung: each statement goes to Amazon in a Contact Us case, exactly once, even when
    # the portal answers the first case with a 500 after storing it.
    third = [c.id or 0 for c in claims if c is not None and c.level == 3]
    with Session(run.engine) as session:
        for claim_id in third:
            workflow.approve(session, claim_id, actor="specialist")
        session.commit()
    run.fake.set_faults(fail_after_store=1)
    sent = file_claims(run.engine, run.settings, browser=run.browser)
    assert not sent.refused and not sent.unknown, (sent.refused, sent.unknown)
    cases = {case.id: case for case in run.fake.cases}
    with Session(run.engine) as session:
        settled = [session.get(Claim, i) for i in third]
    assert len(cases) == len({(c.account_id, c.type) for c in settled if c is not None})
    for claim in settled:
        assert claim is not None and claim.status == ClaimStatus.filed
        case = cases[claim.case_id or ""]
        assert case.topic.startswith("Accounting: Dispute settlement")
        # The attached workbook carries the claim's row in the portal's columns.
        [item] = claim.draft_fields["statement_of_open_items"]
        assert item in case.open_items
        [attempt] = [a for a in _filed(run, claim.id or 0) if a.case_id == case.id]
        assert attempt.dispute_key and attempt.dispute_key in case.description
        assert attempt.screenshot_path and Path(attempt.screenshot_path).exists()
        assert attempt.fields and attempt.fields["statement_of_open_items"]
    assert sum(len(case.open_items) for case in cases.values()) == len(third)
    assert run.fake.faults.fail_after_store == 0  # the lost answer was met, and survived
    assert file_claims(run.engine, run.settings, browser=run.browser).filed == []
    assert len(run.fake.cases) == len(cases)
    assert follow_outcomes(run.engine, run.settings, run.browser).settlement_cases == len(cases)

    # `claims show` tells the whole history: both disputes, both decisions, the statement.
    shortage = next(c for c in claims if c is not None and c.type == "shortage")
    shown = subprocess.run(
        [recovery_command(), "--config", str(run.config), "claims", "show", str(shortage.id)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shown.returncode == 0, shown.stderr
    history = shown.stdout.split("Disputes (the ladder)")[1].split("Audit trail")[0]
    first_case, second_case, third_case = (a.case_id for a in _filed(run, shortage.id or 0))
    assert f"1. {first_case}" in history and f"2. {second_case}" in history
    assert f"3. Contact Us case {third_case}" in history
    assert history.count("Denied") == 2 and "Statement of Open Items: Document Number" in history


def recovery_command() -> str:
    return str(Path(sys.executable).parent / "recovery")


def _filed(run: Run, claim_id: int) -> list[FilingAttempt]:
    with Session(run.engine) as session:
        return list(
            session.exec(
                select(FilingAttempt)
                .where(FilingAttempt.claim_id == claim_id, FilingAttempt.outcome == "filed")
                .order_by(FilingAttempt.started_at)
            ).all()
        )


def approved_groups_filed(run: Run) -> list[list[Claim]]:
    with Session(run.engine) as session:
        claims = session.exec(select(Claim).where(Claim.case_id != None)).all()  # noqa: E711
        return group_disputes(list(claims))


def test_a_500_after_the_store_is_found_by_its_key_not_filed_again_by_two_contexts(
    run: Run,
) -> None:
    groups = approved_groups(run.engine)
    run.fake.set_faults(fail_after_store=2)
    vc = run.settings.vendor_central.model_copy(update={"filing_contexts": 2})
    settings = run.settings.model_copy(update={"vendor_central": vc})
    report = file_claims(run.engine, settings)  # each context in its own thread and Chromium
    assert not report.refused and not report.unknown, (report.refused, report.unknown)
    assert sorted(len(ids) for _, ids in report.filed) == sorted(len(g) for g in groups)
    assert_each_claim_filed_once(run, groups)


def test_expired_session_throttling_and_the_second_layout_are_survived(run: Run) -> None:
    groups = approved_groups(run.engine)
    run.fake.set_faults(
        expire_mid_form=True,
        throttle_pages=2,
        throttle_signin=2,
        layout=2,
        stream_pause_seconds=0.1,
    )
    report = file_claims(run.engine, run.settings, browser=run.browser)
    assert not report.refused and not report.unknown, (report.refused, report.unknown)
    assert_each_claim_filed_once(run, groups)
    # Every fault was met: two sign-ins throttled, one form step expired, two pages throttled.
    faults = run.fake.faults
    assert (faults.throttle_signin, faults.expire_mid_form, faults.throttle_pages) == (0, False, 0)


@pytest.mark.parametrize(
    "crash",
    [
        Crash("form", 2),  # before the second dispute's submit
        Crash("stored", 1, fail_after_store=1),  # stored, answered with a 500, never seen
        Crash("confirmation", 2, delay=0.05),  # reading the confirmation or storing it
    ],
    ids=lambda crash: crash.point,
)
def test_a_filer_killed_at_each_point_neither_doubles_nor_loses_a_dispute(
    prepared: Prepared, tmp_path: Path, crash: Crash
) -> None:
    claim_ids = sample_groups(prepared.root / "recovery.db", 3, random.Random(28))
    result = run_trial(prepared.root, tmp_path / "ws", prepared.data, crash, claim_ids)
    assert result.killed, result.describe()
    assert result.check.expected == 3
    assert result.ok, result.describe()


def test_filing_without_the_portal_secrets_names_them_and_takes_no_claim(run: Run) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RECOVERY_VENDOR_CENTRAL")}
    env["RECOVERY_VENDOR_CENTRAL__URL"] = run.fake.url
    env["RECOVERY_VENDOR_CENTRAL__USERNAME"] = DEFAULT_EMAIL
    recovery = str(Path(sys.executable).parent / "recovery")
    finished = subprocess.run(
        [recovery, "--config", str(run.config), "file"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 1
    assert "RECOVERY_VENDOR_CENTRAL__PASSWORD" in finished.stderr
    assert "RECOVERY_VENDOR_CENTRAL__TOTP_SECRET" in finished.stderr
    assert "Traceback" not in finished.stderr
    assert run.fake.disputes == []
    with Session(run.engine) as session:
        assert session.exec(select(FilingAttempt)).all() == []
