"""Exactly one scheduler per database. On PostgreSQL a session advisory lock (released by the
server when the process dies, however it dies); beside a SQLite file, `flock` on
`<database>.scheduler.lock` (released by the kernel likewise). Either way the holder is
written where a second `recovery run` can read it: host, pid, since when."""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, text

from recovery.errors import RecoveryError

# pg_advisory_lock's key: "recv" in ASCII. Any process of this program agrees on it.
ADVISORY_KEY = 0x72656376
POLL_SECONDS = 2.0


@dataclass(frozen=True)
class Holder:
    host: str
    pid: int
    since: datetime

    @classmethod
    def of_this_process(cls) -> Holder:
        return cls(socket.gethostname(), os.getpid(), datetime.now(UTC).replace(microsecond=0))

    def describe(self) -> str:
        return f"{self.host} (pid {self.pid}) since {self.since:%Y-%m-%d %H:%M:%S} UTC"

    # PostgreSQL keeps at most 63 bytes of application_name: the host is cut to fit.
    def application_name(self) -> str:
        return f"recovery-run {self.pid} {self.since:%Y%m%dT%H%M%SZ} {self.host}"[:63]

    @classmethod
    def from_application_name(cls, name: str) -> Holder | None:
        parts = name.split(" ", 3)
        if len(parts) != 4 or parts[0] != "recovery-run":
            return None
        try:
            since = datetime.strptime(parts[2], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            return cls(parts[3], int(parts[1]), since)
        except ValueError:
            return None


class SchedulerLockHeld(RecoveryError):
    def __init__(self, holder: Holder | None, where: str) -> None:
        self.holder = holder
        who = holder.describe() if holder else "another process (it did not say which)"
        super().__init__(
            f"another `recovery run` already schedules jobs on {where}: {who}; stop it first,"
            " or start this one with --wait to take over when it stops"
        )


class LockWaitStopped(Exception):
    """The process was told to stop while it waited for the lock."""


class _Lock:
    where: str

    def try_acquire(self) -> bool:
        raise NotImplementedError

    def holder(self) -> Holder | None:
        raise NotImplementedError

    def release(self) -> None:
        raise NotImplementedError


class _FileLock(_Lock):
    def __init__(self, path: Path, me: Holder) -> None:
        self.path = path
        self.where = str(path).removesuffix(".scheduler.lock")
        self.me = me
        self.fd: int | None = None

    def try_acquire(self) -> bool:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        record = {"host": self.me.host, "pid": self.me.pid, "since": self.me.since.isoformat()}
        os.write(fd, json.dumps(record).encode())
        os.fsync(fd)
        self.fd = fd
        return True

    def holder(self) -> Holder | None:
        try:
            record = json.loads(self.path.read_text(encoding="utf-8"))
            return Holder(
                record["host"], int(record["pid"]), datetime.fromisoformat(record["since"])
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def release(self) -> None:
        if self.fd is not None:
            # The file stays: removing it would race with a waiting process that opened it.
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


class _AdvisoryLock(_Lock):
    def __init__(self, engine: Engine, me: Holder) -> None:
        self.engine = engine
        self.where = engine.url.render_as_string(hide_password=True)
        self.me = me
        self.connection: Connection | None = None

    def try_acquire(self) -> bool:
        connection = self.engine.connect()
        connection.execute(
            text("SELECT set_config('application_name', :name, false)"),
            {"name": self.me.application_name()},
        )
        got = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY})
        connection.commit()
        if got.scalar_one():
            self.connection = connection
            return True
        connection.close()
        return False

    def holder(self) -> Holder | None:
        with self.engine.connect() as connection:
            name = connection.execute(
                text(
                    "SELECT a.application_name FROM pg_locks l"
                    " JOIN pg_stat_activity a ON a.pid = l.pid"
                    " WHERE l.locktype = 'advisory' AND l.granted"
                    " AND l.classid = 0 AND l.objid = :key AND l.objsubid = 1"
                ),
                {"key": ADVISORY_KEY},
            ).scalar_one_or_none()
        return Holder.from_application_name(name) if name else None

    def release(self) -> None:
        if self.connection is not None:
            try:
                self.connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY}
                )
                self.connection.commit()
            finally:
                self.connection.close()
                self.connection = None


def _lock_for(engine: Engine, me: Holder) -> _Lock | None:
    url = engine.url
    if url.get_backend_name() == "postgresql":
        return _AdvisoryLock(engine, me)
    if url.database in (None, "", ":memory:"):
        return None  # no other process can see an in-memory database
    database = Path(url.database).expanduser().resolve()
    return _FileLock(database.with_name(database.name + ".scheduler.lock"), me)


@contextmanager
def scheduler_lock(
    engine: Engine,
    *,
    wait: bool = False,
    on_wait: Callable[[str], None] | None = None,
    stop: Callable[[], bool] = lambda: False,
    poll_seconds: float = POLL_SECONDS,
) -> Iterator[Holder]:
    """Hold the database's scheduler lock for the block. Held by another process: raise
    `SchedulerLockHeld` naming it, or with `wait` poll until it is free (telling `on_wait` once
    who holds it; `stop` ends the wait early with `LockWaitStopped`)."""
    me = Holder.of_this_process()
    lock = _lock_for(engine, me)
    if lock is None:
        yield me
        return
    told = False
    while not lock.try_acquire():
        held = SchedulerLockHeld(lock.holder(), lock.where)
        if not wait:
            raise held
        if stop():
            raise LockWaitStopped
        if not told and on_wait is not None:
            on_wait(
                f"waiting: {held.holder.describe() if held.holder else 'another process'}"
                " holds the scheduler lock"
            )
            told = True
        time.sleep(poll_seconds)
    try:
        yield me
    finally:
        lock.release()
