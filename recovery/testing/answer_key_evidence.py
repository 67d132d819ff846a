"""A scenario's evidence documents recorded from its answer key, as if read from the PDFs.

Benchmarks and tests of what comes after extraction (linking, detection) start from here: PDF
reading has its own benchmark, and the answer key holds exactly what the PDFs say.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Engine

from recovery.evidence.link import LinkSummary, link_all
from recovery.models import EvidenceDocument
from recovery.store import db


def record_evidence(engine: Engine, answer_key: dict[str, Any]) -> LinkSummary:
    """Save every document of `answer_key["evidence"]` and link them all; committed."""
    with db.session_scope(engine) as session:
        session.add_all(
            _document(number, truth) for number, truth in enumerate(answer_key["evidence"])
        )
        session.flush()
        return link_all(session)


def _document(number: int, truth: dict[str, Any]) -> EvidenceDocument:
    return EvidenceDocument(
        sha256=f"{number:064d}",
        original_name=truth["file"],
        stored_path=truth["file"],
        kind=truth["kind"],
        carrier=truth.get("carrier"),
        bol_number=truth["bol_number"],
        pro_number=truth["pro_number"],
        ship_date=date.fromisoformat(truth["ship_date"]),
        delivery_date=date.fromisoformat(truth["delivery_date"])
        if truth["delivery_date"]
        else None,
        ship_to=truth["ship_to"],
        cartons=truth["cartons"],
        pallets=truth["pallets"],
        units=truth["units"],
        signed=truth["signed"],
        exception_kind=truth["exception_kind"],
        exception_units=truth["exception_units"],
        exception_unit="carton" if truth["exception_units"] else None,
        po_numbers=truth["po_numbers"],
    )
