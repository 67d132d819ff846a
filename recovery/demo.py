"""`recovery demo`: the whole product on a synthetic vendor, in a workspace of its own.

Generate a scenario, serve its SP-API data from the fake on a free loopback port and sync it
with the real client; serve its Vendor Central from the fake portal and download the exports
through it (headless Chromium), add the BOL/POD evidence, detect and draft (the demo's policy
approves claims without a person), file the approved claims through the portal, move the
portal's clock on until Amazon decided and paid, follow the outcomes, and score the result
against the answer key. Every step is idempotent, so running again in the same workspace
resumes (the fake portal's disputes and clock are kept in the workspace between runs); other
options (or `fresh`) start it clean.
"""

from __future__ import annotations

import json
import shutil
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, sync_playwright
from pydantic import SecretStr
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from recovery.calendar import BusinessCalendar
from recovery.claims.filing import FilingReport, file_claims
from recovery.claims.outcomes import OutcomeReport, follow_outcomes
from recovery.claims.queue import QueueRow, contract_record, load_rows, prioritise
from recovery.config import Settings, SpApiSettings, load_settings
from recovery.errors import RecoveryError
from recovery.evidence.ingest import AddResult, add_evidence
from recovery.evidence.ingest import ProgressCallback as EvidenceProgress
from recovery.models.claims import Claim, ClaimStatus
from recovery.money import from_minor
from recovery.portal.session import CHROMIUM_ARGS, chromium_executable
from recovery.reports.run_summary import AccountResult, run_detection
from recovery.sources.importing import ImportResult, import_files
from recovery.sources.spapi import ProgressCallback as SyncProgress
from recovery.sources.spapi import SyncReport, sync_spapi
from recovery.sources.vendor_central import VendorCentralReport, sync_vendor_central
from recovery.store import db
from recovery.testing.fake_spapi import FakeSpApi
from recovery.testing.fake_spapi_data import load_scenario
from recovery.testing.fake_vendor_central import (
    DEFAULT_EMAIL,
    DEFAULT_PASSWORD,
    DEFAULT_TOTP_SECRET,
    AuthSettings,
    FakeVendorCentral,
)
from recovery.testing.fake_vendor_central.scenario_source import load_portal_data
from recovery.testing.scenario import ScenarioSummary, generate_scenario
from recovery.testing.scoring import TYPES, TypeScore, load_answer_key, score

STATE_FILE = "demo-state.json"
# The fake Vendor Central's disputes, drafts, credits and clock, kept between runs.
PORTAL_STATE_FILE = "fake-vendor-central.state"
# Anything the workspace holds that a clean start removes; nothing else is ever deleted.
OWNED = (
    "scenario",
    "data",
    "recovery.db",
    "recovery.db-wal",
    "recovery.db-shm",
    "config.toml",
    STATE_FILE,
    PORTAL_STATE_FILE,
)
# The demo's auto-approval policy, written into its config.toml: every claim type, drafts at
# or under this amount with at least this confidence go to filing without a person.
AUTO_APPROVE_MAX = Decimal("10000.00")
AUTO_APPROVE_MIN_CONFIDENCE = 90
# The fake portal's clock moves this far after filing: Amazon decides 14 days after filing
# and pays the credit on the next weekly payment run (at most 7 days later).
ADJUDICATION_DAYS = 21
# The demo's fake portal takes pages as fast as the bot loads them (a real account keeps
# `vendor_central.pace_seconds`, a person's pace): the demo stays quick in CI.
DEMO_PACE_SECONDS = 0.0
DEMO_PAGE_BUDGET = AuthSettings(page_rate=100.0, page_burst=100)


class DemoError(RecoveryError):
    """The demo cannot run here (for example the folder holds something else)."""


@dataclass(frozen=True)
class DemoOptions:
    directory: Path
    size: str = "small"
    seed: int = 1
    today: date | None = None
    fresh: bool = False


