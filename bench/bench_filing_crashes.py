"""Crash trials: `recovery file` killed with SIGKILL at a random moment, then run to the end.

Each trial starts from the same approved claims (the tiny scenario) against a fresh fake Vendor
Central, kills the filer (and its Chromium) after a random delay — before a submit, between the
submit and the receipt, on a confirmation, wherever it is — then runs the filer again until it
finishes. The fake's own store must then hold exactly one dispute per dispute to file (no
duplicate, none lost), each with one key, and every claim must be `filed` with its DSPT id.

    .venv/bin/python bench/bench_filing_crashes.py              # the issue's 100 trials
    .venv/bin/python bench/bench_filing_crashes.py --trials 10  # quicker
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

from sqlmodel import Session, create_engine, select

from recovery.claims.filing import KEY_PREFIX, group_disputes
from recovery.models.claims import Claim, ClaimStatus
from recovery.testing.fake_vendor_central import (
    DEFAULT_EMAIL,
    DEFAULT_PASSWORD,
    DEFAULT_TOTP_SECRET,
    FakeVendorCentral,
    Odds,
)
from recovery.testing.fake_vendor_central.scenario_source import PortalData, load_portal_data
from recovery.testing.filing_workspace import prepare_filing_workspace

TODAY = date(2026, 11, 30)
RECOVERY = str(Path(sys.executable).parent / "recovery")


def trial(
    prepared: Path, work: Path, data: PortalData, delay: float
) -> tuple[int, int, int, int, int, float]:
    """Disputes expected, stored when killed, stored in the end, duplicates, claims left
    unfiled, seconds: one trial."""
    shutil.copytree(prepared, work, ignore=shutil.ignore_patterns("scenario"))
    (work / "config.toml").write_text(
        f'database_url = "sqlite:///{work / "recovery.db"}"\ndata_dir = "{work / "data"}"\n',
        encoding="utf-8",
    )
    engine = create_engine(f"sqlite:///{work / 'recovery.db'}")
    with Session(engine) as session:
        approved = session.exec(select(Claim).where(Claim.status == ClaimStatus.approved)).all()
        expected = len(group_disputes(list(approved)))
        approved_ids = {c.id for c in approved}
    with FakeVendorCentral(data, odds=Odds.certain()) as fake:
        env = {
            **os.environ,
            "RECOVERY_VENDOR_CENTRAL__URL": fake.url,
            "RECOVERY_VENDOR_CENTRAL__USERNAME": DEFAULT_EMAIL,
            "RECOVERY_VENDOR_CENTRAL__PASSWORD": DEFAULT_PASSWORD,
            "RECOVERY_VENDOR_CENTRAL__TOTP_SECRET": DEFAULT_TOTP_SECRET,
            "RECOVERY_VENDOR_CENTRAL__PACE_SECONDS": "0",
            "RECOVERY_VENDOR_CENTRAL__FILING_LEASE_SECONDS": "0",
        }
        command = [RECOVERY, "--config", str(work / "config.toml"), "file"]
        began = time.monotonic()
        filer = subprocess.Popen(
            command,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(delay)
        if filer.poll() is None:
            os.killpg(filer.pid, signal.SIGKILL)
        filer.wait()
        at_kill = len(fake.disputes)
        finished = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if finished.returncode != 0:
            print(finished.stdout, finished.stderr)
        stored = fake.disputes
        keys = Counter(
            d.justification.rsplit(KEY_PREFIX, 1)[1].strip()
            for d in stored
            if KEY_PREFIX in d.justification
        )
        seconds = time.monotonic() - began
    with Session(engine) as session:
        filed = session.exec(select(Claim).where(Claim.status == ClaimStatus.filed)).all()
        unfiled = approved_ids - {c.id for c in filed}
    engine.dispose()
    duplicates = sum(n - 1 for n in keys.values()) + (len(stored) - sum(keys.values()))
    return expected, at_kill, len(stored), duplicates, len(unfiled), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--seed", type=int, default=28)
    parser.add_argument("--max-delay", type=float, default=35.0)
    args = parser.parse_args()
    chance = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="bench-filing-") as tmp:
        root = Path(tmp)
        print("preparing the tiny scenario (sync, import, detect, approve)…", flush=True)
        prepared = prepare_filing_workspace(root / "prepared", TODAY)
        data = load_portal_data(prepared / "scenario")
        bad = 0
        for number in range(1, args.trials + 1):
            delay = chance.uniform(0.5, args.max_delay)
            expected, at_kill, stored, duplicates, unfiled, seconds = trial(
                prepared, root / f"trial-{number}", data, delay
            )
            ok = stored == expected and duplicates == 0 and unfiled == 0
            bad += not ok
            print(
                f"trial {number:3}: killed after {delay:5.2f} s with {at_kill:2} stored; "
                f"then {stored}/{expected} disputes, "
                f"{duplicates} duplicates, {unfiled} claims unfiled; {seconds:5.1f} s "
                f"{'ok' if ok else 'FAILED'}",
                flush=True,
            )
            shutil.rmtree(root / f"trial-{number}")
        print(f"{args.trials - bad}/{args.trials} trials without a duplicate or a lost dispute")
        sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
