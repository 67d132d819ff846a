"""How fast the review queue page answers with 100k claims (target: p95 ≤ 200 ms).

    .venv/bin/python bench/bench_web_queue.py [N] [DATABASE_URL ...]

Loads N claims (default 100,000) of four types, every status and deadlines spread over a year,
then asks for the queue page as a signed-in viewer through the whole app (routing, session
check, database, template): the default view (open work by file_by), sorted by amount ×
confidence, filtered by band, by type and account, and a deep page. Prints p50/p95 per view.
Without a URL it uses a temporary SQLite file; a DATABASE_URL must name an empty, throwaway
database (the script migrates it and leaves its rows there). Several URLs run one after another.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import insert

from recovery.calendar import BusinessCalendar
from recovery.config import Settings
from recovery.models import Claim, ClaimStatus, Role, VendorAccount, table_of, utcnow
from recovery.store import db
from recovery.users import add_user
from recovery.web.app import create_app

PASSWORD = "benchmark password"
ROUNDS = 60
VIEWS = {
    "open work by file_by": "/queue",
    "by amount x confidence": "/queue?sort=value",
    "band optimal": "/queue?band=optimal",
    "shortage, account 2, value": "/queue?type=shortage&account={account}&sort=value",
    "all statuses, page 200": "/queue?status=&page=200",
}


def load(engine_url: str, count: int, data_dir: Path) -> tuple[Settings, int]:
    settings = Settings(database_url=engine_url, data_dir=data_dir)
    engine = db.make_engine(engine_url)
    db.upgrade(engine)
    today = BusinessCalendar.from_settings(settings.calendar).today()
    rng = random.Random(29)
    statuses = [s.value for s in ClaimStatus]
    weights = [3 if s in ("ready", "needs_evidence", "draft") else 1 for s in statuses]
    with db.session_scope(engine) as session:
        accounts = [VendorAccount(vendor_code=f"BENCH{i}", name=f"Brand {i}") for i in (1, 2)]
        session.add_all(accounts)
        session.flush()
        account_ids = [a.id for a in accounts]
        add_user(session, "bench@example.com", Role.viewer, PASSWORD)
    now = utcnow()
    table = table_of(Claim)
    batch = []
    with engine.begin() as conn:
        for i in range(count):
            kind = ("shortage", "shortage", "price", "coop", "chargeback")[i % 5]
            batch.append(
                {
                    "account_id": account_ids[i % 2],
                    "finding_key": f"{kind}:{i}",
                    "type": kind,
                    "status": rng.choices(statuses, weights)[0],
                    "level": 1,
                    "reference": f"INV{i}SC",
                    "invoice_number": f"INV{i}",
                    "po_number": f"PO{i % 9000}",
                    "asin": f"B{i % 5000:09d}",
                    "quantity": 1 + i % 40,
                    "amount_minor": rng.randint(500, 500_000),
                    "currency": "USD",
                    "confidence_pct": rng.randint(40, 100),
                    "reason": f"Invoice INV{i}: shortage of {1 + i % 40} units",
                    # Amazon's last day, the plan a day before it, and the due date the band
                    # counts from (a shortage's 24 months run from its invoice).
                    "deadline": (deadline := today + timedelta(days=rng.randint(-30, 330))),
                    "file_by": deadline - timedelta(days=1),
                    "age_from": deadline - timedelta(days=700),
                    "band": "optimal",
                    "draft_text": "",
                    "draft_fields": {},
                    "recovered_minor": 0,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            if len(batch) == 5000:
                conn.execute(insert(table), batch)
                batch = []
        if batch:
            conn.execute(insert(table), batch)
    if engine.dialect.name == "postgresql":
        # What autovacuum does soon after a bulk load; a database in use has these statistics.
        # (SQLite's pages need none: the queue's queries pick their indexes themselves.)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE claim")
    engine.dispose()
    return settings, int(account_ids[1] or 0)


def measure(settings: Settings, second_account: int) -> None:
    engine = db.make_engine(settings.database_url)
    app = create_app(settings, engine)
    with TestClient(app, base_url="https://bench", follow_redirects=False) as client:
        client.get("/signin")
        client.headers["x-csrftoken"] = client.cookies["csrftoken"]
        signed = client.post("/signin", data={"email": "bench@example.com", "password": PASSWORD})
        assert signed.status_code == 303, signed.text
        print(f"{'view':32} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
        for name, path in VIEWS.items():
            url = path.format(account=second_account)
            for _ in range(5):  # warm caches and the statement cache
                assert client.get(url).status_code == 200
            times = []
            for _ in range(ROUNDS):
                start = time.perf_counter()
                answer = client.get(url)
                times.append((time.perf_counter() - start) * 1000)
                assert answer.status_code == 200
            times.sort()
            p50 = statistics.median(times)
            p95 = times[int(len(times) * 0.95) - 1]
            print(f"{name:32} {p50:8.1f} {p95:8.1f} {times[-1]:8.1f}")
    engine.dispose()


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    urls = sys.argv[2:] or [None]
    for url in urls:
        with tempfile.TemporaryDirectory() as tmp:
            target = url or f"sqlite:///{Path(tmp) / 'bench.db'}"
            started = time.perf_counter()
            settings, second = load(target, count, Path(tmp) / "data")
            backend = target.split(":", 1)[0]
            print(f"\n{backend}: {count:,} claims loaded in {time.perf_counter() - started:.1f} s")
            measure(settings, second)


if __name__ == "__main__":
    main()
