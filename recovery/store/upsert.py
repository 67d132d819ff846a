"""Chunked INSERT ... ON CONFLICT DO UPDATE on a table's natural key, for SQLite and PostgreSQL.

Every importer stores rows through here so that a newer export overlapping an older one
updates rows in place instead of duplicating them, and so that a million-row file never turns
into a million ORM objects: rows are plain dicts, written with SQLAlchemy Core in chunks.
Detection writes its new claims through here too (`insert_rows` for rows without a key).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from operator import itemgetter
from typing import Any

from sqlalchemy import Boolean, Connection, Date, Dialect, Table, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from recovery.models.base import UTCDateTime
from recovery.money import MinorUnits
from recovery.store import changes
from recovery.store.sqlite_rows import execute_columns, execute_rows

CHUNK_ROWS = 2000

Key = tuple[Any, ...]
Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class UpsertCounts:
    """How many rows an upsert created and how many it found and updated."""

    inserted: int = 0
    updated: int = 0

    def __add__(self, other: UpsertCounts) -> UpsertCounts:
        return UpsertCounts(self.inserted + other.inserted, self.updated + other.updated)


@dataclass
class UpsertResult:
    counts: UpsertCounts = UpsertCounts()
    # Natural key -> primary key, filled only when asked for (children need their parent's id).
    ids: dict[Key, int] = field(default_factory=dict)


def upsert(
    conn: Connection,
    table: Table,
    rows: Iterable[Mapping[str, Any]],
    key: Sequence[str],
    *,
    update: Sequence[str] | None = None,
    want_ids: bool = False,
    count: bool = True,
    chunk_rows: int = CHUNK_ROWS,
) -> UpsertResult:
    """Insert `rows`, or update the existing row with the same `key` columns.

    `update` limits which columns an existing row takes from the new one (default: every column
    the new row carries except the key). Rows carrying different column sets are written in
    separate statements, so a sparse row never blanks columns it does not mention. Within one
    chunk the last row for a key wins (PostgreSQL refuses to update one row twice per statement).

    With `want_ids` (parents whose children need their id) the ids come back from the write
    (RETURNING), which also counts them. Without it, inserts are counted as the rows with ids above
    the highest id before, which keeps million-row files fast; `count=False` skips counting
    for rows the caller derives rather than reads.

    Detection is told of the rows inserted or changed (`recovery.store.changes`), not of the ones an
    export repeats as they were.
    """
    result = UpsertResult()
    before = last_id(conn, table)
    # Into an empty table every row is new: no need to look for what a row would change.
    write = partial(
        _write_chunk,
        conn,
        table,
        key=key,
        update=update,
        want_ids=want_ids,
        result=result,
        fresh=before == 0,
    )
    written = 0
    chunk: dict[Key, Row] = {}
    pick = itemgetter(*key)
    single = len(key) == 1
    for row in rows:
        chunk[(pick(row),) if single else pick(row)] = row  # type: ignore[assignment]
        if len(chunk) >= chunk_rows:
            written += write(chunk)
            chunk = {}
    if chunk:
        written += write(chunk)
    if not count or want_ids:
        return result
    inserted = _count_after(conn, table, before)
    result.counts = UpsertCounts(inserted, written - inserted)
    return result


def upsert_tuples(
    conn: Connection,
    table: Table,
    columns: tuple[str, ...],
    rows: Sequence[tuple[Any, ...]],
    key: Sequence[str],
    *,
    update: Sequence[str] | None = None,
) -> UpsertCounts:
    """`upsert` for rows given as tuples in `columns` order whose keys are all distinct (a
    caller that numbers its own lines): a dict per row cost more than SQLite's insert on
    million-line files. A conflict updates the `update` columns (default: every column but the
    key), if any differs (a row as it was is not written again); counted as `upsert` counts.
    No `key`: rows the caller knows are new, inserted plainly (a conflict is an error)."""
    return _upsert_tuples(conn, table, columns, rows, key, None, update)[0]


def upsert_tuples_changed(
    conn: Connection,
    table: Table,
    columns: tuple[str, ...],
    rows: Sequence[tuple[Any, ...]],
    key: Sequence[str],
    report: str,
) -> tuple[UpsertCounts, set[Any]]:
    """`upsert_tuples` that leaves the rows stored as they were alone and tells the values in
    column `report` of those it inserted or changed: an invoice export downloaded again lists
    a year of invoices, and detection wants only those whose lines changed."""
    return _upsert_tuples(conn, table, columns, rows, key, report, None)


def _upsert_tuples(
    conn: Connection,
    table: Table,
    columns: tuple[str, ...],
    rows: Sequence[tuple[Any, ...]],
    key: Sequence[str],
    report: str | None,
    update: Sequence[str] | None,
) -> tuple[UpsertCounts, set[Any]]:
    if not rows:
        return UpsertCounts(), set()
    before = last_id(conn, table)
    returning = () if report is None else (report,)
    updated = None if update is None else tuple(update)
    if conn.dialect.name == "sqlite":
        plan = _sqlite_plan(conn.dialect, table, columns, tuple(key), updated, returning, True)
        raw = _execute_tuples(conn, plan, rows, columns)
        returned = _returned(conn.dialect, table, returning, raw)
    else:
        statement = _statement(conn.dialect, table, columns, key, updated, returning, True)
        result = conn.execute(statement, [dict(zip(columns, row, strict=True)) for row in rows])
        returned = list(result) if report else []
    # Detection watches a few columns of some tables (not invoice lines): their distinct
    # values, a handful per chunk, are all it needs to be told of.
    watching = changes.watched_columns(table)
    watched = [name for name in columns if name in watching]
    if watched:
        distinct = set(_picked(rows, [columns.index(name) for name in watched]))
        changes.note_rows(conn, table, (dict(zip(watched, v, strict=True)) for v in distinct))
    inserted = _count_after(conn, table, before)
    return UpsertCounts(inserted, len(rows) - inserted), {row[0] for row in returned}


def insert_rows(conn: Connection, table: Table, rows: Sequence[Row]) -> None:
    """Plain INSERT of rows that all carry the same columns, on SQLite straight through the
    driver (SQLAlchemy's per-row parameter handling cost more than the insert)."""
    if not rows:
        return
    columns = tuple(rows[0])
    if conn.dialect.name == "sqlite":
        _execute_sqlite(conn, _sqlite_plan(conn.dialect, table, columns, (), None), list(rows))
    else:
        conn.execute(table.insert(), list(rows))


def last_id(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.max(table.c.id))).scalar_one() or 0)


