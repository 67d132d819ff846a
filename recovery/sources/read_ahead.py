"""Files read in a second process while this one stores the file before.

An import is one transaction per file on one connection, so storing cannot be split; reading
can. On a run of big or many exports, a reader process parses each file into blocks with the
same `read` the importer runs itself (`TabularImporter.read` for CSV and XLSX, rows made from
the documents for SP-API JSON), and spools them to a temporary file that the importer stores
from as they come. The parse of the next files, and of the rest of this one, then runs on the
second core while this one writes.

The spool, not a pipe, carries the blocks: the reader goes on while the importer is busy with
a long file, where a pipe would stop it once full. The importer waits at the spool's end only
when it has caught up with the reader.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import shutil
import tempfile
import threading
import time
import traceback
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from io import FileIO
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from multiprocessing.queues import SimpleQueue
from pathlib import Path
from typing import Any

from recovery.config import Settings
from recovery.errors import InputError
from recovery.helper_processes import helper_context
from recovery.models import VendorAccount
from recovery.sources.accounts import account_among
from recovery.sources.file_kinds import detect_kind
from recovery.sources.files import FileFormat, open_sheets, sniff_format
from recovery.sources.importers import JSON, TABULAR
from recovery.sources.importers.base import ReadContext
from recovery.sources.importers.spapi_json import open_documents
from recovery.store.collector import collector_paused

# Files read ahead of the one being stored, by their size: enough to keep the reader busy
# through a long store, while the spools stay a bounded use of the temporary folder.
AHEAD_BYTES = 256 * 1024 * 1024
# Spool folders are named `recovery-read-<pid>-<random>` in the temporary directory.
SPOOL_PREFIX = "recovery-read-"
_POLL_SECONDS = 0.002
_LENGTH_BYTES = 8


@dataclass(frozen=True)
class ReadJob:
    path: Path
    size: int  # bytes, for the read-ahead budget
    forced_kind: str | None  # the kind the user named
    account_code: str | None  # the account the user named
    spool: Path

    @property
    def cancelled(self) -> Path:
        """Where the importer says it no longer wants the file (imported before, say)."""
        return self.spool.with_suffix(".cancelled")


@dataclass(frozen=True)
class Head:
    """What the reader found before the rows: what `_import` would have found itself."""

    kind: str
    file_code: str | None  # the vendor code the rows carry
    total_rows: int | None
    # How the rows were read: the marketplace (dates, decimal commas) and currency of the
    # account the reader expected.
    marketplace: str
    currency: str

    def read_as(self, account: VendorAccount) -> bool:
        return (self.marketplace, self.currency) == (account.marketplace, account.currency)


@dataclass(frozen=True)
class _Delta:
    """What reading a block added to the reader's context, for the importer's context."""

    rows: int
    skipped: int
    warnings: list[str]
    needs_look: list[str]
    preambles: dict[str, list[list[str]]]
    sheets_with_header: int

    def apply(self, ctx: ReadContext) -> None:
        ctx.tick(self.rows)
        ctx.skipped += self.skipped
        ctx.warnings.extend(self.warnings)
        ctx.needs_look.extend(self.needs_look)
        ctx.preambles.update(self.preambles)
        ctx.sheets_with_header += self.sheets_with_header


class ReadAhead:
    """A reader process and the files it was given, by their position in the run."""

    def __init__(self, settings: Settings, accounts: Sequence[VendorAccount]) -> None:
        # The owner's process id in the name: a later run removes the folder of a run that
        # was killed (`remove_stale_spools`).
        self._folder = tempfile.TemporaryDirectory(prefix=f"{SPOOL_PREFIX}{os.getpid()}-")
        # The reader tells each file's account among these, without the database (its own
        # connection would wait on this one's write lock).
        known = [
            VendorAccount(vendor_code=a.vendor_code, marketplace=a.marketplace, currency=a.currency)
            for a in accounts
        ]
        context = helper_context()
        self._jobs: SimpleQueue[ReadJob | None] = context.SimpleQueue()
        # Only this process holds the pipe's writing end: when it dies, killed or not, the
        # reader sees the pipe close and exits. The forkserver and the resource tracker live
        # as long as a process they serve does, so they go too.
        lifeline, self._lifeline = context.Pipe(duplex=False)
        self._process: BaseProcess = context.Process(
            target=_serve,
            args=(self._jobs, settings, known, lifeline),
            name="recovery-reader",
            daemon=True,
        )
        self._process.start()
        lifeline.close()
        self._waiting: dict[int, ReadJob] = {}
        self._waiting_bytes = 0  # their size: kept as they come and go, not summed each time
        self._next = 0  # the first position not looked at
        self.waited = 0.0  # seconds the importer has waited for rows, over the run

    def give(
        self,
        files: Sequence[Path],
        position: int,
        forced_kind: str | None,
        account_code: str | None,
    ) -> None:
        """Give the reader the files from `position` on, as far as the budget goes."""
        while self._next < len(files) and (
            self._next <= position or self._waiting_bytes < AHEAD_BYTES
        ):
            later, path = self._next, files[self._next]
            self._next += 1
            try:
                size = path.stat().st_size
            except OSError:  # (its import says why)
                continue
            spool = Path(self._folder.name) / f"{later}.spool"
            job = ReadJob(path, size, forced_kind, account_code, spool)
            self._waiting[later] = job
            self._waiting_bytes += size
            self._jobs.put(job)

    def take(self, position: int) -> AheadFile | None:
        """The file at `position`, if the reader was given it."""
        job = self._waiting.pop(position, None)
        if job is None:
            return None
        self._waiting_bytes -= job.size
        return AheadFile(self, job)

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def __enter__(self) -> ReadAhead:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        # Whatever the reader is doing is no longer wanted: the run is over or has stopped.
        self._process.terminate()
        self._process.join()
        self._lifeline.close()
        self._jobs.close()
        self._folder.cleanup()

    def messages(self, job: ReadJob) -> Generator[tuple[Any, ...], None, None]:
        while not job.spool.exists():
            self._wait(job)
        with FileIO(job.spool, "r") as spool:
            while True:
                size = int.from_bytes(self._read(spool, _LENGTH_BYTES, job), "little")
                yield pickle.loads(self._read(spool, size, job))

    def _read(self, spool: FileIO, size: int, job: ReadJob) -> bytes:
        parts = []
        while size:
            data = spool.read(size)
            if data:
                parts.append(data)
                size -= len(data)
            else:
                self._wait(job)
        return b"".join(parts)

    def _wait(self, job: ReadJob) -> None:
        if not self._process.is_alive():
            raise RuntimeError(
                f"{job.path.name}: the reader process stopped (exit code {self._process.exitcode})"
            )
        began = time.perf_counter()
        time.sleep(_POLL_SECONDS)
        self.waited += time.perf_counter() - began


class AheadFile:
    """One file as the reader reads it: its head, then its blocks. Close it when done."""

    def __init__(self, reader: ReadAhead, job: ReadJob) -> None:
        self._job = job
        self._messages = reader.messages(job)

    def head(self) -> Head:
        """Waits for the reader to get to the file; raises what it raised reading the head."""
        message = self._next()
        assert message[0] == "head"
        head: Head = message[1]
        return head

    def blocks(self, ctx: ReadContext) -> Iterator[Any]:
        """The rows, `ctx` kept as reading them here would have left it."""
        while True:
            message = self._next()
            message[-1].apply(ctx)
            if message[0] == "end":
                return
            yield message[1]

    def close(self) -> None:
        """Done with the file: the reader stops reading it, if it still is (a duplicate is
        skipped at once, and the reader must not spend the run parsing it)."""
        self._messages.close()
        self._job.cancelled.touch()
        self._job.spool.unlink(missing_ok=True)

    def __enter__(self) -> AheadFile:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _next(self) -> tuple[Any, ...]:
        message = next(self._messages)
        if message[0] == "error":
            raise message[1]
        if message[0] == "crash":
            raise RuntimeError(f"{self._job.path.name}: the reader process failed:\n{message[1]}")
        return message


def worth_reading_ahead(settings: Settings, paths: Sequence[Path]) -> bool:
    """Two cores or more, and at least `imports.read_ahead_min_bytes` of files: starting the
    reader costs about a second."""
    if not settings.imports.read_ahead or (os.cpu_count() or 1) < 2:
        return False
    return sum(map(_size, paths)) >= settings.imports.read_ahead_min_bytes


def _size(path: Path) -> int:
    """The file's size; 0 for what is no readable file (its import says why)."""
    try:
        return path.stat().st_size if path.is_file() else 0
    except OSError:
        return 0


