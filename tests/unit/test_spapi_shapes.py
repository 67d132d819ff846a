"""The typed read of whole SP-API documents (msgspec structs over Amazon's shapes) gives the
rows the checked read gives, for Amazon's own examples and a generated year of documents."""

from __future__ import annotations

import json
import pickle
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import msgspec
import pytest

from recovery.sources import spapi_payloads as payloads
from recovery.sources.spapi_shapes import DECODERS, as_plain, decode_documents
from recovery.testing.scenario import generate_scenario

KINDS: dict[str, tuple[str, Callable[..., Any], Callable[..., Any], Callable[..., Any]]] = {
    # kind: (file, typed read, checked read, the checked read's item rows as the typed one's)
    "purchase-orders": (
        "purchase-orders.json",
        payloads._quick_order,
        payloads._order,
        payloads._order_item,
    ),
    "po-status": (
        "purchase-orders-status.json",
        payloads._quick_status,
        payloads._status,
        payloads._status_item,
    ),
    "shipments": (
        "shipments.json",
        payloads._quick_shipment,
        payloads._shipment,
        payloads._shipment_item,
    ),
}
LISTS = {"purchase-orders": "orders", "po-status": "ordersStatus", "shipments": "shipments"}


@pytest.fixture(scope="module")
def spapi(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tiny")
    generate_scenario(out, seed=3, size="tiny", today=date(2026, 11, 23), xlsx=False, pdfs=False)
    return out / "spapi"


@pytest.mark.parametrize("kind", KINDS)
def test_typed_and_checked_reads_give_the_same_rows(spapi: Path, kind: str) -> None:
    name, quick, checked, item = KINDS[kind]
    text = json.dumps(json.loads((spapi / name).read_text())["payload"][LISTS[kind]])
    typed = DECODERS[kind].decode(text)
    plain = json.loads(text)
    assert len(typed) == len(plain) > 0
    for index, (struct, document) in enumerate(zip(typed, plain, strict=True)):
        doc = payloads._Doc(document, None, LISTS[kind], index)
        row, items = checked(doc, "USD")
        assert quick(struct, "USD") == (row, [item(i) for i in items])


def test_a_document_outside_amazons_shapes_sends_its_run_the_checked_way() -> None:
    # A sequence number sent as a number: the checked read takes it, the typed one does not.
    run = json.dumps(
        [
            {"purchaseOrderNumber": "A1", "purchaseOrderState": "New"},
            {
                "purchaseOrderNumber": "A2",
                "orderDetails": {"items": [{"itemSequenceNumber": 1, "orderedQuantity": {}}]},
            },
        ]
    )
    documents = decode_documents("purchase-orders", run)
    assert documents == json.loads(run)
    assert all(type(d) is dict for d in documents)


def _status(number: str, **item: Any) -> dict[str, Any]:
    quantity = {"amount": 185, "unitOfMeasure": "Eaches", "unitSize": 1}
    usual = {
        "itemSequenceNumber": "1",
        "buyerProductIdentifier": "B0OU36WW5P",
        "netCost": {"currencyCode": "USD", "amount": "8.31"},
        "listPrice": {"currencyCode": "USD", "amount": "18.28"},
        "orderedQuantity": {"orderedQuantity": quantity},
        "acknowledgementStatus": {
            "confirmationStatus": "ACCEPTED",
            "acceptedQuantity": quantity,
            "rejectedQuantity": {**quantity, "amount": 0},
        },
        "receivingStatus": {"receiveStatus": "RECEIVED", "lastReceiveDate": "2025-11-29T21:21Z"},
    }
    return {
        "purchaseOrderNumber": number,
        "purchaseOrderDate": "2025-11-23T04:22:00Z",
        "itemStatus": [{**usual, **item}],
    }


def test_a_status_items_part_outside_amazons_shapes_sends_its_document_the_checked_way() -> None:
    # A status item's prices, quantity and acknowledgement are kept as text and read when
    # stored: one that does not fit (a quantity as text) is read the checked way, as the
    # whole document would have been, and its neighbours the quick way.
    text_quantity = {"amount": "185", "unitOfMeasure": "Eaches"}
    run = [
        _status("P1"),
        _status(
            "P2",
            acknowledgementStatus={
                "confirmationStatus": "ACCEPTED",
                "acceptedQuantity": text_quantity,
            },
        ),
        _status("P3", orderedQuantity={"orderedQuantity": text_quantity}, listPrice=None),
        _status("P4", netCost={"currencyCode": "USD", "amount": "8.31", "unitOfMeasure": "Cases"}),
        {"purchaseOrderNumber": "P5", "itemStatus": [{"itemSequenceNumber": "1"}]},
    ]
    documents = decode_documents("po-status", json.dumps(run))
    assert all(isinstance(d, msgspec.Struct) for d in documents)
    assert [as_plain(d) for d in documents] == run  # (absent parts left out, null kept)

    read = payloads.read_purchase_order_statuses(documents, "USD")

    checked = []
    for index, document in enumerate(run):
        row, items = payloads._status(payloads._Doc(document, None, "ordersStatus", index), "USD")
        checked.append((row, [payloads._status_item(i) for i in items]))
    assert read.documents == checked
    assert read.documents[1][1][0][10:13] == (
        "ACCEPTED",
        185,
        None,
    )  # (confirmed, accepted, rejected)
    assert read.documents[2][1][0][3] == 185  # ordered, from the text "185"


def test_a_long_part_is_read_the_checked_way_and_not_cached() -> None:
    # A price with an ignored field of any size: the read caches hold only short texts, so a
    # file of such parts cannot fill memory through them.
    padded = {"currencyCode": "USD", "amount": "8.31", "note": "x" * 5000}
    run = [_status("P1", netCost=padded)]
    documents = decode_documents("po-status", json.dumps(run))
    cached = payloads._part_costs.cache_info().currsize

    read = payloads.read_purchase_order_statuses(documents, "USD")

    row, items = payloads._status(payloads._Doc(run[0], None, "ordersStatus", 0), "USD")
    assert read.documents == [(row, [payloads._status_item(i) for i in items])]
    assert read.documents[0][1][0][7] == 831  # the net cost, in cents
    assert payloads._part_costs.cache_info().currsize == cached


def test_a_status_items_kept_part_is_checked_as_json() -> None:
    broken = _status("P1")
    text = json.dumps([broken]).replace('"amount": "8.31"}', '"amount": 8.}')
    with pytest.raises(msgspec.DecodeError):
        decode_documents("po-status", text)


READS = {
    "purchase-orders": payloads.read_purchase_orders,
    "po-status": payloads.read_purchase_order_statuses,
    "shipments": payloads.read_shipments,
}


@pytest.mark.parametrize("kind", KINDS)
def test_a_read_batch_crosses_to_the_importer_as_it_was_read(spapi: Path, kind: str) -> None:
    # The reader process sends batches pickled (msgpack inside): the store must get the same
    # values of the same types, dates and aware times included, and tuples, not lists.
    name = KINDS[kind][0]
    text = json.dumps(json.loads((spapi / name).read_text())["payload"][LISTS[kind]])
    batch = READS[kind](DECODERS[kind].decode(text), "USD")
    received = pickle.loads(pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL))
    assert received == batch and received.documents
    assert (len(received.costs) > 0) == (kind == "purchase-orders")
    for (row, items), (sent_row, sent_items) in zip(
        received.documents, batch.documents, strict=True
    ):
        assert [type(v) for v in row.values()] == [type(v) for v in sent_row.values()]
        assert all(v.tzinfo is not None for v in row.values() if isinstance(v, datetime))
        assert items is not None and sent_items is not None
        assert [tuple(map(type, item)) for item in items] == [
            tuple(map(type, item)) for item in sent_items
        ]
    assert [tuple(map(type, c)) for c in received.costs] == [
        tuple(map(type, c)) for c in batch.costs
    ]