def _count_after(conn: Connection, table: Table, last_id: int) -> int:
    """Rows added since `last_id` was the highest id: new rows get higher ids (SQLite's rowid
    and PostgreSQL's sequences both count up), so this reads only them, where counting the
    whole table before and after cost more than the insert on a table of millions."""
    query = select(func.count()).select_from(table).where(table.c.id > last_id)
    return int(conn.execute(query).scalar_one())


def existing_ids(
    conn: Connection, table: Table, key: Sequence[str], keys: Sequence[Key]
) -> dict[Key, int]:
    """Primary keys of the rows among `keys` that already exist."""
    return {k: int(values[0]) for k, values in _existing(conn, table, key, keys, ["id"]).items()}


def _existing(
    conn: Connection, table: Table, key: Sequence[str], keys: Sequence[Key], columns: Sequence[str]
) -> dict[Key, tuple[Any, ...]]:
    """The `columns` of the rows among `keys` that already exist.

    Keys are looked up as `a = ? AND b IN (…)` with `b` the first key column after the first
    (the account, mostly) whose values vary, the unique index leading with the key's columns:
    an invoice's number beside its account, a debit note's reference, the ASIN of a cost list's
    lines. What that reads beyond the keys (the other lines of a shortage's invoice) is left
    out here. SQLite does not use the unique index for a row-value `IN`, and an `IN` on the
    key's last column made a query per row for keys whose middle columns vary.
    """
    found: dict[Key, tuple[Any, ...]] = {}
    # NULL equals nothing in SQL: a key with one matches no row (and conflicts with none).
    wanted = {k for k in keys if None not in k}
    if not wanted:
        return found
    key_columns = [table.c[k] for k in key]
    width = len(key_columns)
    at = next((i for i in range(1, width) if len({k[i] for k in wanted}) > 1), width - 1)
    by_prefix: dict[Key, set[Any]] = {}
    for k in wanted:
        by_prefix.setdefault(k[:at], set()).add(k[at])
    for prefix, values in by_prefix.items():
        same = [column == value for column, value in zip(key_columns, prefix, strict=False)]
        ordered = sorted(values)
        for start in range(0, len(ordered), CHUNK_ROWS):
            part = ordered[start : start + CHUNK_ROWS]
            query = select(*key_columns, *(table.c[c] for c in columns)).where(
                *same, key_columns[at].in_(part)
            )
            for row in conn.execute(query):
                stored = tuple(row[:width])
                if stored in wanted:
                    found[stored] = tuple(row[width:])
    return found


