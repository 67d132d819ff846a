"""`recovery run` as a vendor runs it: one scheduler per database (a second is refused with
the holder named), jobs recorded, `/healthz` per job, SIGTERM stops it cleanly; and the job
store catches a missed run up exactly once after an outage."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import inspect
from sqlmodel import Session, SQLModel, select
from web_seed import client_for, seed_users

from recovery.config import Settings, load_settings
from recovery.models import JobRun, Role
from recovery.service.job_runs import RUNNING, SUCCEEDED, runs_of
from recovery.service.lock import LockWaitStopped, SchedulerLockHeld, scheduler_lock
from recovery.service.runtime import Runtime, install, uninstall
from recovery.service.schedule import JobId
from recovery.service.scheduler import start_scheduler
from recovery.store import db
from recovery.web.app import create_app

_CLI = [sys.executable, "-c", "from recovery.cli.app import main; main()"]
POD = Path(__file__).resolve().parents[1] / "data" / "evidence" / "handmade_pod.pdf"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _workspace(root: Path, sqlite_template: Path, port: int) -> Path:
    shutil.copy(sqlite_template, root / "recovery.db")
    inbox = root / "inbox"
    inbox.mkdir()
    shutil.copy(POD, inbox / POD.name)
    config = root / "config.toml"
    config.write_text(
        f'database_url = "sqlite:///{root / "recovery.db"}"\n'
        f'data_dir = "{root / "data"}"\n'
        "[ui]\n"
        f"port = {port}\n"
        "secure_cookies = false\n"
        "[evidence]\n"
        "ocr = false\n"
        "workers = 1\n"
        "[service]\n"
        f'evidence_inbox = "{inbox}"\n',
        encoding="utf-8",
    )
    return config


def _start(config: Path, *args: str) -> subprocess.Popen[str]:
    """stderr goes to `<config>.<n>.err`, read while the process runs."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    log = _log_path(config, len(list(config.parent.glob("*.err"))))
    return subprocess.Popen(
        [*_CLI, "--config", str(config), "run", *args],
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
        text=True,
        env=env,
    )


def _log_path(config: Path, n: int) -> Path:
    return config.with_name(f"run-{n}.err")


def _wait_for(check: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def service(
    tmp_path: Path, sqlite_template: Path
) -> Iterator[tuple[subprocess.Popen[str], Path, int]]:
    port = _free_port()
    config = _workspace(tmp_path, sqlite_template, port)
    process = _start(config)
    try:
        yield process, config, port
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def _healthz(port: int) -> httpx.Response | None:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
    except httpx.HTTPError:
        return None


def test_the_service_runs_its_jobs_refuses_a_second_scheduler_and_stops_on_sigterm(
    service: tuple[subprocess.Popen[str], Path, int],
) -> None:
    process, config, port = service
    settings = load_settings(config)
    engine = db.engine_from_settings(settings)

    def evidence_taken_in() -> bool:
        with Session(engine) as session:
            runs = runs_of(session, JobId.evidence_watch)
        return any(r.status == SUCCEEDED for r in runs)

    def detected_after_it() -> bool:
        with Session(engine) as session:
            return any(r.status != RUNNING for r in runs_of(session, JobId.detect))

    _wait_for(evidence_taken_in, 180, "the evidence watch to run")
    # Detection runs after the watch's own run is recorded as done.
    _wait_for(detected_after_it, 180, "detection after the new evidence")
    with Session(engine) as session:
        [run] = runs_of(session, JobId.evidence_watch)
        # The dropped PDF was stored once, and detection ran after it.
        assert run.detail["added"] == 1 and run.finished_at is not None
        assert run.error is None
        assert [r.status for r in runs_of(session, JobId.detect)] == [SUCCEEDED]

    _wait_for(lambda: _healthz(port) is not None, 30, "the UI")
    health = _healthz(port)
    assert health is not None and health.status_code == 200
    body = health.json()
    assert body["status"] == "ok" and body["service"] == "running"
    assert body["jobs"]["evidence_watch"]["last_success"] is not None
    assert body["jobs"]["evidence_watch"]["overdue"] is False

    # A second scheduler on the same database is refused, naming the first...
    second = subprocess.run(
        [*_CLI, "--config", str(config), "run", "--port", str(_free_port())],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert second.returncode == 1
    assert "another `recovery run` already schedules jobs" in second.stderr
    assert f"pid {process.pid}" in second.stderr
    assert socket.gethostname()[:20] in second.stderr
    assert "Traceback" not in second.stderr

    # ...or, with --wait, waits and takes over when the first stops on SIGTERM.
    waiting = _start(config, "--wait", "--port", str(_free_port()))
    log = _log_path(config, 1)
    try:
        _wait_for(lambda: "holds the scheduler lock" in log.read_text(), 180, "the wait")
        assert f"pid {process.pid}" in log.read_text()
        assert waiting.poll() is None
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
        err = _log_path(config, 0).read_text()
        assert process.returncode == 0, err
        assert '"message": "stopped"' in err
        database = Path(settings.database_url.removeprefix("sqlite:///"))
        holder = database.with_name(database.name + ".scheduler.lock")
        _wait_for(lambda: f'"pid": {waiting.pid}' in holder.read_text(), 60, "the takeover")
        _wait_for(lambda: "scheduler running" in log.read_text(), 60, "the second service")
    finally:
        waiting.send_signal(signal.SIGTERM)
        waiting.wait(timeout=60)
    assert waiting.returncode == 0, log.read_text()
    # Nothing was left running.
    with Session(engine) as session:
        assert not session.exec(select(JobRun).where(JobRun.status == "running")).all()
    engine.dispose()


def _settings_for(tmp_path: Path, sqlite_template: Path) -> Settings:
    shutil.copy(sqlite_template, tmp_path / "recovery.db")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'recovery.db'}",
        data_dir=tmp_path / "data",
        service={"evidence_inbox": inbox, "evidence_watch_minutes": 15},  # type: ignore[arg-type]
    )


