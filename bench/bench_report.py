"""How long the weekly summary takes on a real database: the figures, then each format.

    .venv/bin/python bench/bench_report.py DATABASE_URL [--week 2026-W48] [--rounds 3]

For example on the demo's database (`recovery demo --size medium`, then
`sqlite:///recovery-demo/recovery.db`). Prints the best of the rounds for the figures (the
queries and the arithmetic), the charts and each renderer; the database is only read.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from recovery.config import Settings
from recovery.reports.charts import account_charts
from recovery.reports.periods import parse_week
from recovery.reports.weekly import ReportFormat, render, weekly_report
from recovery.store import db


def best(rounds: int, step: Callable[[], Any]) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(rounds):
        start = time.perf_counter()
        result = step()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("database_url")
    parser.add_argument("--week", default=None)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    settings = Settings(database_url=args.database_url, data_dir=Path("."))
    engine = db.make_engine(args.database_url, read_only=True)
    week = parse_week(args.week) if args.week else None
    seconds, report = best(
        args.rounds, lambda: weekly_report(engine, settings, today=date.today(), week=week)
    )
    claims = sum(
        p.total.drafted for a in report.accounts for p in a.periods if p.period.key == "ytd"
    )
    print(f"{report.title}: {len(report.accounts)} account(s), {claims} claims drafted this year")
    print(f"figures  {seconds:7.3f} s")
    seconds, _ = best(args.rounds, lambda: [account_charts(a) for a in report.accounts])
    print(f"charts   {seconds:7.3f} s")
    for fmt in ReportFormat:
        seconds, data = best(args.rounds, lambda fmt=fmt: render(report, fmt))
        print(f"{fmt.value:<8} {seconds:7.3f} s  {len(data):>9,} bytes")


if __name__ == "__main__":
    main()
