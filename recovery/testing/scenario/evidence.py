"""Which shipments have BOL/POD documents, their file names, and the PDFs themselves.

File names (`doc-000123.pdf`) are numbered in a shuffled order so they reveal nothing. At the
medium and large sizes only a capped sample of documents exists: every document a planted case
relies on, then a random sample of the rest (scenario.json says so).
"""

from __future__ import annotations

import random
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from recovery.testing.scenario.world import Document, World


def _relied_on(world: World) -> set[int]:
    return {
        id(doc)
        for po in world.orders
        if po.shortage_case is not None or po.chargeback_roles
        for shipment in po.shipments
        for doc in shipment.documents
    }


def settle_documents(rng: random.Random, world: World) -> None:
    """Apply the size's cap, pick a few scanned copies, and name the files."""
    relied = _relied_on(world)
    optional = [doc for s in world.shipments for doc in s.documents if id(doc) not in relied]
    cap = world.size.document_cap
    if cap is not None:
        room = max(0, cap - len(relied))
        keep = {id(doc) for doc in rng.sample(optional, min(room, len(optional)))}
        for shipment in world.shipments:
            shipment.documents = [
                doc for doc in shipment.documents if id(doc) in relied or id(doc) in keep
            ]
        optional = [doc for doc in optional if id(doc) in keep]
    # Scans (no text layer) only where no planted case depends on reading them: OCR is optional.
    scanned = 0
    for doc in optional:
        if scanned < world.size.scanned_cap and rng.random() < 0.05:
            doc.scanned = True
            scanned += 1
    documents = [doc for s in world.shipments for doc in s.documents]
    order = list(range(len(documents)))
    rng.shuffle(order)
    base = rng.randint(100, 900)
    for number, index in enumerate(order, start=base):
        documents[index].file = f"doc-{number:06d}.pdf"
    world.documents = documents


def render_documents(world: World, folder: Path) -> int:
    """Write each document as a PDF with the shared renderer; returns how many were written.
    Large batches use both cores: each PDF depends only on its own truth, so order is free."""
    folder.mkdir(parents=True, exist_ok=True)
    jobs = [(str(folder / doc.file), _truth_fields(doc), doc.scanned) for doc in world.documents]
    if len(jobs) < 200:
        for job in jobs:
            _render_one(job)
    else:
        with ProcessPoolExecutor(max_workers=2) as pool:
            list(pool.map(_render_one, jobs, chunksize=64))
    return len(jobs)


def _truth_fields(doc: Document) -> dict[str, Any]:
    return {
        "kind": doc.kind,
        "layout": doc.layout,
        "carrier": doc.carrier,
        "bol_number": doc.bol_number,
        "pro_number": doc.pro_number,
        "ship_date": doc.ship_date,
        "delivery_date": doc.delivery_date,
        "po_numbers": list(doc.po_numbers),
        "ship_to": doc.ship_to,
        "shipper": doc.shipper,
        "cartons": doc.cartons,
        "pallets": doc.pallets,
        "units": doc.units,
        "weight_lb": doc.weight_lb,
        "signed": doc.signed,
        "receiver": doc.receiver,
        # The renderer writes a note nobody can count as the receiver's words, with no kind.
        "exception_kind": None if doc.exception_note else doc.exception_kind,
        "exception_units": doc.exception_units,
        "exception_note": doc.exception_note,
    }


def _render_one(job: tuple[str, dict[str, Any], bool]) -> None:
    # Imported here: the renderer is its own module and only this step needs it.
    from recovery.testing.documents import DocumentTruth, render_document

    path, fields, scanned = job
    Path(path).write_bytes(render_document(DocumentTruth(**fields), scanned=scanned))


def document_entry(doc: Document, shipment_id: str) -> dict[str, object]:
    return {
        "file": doc.file,
        "kind": doc.kind,
        "layout": doc.layout,
        "scanned": doc.scanned,
        "shipment_id": shipment_id,
        "bol_number": doc.bol_number,
        "pro_number": doc.pro_number,
        "po_numbers": list(doc.po_numbers),
        "carrier": doc.carrier,
        "ship_date": doc.ship_date.isoformat(),
        "delivery_date": doc.delivery_date.isoformat() if doc.delivery_date else None,
        "ship_to": doc.ship_to,
        "cartons": doc.cartons,
        "pallets": doc.pallets,
        "units": doc.units,
        "weight_lb": doc.weight_lb,
        "signed": doc.signed,
        "receiver": doc.receiver,
        "exception_kind": doc.exception_kind,
        "exception_units": doc.exception_units,
        "exception_eaches": doc.exception_eaches,
    }