def _serve(
    jobs: SimpleQueue[ReadJob | None],
    settings: Settings,
    accounts: list[VendorAccount],
    lifeline: Connection,
) -> None:
    threading.Thread(target=_exit_with_importer, args=(lifeline,), daemon=True).start()
    while (job := jobs.get()) is not None:
        with collector_paused():  # (as in the importer: rows by the million, no cycles)
            _spool(job, settings, accounts)


def _exit_with_importer(lifeline: Connection) -> None:
    """Wait for the importer's end of the pipe to close, then end this process at once: its
    spool and its work are of no use to anyone."""
    with contextlib.suppress(EOFError, OSError):
        lifeline.recv_bytes()
    os._exit(0)


def remove_stale_spools(folder: Path | None = None) -> list[Path]:
    """Remove the spool folders of runs that were killed (their process is gone); returns
    them. Folders of runs still going are left alone."""
    removed = []
    for path in Path(folder or tempfile.gettempdir()).glob(f"{SPOOL_PREFIX}*"):
        owner = path.name.removeprefix(SPOOL_PREFIX).split("-", 1)[0]
        if not path.is_dir() or not owner.isdigit() or _alive(int(owner)):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _spool(job: ReadJob, settings: Settings, accounts: list[VendorAccount]) -> None:
    if job.cancelled.exists():
        return
    sent = _Sent()
    with job.spool.open("wb") as out:

        def send(*message: Any) -> None:
            data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
            out.write(len(data).to_bytes(_LENGTH_BYTES, "little") + data)
            out.flush()

        try:
            with _opened(job, settings, accounts) as (head, ctx, blocks):
                send("head", head)
                for block in blocks:
                    if job.cancelled.exists():
                        return
                    send("block", block, sent.delta(ctx))
                send("end", sent.delta(ctx))
        except InputError as exc:
            send("error", exc)
        except Exception:  # a bug: its traceback goes to the importer, which stops there
            send("crash", traceback.format_exc())


