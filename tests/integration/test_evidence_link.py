"""Adding documents links them to the right shipments and POs; disagreements become conflicts.

Runs on SQLite and PostgreSQL (the `engine`/`settings` fixtures).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from recovery.config import EvidenceSettings, Settings
from recovery.evidence.ingest import add_evidence
from recovery.evidence.link import link_all
from recovery.models import (
    EvidenceConflict,
    EvidenceDocument,
    EvidenceLink,
    PurchaseOrder,
    Shipment,
    ShipmentItem,
    VendorAccount,
)
from recovery.testing.documents import DocumentTruth, render_document


@dataclass(frozen=True)
class Asn:
    shipment_id: str
    bol: str | None
    pro: str | None
    items: tuple[tuple[str, int], ...]  # (PO, shipped eaches)
    shipped: date
    cartons: int
    pallets: int = 2
    ship_to: str = "ABE2"


ASNS = (
    Asn("ASN-1", "BOL00000001", "PRO00000001", (("AAAA1111", 480),), date(2026, 3, 2), 40),
    Asn("ASN-2", None, "PRO00000002", (("BBBB2222", 120), ("CCCC3333", 240)), date(2026, 3, 3), 30),
    Asn("ASN-3", None, None, (("DDDD4444", 96),), date(2026, 3, 5), 8),
)


def _truth(asn: Asn, **changes: object) -> DocumentTruth:
    base = DocumentTruth(
        kind="bol",
        layout="vics_bol",
        carrier="Estes Express",
        bol_number=asn.bol or "BOL99990000",
        pro_number=asn.pro,
        ship_date=asn.shipped,
        delivery_date=None,
        po_numbers=[po for po, _ in asn.items],
        ship_to=asn.ship_to,
        shipper="Acme Home Goods Inc.",
        cartons=asn.cartons,
        pallets=asn.pallets,
        units=sum(units for _, units in asn.items),
        weight_lb=asn.cartons * 20,
        signed=True,
        receiver=None,
        exception_kind=None,
        exception_units=None,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def _seed(session: Session, asns: tuple[Asn, ...], extra_pos: tuple[str, ...] = ()) -> int:
    account = session.exec(select(VendorAccount)).first()
    if account is None:
        account = VendorAccount(vendor_code="ACME1")
        session.add(account)
        session.flush()
    assert account.id is not None
    known = set(session.exec(select(PurchaseOrder.po_number)).all())
    for po in [po for asn in asns for po, _ in asn.items] + list(extra_pos):
        if po not in known:
            session.add(PurchaseOrder(account_id=account.id, po_number=po))
            known.add(po)
    for asn in asns:
        shipment = Shipment(
            account_id=account.id,
            shipment_id=asn.shipment_id,
            bol_number=asn.bol,
            pro_number=asn.pro,
            ship_to=asn.ship_to,
            shipped_at=datetime(
                asn.shipped.year, asn.shipped.month, asn.shipped.day, 15, tzinfo=UTC
            ),
            carton_count=asn.cartons,
            pallet_count=asn.pallets,
        )
        session.add(shipment)
        session.flush()
        assert shipment.id is not None
        for line_no, (po, units) in enumerate(asn.items, start=1):
            session.add(
                ShipmentItem(
                    shipment_id=shipment.id,
                    line_no=line_no,
                    po_number=po,
                    shipped_quantity=units,
                    shipped_eaches=units,
                )
            )
    session.commit()
    return account.id


def _settings(settings: Settings, workers: int) -> Settings:
    return settings.model_copy(update={"evidence": EvidenceSettings(workers=workers)})


def _links(engine: Engine, name: str) -> set[tuple[str | None, str, str]]:
    """(shipment id, PO, matched_by) of one document's links."""
    with Session(engine) as session:
        rows = session.exec(
            select(Shipment.shipment_id, EvidenceLink.po_number, EvidenceLink.matched_by)
            .select_from(EvidenceLink)
            .join(EvidenceDocument, col(EvidenceDocument.id) == col(EvidenceLink.document_id))
            .outerjoin(Shipment, col(Shipment.id) == col(EvidenceLink.shipment_id))
            .where(EvidenceDocument.original_name == name)
        ).all()
    return {(shipment, po, how) for shipment, po, how in rows}


