"""Link evidence documents to shipments (ASNs) and purchase orders, and report disagreements.

A document is matched to shipments by BOL number, then PRO number, and only when neither is on
record by its PO numbers with a ship date near the shipment's. PRO numbers are unique per
carrier only, so a PRO match counts only where the document's carrier and the shipment's agree
(or one of them is not known). Every link says how it was made (`matched_by`). Where the
document and Amazon's data disagree (cartons, pallets, units, ship-to, dates, the other
reference number) an `EvidenceConflict` names both values: a person decides which is right,
nothing is picked silently.

Linking is recomputed from scratch per document, so `link_all` can run again whenever shipments
or POs arrive after the documents (a later sync). It works a batch of documents at a time:
one read of the candidate shipments, their POs and the POs named, then the links and conflicts
of the whole batch written at once; a first day's ten thousand documents are a handful of
queries, not several per document.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select
from sqlmodel import Session

from recovery.models import (
    EvidenceConflict,
    EvidenceDocument,
    EvidenceLink,
    PurchaseOrder,
    Shipment,
    ShipmentItem,
    table_of,
)
from recovery.store import changes

# A BOL's date and the ASN's shipped date differ by time zones and late pickups.
SHIP_DATE_TOLERANCE_DAYS = 3
DATE_CONFLICT_DAYS = 1

# Documents linked per round of queries; values per IN list (SQLite and PostgreSQL take far
# more, this keeps each statement small).
BATCH_DOCUMENTS = 1000
_IN_CHUNK = 1000

_DOCUMENT = table_of(EvidenceDocument)
_LINK = table_of(EvidenceLink)
_CONFLICT = table_of(EvidenceConflict)
_SHIPMENT = table_of(Shipment)
_ITEM = table_of(ShipmentItem)
_PO = table_of(PurchaseOrder)

_DOCUMENT_COLUMNS = (
    "id",
    "original_name",
    "carrier",
    "bol_number",
    "pro_number",
    "ship_date",
    "delivery_date",
    "ship_to",
    "cartons",
    "pallets",
    "units",
    "po_numbers",
)
_SHIPMENT_COLUMNS = (
    "id",
    "account_id",
    "shipment_id",
    "carrier",
    "bol_number",
    "pro_number",
    "ship_to",
    "shipped_at",
    "delivered_at",
    "carton_count",
    "pallet_count",
)


@dataclass
class LinkSummary:
    documents: int = 0
    linked: int = 0
    links: int = 0
    conflicts: int = 0
    unlinked_ids: list[int] = field(default_factory=list)

    def add(self, document_id: int, links: int, conflicts: int) -> None:
        self.documents += 1
        self.links += links
        self.conflicts += conflicts
        if links:
            self.linked += 1
        else:
            self.unlinked_ids.append(document_id)


def link_all(session: Session, document_ids: Iterable[int] | None = None) -> LinkSummary:
    """(Re)link every document, or the given ones; the caller commits."""
    session.flush()  # documents the session holds but has not written yet are linked too
    conn = session.connection()
    if document_ids is None:
        ids = list(conn.execute(select(_DOCUMENT.c.id).order_by(_DOCUMENT.c.id)).scalars())
    else:
        ids = sorted(set(document_ids))
    summary = LinkSummary()
    for start in range(0, len(ids), BATCH_DOCUMENTS):
        _link_batch(session, conn, ids[start : start + BATCH_DOCUMENTS], summary)
    return summary


def _link_batch(session: Session, conn: Connection, ids: list[int], summary: LinkSummary) -> None:
    documents = [
        row
        for part in _chunks(ids)
        for row in conn.execute(
            select(*(_DOCUMENT.c[name] for name in _DOCUMENT_COLUMNS))
            .where(_DOCUMENT.c.id.in_(part))
            .order_by(_DOCUMENT.c.id)
        )
    ]
    # The old links go: what a document proved before changes as much as what it proves now,
    # so their keys are queued before (and the new ones after). "fetch": the ORM drops only the
    # deleted rows from the session; its default evaluates the criteria against every object
    # the session holds.
    changes.note_document_links(conn, ids)
    for model in (EvidenceLink, EvidenceConflict):
        for part in _chunks(ids):
            session.execute(
                delete(model)
                .where(table_of(model).c.document_id.in_(part))
                .execution_options(synchronize_session="fetch")
            )
    candidates = _Candidates.read(conn, documents)
    links: list[dict[str, Any]] = []
    conflicts: list[dict[str, Any]] = []
    for document in documents:
        linker = _DocumentLinker(document, candidates)
        linker.run()
        summary.add(document.id, len(linker.links), len(linker.conflicts))
        links.extend(linker.links)
        conflicts.extend(linker.conflicts)
    if links:
        conn.execute(insert(_LINK), links)
    if conflicts:
        conn.execute(insert(_CONFLICT), conflicts)
    changes.note_document_links(conn, ids)


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), _IN_CHUNK):
        yield values[start : start + _IN_CHUNK]


def _normalized(value: str | None) -> str:
    return "".join((value or "").split()).upper()


def _reference_forms(value: str) -> list[str]:
    # Exact values, not upper(column): the comparison must be able to use the index.
    return sorted({value.strip(), _normalized(value), value.strip().lower()})


def _carrier_words(name: str | None) -> list[str]:
    return "".join(c if c.isalnum() else " " for c in (name or "").upper()).split()


@lru_cache(maxsize=4096)
def same_carrier(ours: str | None, theirs: str | None) -> bool:
    """Whether two carrier names may be the same carrier: unknown on either side, the same
    first word ("Estes Express" / "ESTES EXPRESS LINES"), or one the initials of the other
    (a SCAC code such as "ODFL" for "Old Dominion Freight Line")."""
    mine, other = _carrier_words(ours), _carrier_words(theirs)
    if not mine or not other:
        return True
    if mine[0] == other[0]:
        return True
    joined_mine, joined_other = "".join(mine), "".join(other)
    initials_mine, initials_other = "".join(w[0] for w in mine), "".join(w[0] for w in other)
    return joined_mine == initials_other or joined_other == initials_mine


@dataclass
class _Candidates:
    """What a batch of documents can be linked to, each read once for the whole batch."""

    # Document id -> shipment row id -> (shipment, the references it matched by), BOL first.
    by_reference: dict[int, dict[int, tuple[Row[Any], list[str]]]]
    by_po: dict[str, list[Row[Any]]]  # shipments carrying a PO, for documents without refs
    pos_of: dict[int, dict[str, int]]  # shipment row id -> {PO: shipped eaches}
    accounts_of_po: dict[str, list[int]]  # PO number -> accounts that have it

    @classmethod
    def read(cls, conn: Connection, documents: Sequence[Row[Any]]) -> _Candidates:
        bols = {f for d in documents if d.bol_number for f in _reference_forms(d.bol_number)}
        pros = {f for d in documents if d.pro_number for f in _reference_forms(d.pro_number)}
        by_bol = _shipments_by(conn, "bol_number", bols)
        by_pro = _shipments_by(conn, "pro_number", pros)
        by_reference = {d.id: _reference_matches(d, by_bol, by_pro) for d in documents}
        # PO and date matching is only for documents no reference matches; which ones those
        # are is known only after the references are read.
        unmatched_pos = {
            po
            for d in documents
            if d.ship_date is not None and not by_reference[d.id]
            for po in d.po_numbers
        }
        by_po = _shipments_by_po(conn, unmatched_pos)
        shipment_ids = {
            s.id for found in (by_bol, by_pro, by_po) for rows in found.values() for s in rows
        }
        named = {po for d in documents for po in d.po_numbers}
        return cls(
            by_reference,
            by_po,
            _shipped_per_po(conn, shipment_ids),
            _accounts_of_pos(conn, named),
        )


def _reference_matches(
    document: Row[Any], by_bol: dict[str, list[Row[Any]]], by_pro: dict[str, list[Row[Any]]]
) -> dict[int, tuple[Row[Any], list[str]]]:
    """Shipment row id -> (shipment, the references it matched by), BOL first."""
    found: dict[int, tuple[Row[Any], list[str]]] = {}
    for attribute, value, index in (
        ("bol_number", document.bol_number, by_bol),
        ("pro_number", document.pro_number, by_pro),
    ):
        if not value:
            continue
        shipments = {s.id: s for form in _reference_forms(value) for s in index.get(form, [])}
        for shipment_id in sorted(shipments):
            shipment = shipments[shipment_id]
            if attribute == "pro_number" and not same_carrier(document.carrier, shipment.carrier):
                continue
            found.setdefault(shipment_id, (shipment, []))[1].append(attribute)
    return found


def _shipments_by(conn: Connection, column: str, values: set[str]) -> dict[str, list[Row[Any]]]:
    found: dict[str, list[Row[Any]]] = defaultdict(list)
    columns = [_SHIPMENT.c[name] for name in _SHIPMENT_COLUMNS]
    at = _SHIPMENT_COLUMNS.index(column)
    for part in _chunks(sorted(values)):
        query = select(*columns).where(_SHIPMENT.c[column].in_(part)).order_by(_SHIPMENT.c.id)
        for row in conn.execute(query):
            found[row[at]].append(row)
    return found


def _shipments_by_po(conn: Connection, po_numbers: set[str]) -> dict[str, list[Row[Any]]]:
    found: dict[str, list[Row[Any]]] = defaultdict(list)
    columns = [_SHIPMENT.c[name] for name in _SHIPMENT_COLUMNS]
    for part in _chunks(sorted(po_numbers)):
        query = (
            select(_ITEM.c.po_number, *columns)
            .join_from(_ITEM, _SHIPMENT, _SHIPMENT.c.id == _ITEM.c.shipment_id)
            .where(_ITEM.c.po_number.in_(part))
            .distinct()
            .order_by(_SHIPMENT.c.id)
        )
        for row in conn.execute(query):
            found[row.po_number].append(row)
    return found


def _shipped_per_po(conn: Connection, shipment_ids: set[int]) -> dict[int, dict[str, int]]:
    found: dict[int, dict[str, int]] = defaultdict(dict)
    for part in _chunks(sorted(shipment_ids)):
        query = (
            select(_ITEM.c.shipment_id, _ITEM.c.po_number, func.sum(_ITEM.c.shipped_eaches))
            .where(_ITEM.c.shipment_id.in_(part))
            .group_by(_ITEM.c.shipment_id, _ITEM.c.po_number)
        )
        for shipment_id, po_number, eaches in conn.execute(query):
            found[shipment_id][po_number] = int(eaches)
    return found


def _accounts_of_pos(conn: Connection, po_numbers: set[str]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = defaultdict(list)
    for part in _chunks(sorted(po_numbers)):
        query = (
            select(_PO.c.po_number, _PO.c.account_id)
            .where(_PO.c.po_number.in_(part))
            .order_by(_PO.c.id)
        )
        for po_number, account_id in conn.execute(query):
            found[po_number].append(account_id)
    return found


class _DocumentLinker:
    """One document's links and conflicts, from the batch's candidates (no queries)."""

    def __init__(self, document: Row[Any], candidates: _Candidates) -> None:
        self.document = document
        self.candidates = candidates
        self.links: list[dict[str, Any]] = []
        self.conflicts: list[dict[str, Any]] = []

    def run(self) -> None:
        found = self.candidates.by_reference[self.document.id]
        matched = [(shipment, "+".join(how)) for shipment, how in found.values()]
        if not matched:
            matched = self._by_po_and_date()
        covered = self._link_shipments(matched)
        # A document that matched shipments is that vendor account's paper: the POs it names
        # that no matched shipment carries are linked in that account only.
        accounts = {shipment.account_id for shipment, _ in matched}
        self._link_purchase_orders(covered, accounts)
        if matched:
            self._compare([s for s, _ in matched])

    def _by_po_and_date(self) -> list[tuple[Row[Any], str]]:
        """Shipments carrying the document's POs, shipped near its date; one per PO or none."""
        document = self.document
        if not document.po_numbers or document.ship_date is None:
            return []
        matched: dict[int, tuple[Row[Any], str]] = {}
        for po_number in document.po_numbers:
            near = [
                s
                for s in self.candidates.by_po.get(po_number, [])
                if s.shipped_at is not None
                and abs((_day(s.shipped_at) - document.ship_date).days) <= SHIP_DATE_TOLERANCE_DAYS
            ]
            if len(near) == 1:
                matched[near[0].id] = (near[0], "po_number+date")
            elif len(near) > 1:
                names = ", ".join(s.shipment_id for s in near)
                self.conflicts.append(
                    {
                        "document_id": document.id,
                        "shipment_id": None,
                        "field": f"shipment:{po_number}"[:32],
                        "document_value": po_number,
                        "record_value": names[:200],
                        "message": (
                            f"{document.original_name}: PO {po_number} shipped on "
                            f"{document.ship_date} matches {len(near)} shipments ({names}); "
                            "link it by BOL or PRO number"
                        )[:500],
                    }
                )
        return list(matched.values())

    def _link_shipments(self, matched: Sequence[tuple[Row[Any], str]]) -> set[str]:
        """One link per (shipment, PO); returns the POs that were found on a matched shipment."""
        document = self.document
        wanted = set(document.po_numbers)
        covered: set[str] = set()
        for shipment, how in matched:
            on_shipment = sorted(self.candidates.pos_of.get(shipment.id, {}))
            pos = [po for po in on_shipment if po in wanted] if wanted else on_shipment
            covered.update(pos)
            for po_number in pos or [""]:
                self._link(shipment.id, shipment.account_id, po_number, how)
            if wanted and on_shipment and not pos:
                self._conflict(
                    shipment,
                    "po_numbers",
                    ", ".join(document.po_numbers),
                    ", ".join(on_shipment),
                    f"lists PO {', '.join(document.po_numbers)} but shipment "
                    f"{shipment.shipment_id} carries PO {', '.join(on_shipment)}",
                )
        missing = [po for po in document.po_numbers if po not in covered]
        if matched and missing:
            names = ", ".join(s.shipment_id for s, _ in matched)
            self.conflicts.append(
                {
                    "document_id": document.id,
                    "shipment_id": None,
                    "field": "po_numbers:missing",
                    "document_value": ", ".join(missing)[:200],
                    "record_value": names[:200],
                    "message": (
                        f"{document.original_name}: lists PO {', '.join(missing)} which is on "
                        f"no matched shipment ({names})"
                    )[:500],
                }
            )
        return covered

    def _link_purchase_orders(self, covered: set[str], accounts: set[int]) -> None:
        """POs the document names that no matched shipment carries are still linked as POs."""
        for po_number in self.document.po_numbers:
            if po_number in covered:
                continue
            for account_id in self.candidates.accounts_of_po.get(po_number, []):
                if not accounts or account_id in accounts:
                    self._link(None, account_id, po_number, "po_number")

    def _link(self, shipment_id: int | None, account_id: int, po_number: str, how: str) -> None:
        self.links.append(
            {
                "document_id": self.document.id,
                "shipment_id": shipment_id,
                "account_id": account_id,
                "po_number": po_number,
                "matched_by": how,
            }
        )

    def _compare(self, shipments: Sequence[Row[Any]]) -> None:
        document = self.document
        single = shipments[0] if len(shipments) == 1 else None
        label = ", ".join(s.shipment_id for s in shipments)
        for name, theirs in (
            ("cartons", _total([s.carton_count for s in shipments])),
            ("pallets", _total([s.pallet_count for s in shipments])),
            ("units", self._shipped_units(shipments)),
        ):
            ours = getattr(document, name)
            if ours is not None and theirs is not None and ours != theirs:
                self._conflict(
                    single,
                    name,
                    str(ours),
                    str(theirs),
                    f"shows {ours} {name}, the ASN ({label}) says {theirs}",
                )
        for shipment in shipments:
            self._compare_one(shipment)

    def _compare_one(self, shipment: Row[Any]) -> None:
        document = self.document

        def add(name: str, ours: str, theirs: str, what: str) -> None:
            self._conflict(
                shipment,
                name,
                ours,
                theirs,
                f"{what} is {ours}, shipment {shipment.shipment_id} says {theirs}",
            )

        if document.ship_to and shipment.ship_to and document.ship_to != shipment.ship_to.upper():
            add("ship_to", document.ship_to, shipment.ship_to, "ship-to")
        for name, ours_date, theirs_at in (
            ("ship_date", document.ship_date, shipment.shipped_at),
            ("delivery_date", document.delivery_date, shipment.delivered_at),
        ):
            if ours_date is None or theirs_at is None:
                continue
            theirs_date = _day(theirs_at)
            if abs((ours_date - theirs_date).days) > DATE_CONFLICT_DAYS:
                add(name, ours_date.isoformat(), theirs_date.isoformat(), name.replace("_", " "))
        for name in ("bol_number", "pro_number"):
            ours_ref, theirs_ref = getattr(document, name), getattr(shipment, name)
            if ours_ref and theirs_ref and _normalized(ours_ref) != _normalized(theirs_ref):
                label = name.replace("_", " ").upper().replace(" NUMBER", "")
                add(name, ours_ref, theirs_ref, label)

    def _shipped_units(self, shipments: Sequence[Row[Any]]) -> int | None:
        """Eaches the ASN lines of `shipments` carry for the document's POs (all when it names
        none); None when there are no such lines."""
        wanted = set(self.document.po_numbers)
        counts = [
            eaches
            for s in shipments
            for po, eaches in self.candidates.pos_of.get(s.id, {}).items()
            if not wanted or po in wanted
        ]
        return sum(counts) if counts else None

    def _conflict(
        self, shipment: Row[Any] | None, name: str, ours: str, theirs: str, sentence: str
    ) -> None:
        self.conflicts.append(
            {
                "document_id": self.document.id,
                "shipment_id": shipment.id if shipment is not None else None,
                "field": name[:32],
                "document_value": ours[:200],
                "record_value": theirs[:200],
                "message": f"{self.document.original_name}: {sentence}"[:500],
            }
        )


def _day(moment: datetime) -> date:
    return moment.date()


def _total(values: Sequence[int | None]) -> int | None:
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)
