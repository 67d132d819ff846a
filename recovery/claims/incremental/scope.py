"""What a detection run must look at again: the queued changes, closed over what they affect.

A finding depends on rows reached from its PO, its invoice and its reference (the deduction's,
the chargeback's or the co-op invoice's). So the queued keys are widened along the same links
the rules follow, as each kind declares them (`ClaimKind.scope`, see
`recovery.claims.kinds.scope_keys`) — an invoice to its PO and back to every invoice of that
PO, a shipment or an evidence link to the POs it carries, a cost list's ASIN to the price lines
of that ASIN, a co-op invoice to the co-op invoices billing the same period or receipt
(duplicates are judged across them), an agreement to its co-op invoices — and every finding
naming one of the resulting POs, invoices or references is computed again. Every other finding
is the last run's, unchanged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Column, Connection, Select, and_, delete, or_, select
from sqlmodel import SQLModel

from recovery.claims.findings import Finding
from recovery.claims.kinds import KINDS
from recovery.claims.kinds.scope_keys import (
    JudgedTogether,
    KeyAlias,
    Names,
    PoInvoices,
    Reach,
    RefAlias,
    SameRows,
    ScopeLink,
)
from recovery.models import ChangedKey, table_of

QUEUE = table_of(ChangedKey)
# Past this many keys a scoped run reads much of the data anyway, through long key lists, and
# a query naming the keys in several places nears SQLite's 32,766 parameters: reading
# everything once is simpler and as fast. (A day of a large vendor is a few hundred keys.)
MAX_SCOPED_KEYS = 5_000
_CHUNK = 500


@dataclass(frozen=True)
class Queue:
    # The ids of the rows read, as (first, last) runs: exactly these are deleted after the run.
    # Not "every id up to the highest": on PostgreSQL a lower id can commit after a higher one.
    id_runs: list[tuple[int, int]]
    keys: dict[str, set[str]]  # kind -> keys

    @property
    def size(self) -> int:
        return sum(len(v) for v in self.keys.values())


@dataclass(frozen=True)
class Scope:
    pos: frozenset[str]
    invoices: frozenset[str]
    refs: frozenset[str]

    @property
    def size(self) -> int:
        return len(self.pos) + len(self.invoices) + len(self.refs)

    def covers(self, finding: Finding) -> bool:
        if (
            finding.reference in self.refs
            or finding.po_number in self.pos
            or finding.invoice_number in self.invoices
        ):
            return True
        return any(
            line.po_number in self.pos or line.invoice_number in self.invoices
            for line in finding.lines
        )


def read_queue(conn: Connection, account_id: int, *, keys: bool = True) -> Queue:
    """The account's queued changes. `keys=False` reads only which rows they are, for a run
    that is full anyway and only clears them: a first import queues hundreds of thousands."""
    if not keys:
        query = select(QUEUE.c.id).where(QUEUE.c.account_id == account_id).order_by(QUEUE.c.id)
        result = conn.execute(query)
        # The driver's rows: at that many, SQLAlchemy's row objects took twice the read.
        rows = result.cursor.fetchall() if result.cursor is not None else []
        result.close()
        return Queue(_runs(row_id for (row_id,) in rows), {})
    query = (
        select(QUEUE.c.id, QUEUE.c.kind, QUEUE.c.key)
        .where(QUEUE.c.account_id == account_id)
        .order_by(QUEUE.c.id)
    )
    found: dict[str, set[str]] = defaultdict(set)
    ids = []
    for row_id, kind, key in conn.execute(query):
        found[kind].add(key)
        ids.append(row_id)
    return Queue(_runs(ids), dict(found))


def _runs(ids: Iterable[int]) -> list[tuple[int, int]]:
    """Ascending ids as (first, last) runs of consecutive ones."""
    runs: list[tuple[int, int]] = []
    for row_id in ids:
        if runs and runs[-1][1] == row_id - 1:
            runs[-1] = (runs[-1][0], row_id)
        else:
            runs.append((row_id, row_id))
    return runs


def clear_queue(conn: Connection, account_id: int, queue: Queue) -> None:
    """Delete exactly the rows `queue` read: changes committed since then stay queued."""
    for first, last in queue.id_runs:
        conn.execute(
            delete(QUEUE).where(QUEUE.c.account_id == account_id, QUEUE.c.id.between(first, last))
        )


def close_scope(conn: Connection, account_id: int, queue: Queue) -> Scope:
    """The POs, invoices and references whose findings the queued changes can affect, along the
    links the kinds declare (`recovery.claims.kinds.scope_keys`), stage by stage."""
    lookup = _Lookup(conn, account_id)
    links = scope_links()
    keys = {kind: set(values) for kind, values in queue.keys.items()}
    pos = keys.setdefault("po", set())
    invoices = keys.setdefault("invoice", set())
    refs = keys.setdefault("ref", set())

    for key_alias in _of(links, KeyAlias):
        t = _table(key_alias.table)
        found = lookup.values(t[key_alias.value], t[key_alias.by], keys.get(key_alias.keys, ()))
        keys.setdefault(key_alias.into, set()).update(found)

    # References, ASINs and shipments lead to invoices and POs.
    for reach in _of(links, Reach):
        t = _table(reach.table)
        by, wanted = t[reach.by], keys.get(reach.keys, set())
        if reach.invoice and reach.po:
            for invoice, po in lookup.pairs(t[reach.invoice], t[reach.po], by, wanted):
                invoices.add(invoice or "")
                pos.add(po or "")
        elif reach.po:
            pos.update(lookup.values(t[reach.po], by, wanted, owned=reach.owned))
        elif reach.invoice:
            invoices.update(lookup.values(t[reach.invoice], by, wanted, owned=reach.owned))

    # An invoice and its PO are judged together, and so are all invoices of one PO.
    pairings = _of(links, PoInvoices)
    own = [_pair(link) for link in pairings if link.own]
    for invoice_of, po_of in own:
        pos.update(lookup.values(po_of, invoice_of, invoices))
    of_pos: set[str] = set()
    for invoice_of, po_of in map(_pair, pairings):
        of_pos.update(lookup.values(invoice_of, po_of, pos))
    # A line or deduction can name an invoice whose own PO is another one.
    for invoice_of, po_of in own:
        pos.update(lookup.values(po_of, invoice_of, of_pos - invoices))
    invoices |= of_pos

    # Everything that names those: deductions, chargebacks; co-op invoices with lines on a PO
    # whose receipts changed, or under an agreement that changed.
    named: set[str] = set()
    for names in _of(links, Names):
        t = _table(names.table)
        named.update(lookup.values(t[names.ref], t[names.by], keys.get(names.keys, ())))
    refs |= named

    for together in _of(links, JudgedTogether):
        t = _table(together.table)
        joined_all = lookup.values(t[together.key], t[together.key], refs)
        joined = set(joined_all)
        while joined:
            joined = _tied(conn, account_id, joined, together.ties) - joined_all
            joined_all |= joined
        refs |= joined_all

    for ref_alias in _of(links, RefAlias):
        refs.update({ref_alias.alias(ref) for ref in refs if ref})
    return Scope(_real(pos), _real(invoices), _real(refs))


def scope_links() -> list[ScopeLink]:
    """Every kind's links, each once, in the order the kinds declare them."""
    return list(dict.fromkeys(link for kind in KINDS.values() for link in kind.scope))