def _conflicts(engine: Engine, name: str) -> dict[str, EvidenceConflict]:
    with Session(engine) as session:
        rows = session.exec(
            select(EvidenceConflict)
            .join(EvidenceDocument, col(EvidenceDocument.id) == col(EvidenceConflict.document_id))
            .where(EvidenceDocument.original_name == name)
        ).all()
    return {row.field: row for row in rows}


def _write(folder: Path, documents: dict[str, DocumentTruth]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, truth in documents.items():
        (folder / name).write_bytes(render_document(truth))


def test_documents_link_by_bol_pro_and_po_with_date(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    with Session(engine) as session:
        _seed(session, ASNS, extra_pos=("EEEE5555",))
    asn1, asn2, asn3 = ASNS
    _write(
        tmp_path / "docs",
        {
            "bol-asn1.pdf": _truth(asn1),
            "pod-asn2.pdf": _truth(
                asn2,
                kind="pod",
                layout="parcel_pod",
                delivery_date=date(2026, 3, 6),
                receiver="J. Smith",
            ),
            "bol-asn3.pdf": _truth(asn3, layout="ltl_bol", ship_date=date(2026, 3, 6)),
            "bol-po-only.pdf": _truth(asn3, bol_number="BOL55550000", po_numbers=["EEEE5555"]),
            "stranger.pdf": _truth(
                asn1, bol_number="BOL12121212", pro_number=None, po_numbers=["ZZZZ9999"]
            ),
        },
    )
    result = add_evidence(engine, _settings(settings, workers=2), [tmp_path / "docs"])
    assert len(result.added) == 5 and not result.skipped

    assert _links(engine, "bol-asn1.pdf") == {("ASN-1", "AAAA1111", "bol_number+pro_number")}
    assert _links(engine, "pod-asn2.pdf") == {
        ("ASN-2", "BBBB2222", "pro_number"),
        ("ASN-2", "CCCC3333", "pro_number"),
    }
    assert _links(engine, "bol-asn3.pdf") == {("ASN-3", "DDDD4444", "po_number+date")}
    assert _links(engine, "bol-po-only.pdf") == {(None, "EEEE5555", "po_number")}
    assert _links(engine, "stranger.pdf") == set()
    assert result.links.linked == 4 and len(result.links.unlinked_ids) == 1
    for name in ("bol-asn1.pdf", "pod-asn2.pdf", "bol-asn3.pdf"):
        assert _conflicts(engine, name) == {}, name


def test_disagreements_with_the_asn_are_conflicts_naming_both_values(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    with Session(engine) as session:
        _seed(session, ASNS)
    asn1, asn2, _ = ASNS
    _write(
        tmp_path,
        {
            # The POD counts 2 cartons fewer than the ASN and more units than were shipped.
            "pod-short.pdf": _truth(
                asn2,
                kind="pod",
                layout="delivery_receipt",
                delivery_date=date(2026, 3, 6),
                receiver="Maria Lopez",
                cartons=28,
                units=400,
                exception_kind="short",
                exception_units=2,
            ),
            # Found by its BOL number, but it names another PRO and another FC.
            "bol-odd.pdf": _truth(asn1, pro_number="PRO44444444", ship_to="PHX6"),
        },
    )
    add_evidence(engine, _settings(settings, workers=1), [tmp_path])

    conflicts = _conflicts(engine, "pod-short.pdf")
    assert set(conflicts) == {"cartons", "units"}
    assert (conflicts["cartons"].document_value, conflicts["cartons"].record_value) == ("28", "30")
    assert "28 cartons" in conflicts["cartons"].message and "30" in conflicts["cartons"].message
    assert (conflicts["units"].document_value, conflicts["units"].record_value) == ("400", "360")
    odd = _conflicts(engine, "bol-odd.pdf")
    assert set(odd) == {"pro_number", "ship_to"}
    assert odd["ship_to"].document_value == "PHX6" and odd["ship_to"].record_value == "ABE2"
    # Still linked: a conflict is for a person to judge, not a reason to drop the evidence.
    assert _links(engine, "bol-odd.pdf") == {("ASN-1", "AAAA1111", "bol_number")}


def test_shipments_arriving_later_are_linked_by_link_all_and_relinking_is_idempotent(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    asn1, _, asn3 = ASNS
    _write(tmp_path, {"early.pdf": _truth(asn1), "early-po.pdf": _truth(asn3)})
    result = add_evidence(engine, _settings(settings, workers=1), [tmp_path])
    assert result.links.linked == 0 and len(result.links.unlinked_ids) == 2

    with Session(engine) as session:
        _seed(session, (asn1, asn3))
    for _ in range(2):
        with Session(engine) as session:
            summary = link_all(session)
            session.commit()
        assert (summary.documents, summary.linked, summary.links) == (2, 2, 2)
    assert _links(engine, "early.pdf") == {("ASN-1", "AAAA1111", "bol_number+pro_number")}
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(EvidenceLink)).one() == 2


def test_a_po_shipped_twice_on_the_same_days_is_reported_not_guessed(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    twins = (
        Asn("ASN-7", None, None, (("FFFF6666", 10),), date(2026, 4, 1), 5),
        Asn("ASN-8", None, None, (("FFFF6666", 12),), date(2026, 4, 2), 6),
    )
    with Session(engine) as session:
        _seed(session, twins)
    _write(tmp_path, {"twin.pdf": _truth(twins[0], bol_number="BOL70000000")})
    add_evidence(engine, _settings(settings, workers=1), [tmp_path])
    conflicts = _conflicts(engine, "twin.pdf")
    assert set(conflicts) == {"shipment:FFFF6666"}
    assert "ASN-7" in conflicts["shipment:FFFF6666"].message
    assert "ASN-8" in conflicts["shipment:FFFF6666"].message
    # Only the PO link: which ASN it proves is for a person to say.
    assert _links(engine, "twin.pdf") == {(None, "FFFF6666", "po_number")}


@pytest.mark.parametrize("workers", [1, 2])
def test_every_layout_links_to_its_shipment(
    engine: Engine, settings: Settings, tmp_path: Path, workers: int
) -> None:
    asns = tuple(
        Asn(
            f"ASN-L{i}",
            f"BOL8000000{i}",
            f"PRO8000000{i}",
            ((f"LLLL000{i}", 60),),
            date(2026, 5, i + 1),
            6,
        )
        for i in range(4)
    )
    with Session(engine) as session:
        _seed(session, asns)
    layouts = ("vics_bol", "ltl_bol", "parcel_pod", "delivery_receipt")
    documents = {}
    for asn, layout in zip(asns, layouts, strict=True):
        kind = "pod" if layout in ("parcel_pod", "delivery_receipt") else "bol"
        documents[f"{layout}.pdf"] = _truth(
            asn,
            layout=layout,
            kind=kind,
            delivery_date=date(2026, 5, 20) if kind == "pod" else None,
            receiver="K. Chen" if kind == "pod" else None,
        )
    _write(tmp_path, documents)
    result = add_evidence(engine, _settings(settings, workers=workers), [tmp_path])
    assert result.links.linked == 4
    for asn, layout in zip(asns, layouts, strict=True):
        assert _links(engine, f"{layout}.pdf") == {
            (asn.shipment_id, asn.items[0][0], "bol_number+pro_number")
        }


def _carrier_shipment(
    session: Session, account_id: int, shipment_id: str, carrier: str | None, pro: str, po: str
) -> None:
    shipment = Shipment(
        account_id=account_id,
        shipment_id=shipment_id,
        carrier=carrier,
        pro_number=pro,
        shipped_at=datetime(2026, 6, 1, 15, tzinfo=UTC),
    )
    session.add(shipment)
    session.flush()
    assert shipment.id is not None
    session.add(PurchaseOrder(account_id=account_id, po_number=po))
    session.add(
        ShipmentItem(
            shipment_id=shipment.id, line_no=1, po_number=po, shipped_quantity=5, shipped_eaches=5
        )
    )


def _document(name: str, **fields: object) -> EvidenceDocument:
    return EvidenceDocument(
        sha256=name.ljust(64, "0"),
        original_name=name,
        stored_path=name,
        kind="bol",
        ship_date=date(2026, 6, 1),
        **fields,  # type: ignore[arg-type]
    )


def test_a_pro_number_links_only_to_a_shipment_of_the_same_carrier(engine: Engine) -> None:
    # PRO numbers are unique per carrier only: two carriers' shipments share this one.
    with Session(engine) as session:
        account = VendorAccount(vendor_code="ACME1")
        session.add(account)
        session.flush()
        assert account.id is not None
        _carrier_shipment(session, account.id, "ASN-E", "Estes Express Lines", "70012345", "PO1")
        _carrier_shipment(session, account.id, "ASN-O", "ODFL", "70012345", "PO2")
        _carrier_shipment(session, account.id, "ASN-U", None, "70012345", "PO3")
        session.add_all(
            [
                _document("estes.pdf", carrier="ESTES EXPRESS", pro_number="70012345"),
                _document("odfl.pdf", carrier="Old Dominion Freight Line", pro_number="70012345"),
                _document("saia.pdf", carrier="Saia LTL Freight", pro_number="70012345"),
                _document("unnamed.pdf", carrier=None, pro_number="70012345"),
            ]
        )
        session.commit()
        summary = link_all(session)
        session.commit()
    assert (summary.documents, summary.linked) == (4, 4)
    assert _links(engine, "estes.pdf") == {
        ("ASN-E", "PO1", "pro_number"),
        ("ASN-U", "PO3", "pro_number"),
    }
    assert _links(engine, "odfl.pdf") == {
        ("ASN-O", "PO2", "pro_number"),
        ("ASN-U", "PO3", "pro_number"),
    }
    assert _links(engine, "saia.pdf") == {("ASN-U", "PO3", "pro_number")}
    assert {s for s, _, _ in _links(engine, "unnamed.pdf")} == {"ASN-E", "ASN-O", "ASN-U"}


def test_a_document_matched_to_one_accounts_shipment_links_only_that_accounts_pos(
    engine: Engine,
) -> None:
    with Session(engine) as session:
        first, second = VendorAccount(vendor_code="ACME1"), VendorAccount(vendor_code="ACME2")
        session.add_all([first, second])
        session.flush()
        first_id, second_id = first.id, second.id
        assert first_id is not None and second_id is not None
        _carrier_shipment(session, first_id, "ASN-A", None, "PRO1", "PO-ON-ASN")
        # The same PO number in both accounts, on no shipment.
        session.add_all(
            [
                PurchaseOrder(account_id=first_id, po_number="PO-EXTRA"),
                PurchaseOrder(account_id=second_id, po_number="PO-EXTRA"),
            ]
        )
        session.add_all(
            [
                _document("matched.pdf", pro_number="PRO1", po_numbers=["PO-ON-ASN", "PO-EXTRA"]),
                _document("po-only.pdf", bol_number="BOL-NONE", po_numbers=["PO-EXTRA"]),
            ]
        )
        session.commit()
        link_all(session)
        session.commit()
        accounts = dict(
            session.exec(
                select(EvidenceDocument.original_name, EvidenceLink.account_id)
                .join(EvidenceLink, col(EvidenceLink.document_id) == col(EvidenceDocument.id))
                .where(EvidenceLink.po_number == "PO-EXTRA")
                .where(EvidenceDocument.original_name == "matched.pdf")
            ).all()
        )
        po_only = session.exec(
            select(EvidenceLink.account_id)
            .join(EvidenceDocument, col(EvidenceLink.document_id) == col(EvidenceDocument.id))
            .where(EvidenceDocument.original_name == "po-only.pdf")
        ).all()
    assert accounts == {"matched.pdf": first_id}
    # Nothing ties the PO-only document to one account: both accounts' POs are linked.
    assert sorted(po_only) == sorted([first_id, second_id])
