"""Benchmark: the least SQLite can take to store what the CSV import stores, beside DuckDB.

Issue 7's goal puts CSV import + detect at ≤ 3× DuckDB merely reading the same CSV files. This
measures the part of that no change to our import can remove: the rows the import stored,
already made (no parsing, checking, upsert or change tracking), handed to SQLite through
Python's driver with `executemany`, one transaction per table, into an empty database with the
product's schema and settings (WAL, synchronous=NORMAL, the import's 64 MB page cache, foreign
keys on). An empty database is the cheapest case: its indexes start small.

It reads the rows from the database `bench_detect.py` left in the same work folder, so run that
first:

    python bench/bench_detect.py --size large --workdir DIR
    python bench/bench_store_floor.py --workdir DIR
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from contextlib import closing
from pathlib import Path

from bench_detect import duckdb_reading, machine_speed

from recovery.sources.importing import IMPORT_CACHE_KIB
from recovery.store import db

# The tables the CSV/XLSX import fills (the SP-API JSON, cost records and detection's change
# queue are left out: leaving rows out only lowers the floor). Parents before children.
CSV_TABLES = (
    "invoice",
    "invoice_line",
    "bank_transaction",
    "payment",
    "remittance_line",
    "deduction",
    "shortage_line",
    "price_variance_line",
    "chargeback",
    "coop_agreement",
    "coop_invoice",
    "coop_backup_line",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, required=True)
    args = parser.parse_args()
    source, scenario = args.workdir / "bench.db", args.workdir / "scenario"
    if not source.exists() or not scenario.is_dir():
        parser.error(f"no bench.db and scenario in {args.workdir}: run bench_detect.py there first")
    speed_before = machine_speed()
    with tempfile.TemporaryDirectory(prefix="bench-floor-") as folder:
        target = Path(folder) / "floor.db"
        engine = db.make_engine(f"sqlite:///{target}")
        db.upgrade(engine)  # the product's tables and indexes, from its migrations
        engine.dispose()
        timings = store_rows(source, target)
    stored = sum(seconds for _, seconds in timings.values())
    rows = sum(count for count, _ in timings.values())
    duck, duck_rows = duckdb_reading(scenario)

    for table, (count, seconds) in timings.items():
        print(f"{table:<22}{count:>11,} rows {seconds:8.2f} s")
    print(f"storing the rows alone{rows:>11,} rows {stored:8.2f} s  (executemany, no parsing)")
    print(f"DuckDB reading the CSVs{duck_rows:>10,} rows {duck:8.2f} s")
    print(f"storing alone / DuckDB: {stored / duck:.1f}× (the goal allows 3× for import + detect)")
    print(
        f"machine speed             {speed_before:8.2f} s before, {machine_speed():.2f} s after "
        "(a fixed loop; lower is faster)"
    )


def store_rows(source: Path, target: Path) -> dict[str, tuple[int, float]]:
    """Each CSV table's rows from `source` inserted into `target`: (rows, seconds) per table."""
    timings = {}
    with closing(sqlite3.connect(target, isolation_level=None)) as conn:
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            f"cache_size=-{IMPORT_CACHE_KIB}",
            "foreign_keys=ON",
        ):
            conn.execute(f"PRAGMA {pragma}")
        conn.execute("ATTACH DATABASE ? AS source", (f"file:{source}?mode=ro",))
        # The accounts the rows belong to (not timed: a handful of rows).
        conn.execute("INSERT INTO main.vendor_account SELECT * FROM source.vendor_account")
        for table in CSV_TABLES:
            columns = [row[1] for row in conn.execute(f"PRAGMA main.table_info({table})")]
            names = ", ".join(columns)
            rows = conn.execute(f"SELECT {names} FROM source.{table} ORDER BY id").fetchall()
            insert = f"INSERT INTO main.{table} ({names}) VALUES ({', '.join('?' * len(columns))})"
            began = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(insert, rows)
            conn.execute("COMMIT")
            timings[table] = (len(rows), time.perf_counter() - began)
    return timings


if __name__ == "__main__":
    main()
