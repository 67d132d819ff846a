"""`recovery demo`: the whole product on a synthetic vendor, in a workspace of its own.

Generate a scenario, serve its SP-API data from the fake on a free loopback port and sync it
with the real client, import the Vendor Central exports, add the BOL/POD evidence, detect and
draft, then score the result against the answer key. Every step is idempotent, so running again
in the same workspace resumes; other options (or `fresh`) start it clean.
"""

from __future__ import annotations

import json
import shutil
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from sqlalchemy import Engine
from sqlmodel import Session

from recovery.calendar import BusinessCalendar
from recovery.claims.queue import QueueRow, contract_record, load_rows, prioritise
from recovery.config import Settings, SpApiSettings, load_settings
from recovery.errors import RecoveryError
from recovery.evidence.ingest import AddResult, add_evidence
from recovery.evidence.ingest import ProgressCallback as EvidenceProgress
from recovery.reports.run_summary import AccountResult, run_detection
from recovery.sources.importing import ImportResult, import_files
from recovery.sources.spapi import ProgressCallback as SyncProgress
from recovery.sources.spapi import SyncReport, sync_spapi
from recovery.store import db
from recovery.testing.fake_spapi import FakeSpApi
from recovery.testing.fake_spapi_data import load_scenario
from recovery.testing.scenario import ScenarioSummary, generate_scenario
from recovery.testing.scoring import TypeScore, load_answer_key, score

STATE_FILE = "demo-state.json"
# Anything the workspace holds that a clean start removes; nothing else is ever deleted.
OWNED = (
    "scenario",
    "data",
    "recovery.db",
    "recovery.db-wal",
    "recovery.db-shm",
    "config.toml",
    STATE_FILE,
)


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

    def write_config(self, vendor_code: str) -> None:
        """A config the user can keep using: `cd` into the workspace and run `recovery …`."""
        self.config_path.write_text(
            "# Written by `recovery demo`. Secrets are never stored here.\n"
            f'database_url = "sqlite:///{self.root / "recovery.db"}"\n'
            f'data_dir = "{self.root / "data"}"\n\n'
            "[[accounts]]\n"
            f'vendor_code = "{vendor_code}"\n'
            'name = "Demo vendor"\n',
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


def open_database(workspace: Workspace) -> tuple[Settings, Engine]:
    workspace.write_config(scenario_vendor_code(workspace.scenario_dir))
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
) -> tuple[AccountResult, list[QueueRow], dict[str, TypeScore]]:
    detection = run_detection(engine, settings, today=workspace.today, progress=progress)
    [account] = detection.accounts
    calendar = BusinessCalendar.from_settings(settings.calendar)
    now = datetime.combine(
        workspace.today, datetime.min.time().replace(hour=12), tzinfo=calendar.tz
    )
    with Session(engine) as session:
        rows = load_rows(session, calendar=calendar, rules=settings.rules, now=now)
    # The five a specialist should open first: claims that can be filed, soonest deadline first.
    fileable = [r for r in rows if r.status in ("ready", "draft", "approved")]
    urgent = prioritise(fileable)[:5]
    scores = score(
        load_answer_key(workspace.scenario_dir / "answer_key.json"),
        [contract_record(r) for r in rows],
    )
    return account, urgent, scores


__all__ = [
    "DemoError",
    "DemoOptions",
    "Workspace",
    "add_documents",
    "detect_and_score",
    "generate",
    "import_exports",
    "open_database",
    "sync_from_fake",
]
