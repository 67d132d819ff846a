"""SP-API responses saved as JSON: purchase orders, PO status, shipments.

Accepts a response's `payload`, the payload itself, a list of pages, single documents, and
Amazon's sandbox example objects (`{"request": ..., "response": {...}}`) exactly as the API
models carry them. Storing goes through `recovery.sources.spapi_payloads`, as the sync does.
The lists of documents are read in runs by msgspec into Amazon's shapes
(`recovery.sources.spapi_shapes`); what does not fit them is read and checked the general way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from itertools import chain, islice
from pathlib import Path
from typing import Any

import msgspec
from sqlalchemy import Connection

from recovery.errors import InputError
from recovery.sources.files import open_text
from recovery.sources.importers.base import ImportContext, Importer, ReadContext
from recovery.sources.json_stream import JsonReader
from recovery.sources.spapi_payloads import (
    ReadBatch,
    read_purchase_order_statuses,
    read_purchase_orders,
    read_shipments,
    store_purchase_order_statuses,
    store_purchase_orders,
    store_shipments,
)
from recovery.sources.spapi_shapes import Document, as_plain, decode_documents
from recovery.store.upsert import UpsertCounts

# Kind -> the payload's list key, and how to tell a single document of that kind.
_LISTS = {"purchase-orders": "orders", "po-status": "ordersStatus", "shipments": "shipments"}
_KIND_OF_LIST = {key: kind for kind, key in _LISTS.items()}
_WRAPPERS = ("response", "payload")
_SINGLE = {
    "purchase-orders": "orderDetails",
    "po-status": "itemStatus",
    "shipments": "vendorShipmentIdentifier",
}


@dataclass(frozen=True)
class _Kind:
    """How one kind of document becomes rows (no database: a reader process can do it) and how
    those rows are stored."""

    read: Callable[[Sequence[Document], str, int], ReadBatch]
    store: Callable[[Connection, int, ReadBatch], UpsertCounts]


_KINDS = {
    "purchase-orders": _Kind(read_purchase_orders, store_purchase_orders),
    "po-status": _Kind(read_purchase_order_statuses, store_purchase_order_statuses),
    "shipments": _Kind(read_shipments, store_shipments),
}


# Documents are read and stored this many at a time; the first batch also tells the kind and
# the vendor of the file.
BATCH_DOCUMENTS = 1000

Found = tuple[str, Document]  # (kind, document)


@dataclass
class SpApiDocuments:
    """The documents of one SP-API JSON file, read while they are stored."""

    kind: str
    first: list[Document]
    _more: Iterator[Document]

    def vendor_code(self) -> str | None:
        """The selling party most of the first documents name."""
        codes: Counter[str] = Counter()
        for read in self.first:
            document = as_plain(read) if isinstance(read, msgspec.Struct) else read
            details = document.get("orderDetails")
            holder = details if isinstance(details, Mapping) else document
            party = holder.get("sellingParty")
            if isinstance(party, Mapping) and isinstance(party.get("partyId"), str):
                codes[party["partyId"]] += 1
        return codes.most_common(1)[0][0] if codes else None

    def batches(self) -> Iterator[list[Document]]:
        """The documents in batches, in file order."""
        yield self.first
        while batch := list(islice(self._more, BATCH_DOCUMENTS)):
            yield batch


@contextmanager
def open_documents(path: Path, kind: str | None = None) -> Iterator[SpApiDocuments]:
    """The file's documents, of `kind` or of the one kind the file holds, read as consumed.

    Only the first batch is read here, so a file of any size costs one batch of memory. A
    document of another kind is an error when it is reached, unless `kind` was given: then
    the others are left alone, as asked.
    """
    with open_text(path) as handle:
        errors: list[str] = []
        found = _readable(_walk(JsonReader(handle), errors))
        head = next((f for f in found if kind is None or f[0] == kind), None)
        if head is None:
            raise _nothing_found(kind, errors)
        documents = _of_kind(chain([head], found), head[0], others_allowed=kind is not None)
        first = list(islice(documents, BATCH_DOCUMENTS))
        yield SpApiDocuments(head[0], first, documents)


def _of_kind(found: Iterator[Found], kind: str, *, others_allowed: bool) -> Iterator[Document]:
    for found_kind, document in found:
        if found_kind == kind:
            yield document
        elif not others_allowed:
            raise _mixed(kind, found_kind)


def _readable(found: Iterator[Found]) -> Iterator[Found]:
    """`found`, with a byte the file's encoding cannot read reported as bad input."""
    try:
        yield from found
    except UnicodeDecodeError as exc:
        raise InputError("not readable as text (unknown encoding)") from exc