def _new_or_changed(
    conn: Connection,
    table: Table,
    chunk: dict[Key, Row],
    key: Sequence[str],
    update: Sequence[str] | None,
) -> list[Row]:
    """The rows of `chunk` detection is told of that its upsert inserts or changes, read
    before it runs.

    Exports are downloaded again with a day more: the thousands of rows they repeat as they
    were must not send detection to judge their invoices and POs again."""
    watched = {id(row) for row in changes.watched_rows(table, chunk.values())}
    rows = {k: row for k, row in chunk.items() if id(row) in watched}
    carried = dict.fromkeys(c for row in rows.values() for c in row)
    compared = [c for c in carried if c not in key and (update is None or c in update)]
    stored = _existing(conn, table, key, list(rows), compared)
    written = []
    for k, row in rows.items():
        values = stored.get(k)
        if values is None or any(
            name in row and row[name] != value for name, value in zip(compared, values, strict=True)
        ):
            written.append(row)
    return written


def _write_chunk(
    conn: Connection,
    table: Table,
    chunk: dict[Key, Row],
    *,
    key: Sequence[str],
    update: Sequence[str] | None,
    want_ids: bool,
    result: UpsertResult,
    fresh: bool,
) -> int:
    keys = list(chunk)
    # Parents' ids come back from the write (the key beside them, in no particular order).
    returning = ("id", *key) if want_ids else ()
    last = last_id(conn, table) if want_ids else 0
    returned: list[Any] = []
    watched = bool(changes.watched_columns(table))
    if watched and not fresh and not changes.noted_unchanged(table):
        noted: Iterable[Row] = _new_or_changed(conn, table, chunk, key, update)
    else:
        noted = chunk.values()
    groups: dict[tuple[str, ...], list[Row]] = {}
    for row in chunk.values():
        columns = tuple(row)
        group = groups.get(columns)
        if group is None:
            groups[columns] = group = []
        group.append(row)
    for columns, group in groups.items():
        if conn.dialect.name == "sqlite":
            updated = None if update is None else tuple(update)
            plan = _sqlite_plan(conn.dialect, table, columns, tuple(key), updated, returning)
            returned.extend(
                _returned(conn.dialect, table, returning, _execute_sqlite(conn, plan, group))
            )
        else:
            statement = _statement(conn.dialect, table, columns, key, update, returning)
            outcome = conn.execute(statement, group)
            if returning:
                returned.extend(outcome)
    if watched:
        changes.note_rows(conn, table, noted)
    if want_ids:
        ids = {tuple(row[1:]): int(row[0]) for row in returned}
        # An upsert that updates nothing on a conflict returns nothing for the rows it kept.
        ids.update(existing_ids(conn, table, key, [k for k in keys if k not in ids]))
        inserted = sum(1 for k in keys if ids.get(k, 0) > last)
        result.counts = result.counts + UpsertCounts(inserted, len(keys) - inserted)
        result.ids.update(ids)
    return len(keys)


def _returned(
    dialect: Dialect, table: Table, names: tuple[str, ...], rows: list[Any]
) -> list[tuple[Any, ...]]:
    """Rows SQLite's RETURNING gave straight from the driver, as SQLAlchemy would give them
    (dates as dates, flags as booleans): keys compare with the rows the caller wrote."""
    processors = [
        table.c[name].type.dialect_impl(dialect).result_processor(dialect, None) for name in names
    ]
    if not any(processors):
        return [tuple(row) for row in rows]
    return [
        tuple(
            value if process is None else process(value)
            for process, value in zip(processors, row, strict=True)
        )
        for row in rows
    ]


@dataclass(frozen=True)
class _SqlitePlan:
    sql: str  # for one row (`execute_rows` makes it take many)
    names: list[str]  # the statement's parameters, in order
    # Declared defaults of the columns the rows leave out; callables (timestamps) are called
    # at each execution, not once per process.
    defaults: Row
    # (parameter position, the column type's bind processor, whether its values repeat)
    fixes: list[tuple[int, Callable[[Any], Any], bool]]