_L = TypeVar("_L")


def _of(links: list[ScopeLink], kind: type[_L]) -> list[_L]:
    return [link for link in links if isinstance(link, kind)]


def _table(name: str) -> Any:
    return SQLModel.metadata.tables[name].c


def _pair(link: PoInvoices) -> tuple[Column[Any], Column[Any]]:
    t = _table(link.table)
    return t[link.invoice], t[link.po]


def _real(values: set[str]) -> frozenset[str]:
    return frozenset(v for v in values if v)


def _tied(
    conn: Connection, account_id: int, numbers: set[str], ties: tuple[SameRows, ...]
) -> set[str]:
    """The keys tied to one of `numbers` by one of `ties`."""
    found: set[str] = set()
    wanted = sorted(numbers)
    for start in range(0, len(wanted), _CHUNK):
        part = wanted[start : start + _CHUNK]
        for tie in ties:
            for query in _tie_queries(conn, account_id, tie, part):
                found.update(str(n) for n in conn.execute(query.distinct()).scalars())
    return found


def _tie_queries(
    conn: Connection, account_id: int, tie: SameRows, part: list[str]
) -> list[Select[Any]]:
    table = SQLModel.metadata.tables[tie.table]
    a, b = table.alias("a"), table.alias("b")
    of_part = (a.c.account_id == account_id) & a.c[tie.key].in_(part)
    same = [b.c[column].is_not_distinct_from(a.c[column]) for column in tie.columns]
    if not tie.indexed:
        joined = select(b.c[tie.key]).join_from(a, b, and_(b.c.account_id == a.c.account_id, *same))
        return [joined.where(of_part)]
    # The account is matched as `account_id + 0`: as a plain column SQLite walked all of the
    # account's lines through the unique index instead of looking each line up by the indexed
    # columns.
    same.append((b.c.account_id + 0) == account_id)
    plain = [b.c[column] == a.c[column] for column in tie.indexed]
    queries = [select(b.c[tie.key]).join_from(a, b, and_(*plain, *same)).where(of_part)]
    # Rows missing an indexed value (rare): no index helps, so only when there are some.
    missing = or_(*(a.c[column].is_(None) for column in tie.indexed))
    has_loose = select(a.c.id).where(missing).limit(1)
    if conn.execute(has_loose.where(of_part)).first() is not None:
        loose = [b.c[column].is_not_distinct_from(a.c[column]) for column in tie.indexed]
        joined = select(b.c[tie.key]).join_from(a, b, and_(missing, *loose, *same))
        queries.append(joined.where(of_part))
    return queries


class _Lookup:
    """`select column(s) where by in keys` over one account's rows, a chunk of keys at a time."""

    def __init__(self, conn: Connection, account_id: int) -> None:
        self.conn = conn
        self.account_id = account_id

    def values(
        self, column: Column[Any], by: Column[Any], keys: Iterable[str], *, owned: bool = True
    ) -> set[str]:
        return {str(row[0]) for row in self._rows((column,), by, keys, owned) if row[0] is not None}

    def pairs(
        self, first: Column[Any], second: Column[Any], by: Column[Any], keys: Iterable[str]
    ) -> list[tuple[str | None, str | None]]:
        rows = self._rows((first, second), by, keys, owned=True)
        return [(_text(row[0]), _text(row[1])) for row in rows]

    def _rows(
        self, columns: tuple[Column[Any], ...], by: Column[Any], keys: Iterable[str], owned: bool
    ) -> list[tuple[Any, ...]]:
        wanted: list[Any] = sorted({k for k in keys if k})
        if by.type.python_type is int:  # shipment ids are queued as text
            wanted = [int(k) for k in wanted if k.isdigit()]
        rows: list[tuple[Any, ...]] = []
        for start in range(0, len(wanted), _CHUNK):
            query = select(*columns).where(by.in_(wanted[start : start + _CHUNK])).distinct()
            if owned:
                query = query.where(by.table.c.account_id == self.account_id)
            rows.extend(tuple(row) for row in self.conn.execute(query))
        return rows


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
