"""Crash trials for filing: `recovery file` SIGKILLed at an exact point, then run to the end.

The fake Vendor Central tells a listener what the filer is doing (`on_event`): "form" (a
dispute's last form is on its way: the kill lands before the submit), "stored" (the portal has
stored the dispute and not answered yet: after the submit, before any receipt), "confirmation"
(the confirmation is sent: the kill lands, after a short random delay, while the filer reads it
or stores the receipt). A trial kills the filer's whole process group (its Chromium too, as a
crash would) at the n-th such event, optionally with the "500 after the store" switch on, then
runs the filer again until it finishes and checks the fake's own dispute store: one dispute per
dispute to file, each key once, every claim `filed` with the id of the dispute carrying its key.

Used by `tests/e2e/test_filing_crashes.py` (a few trials) and `bench/bench_filing_crashes.py`
(the issue's 100).
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, create_engine, select

from recovery.claims.filing import KEY_PREFIX, group_disputes
from recovery.models.claims import Claim, ClaimStatus, FilingAttempt
from recovery.testing.fake_vendor_central import (
    DEFAULT_EMAIL,
    DEFAULT_PASSWORD,
    DEFAULT_TOTP_SECRET,
    FakeVendorCentral,
    Odds,
)
from recovery.testing.fake_vendor_central.model import Dispute
from recovery.testing.fake_vendor_central.scenario_source import PortalData

POINTS = ("form", "stored", "confirmation")
RECOVERY = str(Path(sys.executable).parent / "recovery")


@dataclass(frozen=True)
class Crash:
    """Where the filer dies: at the `occurrence`-th `point` event of its run, `delay` seconds
    later (only "confirmation" waits: the filer is then reading the page or storing it)."""

    point: str
    occurrence: int
    delay: float = 0.0
    fail_after_store: int = 0  # the "500 after the store" switch for the first submissions

    @classmethod
    def at_random(cls, chance: random.Random, disputes: int) -> Crash:
        point = chance.choice(POINTS)
        return cls(
            point=point,
            occurrence=chance.randint(1, max(1, disputes)),
            delay=chance.uniform(0.0, 0.4) if point == "confirmation" else 0.0,
            fail_after_store=chance.choice((0, 0, 1, 2)),
        )

    def describe(self) -> str:
        switch = (
            f", 500 after the first {self.fail_after_store} stores" if self.fail_after_store else ""
        )
        wait = f" +{self.delay:.2f} s" if self.delay else ""
        return f"{self.point} #{self.occurrence}{wait}{switch}"


@dataclass(frozen=True)
class StoreCheck:
    """The fake's store against our database, for the disputes a trial had to file."""

    expected: int  # disputes to file
    stored: int  # disputes the fake holds
    duplicates: int  # disputes beyond the first with one key, or without any key
    lost: int  # disputes to file that the fake does not hold
    unfiled: int  # claims not `filed`, or not with the id of the dispute carrying their key

    @property
    def ok(self) -> bool:
        return (
            self.stored == self.expected
            and self.duplicates == 0
            and self.lost == 0
            and self.unfiled == 0
        )


@dataclass(frozen=True)
class TrialResult:
    crash: Crash
    killed: bool
    stored_at_kill: int
    check: StoreCheck
    final_returncode: int
    seconds: float

    @property
    def ok(self) -> bool:
        return self.check.ok and self.final_returncode == 0

    def describe(self) -> str:
        c = self.check
        kill = (
            f"killed at {self.crash.describe()} with {self.stored_at_kill} stored"
            if self.killed
            else f"not killed ({self.crash.describe()} never came)"
        )
        return (
            f"{kill}; then {c.stored}/{c.expected} disputes, {c.duplicates} duplicates, "
            f"{c.lost} lost, {c.unfiled} claims unfiled; {self.seconds:5.1f} s "
            f"{'ok' if self.ok else 'FAILED'}"
        )


def check_store(
    disputes: Sequence[Dispute], database: Path, claim_ids: Sequence[int]
) -> StoreCheck:
    """One dispute in the fake per dispute to file (the claims' groups), each key once, and
    every claim filed with the id of the dispute whose justification carries its key."""
    engine = create_engine(f"sqlite:///{database}")
    try:
        with Session(engine) as session:
            claims = [session.get(Claim, claim_id) for claim_id in claim_ids]
            present = [c for c in claims if c is not None]
            groups = group_disputes(present)
            attempts = session.exec(
                select(FilingAttempt).where(FilingAttempt.outcome == "filed")
            ).all()
            keys_of = {a.claim_id: a.dispute_key for a in attempts}
    finally:
        engine.dispose()
    keys = Counter(
        d.justification.rsplit(KEY_PREFIX, 1)[1].strip()
        for d in disputes
        if KEY_PREFIX in d.justification
    )
    unkeyed = sum(1 for d in disputes if KEY_PREFIX not in d.justification)
    duplicates = sum(n - 1 for n in keys.values()) + unkeyed
    by_key = {
        d.justification.rsplit(KEY_PREFIX, 1)[1].strip(): d.id
        for d in disputes
        if KEY_PREFIX in d.justification
    }
    lost = 0
    unfiled = 0
    for group in groups:
        holders = [by_key.get(_bare(keys_of.get(c.id or 0))) for c in group]
        lost += all(h is None for h in holders)
        unfiled += sum(
            1
            for claim, holder in zip(group, holders, strict=True)
            if claim.status != ClaimStatus.filed or holder is None or claim.case_id != holder
        )
    return StoreCheck(
        expected=len(groups),
        stored=len(disputes),
        duplicates=duplicates,
        lost=lost,
        unfiled=unfiled + (len(claim_ids) - len(present)),
    )


