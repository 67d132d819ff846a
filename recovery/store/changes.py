"""The change queue: every write that can change a finding notes the keys it touched.

Writes call these inside their own transaction, so a key is queued exactly when its data is
committed; `detect` reads the queue to rerun the rules only where something changed
(`recovery.claims.incremental.scope`). The kinds of key:

- `po`: a PO number; `receipts`: a PO whose items (what Amazon received) changed, which co-op
  backup lines are checked against; `invoice`: an invoice number;
- `ref`: a deduction's reference, a chargeback id or a co-op invoice number (what a finding names
  as its `reference`);
- `asin`: an item whose cost list changed; `agreement`: a co-op agreement id;
- `asn`: a shipment's ASN id; `shipment`: a shipment's row id (evidence links name those).

Noting a key that did not really change costs a little detection time, never a wrong result;
missing one would leave a stale finding, so writers note generously.

An account detection has never run on gets one `all` row per write instead of its keys: its
first run judges everything anyway, and a first import touches hundreds of thousands of keys
(queued, read back and deleted, ~1 s of a large vendor's first day). Should a first run commit
while such a write is under way, the `all` row it leaves makes the next run a full one
(`recovery.claims.incremental.plan`). Evidence links still queue their own keys, a few per
document (`note_document_links` selects them in the database).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from sqlalchemy import (
    Connection,
    String,
    Table,
    cast,
    event,
    insert,
    inspect,
    literal,
    select,
    union_all,
)
from sqlalchemy.orm import Session as OrmSession

from recovery.models import (
    ChangedKey,
    DetectionState,
    EvidenceLink,
    PurchaseOrder,
    Shipment,
    table_of,
)
from recovery.store.sqlite_rows import execute_rows

KINDS = ("po", "receipts", "invoice", "ref", "asin", "agreement", "asn", "shipment")
EVERYTHING = "all"  # the kind of the one row queued for an account never detected
CHANGED = table_of(ChangedKey)
DETECTED = table_of(DetectionState)
_CHUNK = 500

# For rows written through `recovery.store.upsert`: which columns of a table's row are keys
# detection depends on. Child tables (invoice lines, PO items, shipment items) are absent:
# their parent row is written in the same call and carries the keys.
_ROW_KEYS: dict[str, tuple[tuple[str, str], ...]] = {
    "invoice": (("invoice", "invoice_number"), ("po", "po_number")),
    "deduction": (("ref", "reference"), ("invoice", "invoice_number"), ("po", "po_number")),
    "remittance_line": (("invoice", "invoice_number"),),
    "shortage_line": (("invoice", "invoice_number"), ("po", "po_number"), ("ref", "external_id")),
    "price_variance_line": (("invoice", "invoice_number"), ("po", "po_number")),
    "purchase_order": (("po", "po_number"), ("receipts", "po_number")),
    "shipment": (("asn", "shipment_id"),),
    "chargeback": (("ref", "chargeback_id"), ("po", "po_number")),
    "coop_invoice": (("ref", "invoice_number"),),
    "coop_backup_line": (("ref", "coop_invoice_number"),),
    "coop_agreement": (("agreement", "agreement_id"),),
    "cost_record": (("asin", "asin"),),
}


def note(conn: Connection, account_id: int, kind: str, keys: Iterable[Any]) -> None:
    """Queue `keys` of one kind for an account (empty and repeated keys are dropped)."""
    assert kind in KINDS, kind
    _queue(conn, {(account_id, kind, str(k)) for k in keys if k is not None and k != ""})


def watched_columns(table: Table) -> frozenset[str]:
    """The columns `note_rows` reads from a table's rows; none for tables detection does not
    watch."""
    keys = _ROW_KEYS.get(table.name)
    if keys is None:
        return frozenset()
    source = ("source",) if table.name == "cost_record" else ()
    return frozenset(("account_id", *(column for _, column in keys), *source))


def note_rows(conn: Connection, table: Table, rows: Iterable[Mapping[str, Any]]) -> None:
    """Queue the keys of rows an upsert wrote, for the tables detection reads."""
    columns = _ROW_KEYS.get(table.name)
    if columns is None:
        return
    found: set[tuple[int, str, str]] = set()
    for row in watched_rows(table, rows):
        account_id = row["account_id"]
        for kind, column in columns:
            value = row.get(column)
            if value is not None and value != "":
                found.add((account_id, kind, str(value)))
    _queue(conn, found)


# The parents of those child tables: noted whenever they are written, changed or not, as
# what changed may be one of their items. (The invoices importer compares an invoice's lines
# itself: exports are downloaded again every day.)
_PARENTS = frozenset({"purchase_order", "shipment"})


def noted_unchanged(table: Table) -> bool:
    """Whether a row of `table` written again as it was is noted all the same."""
    return table.name in _PARENTS


def watched_rows(table: Table, rows: Iterable[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    """The rows whose keys `note_rows` queues: none of a table detection does not watch."""
    if table.name not in _ROW_KEYS:
        return
    for row in rows:
        if table.name == "cost_record" and row.get("source") != "price_list":
            continue  # PO cost observations are history; only cost lists are compared against
        yield row


_SQLITE_QUEUE = f"INSERT INTO {CHANGED.name} (account_id, kind, key) VALUES (?, ?, ?)"


def _queue(conn: Connection, found: set[tuple[int, str, str]]) -> None:
    """Insert (account id, kind, key) rows; for an account never detected, one `all` row."""
    if not found:
        return
    never = _never_detected(conn, {account for account, _, _ in found})
    if never:
        found = {row for row in found if row[0] not in never}
        found.update((account, EVERYTHING, "*") for account in never)
    rows = sorted(found)
    if conn.dialect.name == "sqlite":
        # Straight through the driver: an import queues a key per invoice, PO and reference,
        # and SQLAlchemy's per-row parameter handling cost ten times SQLite's insert.
        execute_rows(conn, _SQLITE_QUEUE, rows)
    else:
        conn.execute(insert(CHANGED), [{"account_id": a, "kind": k, "key": v} for a, k, v in rows])


def _never_detected(conn: Connection, accounts: set[int]) -> set[int]:
    # Read in the writing transaction: a first run committed after it is answered by the `all`
    # row, which the next run finds.
    query = select(DETECTED.c.account_id).where(DETECTED.c.account_id.in_(sorted(accounts)))
    return accounts - set(conn.execute(query).scalars())


def note_document_links(conn: Connection, document_ids: Iterable[int]) -> None:
    """Queue the shipments and POs documents are linked to right now.

    Called before a document's links are replaced and again after: detection must look at
    what the document proved before as well as what it proves now.
    """
    ids = sorted(set(document_ids))
    link, sh, po = table_of(EvidenceLink).c, table_of(Shipment).c, table_of(PurchaseOrder).c
    for start in range(0, len(ids), _CHUNK):
        part = ids[start : start + _CHUNK]
        by_shipment = (
            select(sh.account_id, literal("shipment", String), cast(sh.id, String))
            .join_from(table_of(EvidenceLink), table_of(Shipment), sh.id == link.shipment_id)
            .where(link.document_id.in_(part))
        )
        by_po = (
            select(po.account_id, literal("po", String), po.po_number)
            .join_from(
                table_of(EvidenceLink), table_of(PurchaseOrder), po.po_number == link.po_number
            )
            .where(link.document_id.in_(part))
        )
        columns = ["account_id", "kind", "key"]
        conn.execute(insert(CHANGED).from_select(columns, union_all(by_shipment, by_po)))


# Rows written through the ORM (people's edits, tests, evidence) are queued at flush, with
# their keys before and after the change. Child rows carry no account: it comes from the parent.
_CHILDREN: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    # table: (foreign key column, parent table, parent's key column, kinds)
    "invoice_line": ("invoice_id", "invoice", "invoice_number", ("invoice",)),
    "purchase_order_item": ("po_id", "purchase_order", "po_number", ("po", "receipts")),
    "shipment_item": ("shipment_id", "shipment", "id", ("shipment",)),
    "evidence_link": ("shipment_id", "shipment", "id", ("shipment",)),
}


def watch_orm_writes() -> None:
    """Queue the keys of rows every ORM session flushes (idempotent; `make_engine` calls it)."""
    if not event.contains(OrmSession, "after_flush", _note_flushed):
        event.listen(OrmSession, "after_flush", _note_flushed)


def _note_flushed(session: OrmSession, _context: object) -> None:
    rows: dict[Table, list[dict[str, Any]]] = defaultdict(list)
    documents: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(type(obj), "__table__", None)
        if not isinstance(table, Table):
            continue
        if table.name == "evidence_document":
            documents.add(obj.id)
        elif table.name in _ROW_KEYS or table.name in _CHILDREN:
            rows[table].extend(_versions(obj, table))
    if not rows and not documents:
        return
    conn = session.connection()
    for table, versions in rows.items():
        if table.name in _ROW_KEYS:
            note_rows(conn, table, versions)
        else:
            _note_children(conn, table, versions)
    if documents:
        note_document_links(conn, documents)


def _versions(obj: Any, table: Table) -> list[dict[str, Any]]:
    """The row's values now, and once more with the values a change replaced."""
    now = {column.key: getattr(obj, column.key, None) for column in table.columns}
    before = dict(now)
    changed = False
    for attr in inspect(obj).attrs:
        old = attr.history.deleted
        if old and attr.key in before:
            before[attr.key] = old[0]
            changed = True
    return [now, before] if changed else [now]


def _note_children(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    foreign_key, parent_name, parent_key, kinds = _CHILDREN[table.name]
    parent = table.metadata.tables[parent_name]
    ids = sorted({row[foreign_key] for row in rows if row.get(foreign_key) is not None})
    found: set[tuple[int, str, str]] = set()
    for start in range(0, len(ids), _CHUNK):
        query = select(parent.c.account_id, parent.c[parent_key]).where(
            parent.c.id.in_(ids[start : start + _CHUNK])
        )
        for account, key in conn.execute(query):
            found.update((account, kind, str(key)) for kind in kinds)
    # Shipment items and evidence links name POs of their own.
    po_numbers = sorted({str(row["po_number"]) for row in rows if row.get("po_number")})
    po = table_of(PurchaseOrder).c
    for start in range(0, len(po_numbers), _CHUNK):
        query = select(po.account_id, po.po_number).where(
            po.po_number.in_(po_numbers[start : start + _CHUNK])
        )
        found.update((account, "po", str(number)) for account, number in conn.execute(query))
    _queue(conn, found)