class Workspace:
    def __init__(self, options: DemoOptions, today: date) -> None:
        self.options = options
        self.root = options.directory.resolve()
        self.today = today

    @property
    def scenario_dir(self) -> Path:
        return self.root / "scenario"

    @property
    def config_path(self) -> Path:
        return self.root / "config.toml"

    def _wanted(self) -> dict[str, Any]:
        return {
            "seed": self.options.seed,
            "size": self.options.size,
            "today": self.today.isoformat(),
        }

    def prepare(self) -> str:
        """Decide whether to resume or start clean; never touches a folder that is not ours."""
        state_path = self.root / STATE_FILE
        if self.root.exists() and any(self.root.iterdir()) and not state_path.exists():
            raise DemoError(
                f"{self.root} is not empty and not a demo workspace; choose another --dir"
            )
        if state_path.exists():
            state = json.loads(state_path.read_text(encoding="utf-8"))
            if not self.options.fresh and state.get("options") == self._wanted():
                return "resumed"
            for name in OWNED:
                target = self.root / name
                if target.is_dir():
                    shutil.rmtree(target)
                elif target.exists():
                    target.unlink()
            started = "restarted"
        else:
            started = "new"
        self.root.mkdir(parents=True, exist_ok=True)
        self._save({"options": self._wanted(), "done": []})
        return started

    def done(self, step: str) -> bool:
        return step in self._load().get("done", [])

    def mark(self, step: str) -> None:
        state = self._load()
        if step not in state["done"]:
            state["done"].append(step)
        self._save(state)

    def _load(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.root / STATE_FILE).read_text(encoding="utf-8"))
        return data

    def _save(self, state: dict[str, Any]) -> None:
        partial = self.root / (STATE_FILE + ".part")
        partial.write_text(json.dumps(state, indent=2), encoding="utf-8")
        partial.replace(self.root / STATE_FILE)

    def write_config(self, vendor_code: str, *, auto_approve: bool = False) -> None:
        """A config the user can keep using: `cd` into the workspace and run `recovery …`.
        `auto_approve` writes the demo's approval policy (`AUTO_APPROVE_MAX`) for every type."""
        self.config_path.write_text(
            "# Written by `recovery demo`. Secrets are never stored here.\n"
            f'database_url = "sqlite:///{self.root / "recovery.db"}"\n'
            f'data_dir = "{self.root / "data"}"\n\n'
            "[[accounts]]\n"
            f'vendor_code = "{vendor_code}"\n'
            'name = "Demo vendor"\n'
            + "".join(
                f"\n[claims.auto_approve.{kind}]\n"
                f'max_amount = "{AUTO_APPROVE_MAX}"\n'
                f"min_confidence = {AUTO_APPROVE_MIN_CONFIDENCE}\n"
                for kind in (TYPES if auto_approve else ())
            ),
            encoding="utf-8",
        )
        tomllib.loads(self.config_path.read_text(encoding="utf-8"))  # it must stay valid TOML


def scenario_vendor_code(scenario_dir: Path) -> str:
    meta = json.loads((scenario_dir / "scenario.json").read_text(encoding="utf-8"))
    return str(meta["vendor_code"])


def generate(workspace: Workspace) -> ScenarioSummary | None:
    if workspace.done("scenario"):
        return None
    options = workspace.options
    summary = generate_scenario(
        workspace.scenario_dir,
        seed=options.seed,
        size=options.size,
        today=workspace.today,
        xlsx=False,
    )
    workspace.mark("scenario")
    return summary


def open_database(workspace: Workspace, *, auto_approve: bool = False) -> tuple[Settings, Engine]:
    workspace.write_config(scenario_vendor_code(workspace.scenario_dir), auto_approve=auto_approve)
    settings = load_settings(workspace.config_path)
    engine = db.engine_from_settings(settings)
    db.upgrade(engine)
    return settings, engine