def _mixed(kind: str, other: str) -> InputError:
    return InputError(
        f"the file mixes {' and '.join(sorted((kind, other)))}; import them separately"
    )


def _nothing_found(kind: str | None, errors: list[str]) -> InputError:
    if kind is not None:
        return InputError(f"no {kind} in this JSON file")
    if errors:
        return InputError(f"the file holds an SP-API error response: {errors[0]}")
    return InputError(
        "cannot tell what this JSON holds: expected purchase orders, PO status or shipments "
        "as the SP-API returns them"
    )


def _walk(reader: JsonReader, errors: list[str]) -> Iterator[Found]:
    """Every document in the value at the reader, in file order.

    Arrays, wrappers (`response`, `payload`) and document lists are stepped into; anything
    else is read whole: a single document, or an object that turns out to hold none.
    """
    shape = reader.peek()
    if shape == "array":
        for _ in reader.elements():
            yield from _walk(reader, errors)
        return
    if shape != "object":
        reader.read()
        return
    rest: dict[str, Any] = {}
    stepped_in = False
    for key in reader.members():
        if key in _WRAPPERS and reader.peek() in ("object", "array"):
            stepped_in = True
            yield from _walk(reader, errors)
        elif key in _KIND_OF_LIST and reader.peek() == "array":
            stepped_in = True
            kind = _KIND_OF_LIST[key]
            # Runs of whole documents go to msgspec, which reads them typed in one go.
            for whole, value in reader.runs(partial(decode_documents, kind)):
                if whole:
                    yield from ((kind, document) for document in value)
                else:
                    yield kind, value
        else:
            rest[key] = reader.read()
    if not stepped_in:
        yield from _documents(rest, errors)


def _documents(node: Any, errors: list[str]) -> Iterator[Found]:
    """The documents in a value already read whole."""
    if isinstance(node, list):
        for item in node:
            yield from _documents(item, errors)
        return
    if not isinstance(node, Mapping):
        return
    for wrapper in _WRAPPERS:
        if isinstance(node.get(wrapper), (Mapping, list)):
            yield from _documents(node[wrapper], errors)
            return
    for kind, key in _LISTS.items():
        if isinstance(node.get(key), list):
            for document in node[key]:
                yield kind, document
            return
    for kind, marker in _SINGLE.items():
        if marker in node:
            yield kind, node
            return
    if "purchaseOrderNumber" in node:  # getPurchaseOrders without details
        yield "purchase-orders", node
        return
    if isinstance(node.get("errors"), list):
        errors.extend(str(e.get("message", e)) for e in node["errors"] if isinstance(e, Mapping))


class SpApiJsonImporter(Importer):
    """Reading (documents to rows) is apart from storing, as for CSV files, so that a reader
    process can read a big file while this one stores it (`recovery.sources.read_ahead`)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind  # type: ignore[misc]

    def read(self, ctx: ReadContext, documents: SpApiDocuments) -> Iterator[ReadBatch]:
        """The rows of the documents, a batch at a time."""
        read = _KINDS[documents.kind].read
        for batch in documents.batches():
            rows = read(batch, ctx.currency, ctx.rows_read)
            ctx.tick(len(batch))
            yield rows

    def store(self, ctx: ImportContext, source: Iterable[ReadBatch]) -> UpsertCounts:
        store = _KINDS[self.kind].store
        counts = UpsertCounts()
        for rows in source:
            counts = counts + store(ctx.conn, ctx.account_id, rows)
        return counts
