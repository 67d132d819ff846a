"""Benchmark: detection against the answer key on varied scenarios, more seeds and sizes than CI.

CI scores a few tiny varied scenarios (tests/integration/test_detection_answer_key.py); this
runs any sizes and seeds and prints, per scenario and type, the planted recoverable dollars that
can still be filed, the dollars claimed, recall, precision, claims on valid deductions, the
claims whose deadline was compared with the key's and those that differ (a varied scenario puts
every type's deadlines on and next to US holidays and weekends: how many is printed), claims
called expired while Amazon accepts them, and the money already expired (shown apart, never
recall); then every invoice's buckets against the key's. The bar is the
issue's: recall ≥ 99 % and precision ≥ 99.5 % per type, the lists empty, the buckets equal.

Evidence counts as already extracted (PDF reading has its own benchmark, bench_evidence.py):
the documents are recorded from the answer key's truth, as bench_detect.py does.

    .venv/bin/python bench/bench_answer_key.py [--sizes tiny,small,medium] [--seeds 1,2,3]
        [--plain] [--months 12] [--workdir DIR]

`--months 26` gives the vendor more than Amazon's 24 months of history: its oldest shortages,
price claims and co-op invoices are past their deadline (shown apart, never recall), the ones
next to it still fileable, which checks that nothing is called expired a day early.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from recovery.calendar import BusinessCalendar
from recovery.claims.queue import contract_record, load_rows
from recovery.config import AccountSettings, Settings
from recovery.reports.run_summary import run_detection
from recovery.sources.importing import import_files
from recovery.store import db
from recovery.testing.answer_key_evidence import record_evidence
from recovery.testing.scenario import generate_scenario
from recovery.testing.scoring import score

TODAY = date(2026, 11, 23)
FOLDERS = ("vendor-central", "vendor-central/coop-backup", "vendor")


def run_one(work: Path, size: str, seed: int, varied: bool, months: int = 12) -> bool:
    """Generate, import, detect and score one scenario; True when it meets the bar."""
    from sqlmodel import Session

    scenario = work / f"{size}-{seed}" / "scenario"
    began = time.perf_counter()
    generate_scenario(
        scenario,
        seed=seed,
        size=size,
        today=TODAY,
        months=months,
        xlsx=False,
        pdfs=False,
        varied=varied,
    )
    generated = time.perf_counter() - began
    key: dict[str, Any] = json.loads((scenario / "answer_key.json").read_text())
    meta = json.loads((scenario / "scenario.json").read_text())
    database = scenario.parent / "bench.db"
    database.unlink(missing_ok=True)
    settings = Settings(
        database_url=f"sqlite:///{database}",
        data_dir=scenario.parent / "data",
        accounts=[AccountSettings(vendor_code=meta["vendor_code"])],
    )
    engine = db.make_engine(settings.database_url)
    db.upgrade(engine)
    began = time.perf_counter()
    import_files(
        engine,
        settings,
        [*sorted((scenario / "spapi").glob("*.json")), *(scenario / f for f in FOLDERS)],
    )
    record_evidence(engine, key)
    detection = run_detection(engine, settings, today=TODAY)
    seconds = time.perf_counter() - began
    calendar = BusinessCalendar.from_settings(settings.calendar)
    with Session(engine) as session:
        claims = [
            contract_record(row)
            for row in load_rows(session, calendar=calendar, rules=settings.rules)
        ]
    scores = score(key, claims)
    layout = meta.get("remittance_layout", "payments")
    print(
        f"\n{size} seed {seed} ({'varied' if varied else 'plain'}, remittance {layout}): "
        f"generated in {generated:.1f}s, imported and detected in {seconds:.1f}s"
    )
    print(
        f"  {'type':<11}{'expected $':>15}{'claimed $':>15}{'recall':>8}{'precision':>10}"
        f"{'on valid':>9}{'checked':>8}{'deadlines':>10}{'too soon':>9}{'expired $':>12}"
    )
    ok = True
    for kind, s in scores.items():
        print(
            f"  {kind:<11}{s.expected:>15,.2f}{s.claimed:>15,.2f}{s.recall:>8.3f}"
            f"{s.precision:>10.3f}{len(s.claims_on_valid):>9}{s.deadlines_checked:>8}"
            f"{len(s.wrong_deadlines):>10}"
            f"{len(s.expired_too_soon):>9}{s.expired:>12,.2f}"
        )
        ok = ok and s.recall >= Decimal("0.99") and s.precision >= Decimal("0.995")
        ok = ok and not (s.claims_on_valid or s.wrong_deadlines or s.expired_too_soon)
    print("  key deadlines on a weekend or US holiday: " + _days_off(key, calendar))
    wrong, invoices = _buckets_against_key(engine, settings, key)
    print(f"  buckets: {invoices - len(wrong)} of {invoices} invoices as the key states")
    for anchor, (actual, expected) in list(wrong.items())[:5]:
        print(f"    {anchor}: {actual} ≠ key {expected}")
    [account] = detection.accounts
    ok = ok and not wrong and sum(account.buckets.values()) == account.deducted
    print(f"  look: {len(key['needs_look'])} finding(s) for a person; {'OK' if ok else 'FAILS'}")
    engine.dispose()
    return ok


def _days_off(key: dict[str, Any], calendar: BusinessCalendar) -> str:
    """Per type, planted deductions whose deadline (Amazon's day) is a day off, of all."""
    off: dict[str, list[int]] = {}
    for deduction in key["deductions"]:
        if deduction.get("deadline") and Decimal(deduction["amount"]) > 0:
            day = date.fromisoformat(deduction["deadline"])
            counts = off.setdefault(deduction["kind"], [0, 0])
            counts[0] += not calendar.is_business_day(day)
            counts[1] += 1
    return ", ".join(f"{kind} {n} of {total}" for kind, (n, total) in sorted(off.items()))


def _buckets_against_key(
    engine: Any, settings: Settings, key: dict[str, Any]
) -> tuple[dict[str, tuple[Any, Any]], int]:
    """({invoice: (buckets, the key's)} where they differ, invoices), as the CI test compares
    them (tests/integration/pipeline.py)."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "integration"))
    from pipeline import buckets_against_key

    actual, expected = buckets_against_key(engine, settings, key)
    anchors = sorted(set(actual) | set(expected))
    wrong = {
        a: (actual.get(a), expected.get(a)) for a in anchors if actual.get(a) != expected.get(a)
    }
    return wrong, len(anchors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="tiny,small,medium")
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--plain", action="store_true", help="The plain generator instead.")
    parser.add_argument("--months", type=int, default=12, help="History before today.")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-answer-key-"))
    results = []
    for size in args.sizes.split(","):
        for seed in (int(s) for s in args.seeds.split(",")):
            results.append((size, seed, run_one(work, size, seed, not args.plain, args.months)))
    failed = [f"{size} seed {seed}" for size, seed, ok in results if not ok]
    print(f"\n{len(results) - len(failed)} of {len(results)} scenarios meet the bar")
    if failed:
        print("failing: " + ", ".join(failed))


if __name__ == "__main__":
    main()
