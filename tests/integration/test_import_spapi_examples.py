"""Amazon's own example payloads (from the API models) import exactly as they are."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session, col

from recovery.config import Settings
from recovery.errors import InputError
from recovery.models import (
    CostRecord,
    PurchaseOrder,
    PurchaseOrderItem,
    Shipment,
    ShipmentItem,
)
from recovery.sources.importing import import_file

MODELS = Path(__file__).parents[1] / "data" / "spapi-models"
OPERATIONS = {
    "getPurchaseOrders": "purchase-orders",
    "getPurchaseOrder": "purchase-orders",
    "getPurchaseOrdersStatus": "po-status",
    "GetShipmentDetails": "shipments",
}


def examples() -> Iterator[tuple[str, str, int, Any]]:
    """(operation, kind, HTTP status, response) for every example the vendor models carry."""
    for model in ("vendorOrders.json", "vendorShipments.json"):
        spec = json.loads((MODELS / model).read_text())
        for operations in spec["paths"].values():
            for operation in operations.values():
                if not isinstance(operation, dict):
                    continue
                name = operation.get("operationId")
                if name not in OPERATIONS:
                    continue
                for status, response in operation["responses"].items():
                    sandbox = response.get("x-amzn-api-sandbox", {}).get("static", [])
                    for example in sandbox:
                        yield name, OPERATIONS[name], int(status), example["response"]
                    for example in response.get("examples", {}).values():
                        yield name, OPERATIONS[name], int(status), example


ALL = list(examples())


def test_the_models_carry_examples_of_every_kind() -> None:
    kinds = {kind for _, kind, status, _ in ALL if status < 300}
    assert kinds == {"purchase-orders", "po-status", "shipments"}
    assert len(ALL) >= 10


@pytest.mark.parametrize(
    ("operation", "kind", "status", "response"),
    ALL,
    ids=[f"{op}-{status}-{i}" for i, (op, _, status, _) in enumerate(ALL)],
)
def test_every_example_imports(
    engine: Engine,
    settings: Settings,
    tmp_path: Path,
    operation: str,
    kind: str,
    status: int,
    response: Any,
) -> None:
    path = tmp_path / f"{operation}.json"
    path.write_text(json.dumps(response))
    if status >= 400:
        with pytest.raises(InputError, match="error response"):
            import_file(engine, settings, path)
        return
    result = import_file(engine, settings, path)
    assert result.kind == kind and result.detected
    assert result.rows_read > 0 and result.inserted > 0
    again = import_file(engine, settings, path, kind=kind)
    assert again.duplicate


def test_purchase_orders_in_cases_become_eaches_and_costs(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    pages = [r for op, _, s, r in ALL if op == "getPurchaseOrders" and s == 200]
    path = tmp_path / "pages.json"
    path.write_text(json.dumps(pages))  # a list of pages, as a sync might save them
    result = import_file(engine, settings, path)
    assert result.kind == "purchase-orders" and result.account == "999US"
    with Session(engine) as s:
        po = s.exec(
            select(PurchaseOrder).where(col(PurchaseOrder.po_number) == "mock-purchaseOrderNumber2")
        ).scalar_one()
        item = s.exec(
            select(PurchaseOrderItem).where(col(PurchaseOrderItem.po_id) == po.id)
        ).scalar_one()
        assert (item.ordered_quantity, item.ordered_unit, item.unit_size, item.ordered_eaches) == (
            24,
            "Cases",
            5,
            120,
        )
        assert item.net_cost_minor is None  # priced per pound: not a cost per each
        first = s.exec(
            select(PurchaseOrder).where(col(PurchaseOrder.po_number) == "2JK3S9VC")
        ).scalar_one()
        assert first.ship_window_start is not None and first.ship_window_start.day == 21
        cost = s.exec(
            select(CostRecord).where(
                col(CostRecord.source_ref) == "2JK3S9VC", col(CostRecord.asin) == "B07DFVDRAB"
            )
        ).scalar_one()
        assert cost.cost_minor == 34627 and cost.source == "po"
        assert str(cost.effective_from) == "2019-08-20"


def test_status_updates_orders_without_losing_their_details(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    orders = next(r for op, _, s, r in ALL if op == "getPurchaseOrders" and s == 200)
    status = next(r for op, _, s, r in ALL if op == "getPurchaseOrdersStatus" and s == 200)
    (tmp_path / "po.json").write_text(json.dumps(orders["payload"]))  # bare {"orders": [...]}
    (tmp_path / "status.json").write_text(json.dumps(status))
    import_file(engine, settings, tmp_path / "po.json")
    import_file(engine, settings, tmp_path / "status.json")
    with Session(engine) as s:
        po = s.exec(
            select(PurchaseOrder).where(col(PurchaseOrder.po_number) == "2JK3S9VB")
        ).scalar_one()
        items = {
            i.item_sequence: i
            for i in s.exec(
                select(PurchaseOrderItem).where(col(PurchaseOrderItem.po_id) == po.id)
            ).scalars()
        }
        assert items["1"].receive_status == "RECEIVED"
        assert items["1"].received_eaches == 1
        assert items["2"].confirmation_status == "PARTIALLY_ACCEPTED"
        assert (items["2"].accepted_eaches, items["2"].rejected_eaches) == (15, 5)


def test_shipment_details(engine: Engine, settings: Settings, tmp_path: Path) -> None:
    example = next(r for op, _, s, r in ALL if op == "GetShipmentDetails" and s == 200)
    path = tmp_path / "shipments.json"
    path.write_text(json.dumps(example))
    import_file(engine, settings, path)
    with Session(engine) as s:
        shipment = s.exec(select(Shipment)).scalar_one()
        assert shipment.shipment_id == "00050003"
        assert shipment.freight_term == "Collect" and shipment.carrier == "UPS"
        assert shipment.pro_number == "TRACK001" and shipment.carton_count == 30
        assert shipment.confirmed_at is not None and shipment.confirmed_at.tzinfo is not None
        items = s.exec(select(ShipmentItem).order_by(col(ShipmentItem.line_no))).scalars().all()
        assert [(i.po_number, i.shipped_unit, i.shipped_eaches) for i in items] == [
            ("1BBBAAAA", "Eaches", 100),
            ("1BBBAAAA", "Cases", 100),
        ]


def test_bad_json_names_file_and_place(engine: Engine, settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"payload": {"orders": [\n{"purchaseOrderNumber": "X1",}\n]}}')
    with pytest.raises(InputError, match=r"broken.json, row 2.*not valid JSON"):
        import_file(engine, settings, path)
    path = tmp_path / "bad-amount.json"
    path.write_text(
        json.dumps(
            {
                "orders": [
                    {
                        "purchaseOrderNumber": "X1",
                        "orderDetails": {
                            "items": [
                                {
                                    "itemSequenceNumber": "1",
                                    "orderedQuantity": {"amount": 1},
                                    "netCost": {"amount": "abc", "currencyCode": "USD"},
                                }
                            ]
                        },
                    }
                ]
            }
        )
    )
    with pytest.raises(InputError, match=r"orders\[0\]\.orderDetails\.items\[0\]\.netCost\.amount"):
        import_file(engine, settings, path)
    with Session(engine) as s:
        assert s.exec(select(PurchaseOrder)).first() is None
