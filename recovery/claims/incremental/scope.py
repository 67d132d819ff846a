"""What a detection run must look at again: the queued changes, closed over what they affect.

A finding depends on rows reached from its PO, its invoice and its reference (the deduction's,
the chargeback's or the co-op invoice's). So the queued keys are widened along the same links
the rules follow — an invoice to its PO and back to every invoice of that PO, a shipment or an
evidence link to the POs it carries, a cost list's ASIN to the price lines of that ASIN, a co-op
invoice to the co-op invoices billing the same period or receipt (duplicates are judged across
them), an agreement to its co-op invoices — and every
finding naming one of the resulting POs, invoices or references is computed again. Every other
finding is the last run's, unchanged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Connection, delete, select

from recovery.claims.findings import Finding
from recovery.claims.kinds.common import chargeback_id_of
from recovery.models import (
    ChangedKey,
    Chargeback,
    CoopBackupLine,
    CoopInvoice,
    Deduction,
    Invoice,
    PriceVarianceLine,
    Shipment,
    ShipmentItem,
    ShortageLine,
    table_of,
)

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
    """The POs, invoices and references whose findings the queued changes can affect."""
    lookup = _Lookup(conn, account_id)
    keys = queue.keys
    pos = set(keys.get("po", ()))
    invoices = set(keys.get("invoice", ()))
    refs = set(keys.get("ref", ()))

    d, sl, pv = table_of(Deduction).c, table_of(ShortageLine).c, table_of(PriceVarianceLine).c
    cb, inv = table_of(Chargeback).c, table_of(Invoice).c
    sh, si = table_of(Shipment).c, table_of(ShipmentItem).c
    ci, cl = table_of(CoopInvoice).c, table_of(CoopBackupLine).c

    # References, ASINs and shipments lead to invoices and POs.
    for invoice, po in (
        *lookup.pairs(d.invoice_number, d.po_number, d.reference, refs),
        *lookup.pairs(sl.invoice_number, sl.po_number, sl.external_id, refs),
        *lookup.pairs(pv.invoice_number, pv.po_number, pv.asin, keys.get("asin", ())),
    ):
        invoices.add(invoice or "")
        pos.add(po or "")
    pos.update(lookup.values(cb.po_number, cb.chargeback_id, refs))
    shipment_ids = set(keys.get("shipment", ()))
    shipment_ids.update(lookup.values(sh.id, sh.shipment_id, keys.get("asn", ())))
    pos.update(lookup.values(si.po_number, si.shipment_id, shipment_ids, owned=False))

    # An invoice and its PO are judged together, and so are all invoices of one PO.
    pos.update(lookup.values(inv.po_number, inv.invoice_number, invoices))
    of_pos: set[str] = set()
    for column, by in (
        (inv.invoice_number, inv.po_number),
        (sl.invoice_number, sl.po_number),
        (pv.invoice_number, pv.po_number),
        (d.invoice_number, d.po_number),
    ):
        of_pos.update(lookup.values(column, by, pos))
    # A line or deduction can name an invoice whose own PO is another one.
    pos.update(lookup.values(inv.po_number, inv.invoice_number, of_pos - invoices))
    invoices |= of_pos

    # Everything that names those: deductions, chargebacks; co-op invoices with lines on a PO
    # whose receipts changed.
    refs.update(lookup.values(d.reference, d.invoice_number, invoices))
    refs.update(lookup.values(d.reference, d.po_number, pos))
    refs.update(lookup.values(cb.chargeback_id, cb.po_number, pos))
    refs.update(lookup.values(cl.coop_invoice_number, cl.po_number, keys.get("receipts", ())))

    # An agreement's terms apply to all its co-op invoices. A co-op invoice is judged against
    # the others that bill the same period or the same receipt (the first one billed it): those
    # are judged again with it, and theirs with them, until none joins.
    refs.update(lookup.values(ci.invoice_number, ci.agreement_id, keys.get("agreement", ())))
    coop = lookup.values(ci.invoice_number, ci.invoice_number, refs)
    joined = set(coop)
    while joined:
        joined = _billing_the_same(conn, account_id, joined) - coop
        coop |= joined
    refs |= coop

    # A chargeback's debit note names it with a suffix: both name the same finding.
    refs.update({chargeback_id_of(ref) for ref in refs if ref})
    return Scope(_real(pos), _real(invoices), _real(refs))


def _real(values: set[str]) -> frozenset[str]:
    return frozenset(v for v in values if v)


def _billing_the_same(conn: Connection, account_id: int, numbers: set[str]) -> set[str]:
    """Co-op invoices billing a period or a backup line one of `numbers` bills."""
    a, b = table_of(CoopInvoice).alias("a"), table_of(CoopInvoice).alias("b")
    same_period = select(b.c.invoice_number).join_from(
        a,
        b,
        # Any agreement's: an invoice moved to another agreement leaves the old one's judged
        # against it, and a period has only a few invoices.
        (b.c.account_id == a.c.account_id)
        & b.c.period_start.is_not_distinct_from(a.c.period_start)
        & b.c.period_end.is_not_distinct_from(a.c.period_end),
    )
    # Receipts: lines of other invoices with the same key as the rule compares them. The
    # account is matched as `account_id + 0`: as a plain column SQLite walked all of the
    # account's lines through the unique index instead of looking each line up by PO and ASIN.
    la, lb = table_of(CoopBackupLine).alias("la"), table_of(CoopBackupLine).alias("lb")
    same_receipt = (
        lb.c.receive_date.is_not_distinct_from(la.c.receive_date)
        & (lb.c.quantity == la.c.quantity)
        & lb.c.transaction_type.is_not_distinct_from(la.c.transaction_type)
        & ((lb.c.account_id + 0) == account_id)
    )
    same_line = select(lb.c.coop_invoice_number).join_from(
        la, lb, (lb.c.po_number == la.c.po_number) & (lb.c.asin == la.c.asin) & same_receipt
    )
    # Lines without a PO or ASIN (rare): no index helps, so only when there are some.
    has_loose = select(la.c.id).where(la.c.po_number.is_(None) | la.c.asin.is_(None)).limit(1)
    loose_line = select(lb.c.coop_invoice_number).join_from(
        la,
        lb,
        (la.c.po_number.is_(None) | la.c.asin.is_(None))
        & lb.c.po_number.is_not_distinct_from(la.c.po_number)
        & lb.c.asin.is_not_distinct_from(la.c.asin)
        & same_receipt,
    )
    found: set[str] = set()
    wanted = sorted(numbers)
    for start in range(0, len(wanted), _CHUNK):
        part = wanted[start : start + _CHUNK]
        of_part = (la.c.account_id == account_id) & la.c.coop_invoice_number.in_(part)
        queries = [
            same_period.where(a.c.account_id == account_id, a.c.invoice_number.in_(part)),
            same_line.where(of_part),
        ]
        if conn.execute(has_loose.where(of_part)).first() is not None:
            queries.append(loose_line.where(of_part))
        for query in queries:
            found.update(str(n) for n in conn.execute(query.distinct()).scalars())
    return found


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