@lru_cache(maxsize=256)
def _sqlite_plan(
    dialect: Dialect,
    table: Table,
    columns: tuple[str, ...],
    key: tuple[str, ...],
    update: tuple[str, ...] | None,
    returning: tuple[str, ...] = (),
    only_changed: bool = False,
) -> _SqlitePlan:
    """The compiled upsert for one column set, made once per process rather than per chunk."""
    statement = _statement(dialect, table, columns, key, update, returning, only_changed)
    compiled = statement.compile(dialect=dialect, column_keys=list(columns))
    names: list[str] = list(compiled.positiontup or [])
    defaults: Row = {}
    for name in names:
        if name not in columns:
            default = table.c[name].default
            arg = getattr(default, "arg", None)
            defaults[name] = arg
    fixes: list[tuple[int, Callable[[Any], Any], bool]] = []
    for position, name in enumerate(names):
        column_type = table.c[name].type
        if not isinstance(column_type, MinorUnits):
            # The dialect's own type: a generic Date has no bind processor, which left dates to
            # sqlite3's deprecated default adapter (and timestamps without microseconds, unlike
            # every row SQLAlchemy writes).
            processor = column_type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                # Dates, times and flags repeat down a column (a backup of 10,000 lines has a
                # few dozen dates, a run's new claims one time): those are processed once per
                # distinct value. Only types whose equal values are written alike: a timestamp
                # in UTC (equal instants in other zones are equal values); JSON is unhashable.
                repeats = isinstance(column_type, Date | Boolean | UTCDateTime)
                fixes.append((position, processor, repeats))
    return _SqlitePlan(compiled.string, names, defaults, fixes)


def _execute_sqlite(conn: Connection, plan: _SqlitePlan, rows: list[Row]) -> list[Any]:
    """Rows straight to the driver: SQLAlchemy's per-row parameter handling costs more than
    SQLite's insert itself. Values still go through each column type's bind processor
    (dates become ISO text, aware times become naive UTC) except money, which is already int;
    columns the rows leave out get their declared defaults, as SQLAlchemy would give them.
    Returns the rows a RETURNING statement returned.
    """
    if not rows:
        return []
    carried = {
        name: list(map(itemgetter(name), rows)) for name in plan.names if name not in plan.defaults
    }
    return _execute_columns(conn, plan, carried, len(rows))


def _picked(rows: Iterable[Any], keys: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Each row's values at `keys` (names of dicts or positions of tuples), as tuples."""
    pick = itemgetter(*keys)
    if len(keys) == 1:  # (itemgetter of one key gives the value, not a tuple)
        return [(pick(row),) for row in rows]
    return [pick(row) for row in rows]


def _execute_tuples(
    conn: Connection, plan: _SqlitePlan, rows: Sequence[Sequence[Any]], columns: Sequence[str]
) -> list[Any]:
    """`_execute_sqlite` for rows given as tuples of `columns`."""
    if not rows:
        return []
    if not plan.fixes and not plan.defaults and plan.names == list(columns):
        return execute_rows(conn, plan.sql, rows)
    # A column at a time: zip transposes in C (the statement lists the table's order).
    carried = dict(zip(columns, zip(*rows, strict=True), strict=True))
    return _execute_columns(conn, plan, carried, len(rows))


def _execute_columns(
    conn: Connection, plan: _SqlitePlan, carried: Mapping[str, Sequence[Any]], count: int
) -> list[Any]:
    """Run the plan's statement on `count` rows given a column per name they carry; the
    statement's other columns take their declared defaults. Each column goes through the
    bind processor the plan names for it."""
    defaults = {k: v(None) if callable(v) else v for k, v in plan.defaults.items()}
    columns: list[Sequence[Any]] = [
        carried[name] if name in carried else [defaults[name]] * count for name in plan.names
    ]
    for position, processor, repeats in plan.fixes:
        column = columns[position]
        if repeats:
            processed = {v: None if v is None else processor(v) for v in set(column)}
            columns[position] = list(map(processed.__getitem__, column))
        else:
            columns[position] = [None if v is None else processor(v) for v in column]
    return execute_columns(conn, plan.sql, columns)


def _statement(
    dialect: Dialect,
    table: Table,
    columns: tuple[str, ...],
    key: Sequence[str],
    update: Sequence[str] | None,
    returning: tuple[str, ...] = (),
    only_changed: bool = False,
) -> Any:
    """The upsert, returning the `returning` columns of the rows it inserts or updates;
    `only_changed` updates only rows that differ from the new ones."""
    if dialect.name not in _INSERTS:
        raise NotImplementedError(
            f"upserts are written for SQLite and PostgreSQL, not {dialect.name}"
        )
    stmt = _INSERTS[dialect.name](table)
    if returning:
        stmt = stmt.returning(*(table.c[name] for name in returning))
    if not key:
        return stmt
    targets = [c for c in (update if update is not None else columns) if c in columns]
    targets = [c for c in targets if c not in key]
    if not targets:
        return stmt.on_conflict_do_nothing(index_elements=list(key))
    differs = None
    if only_changed:
        differs = or_(*(table.c[c].is_distinct_from(stmt.excluded[c]) for c in targets))
    return stmt.on_conflict_do_update(
        index_elements=list(key), set_={c: stmt.excluded[c] for c in targets}, where=differs
    )


_INSERTS: dict[str, Any] = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
