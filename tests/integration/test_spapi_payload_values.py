"""Values in SP-API documents: every shape Amazon sends is stored exactly, and a bad value is
rejected with the JSON path of the value, whichever document and item it sits in."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from recovery.config import Settings
from recovery.errors import InputError
from recovery.models import PurchaseOrder, PurchaseOrderItem, Shipment
from recovery.sources.importing import import_file

Document = dict[str, Any]


def order(number: int) -> Document:
    return {
        "purchaseOrderNumber": f"P{number:07d}",
        "purchaseOrderState": "Acknowledged",
        "orderDetails": {
            "purchaseOrderDate": "2026-01-02T10:00:00Z",
            "shipWindow": "2026-01-05T07:00:00Z--2026-01-09T07:00:00Z",
            "sellingParty": {"partyId": "VALS1"},
            "items": [
                {
                    "itemSequenceNumber": "1",
                    "amazonProductIdentifier": "B000000001",
                    "orderedQuantity": {"amount": 2, "unitOfMeasure": "Eaches", "unitSize": 1},
                    "netCost": {"amount": "3.50", "currencyCode": "USD"},
                },
                {
                    "itemSequenceNumber": "2",
                    "amazonProductIdentifier": "B000000002",
                    "orderedQuantity": {"amount": 3, "unitOfMeasure": "Cases", "unitSize": 12},
                    "netCost": {"amount": "10.00", "currencyCode": "USD"},
                },
            ],
        },
    }


def second_item(change: Callable[[Document], None]) -> Callable[[Document], None]:
    """`change` applied to the second item of the second order."""

    def apply(orders: Document) -> None:
        change(orders["payload"]["orders"][1]["orderDetails"]["items"][1])

    return apply


def details(change: Callable[[Document], None]) -> Callable[[Document], None]:
    def apply(orders: Document) -> None:
        change(orders["payload"]["orders"][1]["orderDetails"])

    return apply


def write(tmp_path: Path, change: Callable[[Document], None] | None = None) -> Path:
    orders: Document = {"payload": {"orders": [order(1), order(2)]}}
    if change is not None:
        change(orders)
    path = tmp_path / "orders.json"
    path.write_text(json.dumps(orders))
    return path


def stored_second_item(engine: Engine) -> PurchaseOrderItem:
    with Session(engine) as session:
        return session.exec(
            select(PurchaseOrderItem)
            .join(PurchaseOrder)
            .where(PurchaseOrder.po_number == "P0000002", PurchaseOrderItem.item_sequence == "2")
        ).one()


@pytest.mark.parametrize(
    ("amount", "minor"),
    [
        ("10.00", 1000),
        ("10.5", 1050),
        (10.5, 1050),  # a JSON number
        (10, 1000),
        ("7", 700),
        ("7.", 700),
        (" 2.25 ", 225),
        ("1E+1", 1000),
        ("0.10", 10),
        ("-0.50", -50),
        ("12.340000", 1234),  # trailing zeros past the cents are still exact
    ],
)
def test_every_shape_of_an_amount_is_stored_exactly(
    engine: Engine, settings: Settings, tmp_path: Path, amount: Any, minor: int
) -> None:
    def set_amount(item: Document) -> None:
        item["netCost"]["amount"] = amount

    import_file(engine, settings, write(tmp_path, second_item(set_amount)))
    assert stored_second_item(engine).net_cost_minor == minor


@pytest.mark.parametrize(
    ("quantity", "eaches"),
    [
        ({"amount": 3, "unitOfMeasure": "Cases", "unitSize": 12}, 36),
        ({"amount": "3", "unitOfMeasure": "Cases", "unitSize": "12"}, 36),
        ({"amount": 3.0, "unitOfMeasure": "cases", "unitSize": 12}, 36),
        ({"amount": 5, "unitOfMeasure": "Eaches"}, 5),
        ({"amount": 5}, 5),
    ],
)
def test_quantities_are_read_as_sent_and_counted_in_eaches(
    engine: Engine, settings: Settings, tmp_path: Path, quantity: Document, eaches: int
) -> None:
    def set_quantity(item: Document) -> None:
        item["orderedQuantity"] = quantity

    import_file(engine, settings, write(tmp_path, second_item(set_quantity)))
    assert stored_second_item(engine).ordered_eaches == eaches


def _set(key: str, value: Any) -> Callable[[Document], None]:
    def apply(holder: Document) -> None:
        holder[key] = value

    return apply


def _set_in(outer: str, key: str, value: Any) -> Callable[[Document], None]:
    def apply(holder: Document) -> None:
        holder[outer][key] = value

    return apply


ITEM = r"orders\[1\]\.orderDetails\.items\[1\]"


@pytest.mark.parametrize(
    ("change", "where", "what"),
    [
        (
            second_item(_set_in("netCost", "amount", "10.005")),
            rf"{ITEM}\.netCost\.amount",
            "decimals",
        ),
        (second_item(_set_in("netCost", "amount", "ten")), rf"{ITEM}\.netCost\.amount", "amount"),
        (second_item(_set_in("netCost", "amount", True)), rf"{ITEM}\.netCost\.amount", "amount"),
        (second_item(_set_in("netCost", "currencyCode", "US")), rf"{ITEM}\.netCost\.amount", "ISO"),
        (
            second_item(_set_in("orderedQuantity", "amount", 2.5)),
            rf"{ITEM}\.orderedQuantity\.amount",
            "not a whole number",
        ),
        (
            second_item(_set_in("orderedQuantity", "unitSize", -2)),
            rf"{ITEM}\.orderedQuantity\.unitSize",
            "at least 1",
        ),
        (second_item(_set("itemSequenceNumber", " ")), rf"{ITEM}\.itemSequenceNumber", "missing"),
        (second_item(_set("orderedQuantity", [1])), rf"{ITEM}\.orderedQuantity", "an object"),
        (
            second_item(_set("amazonProductIdentifier", {"asin": "B1"})),
            rf"{ITEM}\.amazonProductIdentifier",
            "expected text",
        ),
        (
            details(_set("purchaseOrderDate", "yesterday")),
            r"orders\[1\]\.orderDetails\.purchaseOrderDate",
            "ISO date-time",
        ),
        (
            details(_set("shipWindow", "2026-01-05T07:00:00Z--soon")),
            r"orders\[1\]\.orderDetails\.shipWindow",
            "ISO date-time",
        ),
        (
            details(_set("shipWindow", "2026-01-05T07:00:00Z")),
            r"orders\[1\]\.orderDetails\.shipWindow",
            "start--end",
        ),
        (details(_set("items", {"1": {}})), r"orders\[1\]\.orderDetails\.items", "a list"),
        (
            details(_set("items", [{"itemSequenceNumber": "1"}, "x"])),
            rf"{ITEM}",
            "an object",
        ),
        (
            details(_set_in("sellingParty", "partyId", ["VALS1"])),
            r"orders\[1\]\.orderDetails\.sellingParty\.partyId",
            "expected text",
        ),
    ],
)
def test_a_bad_value_is_rejected_with_its_place_in_the_document(
    engine: Engine,
    settings: Settings,
    tmp_path: Path,
    change: Callable[[Document], None],
    where: str,
    what: str,
) -> None:
    # The first order (and the account, from its selling party) is read before the bad one.
    path = write(tmp_path, change)
    with pytest.raises(InputError, match=rf"orders.json, column '{where}'.*{what}") as raised:
        import_file(engine, settings, path)
    assert raised.value.column is not None
    with Session(engine) as session:
        assert session.exec(select(PurchaseOrder)).first() is None


def test_status_and_shipment_values_name_their_place(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    status: Document = {
        "purchaseOrderNumber": "P0000001",
        "purchaseOrderDate": "2026-01-02T10:00:00Z",
        "sellingParty": {"partyId": "VALS1"},
        "itemStatus": [
            {
                "itemSequenceNumber": "1",
                "orderedQuantity": {"orderedQuantity": {"amount": 2}},
                "receivingStatus": {"receivedQuantity": {"amount": "1.5"}},
            }
        ],
    }
    good = copy.deepcopy(status)
    good["itemStatus"][0]["receivingStatus"]["receivedQuantity"]["amount"] = "1"
    path = tmp_path / "status.json"
    path.write_text(json.dumps({"payload": {"ordersStatus": [good, status]}}))
    where = r"ordersStatus\[1\]\.itemStatus\[0\]\.receivingStatus\.receivedQuantity\.amount"
    with pytest.raises(InputError, match=rf"column '{where}'.*not a whole number"):
        import_file(engine, settings, path)

    shipment: Document = {
        "vendorShipmentIdentifier": "S1",
        "sellingParty": {"partyId": "VALS1"},
        "transportationDetails": {"shippedDate": "2026-01-06T07:00:00Z"},
        "purchaseOrders": [{"purchaseOrderNumber": "P0000001", "items": [{}]}],
    }
    late = copy.deepcopy(shipment)
    late["transportationDetails"]["shippedDate"] = "06/01/2026"
    path = tmp_path / "shipments.json"
    path.write_text(json.dumps({"payload": {"shipments": [shipment, late]}}))
    where = r"shipments\[1\]\.transportationDetails\.shippedDate"
    with pytest.raises(InputError, match=rf"column '{where}'.*ISO date-time"):
        import_file(engine, settings, path)
    path.write_text(json.dumps({"payload": {"shipments": [shipment]}}))
    import_file(engine, settings, path)
    with Session(engine) as session:
        stored = session.exec(select(Shipment)).one()
    assert stored.shipped_at is not None and stored.shipped_at.day == 6