def sync_from_fake(
    workspace: Workspace, settings: Settings, engine: Engine, progress: SyncProgress | None
) -> SyncReport:
    """The real python-amazon-sp-api client against the fake, at Amazon's default rate."""
    meta = json.loads((workspace.scenario_dir / "scenario.json").read_text(encoding="utf-8"))
    start = datetime.fromisoformat(meta["start"]).replace(tzinfo=UTC)
    end = datetime.combine(workspace.today, datetime.max.time(), tzinfo=UTC)
    with FakeSpApi(load_scenario(workspace.scenario_dir), now=end) as fake:
        # The fake accepts any credentials; they exist only in this process, never on disk.
        demo_settings = settings.model_copy(
            update={
                "spapi": SpApiSettings(
                    endpoint=fake.url,
                    lwa_token_url=fake.lwa_url,
                    lwa_app_id="demo-app",
                    lwa_client_secret=SecretStr("demo-secret"),
                    refresh_token=SecretStr("demo-token"),
                )
            }
        )
        started = None if workspace.done("sync") else start
        report = sync_spapi(demo_settings, engine, start=started, until=end, on_progress=progress)
    if report.ok:
        workspace.mark("sync")
    return report


def import_exports(
    workspace: Workspace,
    settings: Settings,
    engine: Engine,
    on_result: Callable[[ImportResult], None] | None = None,
) -> list[ImportResult]:
    exports = workspace.scenario_dir / "vendor-central"
    return import_files(
        engine,
        settings,
        [exports, exports / "coop-backup", workspace.scenario_dir / "vendor"],
        on_result=on_result,
    )


def add_documents(
    workspace: Workspace, settings: Settings, engine: Engine, progress: EvidenceProgress | None
) -> AddResult:
    return add_evidence(engine, settings, [workspace.scenario_dir / "evidence"], progress)


def detect_and_score(
    workspace: Workspace,
    settings: Settings,
    engine: Engine,
    progress: Callable[[str], None] | None = None,
) -> tuple[AccountResult, dict[str, TypeScore]]:
    """Detection and drafting (the policy approves what it covers), scored by the answer key."""
    detection = run_detection(engine, settings, today=workspace.today, progress=progress)
    [account] = detection.accounts
    calendar = BusinessCalendar.from_settings(settings.calendar)
    with Session(engine) as session:
        rows = load_rows(
            session, calendar=calendar, rules=settings.rules, now=_noon(workspace, calendar)
        )
    scores = score(
        load_answer_key(workspace.scenario_dir / "answer_key.json"),
        [contract_record(r) for r in rows],
    )
    return account, scores


# -- Vendor Central through the portal -----------------------------------------------------


@dataclass(frozen=True)
class DemoPortal:
    """The fake Vendor Central serving the scenario, one headless Chromium, and the settings
    that point the portal code at them (the fake's credentials live only in this process)."""

    fake: FakeVendorCentral
    browser: Browser
    settings: Settings


def portal_settings(settings: Settings, url: str) -> Settings:
    vendor_central = settings.vendor_central.model_copy(
        update={
            "url": url,
            "username": DEFAULT_EMAIL,
            "password": SecretStr(DEFAULT_PASSWORD),
            "totp_secret": SecretStr(DEFAULT_TOTP_SECRET),
            "pace_seconds": DEMO_PACE_SECONDS,
            "throttle_backoff_seconds": 1.0,
            # One filer only: an attempt a Ctrl-C left unfinished is checked on the next run.
            "filing_lease_seconds": 0,
            "filing_contexts": 1,
        }
    )
    return settings.model_copy(update={"vendor_central": vendor_central})


@contextmanager
def vendor_central(workspace: Workspace, settings: Settings) -> Iterator[DemoPortal]:
    """Serve the scenario's Vendor Central on a free loopback port, with the disputes and the
    clock of the previous run (kept in the workspace when this block ends, Ctrl-C included)."""
    fake = FakeVendorCentral(load_portal_data(workspace.scenario_dir), auth=DEMO_PAGE_BUDGET)
    kept = workspace.root / PORTAL_STATE_FILE
    if kept.exists():
        fake.load_state(kept)
    vc = settings.vendor_central
    with fake, sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=str(chromium_executable(vc)),
            args=list(CHROMIUM_ARGS),
            headless=vc.headless,
        )
        try:
            yield DemoPortal(fake, browser, portal_settings(settings, fake.url))
        finally:
            fake.save_state(kept)
            browser.close()


