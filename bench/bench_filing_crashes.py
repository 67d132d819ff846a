"""Crash trials: `recovery file` SIGKILLed at an exact point, then run to the end, 100 times.

Each trial files a few disputes picked at random from the tiny scenario's approved claims
against a fresh fake Vendor Central, kills the filer (and its Chromium) at a random point the
fake reports — a dispute's last form on its way (before the submit), the dispute stored but not
yet answered (after the submit, before the receipt), the confirmation sent (while the receipt
is read or stored) — with the "500 after the store" switch on in some trials, then runs the
filer again until it finishes. The fake's own store must hold exactly one dispute per dispute
to file (no duplicate, none lost), each with one key, and every claim must be `filed` with the
id of the dispute that carries its key. See `recovery/testing/filing_crashes.py`.

    .venv/bin/python bench/bench_filing_crashes.py              # the issue's 100 trials
    .venv/bin/python bench/bench_filing_crashes.py --trials 10  # quicker
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
from collections import Counter
from datetime import date
from pathlib import Path

from recovery.filing_workspace import prepare_filing_workspace
from recovery.testing.fake_vendor_central.scenario_source import load_portal_data
from recovery.testing.filing_crashes import Crash, run_trial, sample_groups

TODAY = date(2026, 11, 30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--seed", type=int, default=28)
    parser.add_argument("--disputes", type=int, default=4, help="disputes filed per trial")
    args = parser.parse_args()
    chance = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="bench-filing-crashes-") as tmp:
        root = Path(tmp)
        print("preparing the tiny scenario (sync, import, detect, approve)…", flush=True)
        prepared = prepare_filing_workspace(root / "prepared", TODAY)
        data = load_portal_data(prepared / "scenario")
        bad = 0
        killed_at: Counter[str] = Counter()
        for number in range(1, args.trials + 1):
            claim_ids = sample_groups(prepared / "recovery.db", args.disputes, chance)
            crash = Crash.at_random(chance, args.disputes)
            result = run_trial(prepared, root / f"trial-{number}", data, crash, claim_ids)
            bad += not result.ok
            if result.killed:
                killed_at[crash.point] += 1
            print(f"trial {number:3}: {result.describe()}", flush=True)
            shutil.rmtree(root / f"trial-{number}")
        points = ", ".join(f"{n} at {point}" for point, n in sorted(killed_at.items()))
        print(f"kills: {points}")
        print(f"{args.trials - bad}/{args.trials} trials without a duplicate or a lost dispute")
        sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
