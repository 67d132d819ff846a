"""Import files into the database: the entry point for `recovery import`, the sync and the demo.

Each file is one transaction: it is stored completely or not at all. A file whose content was
imported before (same SHA-256) is skipped before any work is done; a newer export overlapping
an older one updates the rows both contain, by their natural keys.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import DataError, IntegrityError
from sqlmodel import Session

from recovery.config import Settings
from recovery.errors import InputError
from recovery.models import ImportBatch, VendorAccount, table_of
from recovery.sources.accounts import known_accounts, resolve_account
from recovery.sources.file_kinds import detect_kind
from recovery.sources.files import FileFormat, open_sheets, sha256_of, sniff_format
from recovery.sources.importers import JSON, TABULAR, ImportContext, Importer
from recovery.sources.importers.base import ProgressCallback, ReadContext
from recovery.sources.importers.spapi_json import open_documents
from recovery.sources.layouts import KINDS
from recovery.sources.read_ahead import (
    AheadFile,
    ReadAhead,
    remove_stale_spools,
    worth_reading_ahead,
)
from recovery.store.collector import collector_paused
from recovery.store.upsert import UpsertCounts

BATCH = table_of(ImportBatch)


@dataclass
class ImportResult:
    """What happened to one file, for the summary table and for callers."""

    path: Path
    kind: str
    detected: bool = False  # the kind was worked out from the content (no --kind)
    account: str | None = None
    account_created: bool = False
    duplicate_of: datetime | None = None  # same content imported at this time: nothing done
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    skipped: int = 0
    warnings: list[str] = field(default_factory=list)
    needs_look: list[str] = field(default_factory=list)
    batch_id: int | None = None
    # Seconds this process spent waiting for the reader process's rows: the part of the
    # file's time the reader, not the store, decided (`recovery.sources.read_ahead`).
    waited_for_reader: float = 0.0

    @property
    def duplicate(self) -> bool:
        return self.duplicate_of is not None


def import_files(
    engine: Engine,
    settings: Settings,
    paths: Iterable[Path],
    *,
    kind: str | None = None,
    account: str | None = None,
    progress: Callable[[Path], ProgressCallback | None] | None = None,
    on_result: Callable[[ImportResult], None] | None = None,
) -> list[ImportResult]:
    """Import files one after another; the first bad file stops the run (earlier ones stay).

    On a big run the next files are parsed in a second process meanwhile
    (`recovery.sources.read_ahead`).
    """
    results = []
    files = expand_paths(paths)
    remove_stale_spools()
    with ExitStack() as stack:
        reader = None
        if worth_reading_ahead(settings, files):
            with Session(engine) as session:
                accounts = known_accounts(session)
            reader = stack.enter_context(ReadAhead(settings, accounts))
        for position, path in enumerate(files):
            waited = 0.0
            if reader is not None:
                reader.give(files, position, kind, account)
                waited = reader.waited
            result = import_file(
                engine,
                settings,
                path,
                kind=kind,
                account=account,
                progress=progress(path) if progress else None,
                ahead=None if reader is None else reader.take(position),
            )
            if reader is not None:
                result.waited_for_reader = reader.waited - waited
            results.append(result)
            if on_result is not None:
                on_result(result)
    return results


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given; a folder stands for the CSV, XLSX and JSON files in it."""
    expanded: list[Path] = []
    for path in paths:
        if path.is_dir():
            try:
                expanded.extend(
                    sorted(
                        p
                        for p in path.iterdir()
                        if p.is_file() and p.suffix.lower() in {".csv", ".xlsx", ".json", ".txt"}
                    )
                )
            except OSError as exc:
                raise InputError(
                    f"cannot read the folder: {exc.strerror or exc}", file=str(path)
                ) from exc
        else:
            expanded.append(path)
    return expanded


def import_file(
    engine: Engine,
    settings: Settings,
    path: Path,
    *,
    kind: str | None = None,
    account: str | None = None,
    progress: ProgressCallback | None = None,
    ahead: AheadFile | None = None,
) -> ImportResult:
    """Import one file in one transaction. Bad input raises `InputError` and stores nothing.

    `ahead`: the file as a reader process reads it (`recovery.sources.read_ahead`).
    """
    path = Path(path)
    if kind is not None and kind not in KINDS:
        raise InputError(f"unknown kind {kind!r}; one of: {', '.join(KINDS)}", file=path.name)
    if not path.is_file():
        raise InputError("no such file", file=str(path))
    try:
        digest = sha256_of(path)
    except OSError as exc:  # no permission, a disk error, a file gone meanwhile
        raise InputError(f"cannot read the file: {exc.strerror or exc}", file=path.name) from exc
    try:
        with ahead or nullcontext(), collector_paused(), engine.begin() as conn, _big_cache(conn):
            previous = conn.execute(
                select(BATCH.c.kind, BATCH.c.imported_at).where(BATCH.c.file_sha256 == digest)
            ).first()
            if previous is not None:
                return ImportResult(path, previous.kind, duplicate_of=previous.imported_at)
            return _import(conn, settings, path, digest, kind, account, progress, ahead)
    except InputError as exc:
        if exc.file is None:
            raise InputError(exc.detail, file=path.name, row=exc.row, column=exc.column) from exc
        raise
    except DataError as exc:
        reason = str(exc.orig).splitlines()[0] if exc.orig else str(exc)
        raise InputError(f"a value does not fit the database: {reason}", file=path.name) from exc
    except IntegrityError:
        # Another process imported the same file at the same moment: that import stands.
        with engine.connect() as conn:
            previous = conn.execute(
                select(BATCH.c.kind, BATCH.c.imported_at).where(BATCH.c.file_sha256 == digest)
            ).first()
        if previous is None:
            raise
        return ImportResult(path, previous.kind, duplicate_of=previous.imported_at)