@contextlib.contextmanager
def _opened(
    job: ReadJob, settings: Settings, accounts: list[VendorAccount]
) -> Iterator[tuple[Head, ReadContext, Iterator[Any]]]:
    """The file's head and its blocks as the importer would read them (`importing._import`)."""
    if job.forced_kind in JSON or sniff_format(job.path) == FileFormat.json:
        with open_documents(job.path, job.forced_kind) as documents:
            code = documents.vendor_code()
            account = account_among(accounts, settings, job.account_code or code)
            head = Head(documents.kind, code, None, account.marketplace, account.currency)
            ctx = ReadContext(settings, account, job.path.name)
            yield head, ctx, JSON[documents.kind].read(ctx, documents)
        return
    with open_sheets(job.path, settings.imports) as sheets:
        kind, file_code = detect_kind(job.path, sheets, settings, job.forced_kind)
        account = account_among(accounts, settings, job.account_code or file_code)
        total = sum(s.total_rows or 0 for s in sheets) or None
        head = Head(kind, file_code, total, account.marketplace, account.currency)
        ctx = ReadContext(settings, account, job.path.name)
        yield head, ctx, TABULAR[kind].read(ctx, sheets)


class _Sent:
    """How much of the reader's context the importer has been sent."""

    def __init__(self) -> None:
        self.rows = self.skipped = self.warnings = self.needs_look = self.sheets_with_header = 0
        self.preambles: set[str] = set()

    def delta(self, ctx: ReadContext) -> _Delta:
        delta = _Delta(
            ctx.rows_read - self.rows,
            ctx.skipped - self.skipped,
            ctx.warnings[self.warnings :],
            ctx.needs_look[self.needs_look :],
            {k: v for k, v in ctx.preambles.items() if k not in self.preambles},
            ctx.sheets_with_header - self.sheets_with_header,
        )
        self.rows, self.skipped = ctx.rows_read, ctx.skipped
        self.warnings, self.sheets_with_header = len(ctx.warnings), ctx.sheets_with_header
        self.needs_look = len(ctx.needs_look)
        self.preambles.update(ctx.preambles)
        return delta
