"""Benchmark helper: the hash of the findings and claims detection leaves, day one and next day.

A restructuring that must not change behaviour (issue 25) is checked by running this before and
after it on the same scenario: the printed hashes must be identical. Day one imports the
scenario's files with the last day held back (as `bench_detect.py` does), records the evidence
from the answer key, detects and drafts; the next day imports the held-back rows and runs the
incremental detection with drafting. Each step prints the digest of the `stored_finding`,
`claim` and `claim_event` tables (`recovery.testing.store_digest`, row ids left out) and of
everything stored.

    .venv/bin/python bench/bench_findings_hash.py --size medium --workdir /tmp/hash-medium

`--database-url` runs it in an empty database of your own instead (PostgreSQL, say), whose
tables it creates.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from datetime import timedelta
from pathlib import Path

from bench_detect import SCENARIO_FOLDERS, TODAY, hold_back_a_day, scenario_in

from recovery.config import AccountSettings, Settings
from recovery.reports.run_summary import run_detection
from recovery.sources.importing import import_files
from recovery.store import db
from recovery.testing.answer_key_evidence import record_evidence
from recovery.testing.store_digest import store_digest, table_digests

TABLES = ("stored_finding", "claim", "claim_event")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="medium")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument(
        "--database-url", help="an empty database to use instead of a SQLite file in --workdir"
    )
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-hash-"))
    scenario = scenario_in(work, args.size, args.seed)
    meta = json.loads((scenario / "scenario.json").read_text())
    answer_key = json.loads((scenario / "answer_key.json").read_text())
    database = work / "hash.db"
    if args.database_url is None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
    settings = Settings(
        database_url=args.database_url or f"sqlite:///{database}",
        data_dir=work / "data",
        accounts=[AccountSettings(vendor_code=meta["vendor_code"])],
    )
    engine = db.make_engine(settings.database_url)
    db.upgrade(engine)
    day_one, next_day = hold_back_a_day(
        [scenario / folder for folder in SCENARIO_FOLDERS], work / "days"
    )
    import_files(engine, settings, sorted((scenario / "spapi").glob("*.json")))
    import_files(engine, settings, day_one)
    record_evidence(engine, answer_key)
    run_detection(engine, settings, today=TODAY, draft=True)
    _print("day one", engine)
    import_files(engine, settings, next_day)
    run_detection(engine, settings, today=TODAY + timedelta(days=1), draft=True)
    _print("next day", engine)
    engine.dispose()


def _print(step: str, engine: object) -> None:
    tables = table_digests(engine)  # type: ignore[arg-type]
    for name in TABLES:
        print(f"{step:9} {name:15} {tables[name]}")
    print(f"{step:9} {'everything':15} {store_digest(engine)}")  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