IMPORT_CACHE_KIB = 65536  # SQLite's page cache while a connection imports


@contextmanager
def _big_cache(conn: Any) -> Iterator[None]:
    """SQLite's default 2 MB page cache makes index updates of big imports disk-bound; give
    this connection 64 MB while it imports, then the default back (it returns to the pool)."""
    if conn.dialect.name != "sqlite":
        yield
        return
    previous = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size=-{IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={int(previous)}")


def _import(
    conn: Any,
    settings: Settings,
    path: Path,
    digest: str,
    kind: str | None,
    account_code: str | None,
    progress: ProgressCallback | None,
    ahead: AheadFile | None,
) -> ImportResult:
    session = Session(bind=conn)
    file = _File(conn, settings, path, digest, kind is None, progress)
    created = False
    if ahead is not None:
        head = ahead.head()
        account, created = resolve_account(session, settings, account_code or head.file_code)
        # (read for another marketplace or currency than the account has: read again here)
        if head.read_as(account):
            return file.store(head.kind, account, created, head.total_rows, ahead.blocks)
    if sniff_format(path) == FileFormat.json or (kind in JSON):
        with open_documents(path, kind) as documents:
            account, created_now = resolve_account(
                session, settings, account_code or documents.vendor_code()
            )
            read = partial(JSON[documents.kind].read, documents=documents)
            return file.store(documents.kind, account, created or created_now, None, read)
    with open_sheets(path, settings.imports) as sheets:
        found_kind, file_code = detect_kind(path, sheets, settings, kind)
        account, created_now = resolve_account(session, settings, account_code or file_code)
        total = sum(s.total_rows or 0 for s in sheets) or None
        return file.store(
            found_kind,
            account,
            created or created_now,
            total,
            partial(TABULAR[found_kind].read, sheets=sheets),
        )


@dataclass
class _File:
    conn: Any
    settings: Settings
    path: Path
    digest: str
    detected: bool  # the kind was worked out from the content
    progress: ProgressCallback | None

    def store(
        self,
        kind: str,
        account: VendorAccount,
        created: bool,
        total_rows: int | None,
        read: Callable[[ReadContext], Iterable[Any]],
    ) -> ImportResult:
        path, progress = self.path, self.progress
        ctx = ImportContext(self.settings, account, path.name, progress, total_rows, conn=self.conn)
        result = ImportResult(path, kind, detected=self.detected)
        tabular = kind in TABULAR
        importer: Importer = TABULAR[kind] if tabular else JSON[kind]
        counts = importer.store(ctx, read(ctx))
        if tabular and ctx.sheets_with_header == 0:
            raise InputError(f"no {kind} header found", file=path.name)
        if progress is not None:
            progress(ctx.rows_read, ctx.rows_read)
        return _finish(self.conn, ctx, result, counts, self.digest, account.vendor_code, created)


def _finish(
    conn: Any,
    ctx: ImportContext,
    result: ImportResult,
    counts: UpsertCounts,
    digest: str,
    code: str,
    created: bool,
) -> ImportResult:
    others = {c: n for c, n in ctx.vendor_codes.items() if c != code.upper()}
    if others:
        listed = ", ".join(f"{c} ({n} rows)" for c, n in sorted(others.items()))
        ctx.warn(f"rows for other vendor codes were stored under {code}: {listed}")
    result.account, result.account_created = code, created
    result.rows_read, result.skipped = ctx.rows_read, ctx.skipped
    result.inserted, result.updated = counts.inserted, counts.updated
    result.warnings, result.needs_look = ctx.warnings, ctx.needs_look
    result.batch_id = conn.execute(
        insert(BATCH)
        .values(
            file_sha256=digest,
            file_name=result.path.name[:500],
            kind=result.kind,
            account_id=ctx.account_id,
            rows_read=result.rows_read,
            inserted=result.inserted,
            updated=result.updated,
            skipped=result.skipped,
            warnings=[*ctx.warnings, *ctx.needs_look],
        )
        .returning(BATCH.c.id)
    ).scalar_one()
    return result
