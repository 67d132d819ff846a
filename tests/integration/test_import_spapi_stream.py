"""SP-API JSON files are read while they are stored: big files, late surprises, exact places."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from recovery.config import ImportSettings, Settings
from recovery.errors import InputError
from recovery.models import CostRecord, PurchaseOrder, PurchaseOrderItem
from recovery.sources.importers.base import PROGRESS_EVERY
from recovery.sources.importers.spapi_json import BATCH_DOCUMENTS
from recovery.sources.importing import import_file, import_files

MANY = BATCH_DOCUMENTS * 2 + 17  # more than one batch, and a last batch that is not full


def order(number: int, vendor: str = "STRM1", amount: Any = "3.50") -> dict[str, Any]:
    return {
        "purchaseOrderNumber": f"P{number:07d}",
        "purchaseOrderState": "Acknowledged",
        "orderDetails": {
            "purchaseOrderDate": "2026-01-02T10:00:00Z",
            "purchaseOrderType": "RegularOrder",
            "sellingParty": {"partyId": vendor},
            "items": [
                {
                    "itemSequenceNumber": "1",
                    "amazonProductIdentifier": f"B{number:09d}",
                    "orderedQuantity": {"amount": 2, "unitOfMeasure": "Eaches", "unitSize": 1},
                    "netCost": {"amount": amount, "currencyCode": "USD"},
                }
            ],
        },
    }


def stored_orders(engine: Engine) -> tuple[int, int]:
    with Session(engine) as s:
        orders = s.exec(select(func.count()).select_from(PurchaseOrder)).one()[0]
        items = s.exec(select(func.count()).select_from(PurchaseOrderItem)).one()[0]
    return orders, items


def test_a_file_of_many_batches_is_stored_whole_with_progress(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "orders.json"
    # Pages as a sync saves them, with a BOM and line breaks inside documents.
    pages = [
        {"payload": {"orders": [order(n) for n in range(s, min(s + 700, MANY))]}}
        for s in range(0, MANY, 700)
    ]
    path.write_text(json.dumps(pages, indent=1), encoding="utf-8-sig")
    seen: list[tuple[int, int | None]] = []
    result = import_file(engine, settings, path, progress=lambda n, total: seen.append((n, total)))
    assert (result.kind, result.account, result.rows_read, result.inserted) == (
        "purchase-orders",
        "STRM1",
        MANY,
        MANY * 2,  # orders and their items
    )
    assert stored_orders(engine) == (MANY, MANY)
    # Documents counted as CSV rows are: every PROGRESS_EVERY, and once at the end.
    assert [n for n, _ in seen] == [*range(PROGRESS_EVERY, MANY, PROGRESS_EVERY), MANY]
    assert import_file(engine, settings, path).duplicate


def test_another_kind_after_the_first_batch_rejects_the_whole_file(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "mixed.json"
    documents: list[dict[str, Any]] = [order(n) for n in range(MANY)]
    documents.append({"vendorShipmentIdentifier": "S1", "sellingParty": {"partyId": "STRM1"}})
    path.write_text(json.dumps(documents))
    with pytest.raises(InputError, match="mixed.json.*mixes purchase-orders and shipments"):
        import_file(engine, settings, path)
    assert stored_orders(engine) == (0, 0)
    # Told the kind, the file's orders are what is asked for; the shipment is left alone.
    result = import_file(engine, settings, path, kind="purchase-orders")
    assert result.rows_read == MANY and stored_orders(engine) == (MANY, MANY)


def test_a_bad_value_late_in_the_file_names_its_document_and_nothing_is_kept(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "late.json"
    documents = [order(n) for n in range(MANY)]
    bad = BATCH_DOCUMENTS + 500
    documents[bad] = order(bad, amount="abc")
    path.write_text(json.dumps({"payload": {"orders": documents}}))
    with pytest.raises(
        InputError, match=rf"late.json.*orders\[{bad}\]\.orderDetails\.items\[0\]\.netCost"
    ):
        import_file(engine, settings, path)
    assert stored_orders(engine) == (0, 0)


def test_broken_json_late_in_the_file_names_its_line(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "cut.json"
    lines = [json.dumps(order(n)) for n in range(MANY)]
    path.write_text('{"orders": [\n' + ",\n".join(lines) + ",\n{oops}\n]}")
    with pytest.raises(InputError, match=rf"cut.json, row {MANY + 2}.*not valid JSON"):
        import_file(engine, settings, path)
    assert stored_orders(engine) == (0, 0)


def test_the_account_is_the_vendor_most_of_the_first_documents_name(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "two-vendors.json"
    documents = [order(n, vendor="AAAA1" if n % 3 == 0 else "BBBB2") for n in range(30)]
    path.write_text(json.dumps({"orders": documents}))
    assert import_file(engine, settings, path).account == "BBBB2"


def test_a_byte_the_encoding_cannot_read_far_into_the_file_is_reported(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "binary.json"
    head = json.dumps({"orders": [order(n) for n in range(300)]})[:-2]  # UTF-8 for 64 KiB+
    path.write_bytes(head.encode() + b', {"purchaseOrderNumber": "\xff\xfe"}]}')
    with pytest.raises(InputError, match="binary.json.*not readable as text"):
        import_file(engine, settings, path)
    assert stored_orders(engine) == (0, 0)


def test_pages_that_overlap_store_each_document_once_as_its_last_copy_says(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    # Saved pages of a sync that was resumed: the last orders of one page are the first of the
    # next, one of them changed in between. Each order is stored and counted once.
    first = [order(n) for n in range(5)]
    again = [order(3, amount="2.75"), order(4), order(5)]
    path = tmp_path / "overlap.json"
    path.write_text(json.dumps([{"payload": {"orders": first}}, {"payload": {"orders": again}}]))
    result = import_file(engine, settings, path)
    assert (result.rows_read, result.inserted, result.updated) == (8, 12, 0)
    assert stored_orders(engine) == (6, 6)
    with Session(engine) as s:
        costs = s.exec(
            select(CostRecord.source_ref, CostRecord.cost_minor).order_by(CostRecord.source_ref)
        ).all()
        items = s.exec(
            select(PurchaseOrder.po_number, PurchaseOrderItem.net_cost_minor)
            .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderItem.po_id)
            .order_by(PurchaseOrder.po_number)
        ).all()
    assert [tuple(row) for row in items] == [
        (f"P{n:07d}", 275 if n == 3 else 350) for n in range(6)
    ]
    assert [tuple(row) for row in costs] == [tuple(row) for row in items]

    statuses = tmp_path / "status-overlap.json"
    status = {
        "purchaseOrderNumber": "P0000003",
        "purchaseOrderStatus": "OPEN",
        "purchaseOrderDate": "2026-01-02T10:00:00Z",
        "sellingParty": {"partyId": "STRM1"},
        "itemStatus": [
            {
                "itemSequenceNumber": "1",
                "orderedQuantity": {"orderedQuantity": {"amount": 2, "unitOfMeasure": "Eaches"}},
                "receivingStatus": {
                    "receiveStatus": "PartiallyReceived",
                    "receivedQuantity": {"amount": 1, "unitOfMeasure": "Eaches"},
                },
            }
        ],
    }
    received_all = json.loads(json.dumps(status))
    received_all["itemStatus"][0]["receivingStatus"] = {
        "receiveStatus": "Received",
        "receivedQuantity": {"amount": 2, "unitOfMeasure": "Eaches"},
    }
    statuses.write_text(json.dumps({"payload": {"ordersStatus": [status, received_all]}}))
    assert import_file(engine, settings, statuses).rows_read == 2
    with Session(engine) as s:
        received = s.exec(
            select(PurchaseOrderItem.receive_status, PurchaseOrderItem.received_eaches)
            .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderItem.po_id)
            .where(PurchaseOrder.po_number == "P0000003")
        ).all()
    assert [tuple(row) for row in received] == [("Received", 2)]


def shipment(number: int, cartons: Any = 3) -> dict[str, Any]:
    return {
        "vendorShipmentIdentifier": f"S{number:06d}",
        "sellingParty": {"partyId": "STRM1"},
        "shipmentMeasurements": {"totalCartonCount": cartons},
        "purchaseOrders": [
            {
                "purchaseOrderNumber": f"P{number:07d}",
                "items": [
                    {
                        "itemSequenceNumber": "1",
                        "shippedQuantity": {"amount": 2, "unitOfMeasure": "Eaches"},
                    }
                ],
            }
        ],
    }


def _case_quantity(document: dict[str, Any]) -> None:
    # Each number fits, their product (the eaches) does not.
    quantity = document["orderDetails"]["items"][0]["orderedQuantity"]
    quantity.update(amount=2**20, unitOfMeasure="Cases", unitSize=2**12)


BEYOND_RANGE = {
    "quantity": (
        lambda d: d["orderDetails"]["items"][0]["orderedQuantity"].update(amount=10**30),
        r"column 'orders\[1500\]\.orderDetails\.items\[0\]\.orderedQuantity\.amount': "
        r"1000000000000000000000000000000 is beyond the range of a count",
    ),
    "case quantity": (
        _case_quantity,
        r"column 'orders\[1500\]\.orderDetails\.items\[0\]\.orderedQuantity\.amount': "
        r"4294967296 is beyond the range of a count",
    ),
    "net cost": (
        lambda d: d["orderDetails"]["items"][0]["netCost"].update(amount="123456789012345.67"),
        r"column 'orders\[1500\]\.orderDetails\.items\[0\]\.netCost\.amount': "
        r"123456789012345\.67 is beyond the range of an amount",
    ),
    "carton count": (
        None,
        r"column 'shipments\[1500\]\.shipmentMeasurements\.totalCartonCount': "
        r"99999999999 is beyond the range of a count",
    ),
}


@pytest.mark.parametrize("read_ahead", [False, True], ids=["here", "read ahead"])
@pytest.mark.parametrize("case", BEYOND_RANGE)
def test_a_number_beyond_what_the_database_holds_is_named_and_nothing_is_kept(
    engine: Engine, settings: Settings, tmp_path: Path, case: str, read_ahead: bool
) -> None:
    change, message = BEYOND_RANGE[case]
    if change is None:
        documents = [shipment(n, cartons=99_999_999_999 if n == 1500 else 3) for n in range(MANY)]
        path = tmp_path / "shipments.json"
        path.write_text(json.dumps({"payload": {"shipments": documents}}))
    else:
        documents = [order(n) for n in range(MANY)]
        change(documents[1500])
        path = tmp_path / "orders.json"
        path.write_text(json.dumps({"payload": {"orders": documents}}))
    imports = ImportSettings(read_ahead=read_ahead, read_ahead_min_bytes=0)
    settings = settings.model_copy(update={"imports": imports})
    with pytest.raises(InputError, match=message):
        import_files(engine, settings, [path])
    assert stored_orders(engine) == (0, 0)
