"""Link evidence documents to shipments (ASNs) and purchase orders, and report disagreements.

A document is matched to shipments by BOL number, then PRO number, and only when neither is on
record by its PO numbers with a ship date near the shipment's. Every link says how it was made
(`matched_by`). Where the document and Amazon's data disagree (cartons, pallets, units, ship-to,
dates, the other reference number) an `EvidenceConflict` names both values: a person decides
which is right, nothing is picked silently.

Linking is recomputed from scratch per document, so `link_all` can run again whenever shipments
or POs arrive after the documents (a later sync).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from recovery import changes
from recovery.models import (
    EvidenceConflict,
    EvidenceDocument,
    EvidenceLink,
    PurchaseOrder,
    Shipment,
    ShipmentItem,
)

# A BOL's date and the ASN's shipped date differ by time zones and late pickups.
SHIP_DATE_TOLERANCE_DAYS = 3
DATE_CONFLICT_DAYS = 1


@dataclass
class LinkResult:
    document_id: int
    links: list[EvidenceLink] = field(default_factory=list)
    conflicts: list[EvidenceConflict] = field(default_factory=list)

    @property
    def linked(self) -> bool:
        return bool(self.links)


@dataclass
class LinkSummary:
    documents: int = 0
    linked: int = 0
    links: int = 0
    conflicts: int = 0
    unlinked_ids: list[int] = field(default_factory=list)

    def add(self, result: LinkResult) -> None:
        self.documents += 1
        self.links += len(result.links)
        self.conflicts += len(result.conflicts)
        if result.linked:
            self.linked += 1
        else:
            self.unlinked_ids.append(result.document_id)


def link_all(session: Session, document_ids: Iterable[int] | None = None) -> LinkSummary:
    """(Re)link every document, or the given ones; the caller commits."""
    query = select(EvidenceDocument).order_by(col(EvidenceDocument.id))
    if document_ids is not None:
        query = query.where(col(EvidenceDocument.id).in_(list(document_ids)))
    summary = LinkSummary()
    for document in session.exec(query).all():
        summary.add(link_document(session, document))
    return summary


def link_document(session: Session, document: EvidenceDocument) -> LinkResult:
    assert document.id is not None, "link documents after they are saved"
    # The old links go with a bulk delete the ORM does not see: what the document proved
    # before changes as much as what it proves now (the new links are queued at flush).
    changes.note_document_links(session.connection(), [document.id])
    # "fetch": the ORM drops only the deleted rows from the session; its default evaluates the
    # criteria against every object the session holds, which made linking all documents
    # quadratic.
    for model in (EvidenceLink, EvidenceConflict):
        session.execute(
            delete(model)
            .where(col(model.document_id) == document.id)
            .execution_options(synchronize_session="fetch")
        )
    result = LinkResult(document.id)
    matched = _by_reference(session, document)
    if not matched:
        matched = _by_po_and_date(session, document, result)
    pos_on_shipments = _link_shipments(session, document, matched, result)
    _link_purchase_orders(session, document, pos_on_shipments, result)
    if matched:
        _compare(session, document, [s for s, _ in matched], result)
    session.add_all(result.links)
    session.add_all(result.conflicts)
    session.flush()
    return result


def _normalized(value: str | None) -> str:
    return "".join((value or "").split()).upper()


def _by_reference(session: Session, document: EvidenceDocument) -> list[tuple[Shipment, str]]:
    found: dict[int, tuple[Shipment, list[str]]] = {}
    for attribute, value in (
        ("bol_number", document.bol_number),
        ("pro_number", document.pro_number),
    ):
        if not value:
            continue
        column = col(getattr(Shipment, attribute))
        # Exact values, not upper(column): the comparison must be able to use the index.
        candidates = {value.strip(), _normalized(value), value.strip().lower()}
        query = select(Shipment).where(column.in_(sorted(candidates)))
        for shipment in session.exec(query).all():
            assert shipment.id is not None
            found.setdefault(shipment.id, (shipment, []))[1].append(attribute)
    return [(shipment, "+".join(how)) for shipment, how in found.values()]


def _by_po_and_date(
    session: Session, document: EvidenceDocument, result: LinkResult
) -> list[tuple[Shipment, str]]:
    """Shipments carrying the document's POs, shipped near its date; one per PO or none."""
    if not document.po_numbers or document.ship_date is None:
        return []
    matched: dict[int, tuple[Shipment, str]] = {}
    for po_number in document.po_numbers:
        query = (
            select(Shipment)
            .join(ShipmentItem, col(ShipmentItem.shipment_id) == col(Shipment.id))
            .where(col(ShipmentItem.po_number) == po_number)
            .distinct()
        )
        near = [
            s
            for s in session.exec(query).all()
            if s.shipped_at is not None
            and abs((_day(s.shipped_at) - document.ship_date).days) <= SHIP_DATE_TOLERANCE_DAYS
        ]
        if len(near) == 1:
            assert near[0].id is not None
            matched[near[0].id] = (near[0], "po_number+date")
        elif len(near) > 1:
            names = ", ".join(s.shipment_id for s in near)
            result.conflicts.append(
                EvidenceConflict(
                    document_id=result.document_id,
                    field=f"shipment:{po_number}"[:32],
                    document_value=po_number,
                    record_value=names[:200],
                    message=(
                        f"{document.original_name}: PO {po_number} shipped on "
                        f"{document.ship_date} matches {len(near)} shipments ({names}); "
                        "link it by BOL or PRO number"
                    )[:500],
                )
            )
    return list(matched.values())