def test_after_an_outage_a_missed_job_runs_once_and_keeps_its_schedule(
    tmp_path: Path, sqlite_template: Path
) -> None:
    settings = _settings_for(tmp_path, sqlite_template)
    engine = db.engine_from_settings(settings)
    install(Runtime(settings, engine))
    try:
        scheduler = start_scheduler()
        _wait_for(lambda: _count(engine, JobId.evidence_watch) == 1, 30, "the first run")
        # The process dies, and stays down three days with the job due: ~288 runs missed.
        # (Paused, never shut down: a dead process gets no chance to tidy up.)
        scheduler.pause()
        scheduler.modify_job(
            JobId.evidence_watch.value, next_run_time=datetime.now(UTC) - timedelta(days=3)
        )

        scheduler = start_scheduler()
        _wait_for(lambda: _count(engine, JobId.evidence_watch) == 2, 30, "the catch-up run")
        time.sleep(1.5)
        assert _count(engine, JobId.evidence_watch) == 2  # coalesced into one
        job = scheduler.get_job(JobId.evidence_watch.value)
        assert job is not None
        assert job.next_run_time > datetime.now(UTC) + timedelta(minutes=14)
        scheduler.shutdown(wait=True)

        # A plain restart keeps the stored next run: no extra run, none skipped.
        scheduler = start_scheduler()
        restarted = scheduler.get_job(JobId.evidence_watch.value)
        assert restarted is not None and restarted.next_run_time == job.next_run_time
        scheduler.shutdown(wait=True)
        assert _count(engine, JobId.evidence_watch) == 2
        # The job store's table lives in our database; migrations leave it alone.
        with engine.connect() as connection:
            assert inspect(connection).has_table("apscheduler_jobs")
            context = MigrationContext.configure(connection, opts={"include_name": db.include_name})
            assert compare_metadata(context, SQLModel.metadata) == []
    finally:
        uninstall()
        engine.dispose()


def _count(engine: object, job: JobId) -> int:
    with Session(engine) as session:  # type: ignore[arg-type]
        return len([r for r in runs_of(session, job) if r.status == SUCCEEDED])


def _seed_runs(settings: Settings, rows: list[JobRun]) -> TestClient:
    engine = db.engine_from_settings(settings)
    with Session(engine) as session:
        session.add_all(rows)
        session.commit()
    seed_users(engine)
    return TestClient(create_app(settings, engine))


def test_healthz_is_503_when_a_job_is_overdue(tmp_path: Path, sqlite_template: Path) -> None:
    settings = _settings_for(tmp_path, sqlite_template)
    now = datetime.now(UTC)
    client = _seed_runs(
        settings,
        [
            # The service began two days ago; the inbox watch (every 15 min) last worked at
            # its start, and has failed since.
            JobRun(
                job="evidence_watch",
                started_at=now - timedelta(days=2),
                finished_at=now - timedelta(days=2),
                status=SUCCEEDED,
            ),
            JobRun(
                job="evidence_watch",
                started_at=now - timedelta(minutes=5),
                finished_at=now - timedelta(minutes=5),
                status="failed",
                error="PermissionError: [Errno 13] Permission denied: '/srv/inbox'",
            ),
        ],
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "overdue"
    assert body["jobs"]["evidence_watch"]["overdue"] is True
    assert body["jobs"]["weekly_report"]["overdue"] is False
    # The Job runs page says the same to a person, with the failed run's error.
    page = client_for(client.app, Role.viewer).get("/jobs")  # type: ignore[arg-type]
    assert page.status_code == 200
    assert "<strong>overdue</strong>" in page.text
    assert "Permission denied: &#39;/srv/inbox&#39;" in page.text


def test_healthz_is_200_before_the_service_ever_ran(tmp_path: Path, sqlite_template: Path) -> None:
    settings = _settings_for(tmp_path, sqlite_template)
    response = _seed_runs(settings, []).get("/healthz")
    assert response.status_code == 200
    assert response.json()["service"] == "not started"


def test_the_lock_names_its_holder_and_a_stopped_wait_ends_quietly(db_url: str) -> None:
    """A file lock beside SQLite, an advisory lock on PostgreSQL: the same behaviour."""
    engine = db.make_engine(db_url)
    with scheduler_lock(engine) as me:
        assert me.pid == os.getpid()
        with pytest.raises(SchedulerLockHeld) as refused, scheduler_lock(engine):
            pass
        assert refused.value.holder == me
        assert f"(pid {os.getpid()})" in str(refused.value)
        told: list[str] = []
        waiting = scheduler_lock(
            engine, wait=True, on_wait=told.append, stop=lambda: bool(told), poll_seconds=0.1
        )
        with pytest.raises(LockWaitStopped), waiting:
            pass
        assert told == [f"waiting: {me.describe()} holds the scheduler lock"]
    with scheduler_lock(engine) as again:  # released with the block
        assert again.pid == os.getpid()
    engine.dispose()