def _bare(key: str | None) -> str:
    return (key or "").removeprefix(KEY_PREFIX)


def sample_groups(database: Path, groups: int, chance: random.Random) -> list[int]:
    """The claim ids of `groups` disputes to file, picked at random among the approved."""
    engine = create_engine(f"sqlite:///{database}")
    try:
        with Session(engine) as session:
            approved = session.exec(select(Claim).where(Claim.status == ClaimStatus.approved)).all()
            found = group_disputes(list(approved))
    finally:
        engine.dispose()
    picked = chance.sample(found, min(groups, len(found)))
    return sorted(c.id or 0 for group in picked for c in group)


class _Killer:
    """Counts the fake's events and kills the filer's process group at the chosen one."""

    def __init__(self, crash: Crash, fake: FakeVendorCentral) -> None:
        self.crash = crash
        self.fake = fake
        self.seen = 0
        self.pid: int | None = None
        self.killed = threading.Event()
        self.stored_at_kill = 0
        self._lock = threading.Lock()

    def __call__(self, point: str) -> None:
        with self._lock:
            if point != self.crash.point or self.pid is None or self.killed.is_set():
                return
            self.seen += 1
            if self.seen != self.crash.occurrence:
                return
            self.killed.set()
        if self.crash.delay:
            threading.Timer(self.crash.delay, self._kill).start()
        else:
            self._kill()

    def _kill(self) -> None:
        assert self.pid is not None
        self.stored_at_kill = len(self.fake.portal.disputes)
        # It may have finished on its own in the meantime.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)


def filer_environment(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "RECOVERY_VENDOR_CENTRAL__URL": url,
        "RECOVERY_VENDOR_CENTRAL__USERNAME": DEFAULT_EMAIL,
        "RECOVERY_VENDOR_CENTRAL__PASSWORD": DEFAULT_PASSWORD,
        "RECOVERY_VENDOR_CENTRAL__TOTP_SECRET": DEFAULT_TOTP_SECRET,
        "RECOVERY_VENDOR_CENTRAL__PACE_SECONDS": "0",
        # The killed run's attempts are taken over at once (no other filer runs).
        "RECOVERY_VENDOR_CENTRAL__FILING_LEASE_SECONDS": "0",
    }


def run_trial(
    prepared: Path,
    work: Path,
    data: PortalData,
    crash: Crash,
    claim_ids: Sequence[int],
    *,
    timeout: float = 600.0,
) -> TrialResult:
    """Copy the prepared workspace to `work`, file `claim_ids` with a kill at `crash`, file
    again to the end, and check the fake's store."""
    shutil.copytree(prepared, work, ignore=shutil.ignore_patterns("scenario"))
    config = work / "config.toml"
    config.write_text(
        f'database_url = "sqlite:///{work / "recovery.db"}"\ndata_dir = "{work / "data"}"\n',
        encoding="utf-8",
    )
    command = [RECOVERY, "--config", str(config), "file"]
    for claim_id in claim_ids:
        command += ["--claim", str(claim_id)]
    began = time.monotonic()
    with FakeVendorCentral(data, odds=Odds.certain()) as fake:
        fake.set_faults(fail_after_store=crash.fail_after_store)
        killer = _Killer(crash, fake)
        fake.on_event = killer
        env = filer_environment(fake.url)
        # A session of its own: the kill takes the filer's Chromium with it.
        filer = subprocess.Popen(
            command,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        killer.pid = filer.pid
        try:
            filer.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(filer.pid, signal.SIGKILL)
            filer.wait()
        fake.on_event = None
        finished = subprocess.run(
            command, env=env, capture_output=True, text=True, check=False, timeout=timeout
        )
        check = check_store(fake.disputes, work / "recovery.db", claim_ids)
    return TrialResult(
        crash=crash,
        killed=killer.killed.is_set(),
        stored_at_kill=killer.stored_at_kill,
        check=check,
        final_returncode=finished.returncode,
        seconds=time.monotonic() - began,
    )