def _day(moment: datetime) -> date:
    return moment.date()


def _shipment_pos(session: Session, shipment: Shipment) -> list[str]:
    query = (
        select(ShipmentItem.po_number)
        .where(col(ShipmentItem.shipment_id) == shipment.id)
        .distinct()
        .order_by(col(ShipmentItem.po_number))
    )
    return list(session.exec(query).all())


def _link_shipments(
    session: Session,
    document: EvidenceDocument,
    matched: Sequence[tuple[Shipment, str]],
    result: LinkResult,
) -> set[str]:
    """One link per (shipment, PO); returns the POs that were found on a matched shipment."""
    wanted = set(document.po_numbers)
    covered: set[str] = set()
    for shipment, how in matched:
        on_shipment = _shipment_pos(session, shipment)
        pos = [po for po in on_shipment if po in wanted] if wanted else on_shipment
        covered.update(pos)
        for po_number in pos or [""]:
            result.links.append(
                EvidenceLink(
                    document_id=result.document_id,
                    shipment_id=shipment.id,
                    account_id=shipment.account_id,
                    po_number=po_number,
                    matched_by=how,
                )
            )
        if wanted and on_shipment and not pos:
            result.conflicts.append(
                _conflict(
                    document,
                    shipment,
                    "po_numbers",
                    ", ".join(document.po_numbers),
                    ", ".join(on_shipment),
                    f"lists PO {', '.join(document.po_numbers)} but shipment "
                    f"{shipment.shipment_id} carries PO {', '.join(on_shipment)}",
                )
            )
    missing = [po for po in document.po_numbers if po not in covered]
    if matched and missing:
        names = ", ".join(s.shipment_id for s, _ in matched)
        result.conflicts.append(
            EvidenceConflict(
                document_id=result.document_id,
                shipment_id=None,
                field="po_numbers:missing",
                document_value=", ".join(missing)[:200],
                record_value=names[:200],
                message=(
                    f"{document.original_name}: lists PO {', '.join(missing)} which is on no "
                    f"matched shipment ({names})"
                )[:500],
            )
        )
    return covered


def _link_purchase_orders(
    session: Session, document: EvidenceDocument, covered: set[str], result: LinkResult
) -> None:
    """POs the document names that no matched shipment carries are still linked as POs."""
    for po_number in document.po_numbers:
        if po_number in covered:
            continue
        query = select(PurchaseOrder).where(col(PurchaseOrder.po_number) == po_number)
        for order in session.exec(query).all():
            result.links.append(
                EvidenceLink(
                    document_id=result.document_id,
                    shipment_id=None,
                    account_id=order.account_id,
                    po_number=po_number,
                    matched_by="po_number",
                )
            )


def _compare(
    session: Session,
    document: EvidenceDocument,
    shipments: Sequence[Shipment],
    result: LinkResult,
) -> None:
    single = shipments[0] if len(shipments) == 1 else None
    label = ", ".join(s.shipment_id for s in shipments)
    for name, theirs in (
        ("cartons", _total([s.carton_count for s in shipments])),
        ("pallets", _total([s.pallet_count for s in shipments])),
        ("units", _shipped_units(session, document, shipments)),
    ):
        ours = getattr(document, name)
        if ours is not None and theirs is not None and ours != theirs:
            result.conflicts.append(
                _conflict(
                    document,
                    single,
                    name,
                    str(ours),
                    str(theirs),
                    f"shows {ours} {name}, the ASN ({label}) says {theirs}",
                )
            )
    for shipment in shipments:
        _compare_one(document, shipment, result)


def _compare_one(document: EvidenceDocument, shipment: Shipment, result: LinkResult) -> None:
    def add(name: str, ours: str, theirs: str, what: str) -> None:
        result.conflicts.append(
            _conflict(
                document,
                shipment,
                name,
                ours,
                theirs,
                f"{what} is {ours}, shipment {shipment.shipment_id} says {theirs}",
            )
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
            add(name, ours_ref, theirs_ref, name.replace("_", " ").upper().replace(" NUMBER", ""))


def _total(values: Sequence[int | None]) -> int | None:
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


def _shipped_units(
    session: Session, document: EvidenceDocument, shipments: Sequence[Shipment]
) -> int | None:
    ids = [s.id for s in shipments]
    query = select(func.sum(ShipmentItem.shipped_eaches)).where(
        col(ShipmentItem.shipment_id).in_(ids)
    )
    if document.po_numbers:
        query = query.where(col(ShipmentItem.po_number).in_(document.po_numbers))
    total = session.exec(query).one()
    return int(total) if total is not None else None


def _conflict(
    document: EvidenceDocument,
    shipment: Shipment | None,
    name: str,
    ours: str,
    theirs: str,
    sentence: str,
) -> EvidenceConflict:
    assert document.id is not None
    return EvidenceConflict(
        document_id=document.id,
        shipment_id=shipment.id if shipment is not None else None,
        field=name[:32],
        document_value=ours[:200],
        record_value=theirs[:200],
        message=f"{document.original_name}: {sentence}"[:500],
    )
