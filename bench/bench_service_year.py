"""A simulated year of the background service on a fake clock, against the fake SP-API and the
fake Vendor Central, with multi-day outages where the process dies mid-tick and restarts.

The scenario is a vendor's year ending on day 0; from there the service runs for `--days`,
firing its jobs the way the scheduler does (`recovery.service.scheduler.fire`) once per tick
(coalesced, as the job store does after a gap), with every claim auto-approved. Printed:
seconds per tick and in all, disputes filed, and the checks:

- no missed deadline: every filed claim was filed on or before its file_by, and no claim the
  service approved expired;
- no duplicate filing: one dispute per key in the fake's own store, never two first-level
  disputes of the same deduction;
- caught up after each restart: every enabled job succeeded in the restart's first tick;
- recovered dollars == asked − what the fake denied.

    python bench/bench_service_year.py --days 365 --tick 14 --outages 3
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import func
from sqlmodel import Session, col, select

from recovery import demo
from recovery.claims.filing import KEY_PREFIX
from recovery.config import (
    AutoApproval,
    ClaimSettings,
    Settings,
    SpApiSettings,
)
from recovery.models import JobRun
from recovery.models.claims import Claim, ClaimEvent, ClaimStatus
from recovery.money import from_minor
from recovery.service.job_runs import SUCCEEDED
from recovery.service.runtime import Runtime, install, uninstall
from recovery.service.schedule import JobId, job_specs
from recovery.service.scheduler import fire
from recovery.store import db
from recovery.testing.fake_spapi import FakeSpApi
from recovery.testing.fake_spapi_data import load_scenario
from recovery.testing.fake_vendor_central import (
    FakeVendorCentral,
    Odds,
)
from recovery.testing.fake_vendor_central.scenario_source import load_portal_data
from recovery.testing.service_fakes import FakeClock, fake_portal_settings

DAY0 = date(2026, 11, 30)
ORDER = (
    JobId.spapi_sync,
    JobId.vendor_central,
    JobId.evidence_watch,
    JobId.filing,
    JobId.outcomes,
    JobId.weekly_report,
)


def service_settings(
    base: Settings, spapi: FakeSpApi, portal: FakeVendorCentral, inbox: Path
) -> Settings:
    everything = AutoApproval(max_amount=Decimal("1000000000"), min_confidence=0)
    return base.model_copy(
        update={
            "spapi": SpApiSettings(
                endpoint=spapi.url,
                lwa_token_url=spapi.lwa_url,
                lwa_app_id="bench-app",
                lwa_client_secret=SecretStr("bench-secret"),
                refresh_token=SecretStr("bench-token"),
            ),
            "sync": base.sync.model_copy(update={"initial_days": 400}),
            "vendor_central": fake_portal_settings(portal.url),
            "claims": ClaimSettings(
                auto_approve={t: everything for t in ("shortage", "price", "coop", "chargeback")}
            ),
            "service": base.service.model_copy(update={"evidence_inbox": inbox}),
            "evidence": base.evidence.model_copy(update={"ocr": False}),
        }
    )


def run_jobs(jobs: tuple[JobId, ...], enabled: set[JobId]) -> None:
    for job in jobs:
        if job in enabled:
            fire(job.value)


def simulate(root: Path, size: str, days: int, tick: int, outages: int) -> int:
    workspace = demo.Workspace(demo.DemoOptions(directory=root, size=size, today=DAY0), DAY0)
    workspace.prepare()
    demo.generate(workspace)
    base, engine = demo.open_database(workspace)
    engine.dispose()
    inbox = root / "inbox"
    shutil.copytree(workspace.scenario_dir / "evidence", inbox)
    clock = FakeClock(datetime.combine(DAY0, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12))
    ticks = days // tick
    # Outages spread over the year: the process dies after the vendor-central job of that tick
    # and stays down `tick // 2 + 3` days.
    outage_ticks = {round((i + 1) * ticks / (outages + 1)) for i in range(outages)}
    problems: list[str] = []
    began = time.perf_counter()
    with (
        FakeSpApi(load_scenario(workspace.scenario_dir)) as spapi,
        FakeVendorCentral(
            load_portal_data(workspace.scenario_dir), odds=Odds.certain(), today=DAY0
        ) as portal,
    ):
        settings = service_settings(base, spapi, portal, inbox)
        enabled = {s.id for s in job_specs(settings) if s.enabled}
        runtime = Runtime(settings, db.engine_from_settings(settings), clock=clock)
        install(runtime)
        try:
            for n in range(ticks):
                started = time.perf_counter()
                if n in outage_ticks:
                    run_jobs(ORDER[:2], enabled)
                    # Killed: no shutdown, nothing tidied; down for several days.
                    uninstall()
                    runtime.engine.dispose()
                    down = tick // 2 + 3
                    clock.now += timedelta(days=down)
                    portal.advance(down)
                    runtime = Runtime(settings, db.engine_from_settings(settings), clock=clock)
                    install(runtime)
                    before = last_run_id(runtime)
                    run_jobs(ORDER, enabled)
                    problems += caught_up(runtime, before, enabled, clock.now)
                    rest = tick - down
                else:
                    run_jobs(ORDER, enabled)
                    rest = tick
                clock.now += timedelta(days=rest)
                portal.advance(rest)
                print(
                    f"tick {n + 1:>2}/{ticks} {clock.now:%Y-%m-%d}"
                    f"{' (outage)' if n in outage_ticks else ''}:"
                    f" {time.perf_counter() - started:5.1f} s,"
                    f" {len(portal.disputes)} disputes filed so far",
                    flush=True,
                )
            # The last decisions and payments come in.
            for _ in range(2):
                clock.now += timedelta(days=14)
                portal.advance(14)
                fire(JobId.outcomes.value)
            problems += check(runtime, portal, DAY0)
        finally:
            uninstall()
            runtime.engine.dispose()
    print(f"{ticks} ticks of {tick} days in {time.perf_counter() - began:.1f} s")
    for problem in problems:
        print("PROBLEM:", problem)
    print("all checks passed" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


def last_run_id(runtime: Runtime) -> int:
    with Session(runtime.engine) as session:
        return session.exec(select(func.coalesce(func.max(JobRun.id), 0))).one()


def caught_up(runtime: Runtime, before: int, enabled: set[JobId], day: datetime) -> list[str]:
    """Every enabled job succeeded after the restart (by run id: the SP-API sync records its
    runs at the machine's time, not the simulation's)."""
    with Session(runtime.engine) as session:
        done = set(
            session.exec(
                select(JobRun.job).where(col(JobRun.id) > before, JobRun.status == SUCCEEDED)
            ).all()
        )
    return [f"{job.value} did not catch up after the restart of {day:%Y-%m-%d}"
            for job in enabled if job.value not in done]  # fmt: skip


def check(runtime: Runtime, portal: FakeVendorCentral, day0: date) -> list[str]:
    problems: list[str] = []
    disputes = portal.disputes
    keys = Counter(
        d.justification.rsplit(KEY_PREFIX, 1)[1].strip()
        for d in disputes
        if KEY_PREFIX in d.justification
    )
    problems += [f"key {k} filed {n} times" for k, n in keys.items() if n > 1]
    firsts = Counter((d.type.value, d.invoice_number) for d in disputes if not d.parent_id)
    problems += [f"{key} disputed {n} times" for key, n in firsts.items() if n > 1]
    with Session(runtime.engine) as session:
        claims = session.exec(select(Claim)).all()
        approved_ids = set(
            session.exec(
                select(ClaimEvent.claim_id).where(ClaimEvent.to_status == ClaimStatus.approved)
            ).all()
        )
    filed = [c for c in claims if c.case_id]
    # The portal's own day of filing (its clock is the simulation's).
    filed_on = {d.id: d.created for d in disputes}
    for claim in filed:
        day = filed_on.get(claim.case_id or "")
        if day is None:
            problems.append(f"claim {claim.id}: its dispute {claim.case_id} is not in the portal")
        elif claim.file_by and day > claim.file_by:
            problems.append(f"claim {claim.id} filed {day} after its file_by {claim.file_by}")
    for claim in claims:
        if claim.status == ClaimStatus.expired and claim.id in approved_ids:
            problems.append(f"claim {claim.id} was approved and expired ({claim.deadline})")
    recovered = sum(c.recovered_minor for c in filed)
    asked = sum(d.amount_minor for d in disputes)
    denied = asked - sum(d.approved_minor for d in disputes)
    print(
        f"{len(disputes)} disputes, {len(filed)} claims filed since {day0}: asked"
        f" ${from_minor(asked, 'USD')}, denied ${from_minor(denied, 'USD')},"
        f" recovered ${from_minor(recovered, 'USD')}"
    )
    if recovered != asked - denied:
        problems.append(f"recovered {recovered} != asked {asked} - denied {denied}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="tiny")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--tick", type=int, default=14)
    parser.add_argument("--outages", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="Work here and keep it (default: a temp dir).")
    args = parser.parse_args()
    if args.keep:
        raise SystemExit(simulate(args.keep, args.size, args.days, args.tick, args.outages))
    with tempfile.TemporaryDirectory(prefix="bench-service-year-") as root:
        raise SystemExit(simulate(Path(root), args.size, args.days, args.tick, args.outages))


if __name__ == "__main__":
    main()
