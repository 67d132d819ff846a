"""Import files into the database: the entry point for `recovery import`, the sync and the demo.

Each file is one transaction: it is stored completely or not at all. A file whose content was
imported before (same SHA-256) is skipped before any work is done; a newer export overlapping
an older one updates the rows both contain, by their natural keys.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import DataError, IntegrityError
from sqlmodel import Session

from recovery.collector import collector_paused
from recovery.config import Settings
from recovery.errors import InputError
from recovery.models import ImportBatch, table_of
from recovery.sources.accounts import resolve_account
from recovery.sources.files import FileFormat, Sheet, open_sheets, sha256_of, sniff_format
from recovery.sources.importers import JSON, TABULAR, ImportContext, Importer
from recovery.sources.importers.base import HEADER_SEARCH_ROWS, ProgressCallback
from recovery.sources.importers.spapi_json import open_documents
from recovery.sources.layouts import KINDS, normalize_header
from recovery.upsert import UpsertCounts

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
    """Import files one after another; the first bad file stops the run (earlier ones stay)."""
    results = []
    for path in expand_paths(paths):
        result = import_file(
            engine,
            settings,
            path,
            kind=kind,
            account=account,
            progress=progress(path) if progress else None,
        )
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given; a folder stands for the CSV, XLSX and JSON files in it."""
    expanded: list[Path] = []
    for path in paths:
        if path.is_dir():
            expanded.extend(
                sorted(
                    p
                    for p in path.iterdir()
                    if p.is_file() and p.suffix.lower() in {".csv", ".xlsx", ".json", ".txt"}
                )
            )
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
) -> ImportResult:
    """Import one file in one transaction. Bad input raises `InputError` and stores nothing."""
    path = Path(path)
    if kind is not None and kind not in KINDS:
        raise InputError(f"unknown kind {kind!r}; one of: {', '.join(KINDS)}", file=path.name)
    if not path.is_file():
        raise InputError("no such file", file=str(path))
    digest = sha256_of(path)
    try:
        with collector_paused(), engine.begin() as conn, _big_cache(conn):
            previous = conn.execute(
                select(BATCH.c.kind, BATCH.c.imported_at).where(BATCH.c.file_sha256 == digest)
            ).first()
            if previous is not None:
                return ImportResult(path, previous.kind, duplicate_of=previous.imported_at)
            return _import(conn, settings, path, digest, kind, account, progress)
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


@contextmanager
def _big_cache(conn: Any) -> Iterator[None]:
    """SQLite's default 2 MB page cache makes index updates of big imports disk-bound; give
    this connection 64 MB while it imports, then the default back (it returns to the pool)."""
    if conn.dialect.name != "sqlite":
        yield
        return
    previous = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql("PRAGMA cache_size=-65536")
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
) -> ImportResult:
    session = Session(bind=conn)
    fmt = sniff_format(path)
    if fmt == FileFormat.json or (kind in JSON):
        with open_documents(path, kind) as documents:
            account, created = resolve_account(
                session, settings, account_code or documents.vendor_code()
            )
            importer: Importer = JSON[documents.kind]
            result = ImportResult(path, documents.kind, detected=kind is None)
            ctx = ImportContext(conn, settings, account, path.name, progress)
            counts = importer.store(ctx, documents)
        return _finish(conn, ctx, result, counts, digest, account.vendor_code, created)
    with open_sheets(path) as sheets, _peeked(sheets) as peeked:
        found_kind, file_code = _detect(path, peeked, settings, kind)
        account, created = resolve_account(session, settings, account_code or file_code)
        tabular = TABULAR[found_kind]
        total = sum(s.total_rows or 0 for s in sheets) or None
        ctx = ImportContext(conn, settings, account, path.name, progress, total)
        result = ImportResult(path, found_kind, detected=kind is None)
        counts = tabular.store(ctx, tabular.read(ctx, sheets))
        if ctx.sheets_with_header == 0:
            raise InputError(f"no {found_kind} header found", file=path.name)
        if progress is not None:
            progress(ctx.rows_read, ctx.rows_read)
        return _finish(conn, ctx, result, counts, digest, account.vendor_code, created)


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


@contextmanager
def _peeked(sheets: list[Sheet]) -> Iterator[list[list[tuple[int, list[str]]]]]:
    """The first rows of every sheet, for detection; the sheets still yield them afterwards."""
    heads = []
    for sheet in sheets:
        heads.append(sheet.peek(HEADER_SEARCH_ROWS))
    yield heads


def _detect(
    path: Path,
    heads: Sequence[list[tuple[int, list[str]]]],
    settings: Settings,
    forced: str | None,
) -> tuple[str, str | None]:
    """(kind, vendor code the rows carry) from the first header any sheet has."""
    candidates = [TABULAR[forced]] if forced else list(TABULAR.values())
    for head in heads:
        for index, (_, cells) in enumerate(head):
            if sum(1 for c in cells if c.strip()) < 2:
                continue
            for importer in candidates:
                if importer.can_read(cells, settings):
                    return importer.kind, _vendor_code(cells, head[index + 1 :])
    if forced:
        raise InputError(
            f"no {forced} header found in the first {HEADER_SEARCH_ROWS} rows", file=path.name
        )
    raise InputError(
        f"cannot tell what kind of file this is: no known header in the first "
        f"{HEADER_SEARCH_ROWS} rows (pass --kind, or map your column names in config)",
        file=path.name,
    )


_VENDOR_HEADERS = {"vendorcode", "payeecode"}


def _vendor_code(header: list[str], rows: list[tuple[int, list[str]]]) -> str | None:
    """The vendor code most rows under the header carry, if the file has such a column."""
    positions = [i for i, cell in enumerate(header) if normalize_header(cell) in _VENDOR_HEADERS]
    if not positions:
        return None
    counts: dict[str, int] = {}
    for _, cells in rows:
        if positions[0] < len(cells):
            code = cells[positions[0]].strip()
            if code and len(code) <= 32 and normalize_header(code):
                counts[code] = counts.get(code, 0) + 1
    return max(counts, key=lambda c: counts[c]) if counts else None