def download_exports(
    workspace: Workspace,
    engine: Engine,
    portal: DemoPortal,
    on_result: Callable[[ImportResult], None] | None = None,
) -> tuple[VendorCentralReport, list[ImportResult]]:
    """`recovery sync --source vendor-central` against the fake, then the vendor's own files
    (cost list, co-op agreements, bank statement: no portal has them)."""
    report = sync_vendor_central(
        engine, portal.settings, browser=portal.browser, on_result=on_result
    )
    own = import_files(
        engine, portal.settings, [workspace.scenario_dir / "vendor"], on_result=on_result
    )
    return report, own


def file_approved(engine: Engine, portal: DemoPortal) -> FilingReport:
    """`recovery file`: every approved claim, exactly once, through the portal's forms."""
    return file_claims(engine, portal.settings, browser=portal.browser)


def adjudicate(workspace: Workspace, engine: Engine, portal: DemoPortal) -> OutcomeReport:
    """Move the portal's clock on (once per workspace) until Amazon decided every dispute and
    paid what it approved, then `recovery outcomes`: decisions, credits, the ladder."""
    if not workspace.done("clock"):
        portal.fake.advance(ADJUDICATION_DAYS)
        portal.fake.save_state(workspace.root / PORTAL_STATE_FILE)
        workspace.mark("clock")
    return follow_outcomes(engine, portal.settings, portal.browser, today=portal.fake.today)


@dataclass
class Recovered:
    """One claim type's money from the answer key to the bank, in dollars."""

    type: str
    planted: Decimal  # the answer key's recoverable, still within Amazon's windows
    left_for_a_person: int = 0  # ready claims the policy did not approve
    filed_claims: int = 0
    claimed: Decimal = Decimal(0)  # what the filed claims asked for
    disputes: int = 0  # first disputes the portal holds
    amazon_approved: Decimal = Decimal(0)  # the fake's own store
    recovered: Decimal = Decimal(0)  # credits seen on remittances, matched to claims


@dataclass
class RecoveryScore:
    by_type: dict[str, Recovered] = field(default_factory=dict)
    currency: str = "USD"


def recovery_score(
    engine: Engine, portal: DemoPortal, scores: dict[str, TypeScore]
) -> RecoveryScore:
    """Filed, approved and recovered per type, beside the answer key's recoverable dollars."""
    result = RecoveryScore({t: Recovered(t, scores[t].expected) for t in TYPES})
    currency = portal.fake.portal.data.currency
    result.currency = currency
    with Session(engine) as session:
        claims = session.exec(
            select(Claim).where(
                col(Claim.case_id).is_not(None) | (Claim.status == ClaimStatus.ready.value)
            )
        ).all()
        for claim in claims:
            row = result.by_type[claim.type]
            if claim.case_id is None:
                row.left_for_a_person += 1
                continue
            row.filed_claims += 1
            row.claimed += from_minor(claim.amount_minor, claim.currency)
            row.recovered += from_minor(claim.recovered_minor, claim.currency)
    for dispute in portal.fake.disputes:
        row = result.by_type[dispute.type.value]
        row.disputes += 0 if dispute.is_redispute else 1
        row.amazon_approved += from_minor(dispute.approved_minor, currency)
    return result


def urgent_claims(workspace: Workspace, settings: Settings, engine: Engine) -> list[QueueRow]:
    """The five a specialist should open first: claims that can be filed, soonest first."""
    calendar = BusinessCalendar.from_settings(settings.calendar)
    with Session(engine) as session:
        rows = load_rows(
            session, calendar=calendar, rules=settings.rules, now=_noon(workspace, calendar)
        )
    fileable = [r for r in rows if r.status in ("ready", "draft", "approved")]
    return prioritise(fileable)[:5]


def _noon(workspace: Workspace, calendar: BusinessCalendar) -> datetime:
    return datetime.combine(
        workspace.today, datetime.min.time().replace(hour=12), tzinfo=calendar.tz
    )


__all__ = [
    "DemoError",
    "DemoOptions",
    "DemoPortal",
    "RecoveryScore",
    "Workspace",
    "add_documents",
    "adjudicate",
    "detect_and_score",
    "download_exports",
    "file_approved",
    "generate",
    "import_exports",
    "open_database",
    "recovery_score",
    "sync_from_fake",
    "urgent_claims",
    "vendor_central",
]
