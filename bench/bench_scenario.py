"""How long the scenario generator takes and how much it writes.

    .venv/bin/python bench/bench_scenario.py --size large [--out DIR] [--seed N] [--no-pdfs]

Prints wall time, peak RSS and the row counts of scenario.json, plus the bytes written.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path

from recovery.testing.scenario import generate_scenario


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", default="large", choices=["tiny", "small", "medium", "large"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--today", default="2026-11-23")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--no-pdfs", action="store_true")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix=f"scenario-{args.size}-"))
    began = time.perf_counter()
    summary = generate_scenario(
        out,
        seed=args.seed,
        size=args.size,
        today=date.fromisoformat(args.today),
        pdfs=not args.no_pdfs,
    )
    seconds = time.perf_counter() - began
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    written = sum(path.stat().st_size for path in out.rglob("*") if path.is_file())
    print(f"size={args.size} seed={args.seed} out={out}")
    print(f"time: {seconds:.1f} s   peak RSS: {peak_mb:.0f} MB   written: {written / 1e6:.1f} MB")
    for name, count in summary.counts.items():
        print(f"  {name:<18} {count:>12,}")
    if args.out is None:
        shutil.rmtree(out)


if __name__ == "__main__":
    main()
