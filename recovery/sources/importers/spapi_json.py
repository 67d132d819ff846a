"""SP-API responses saved as JSON: purchase orders, PO status, shipments.

Accepts a response's `payload`, the payload itself, a list of pages, single documents, and
Amazon's sandbox example objects (`{"request": ..., "response": {...}}`) exactly as the API
models carry them. Storing goes through `recovery.sources.spapi_payloads`, as the sync does.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session

from recovery.errors import InputError
from recovery.models import VendorAccount
from recovery.sources.files import read_text
from recovery.sources.importers.base import ImportContext, Importer
from recovery.sources.spapi_payloads import (
    upsert_purchase_order_statuses,
    upsert_purchase_orders,
    upsert_shipments,
)
from recovery.sources.upsert import UpsertCounts

# Kind -> the payload's list key, and how to tell a single document of that kind.
_LISTS = {"purchase-orders": "orders", "po-status": "ordersStatus", "shipments": "shipments"}
_SINGLE = {
    "purchase-orders": "orderDetails",
    "po-status": "itemStatus",
    "shipments": "vendorShipmentIdentifier",
}

Upsert = Callable[[Session, VendorAccount, Sequence[Mapping[str, Any]]], UpsertCounts]
_STORE: dict[str, Upsert] = {
    "purchase-orders": upsert_purchase_orders,
    "po-status": upsert_purchase_order_statuses,
    "shipments": upsert_shipments,
}


@dataclass
class SpApiDocuments:
    kind: str
    documents: list[Mapping[str, Any]]

    def vendor_code(self) -> str | None:
        """The selling party most of the documents name."""
        codes: Counter[str] = Counter()
        for document in self.documents:
            details = document.get("orderDetails")
            holder = details if isinstance(details, Mapping) else document
            party = holder.get("sellingParty")
            if isinstance(party, Mapping) and isinstance(party.get("partyId"), str):
                codes[party["partyId"]] += 1
        return codes.most_common(1)[0][0] if codes else None


def load_documents(path: Path, kind: str | None = None) -> SpApiDocuments:
    try:
        data = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not valid JSON: {exc.msg} (column {exc.colno})", file=path.name, row=exc.lineno
        ) from exc
    found: dict[str, list[Mapping[str, Any]]] = {}
    errors: list[str] = []
    _collect(data, found, errors)
    if kind is not None:
        if kind not in found:
            raise InputError(f"no {kind} in this JSON file", file=path.name)
        return SpApiDocuments(kind, found[kind])
    if not found:
        if errors:
            raise InputError(
                f"the file holds an SP-API error response: {errors[0]}", file=path.name
            )
        raise InputError(
            "cannot tell what this JSON holds: expected purchase orders, PO status or shipments "
            "as the SP-API returns them",
            file=path.name,
        )
    if len(found) > 1:
        raise InputError(
            f"the file mixes {' and '.join(sorted(found))}; import them separately", file=path.name
        )
    ((only, documents),) = found.items()
    return SpApiDocuments(only, documents)


def _collect(node: Any, found: dict[str, list[Mapping[str, Any]]], errors: list[str]) -> None:
    if isinstance(node, list):
        for item in node:
            _collect(item, found, errors)
        return
    if not isinstance(node, Mapping):
        return
    for wrapper in ("response", "payload"):
        if isinstance(node.get(wrapper), (Mapping, list)):
            _collect(node[wrapper], found, errors)
            return
    for kind, key in _LISTS.items():
        if isinstance(node.get(key), list):
            found.setdefault(kind, []).extend(node[key])
            return
    for kind, marker in _SINGLE.items():
        if marker in node:
            found.setdefault(kind, []).append(node)
            return
    if "purchaseOrderNumber" in node:  # getPurchaseOrders without details
        found.setdefault("purchase-orders", []).append(node)
        return
    if isinstance(node.get("errors"), list):
        errors.extend(str(e.get("message", e)) for e in node["errors"] if isinstance(e, Mapping))


class SpApiJsonImporter(Importer):
    def __init__(self, kind: str) -> None:
        self.kind = kind  # type: ignore[misc]

    def store(self, ctx: ImportContext, source: Any) -> UpsertCounts:
        assert isinstance(source, SpApiDocuments)
        ctx.rows_read = len(source.documents)
        with Session(bind=ctx.conn) as session:
            counts = _STORE[source.kind](session, ctx.account, source.documents)
            session.flush()
        return counts
