"""What the fake SP-API serves: purchase orders, PO statuses and shipments in Amazon's shapes.

A scenario directory holds them as `spapi/purchase-orders.json`, `spapi/purchase-orders-status.json`
and `spapi/shipments.json`, each wrapped the way the API wraps them (`{"payload": {...}}`).
`synthetic_dataset` makes a valid dataset of any size without the scenario generator, for tests
and benchmarks of the sync itself.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from recovery.errors import InputError

Payload = dict[str, Any]

ORDERS_FILE = "purchase-orders.json"
STATUS_FILE = "purchase-orders-status.json"
SHIPMENTS_FILE = "shipments.json"


@dataclass
class SpApiDataset:
    orders: list[Payload] = field(default_factory=list)
    statuses: list[Payload] = field(default_factory=list)
    shipments: list[Payload] = field(default_factory=list)


def _read_list(path: Path, key: str) -> list[Payload]:
    if not path.exists():
        return []
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"not readable JSON: {exc}", file=str(path)) from exc
    items = document.get("payload", {}).get(key) if isinstance(document, dict) else None
    if not isinstance(items, list):
        raise InputError(f'expected {{"payload": {{"{key}": [...]}}}}', file=str(path))
    return items


def load_scenario(directory: Path) -> SpApiDataset:
    """The SP-API part of a scenario directory (files that are absent serve nothing)."""
    spapi = directory / "spapi"
    if not spapi.is_dir():
        raise InputError("no spapi/ folder: not a scenario directory", file=str(directory))
    return SpApiDataset(
        orders=_read_list(spapi / ORDERS_FILE, "orders"),
        statuses=_read_list(spapi / STATUS_FILE, "ordersStatus"),
        shipments=_read_list(spapi / SHIPMENTS_FILE, "shipments"),
    )


def write_scenario(dataset: SpApiDataset, directory: Path) -> None:
    spapi = directory / "spapi"
    spapi.mkdir(parents=True, exist_ok=True)
    for name, key, items in (
        (ORDERS_FILE, "orders", dataset.orders),
        (STATUS_FILE, "ordersStatus", dataset.statuses),
        (SHIPMENTS_FILE, "shipments", dataset.shipments),
    ):
        (spapi / name).write_text(json.dumps({"payload": {key: items}}), encoding="utf-8")


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_FULFILMENT_CENTRES = ("ABE2", "PHX6", "ONT8", "MDW2", "TPA1", "BFI4")
_CARRIERS = (("UPS Freight", "UPGF"), ("Estes Express", "EXLA"), ("XPO Logistics", "CNWY"))
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _po_number(rng: random.Random) -> str:
    return "".join(rng.choice(_ALPHABET) for _ in range(8))


def _quantity(amount: int, unit: str, size: int) -> Payload:
    return {"amount": amount, "unitOfMeasure": unit, "unitSize": size}


def _money(amount: Decimal, currency: str) -> Payload:
    return {"currencyCode": currency, "amount": str(amount)}


def synthetic_dataset(
    orders: int,
    *,
    vendor_code: str = "ABCDE",
    end: datetime | None = None,
    days: int = 365,
    seed: int = 0,
    currency: str = "USD",
    catalogue_size: int = 40,
) -> SpApiDataset:
    """`orders` POs created evenly at random over the `days` before `end`, each with a status
    and, unless it is recent, a shipment (ASN). Deterministic for a seed."""
    rng = random.Random(seed)
    end = (end or datetime.now(UTC)).replace(microsecond=0)
    start = end - timedelta(days=days)
    catalogue = [
        (
            f"B0{rng.randrange(10**8):08d}",
            f"SKU-{index:04d}",
            Decimal(rng.randrange(150, 9000)) / 100,
            rng.choice((1, 6, 12)),
        )
        for index in range(catalogue_size)
    ]
    dataset = SpApiDataset()
    numbers: set[str] = set()
    span = int((end - start).total_seconds())
    last = end - timedelta(seconds=1)
    for index in range(orders):
        number = _po_number(rng)
        while number in numbers:
            number = _po_number(rng)
        numbers.add(number)
        created = start + timedelta(seconds=rng.randrange(span))
        age = end - created
        # Amazon changes a PO when it is acknowledged and again when it closes; every date
        # stays before `end`, which a window ending at `end` excludes.
        changed = min(created + timedelta(hours=rng.randrange(2, 24 * 20)), last)
        state = "Closed" if age > timedelta(days=20) else rng.choice(("New", "Acknowledged"))
        fc = rng.choice(_FULFILMENT_CENTRES)
        ship_start = created + timedelta(days=2)
        window = f"{iso(ship_start)}--{iso(ship_start + timedelta(days=7))}"
        lines = rng.sample(catalogue, rng.randint(1, 4))
        items: list[Payload] = []
        status_items: list[Payload] = []
        shipped_items: list[Payload] = []
        for sequence, (asin, sku, cost, unit_size) in enumerate(lines, start=1):
            cases = unit_size > 1
            amount = rng.randint(1, 30)
            unit = "Cases" if cases else "Eaches"
            ordered = _quantity(amount, unit, unit_size)
            net_cost = _money(cost, currency)
            list_price = _money((cost * Decimal("1.6")).quantize(Decimal("0.01")), currency)
            items.append(
                {
                    "itemSequenceNumber": str(sequence),
                    "amazonProductIdentifier": asin,
                    "vendorProductIdentifier": sku,
                    "orderedQuantity": ordered,
                    "isBackOrderAllowed": False,
                    "netCost": net_cost,
                    "listPrice": list_price,
                }
            )
            received = amount - (1 if rng.random() < 0.1 and amount > 1 else 0)
            status_items.append(
                {
                    "itemSequenceNumber": str(sequence),
                    "buyerProductIdentifier": asin,
                    "vendorProductIdentifier": sku,
                    "netCost": net_cost,
                    "listPrice": list_price,
                    "orderedQuantity": {"orderedQuantity": ordered},
                    "acknowledgementStatus": {
                        "confirmationStatus": "ACCEPTED",
                        "acceptedQuantity": ordered,
                        "rejectedQuantity": _quantity(0, unit, unit_size),
                    },
                    "receivingStatus": {
                        "receiveStatus": "RECEIVED" if state == "Closed" else "NOT_RECEIVED",
                        "receivedQuantity": _quantity(
                            received if state == "Closed" else 0, unit, unit_size
                        ),
                        **(
                            {"lastReceiveDate": iso(min(created + timedelta(days=12), last))}
                            if state == "Closed"
                            else {}
                        ),
                    },
                }
            )
            shipped_items.append(
                {
                    "itemSequenceNumber": str(sequence),
                    "buyerProductIdentifier": asin,
                    "vendorProductIdentifier": sku,
                    "shippedQuantity": ordered,
                }
            )
        dataset.orders.append(
            {
                "purchaseOrderNumber": number,
                "purchaseOrderState": state,
                "orderDetails": {
                    "purchaseOrderDate": iso(created),
                    "purchaseOrderChangedDate": iso(changed),
                    "purchaseOrderStateChangedDate": iso(changed),
                    "purchaseOrderType": "RegularOrder",
                    "paymentMethod": "Invoice",
                    "buyingParty": {"partyId": "AMAZON"},
                    "sellingParty": {"partyId": vendor_code},
                    "shipToParty": {"partyId": fc},
                    "billToParty": {"partyId": "AMAZON"},
                    "shipWindow": window,
                    "deliveryWindow": (
                        f"{iso(ship_start + timedelta(days=3))}--"
                        f"{iso(ship_start + timedelta(days=12))}"
                    ),
                    "items": items,
                },
            }
        )
        dataset.statuses.append(
            {
                "purchaseOrderNumber": number,
                "purchaseOrderStatus": "CLOSED" if state == "Closed" else "OPEN",
                "purchaseOrderDate": iso(created),
                "lastUpdatedDate": iso(changed),
                "sellingParty": {"partyId": vendor_code},
                "shipToParty": {"partyId": fc},
                "itemStatus": status_items,
            }
        )
        if age < timedelta(days=4):
            continue
        asn_created = created + timedelta(days=2, hours=rng.randrange(0, 24))
        shipped = asn_created + timedelta(hours=rng.randrange(1, 12))
        delivered = shipped + timedelta(days=rng.randint(2, 6))
        carrier, scac = rng.choice(_CARRIERS)
        cartons = sum(line["shippedQuantity"]["amount"] for line in shipped_items)
        dataset.shipments.append(
            {
                "vendorShipmentIdentifier": f"ASN-{index + 1:07d}",
                "transactionType": "New",
                "buyerReferenceNumber": f"ARN{rng.randrange(10**9):09d}",
                "transactionDate": iso(asn_created),
                "currentShipmentStatus": "Shipped",
                "currentshipmentStatusDate": iso(shipped),
                "shipmentCreateDate": iso(asn_created),
                "shipmentConfirmDate": iso(shipped - timedelta(minutes=rng.randrange(5, 55))),
                "shipmentFreightTerm": rng.choice(("Collect", "Prepaid")),
                "sellingParty": {"partyId": vendor_code},
                "shipFromParty": {"partyId": f"{vendor_code}-WH1"},
                "shipToParty": {"partyId": fc},
                "shipmentMeasurements": {"totalCartonCount": cartons, "totalPalletStackable": 1},
                "purchaseOrders": [
                    {
                        "purchaseOrderNumber": number,
                        "purchaseOrderDate": iso(created),
                        "shipWindow": window,
                        "items": shipped_items,
                    }
                ],
                "transportationDetails": {
                    "shipMode": "LessThanTruckLoad",
                    "transportationMode": "Road",
                    "shippedDate": iso(shipped),
                    "estimatedDeliveryDate": iso(delivered),
                    "shipmentDeliveryDate": iso(delivered),
                    "carrierDetails": {
                        "name": carrier,
                        "code": scac,
                        "shipmentReferenceNumber": f"PRO{rng.randrange(10**8):08d}",
                    },
                    "billOfLadingNumber": f"BOL{index + 1:08d}",
                },
            }
        )
    return dataset
