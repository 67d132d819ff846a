"""Many accounts, many machines: on PostgreSQL one scheduler queues per-account jobs and two
`recovery worker` processes run them. A worker killed (SIGKILL) in the middle of a sync loses
nothing and duplicates nothing: its job goes back on the queue and another worker finishes it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect
from sqlmodel import Session, SQLModel, col, select

from recovery.models import JobRun, PurchaseOrder, SyncCursor, VendorAccount
from recovery.service.job_runs import SUCCEEDED
from recovery.service.worker import libpq_url
from recovery.store import db
from recovery.testing.fake_spapi import FakeSpApi
from recovery.testing.fake_spapi_data import SpApiDataset, synthetic_dataset

pytestmark = pytest.mark.postgres

_CLI = [sys.executable, "-c", "from recovery.cli.app import main; main()"]
ACCOUNTS = ("VENDA", "VENDB", "VENDC")
ORDERS = 24


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def fake() -> Iterator[tuple[FakeSpApi, dict[str, int]]]:
    """Three vendors' POs of the last three weeks, served slowly enough (3 requests a second)
    that a worker can be killed in the middle of an account's sync."""
    end = datetime.now(UTC)
    combined = SpApiDataset()
    expected = {}
    for seed, code in enumerate(ACCOUNTS):
        data = synthetic_dataset(ORDERS, vendor_code=code, end=end, days=20, seed=seed)
        combined.orders += data.orders
        combined.statuses += data.statuses
        combined.shipments += data.shipments
        expected[code] = len(data.orders)
    with FakeSpApi(combined, rate=3.0, burst=1) as server:
        yield server, expected


def _config(root: Path, url: str, fake: FakeSpApi) -> Path:
    accounts = "".join(f'[[accounts]]\nvendor_code = "{code}"\n' for code in ACCOUNTS)
    path = root / "config.toml"
    path.write_text(
        f'database_url = "{url}"\n'
        f'data_dir = "{root / "data"}"\n'
        f"{accounts}"
        "[spapi]\n"
        f'endpoint = "{fake.url}"\n'
        f'lwa_token_url = "{fake.lwa_url}"\n'
        'lwa_app_id = "test-app"\n'
        "[sync]\n"
        "initial_days = 21\n"
        "rate = 3.0\n"
        "burst = 1\n"
        "backoff_initial = 0.05\n"
        "backoff_max = 0.2\n"
        "[ui]\n"
        f"port = {_free_port()}\n"
        "secure_cookies = false\n"
        "[service]\n"
        "worker_stalled_seconds = 3.0\n",
        encoding="utf-8",
    )
    return path


def _start(config: Path, command: str, log: Path) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "RECOVERY_SPAPI__LWA_CLIENT_SECRET": "test-secret",
        "RECOVERY_SPAPI__REFRESH_TOKEN": "test-token",
    }
    return subprocess.Popen(
        [*_CLI, "--config", str(config), command],
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
        text=True,
        env=env,
    )


def _queue(url: str) -> list[tuple[str, str, int]]:
    """(status, lock, worker id) of every queued job."""
    with psycopg.connect(libpq_url(url)) as connection:
        rows = connection.execute(
            "SELECT status::text, lock, coalesce(worker_id, 0) FROM procrastinate_jobs"
        ).fetchall()
    return [(status, lock, worker) for status, lock, worker in rows]


def test_a_worker_killed_mid_sync_loses_and_duplicates_nothing(
    tmp_path: Path, postgres_db_url: str, fake: tuple[FakeSpApi, dict[str, int]]
) -> None:
    server, expected = fake
    config = _config(tmp_path, postgres_db_url, server)
    engine = db.make_engine(postgres_db_url)
    processes: list[subprocess.Popen[str]] = []
    try:
        first = _start(config, "worker", tmp_path / "worker-1.err")
        processes.append(first)
        scheduler = _start(config, "run", tmp_path / "run.err")
        processes.append(scheduler)

        def first_worker_busy() -> bool:
            try:
                return any(status == "doing" for status, _, _ in _queue(postgres_db_url))
            except psycopg.errors.UndefinedTable:
                return False

        _wait_for(first_worker_busy, 120, "the first worker to take a sync")
        second = _start(config, "worker", tmp_path / "worker-2.err")
        processes.append(second)
        # Mid-job: the account's sync has stored some windows, not all.
        time.sleep(2)
        [(_, killed_lock, killed_worker)] = [
            row for row in _queue(postgres_db_url) if row[0] == "doing"
        ]
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        killed_account = killed_lock.split(":")[1]

        def all_synced() -> bool:
            with Session(engine) as session:
                done = session.exec(
                    select(JobRun.account_id).where(
                        JobRun.job == "spapi_sync", JobRun.status == SUCCEEDED
                    )
                ).all()
            return len(set(done)) == len(ACCOUNTS)

        _wait_for(all_synced, 180, "every account's sync")
        _wait_for(
            lambda: all(s == "succeeded" for s, _, _ in _queue(postgres_db_url)),
            60,
            "the queue to drain",
        )
        queue = _queue(postgres_db_url)
        # One job per account, each finished; the killed one by the other worker.
        assert sorted(lock for _, lock, _ in queue) == [f"spapi_sync:{c}" for c in ACCOUNTS]
        [(_, _, finisher)] = [row for row in queue if row[1] == killed_lock]
        assert finisher != killed_worker

        with Session(engine) as session:
            for code in ACCOUNTS:
                account = session.exec(
                    select(VendorAccount).where(VendorAccount.vendor_code == code)
                ).one()
                stored = session.exec(
                    select(func.count())
                    .select_from(PurchaseOrder)
                    .where(PurchaseOrder.account_id == account.id)
                ).one()
                assert stored == expected[code], code  # nothing lost, nothing twice
                cursors = session.exec(
                    select(SyncCursor).where(SyncCursor.account_id == account.id)
                ).all()
                assert len(cursors) == 3
                detected = session.exec(
                    select(JobRun).where(
                        JobRun.job == "detect",
                        JobRun.account_id == account.id,
                        JobRun.status == SUCCEEDED,
                    )
                ).all()
                assert detected, f"no detection after {code}'s sync"
            killed = session.exec(
                select(VendorAccount).where(VendorAccount.vendor_code == killed_account)
            ).one()
            runs = session.exec(
                select(JobRun)
                .where(JobRun.job == "spapi_sync", JobRun.account_id == killed.id)
                .order_by(col(JobRun.id))
            ).all()
            # The killed run stays as it was left (no one claims it finished); the rerun
            # succeeded.
            assert [r.status for r in runs] == ["running", SUCCEEDED]
        # procrastinate's and APScheduler's tables live in our database; migrations ignore them.
        with engine.connect() as connection:
            assert inspect(connection).has_table("procrastinate_jobs")
            context = MigrationContext.configure(connection, opts={"include_name": db.include_name})
            assert compare_metadata(context, SQLModel.metadata) == []
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
        engine.dispose()
    assert scheduler.returncode == 0, (tmp_path / "run.err").read_text()[-3000:]
    assert second.returncode == 0, (tmp_path / "worker-2.err").read_text()[-3000:]
