"""The service's filing and outcome jobs against the fake Vendor Central, on a fake clock, the
way the scheduler fires them: a shutdown stops filing at its checkpoint, a restart after an
outage files the rest and never a claim twice (the fake's own dispute store says so), and the
money recovered is what the fake approved."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from sqlmodel import Session, select

from recovery.claims.filing import KEY_PREFIX
from recovery.config import Settings, load_settings
from recovery.filing_workspace import prepare_filing_workspace
from recovery.models.claims import Claim, ClaimStatus
from recovery.service import jobs
from recovery.service.job_runs import INTERRUPTED, SUCCEEDED, Interrupted, runs_of
from recovery.service.jobs import accounts_for
from recovery.service.runtime import Runtime, install, uninstall
from recovery.service.schedule import JobId
from recovery.service.scheduler import fire
from recovery.store import db
from recovery.testing.fake_vendor_central import (
    FakeVendorCentral,
    Odds,
)
from recovery.testing.fake_vendor_central.scenario_source import load_portal_data
from recovery.testing.service_fakes import FakeClock, fake_portal_settings

TODAY = date(2026, 11, 30)


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[tuple[Settings, FakeVendorCentral]]:
    root = prepare_filing_workspace(tmp_path / "ws", TODAY)
    config = root / "config.toml"
    config.write_text(
        f'database_url = "sqlite:///{root / "recovery.db"}"\ndata_dir = "{root / "data"}"\n',
        encoding="utf-8",
    )
    data = load_portal_data(root / "scenario")
    shutil.rmtree(root / "scenario" / "evidence", ignore_errors=True)
    with FakeVendorCentral(data, odds=Odds.certain()) as fake:
        settings = load_settings(config).model_copy(
            update={
                "vendor_central": fake_portal_settings(fake.url),
            }
        )
        yield settings, fake


def _start(settings: Settings, clock: FakeClock, browser: Browser) -> Runtime:
    """A fresh process: its own engine and runtime, nothing kept from the last one (but the
    suite's Chromium: one Playwright driver per test process)."""
    runtime = Runtime(settings, db.engine_from_settings(settings), clock=clock, browser=browser)
    install(runtime)
    return runtime


def test_filing_stops_at_a_checkpoint_resumes_after_an_outage_and_never_files_twice(
    workspace: tuple[Settings, FakeVendorCentral], browser: Browser
) -> None:
    settings, fake = workspace
    clock = FakeClock(
        datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC) + timedelta(hours=15)
    )
    runtime = _start(settings, clock, browser)
    try:
        with Session(runtime.engine) as session:
            approved = session.exec(select(Claim).where(Claim.status == ClaimStatus.approved)).all()
        assert approved

        # SIGTERM arrives just as the account's filing starts: it stops at its first checkpoint.
        runtime.stopping.set()
        [vendor_code] = accounts_for(runtime, JobId.filing)
        with pytest.raises(Interrupted):
            jobs.filing(runtime, vendor_code)
        fire(JobId.filing.value)  # and the scheduler starts no other job meanwhile
        assert fake.disputes == []
        with Session(runtime.engine) as session:
            [stopped] = runs_of(session, JobId.filing)
            assert stopped.status == INTERRUPTED and stopped.finished_at == clock.now

        # The process is gone for ten days; a new one catches up.
        uninstall()
        runtime.engine.dispose()
        clock.now += timedelta(days=10)
        runtime = _start(settings, clock, browser)
        fire(JobId.filing.value)
        filed = fake.disputes
        assert filed
        keys = [d.justification.rsplit(KEY_PREFIX, 1)[1].strip() for d in filed]
        assert len(set(keys)) == len(keys)  # one dispute per key: nothing filed twice

        # Restarted again the same day (a crash loop): nothing is filed a second time.
        uninstall()
        runtime.engine.dispose()
        runtime = _start(settings, clock, browser)
        fire(JobId.filing.value)
        assert [d.id for d in fake.disputes] == [d.id for d in filed]
        with Session(runtime.engine) as session:
            runs = runs_of(session, JobId.filing)
            assert [r.status for r in runs] == [INTERRUPTED, SUCCEEDED, SUCCEEDED]
            assert runs[1].detail["filed"] == len(filed) and runs[2].detail["filed"] == 0
            claims = session.exec(select(Claim).where(Claim.case_id != None)).all()  # noqa: E711
            assert {c.id for c in claims} == {c.id for c in approved}

        # Amazon reviews for two weeks and pays a week later; the daily outcome job follows.
        fake.advance(14)
        clock.now += timedelta(days=14)
        fire(JobId.outcomes.value)
        fake.advance(7)
        clock.now += timedelta(days=7)
        fire(JobId.outcomes.value)
        approved_by_fake = sum(d.approved_minor for d in fake.disputes)
        asked = sum(d.amount_minor for d in fake.disputes)
        assert 0 < approved_by_fake <= asked
        with Session(runtime.engine) as session:
            claims = session.exec(select(Claim).where(Claim.case_id != None)).all()  # noqa: E711
            recovered = sum(c.recovered_minor for c in claims)
            [*_, last] = runs_of(session, JobId.outcomes)
        # Recovered is what was asked minus what the fake denied: every approved cent was paid.
        assert recovered == approved_by_fake
        assert last.status == SUCCEEDED and last.detail["recovered_minor"] == {
            "USD": approved_by_fake
        }
    finally:
        uninstall()
        runtime.engine.dispose()
