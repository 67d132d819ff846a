"""Benchmark: a vendor's days as the `recovery` command runs them, each command a new process.

`bench_first_day.py` runs every step in one process, which starts Python, loads the product and
starts the helpers' server once. A vendor (or cron) runs one command per step instead, and each
pays for that again; this bench times the commands end to end:

    recovery --version                  starting Python and the command alone
    recovery init                       a fresh database
    recovery import <day one's CSVs>    with the reader process (read-ahead forced on)
    recovery detect                     day one, claims drafted
    recovery import <the next day's>    small files: no reader
    recovery detect                     the next day

It runs in a temporary folder outside the checkout, as a vendor would: a revision from before
the command set PYTHONSAFEPATH had its helpers import a checkout found in the working directory.
Each figure is the median of `--runs` runs.

    .venv/bin/python bench/bench_cli_day.py --size small --workdir /tmp/bench-cli [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_detect import SCENARIO_FOLDERS, hold_back_a_day, machine_speed, scenario_in

# The console script, as a vendor runs it: each helper process runs the main script again
# (Python 3.11's server cannot preload it), and `python -c` would have none to run.
_RECOVERY = [str(Path(sys.executable).with_name("recovery"))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="small")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-cli-day-"))
    scenario = scenario_in(work, args.size, args.seed)
    day_one, next_day = hold_back_a_day(
        [scenario / folder for folder in SCENARIO_FOLDERS], work / "days"
    )
    speed_before = machine_speed()
    runs = [_day(day_one, next_day) for _ in range(max(1, args.runs))]
    print(f"size {args.size} ({work}): each command a new process, median of {len(runs)} runs")
    for step in runs[0]:
        print(f"{step:<34}{statistics.median(run[step] for run in runs):8.2f} s")
    print(
        f"machine speed                     {speed_before:8.2f} s before, "
        f"{machine_speed():.2f} s after (a fixed loop; lower is faster)"
    )


def _day(day_one: list[Path], next_day: list[Path]) -> dict[str, float]:
    """Seconds per command, into a fresh database in a fresh folder."""
    with tempfile.TemporaryDirectory(prefix="bench-cli-run-") as folder:
        env = {
            **os.environ,
            "RECOVERY_DATABASE_URL": f"sqlite:///{Path(folder) / 'recovery.db'}",
            "RECOVERY_DATA_DIR": str(Path(folder) / "data"),
        }
        # A small scenario's files are under the size that starts the reader: day one's import
        # starts it all the same, as a large vendor's does.
        reading_ahead = {"RECOVERY_IMPORTS__READ_AHEAD_MIN_BYTES": "0"}

        def timed(*command: str | Path, extra: dict[str, str] | None = None) -> float:
            began = time.perf_counter()
            subprocess.run(
                [*_RECOVERY, *map(str, command)],
                cwd=folder,
                env={**env, **(extra or {})},
                check=True,
                stdout=subprocess.DEVNULL,
            )
            return time.perf_counter() - began

        return {
            "recovery --version": timed("--version"),
            "recovery init": timed("init"),
            "recovery import (day one's CSVs)": timed("import", *day_one, extra=reading_ahead),
            "recovery detect (day one)": timed("detect"),
            "recovery import (the next day's)": timed("import", *next_day),
            "recovery detect (the next day)": timed("detect"),
        }


if __name__ == "__main__":
    main()
