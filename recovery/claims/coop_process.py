"""The co-op rule in a second process, beside the other rules, on a full run of a big account.

On a year of a large vendor the co-op backup lines are the biggest frame detection reads
(hundreds of thousands of lines, each with a received-units lookup) and the co-op rule one of
the slowest, and they share nothing with the other rules but the deductions. A full run judges
them in a process of their own while it reads and judges the rest: the second core takes their
seconds off the run.

The process reads in a transaction of its own. On SQLite it starts reading while the run's
reading transaction holds the write lock, which the run keeps until then, so nothing can be
written between the two: both see the same rows. (On PostgreSQL each of the run's queries sees
what was committed when it ran, as it always has.)
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from multiprocessing.connection import Connection as Pipe
from multiprocessing.process import BaseProcess
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from recovery.claims.detect.coop import detect_coop
from recovery.claims.findings import Finding
from recovery.claims.frames import DetectionInput, load_detection_input
from recovery.config import Settings
from recovery.models import CoopBackupLine, VendorAccount, table_of
from recovery.store.db import make_engine, shared

# What `detect_coop` reads.
COOP_FRAMES = frozenset({"deductions", "coop_invoices", "coop_lines", "coop_agreements"})


def wanted(conn: Connection, settings: Settings, account_id: int) -> bool:
    """Whether the account's co-op invoices are worth a process: two cores, and at least
    `detect.coop_process_min_lines` backup lines (starting one costs a second or two)."""
    if not settings.detect.coop_process or (os.cpu_count() or 1) < 2:
        return False
    if not shared(conn.engine):
        return False
    lines = table_of(CoopBackupLine)
    count = conn.execute(
        select(func.count()).select_from(lines).where(lines.c.account_id == account_id)
    ).scalar_one()
    return int(count) >= settings.detect.coop_process_min_lines


class CoopProcess:
    """A process judging one account's co-op invoices. Close it whatever happens."""

    def __init__(self, engine: Engine, account_id: int) -> None:
        """Judges the account's co-op invoices in `engine`'s database."""
        url = engine.url.render_as_string(hide_password=False)
        # forkserver: the process starts from a clean, single-threaded one (forking the caller
        # could copy a lock held by a web or scheduler thread).
        context = multiprocessing.get_context("forkserver")
        self._pipe, their_end = context.Pipe(duplex=False)
        self._process: BaseProcess = context.Process(
            target=_judge, args=(their_end, url, account_id), name="recovery-coop"
        )
        self._process.start()
        their_end.close()  # (so that its end closing says the process is gone)

    def wait_until_reading(self) -> None:
        """Returns once the process reads the database: the caller's transaction may end."""
        self._receive("reading")

    def judge(self, _inp: DetectionInput) -> list[Finding]:
        """`detect_coop`'s findings, as the process found them on the rows it read."""
        findings: list[Finding] = self._receive("findings")
        return findings

    def close(self) -> None:
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._pipe.close()

    def _receive(self, expected: str) -> Any:
        try:
            tag, value = self._pipe.recv()
        except EOFError:
            self._process.join()
            raise RuntimeError(
                f"the co-op process stopped (exit code {self._process.exitcode})"
            ) from None
        if tag == "crash":
            raise RuntimeError(f"the co-op process failed:\n{value}")
        assert tag == expected, (tag, expected)
        return value


def _judge(pipe: Pipe, database_url: str, account_id: int) -> None:
    try:
        engine = make_engine(database_url, read_only=True)
        try:
            with engine.connect() as conn:
                # The first read fixes what the transaction sees (on SQLite).
                conn.execute(select(table_of(VendorAccount).c.id).limit(1)).all()
                pipe.send(("reading", None))
                inp = load_detection_input(conn, account_id, only=COOP_FRAMES)
        finally:
            engine.dispose()
        pipe.send(("findings", detect_coop(inp)))
    except Exception:  # a bug or a lost database: the run stops with its traceback
        pipe.send(("crash", traceback.format_exc()))
    finally:
        pipe.close()
