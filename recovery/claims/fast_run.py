"""How a detection run is made fast, apart from what it decides (`recovery.claims.detection`).

- The cyclic garbage collector is paused for the run (the one pause: a run builds hundreds of
  thousands of frame cells, findings and rows, none in reference cycles).
- The unsettled invoice balances are summed by the database beside the run's reading, on a
  second connection (SQLite aggregates without holding Python's GIL, so the second core does
  it).
- The co-op rule runs in a second process on a full run of a big account (`CoopProcess`).

`FastRun` holds these for a run; `FastRun.read` reads one account's frames and balances and
gives the judges to use.

The co-op process. On a year of a large vendor the co-op backup lines are the biggest frame
detection reads (hundreds of thousands of lines, each with a received-units lookup) and the
co-op rule one of the slowest, and they share nothing with the other rules but the deductions. A
full run judges them in a process of their own while it reads and judges the rest: the second
core takes their seconds off the run.

The process reads in a transaction of its own. On SQLite it starts reading while the run's
reading transaction holds the write lock, which the run keeps until then, so nothing can be
written between the two: both see the same rows. (On PostgreSQL each of the run's queries sees
what was committed when it ran, as it always has.)
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from multiprocessing.connection import Connection as Pipe
from multiprocessing.process import BaseProcess
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from recovery.claims.findings import Finding
from recovery.claims.incremental.plan import RunPlan
from recovery.claims.inputs import FRAMES, DetectionInput
from recovery.claims.kinds import KINDS
from recovery.claims.kinds.coop import COOP, detect_coop
from recovery.claims.reader import load_detection_input
from recovery.config import Settings
from recovery.helper_processes import helper_context, start_in_background
from recovery.ledger import InvoiceBalance, balance_invoices
from recovery.models import CoopBackupLine, VendorAccount, table_of
from recovery.store.collector import collector_paused
from recovery.store.db import make_engine, reading_engine, shared

# What the co-op rule reads.
COOP_FRAMES = COOP.reads
# What a run reads itself while a `CoopProcess` judges the co-op invoices: every frame but
# those only the co-op rule reads.
_NOT_COOP = FRAMES - (
    COOP_FRAMES - frozenset().union(*(k.reads for k in KINDS.values() if k is not COOP))
)

Judge = Callable[[DetectionInput], list[Finding]]


class FastRun:
    """A detection run's speed mechanics, for all its accounts. Use it as a context manager."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self._engine = engine
        self._settings = settings
        self._run = ExitStack()

    def __enter__(self) -> FastRun:
        run = self._run.__enter__()
        run.enter_context(collector_paused())
        self._side = run.enter_context(ThreadPoolExecutor(max_workers=1))
        # Reads beside a run's reading transaction: begun once it holds SQLite's write lock, so
        # they see the same rows (on PostgreSQL each query sees what was committed, as always).
        self._readers = reading_engine(self._engine)
        if self._readers is not None:
            run.callback(self._readers.dispose)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._run.__exit__(kind, error, traceback)

    def read(
        self, conn: Connection, account_id: int, plan: RunPlan, stack: ExitStack
    ) -> tuple[DetectionInput, list[InvoiceBalance], Mapping[str, Judge]]:
        """The account's frames (`plan`'s scope), its unsettled invoice balances, and the
        judges that replace a kind's own rule (the co-op process's). A co-op process is closed
        with `stack`."""
        coop = None
        if plan.full and wanted(conn, self._settings, account_id):
            coop = CoopProcess(self._engine, account_id)
            stack.callback(coop.close)
        summing: Future[list[InvoiceBalance]] | None = None
        if self._readers is not None:
            summing = self._side.submit(_unsettled_balances, self._readers, account_id)
        inp = load_detection_input(
            conn, account_id, plan.scope, only=None if coop is None else _NOT_COOP
        )
        if summing is None:
            balances = balance_invoices(conn, account_id, unsettled_only=True)
        else:
            balances = summing.result()
        if coop is None:
            return inp, balances, {}
        coop.wait_until_reading()  # (before the caller's transaction ends)
        return inp, balances, {COOP.type: coop.judge}


def _unsettled_balances(readers: Engine, account_id: int) -> list[InvoiceBalance]:
    with readers.connect() as conn:
        return balance_invoices(conn, account_id, unsettled_only=True)


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
        context = helper_context()
        self._pipe, their_end = context.Pipe(duplex=False)
        self._process: BaseProcess = context.Process(
            target=_judge, args=(their_end, url, account_id), name="recovery-coop"
        )
        self._started = start_in_background(self._process, [their_end])

    def wait_until_reading(self) -> None:
        """Returns once the process reads the database: the caller's transaction may end."""
        self._receive("reading")

    def judge(self, _inp: DetectionInput) -> list[Finding]:
        """`detect_coop`'s findings, as the process found them on the rows it read."""
        findings: list[Finding] = self._receive("findings")
        return findings

    def close(self) -> None:
        if self._started.started():
            if self._process.is_alive():
                self._process.terminate()
            self._process.join()
        self._pipe.close()

    def _receive(self, expected: str) -> Any:
        self._started.wait()
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
