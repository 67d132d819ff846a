"""Purchase orders, PO statuses and shipments in the exact shapes of Amazon's vendor models
(`vendorOrders.json`, `vendorShipments.json`): field names, enums, `2026-03-04T10:00:00Z` times,
money as `{"currencyCode", "amount"}` strings, windows as `start--end`."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from recovery.testing.scenario.catalog import VENDOR_NAME
from recovery.testing.scenario.world import CURRENCY, PoLine, PurchaseOrder, Shipment

Json = dict[str, Any]

SHIP_FROM = {
    "name": f"{VENDOR_NAME} DC",
    "addressLine1": "2200 Commerce Drive",
    "city": "Columbus",
    "stateOrRegion": "OH",
    "postalCode": "43215",
    "countryCode": "US",
}


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def window(bounds: tuple[datetime, datetime]) -> str:
    return f"{iso(bounds[0])}--{iso(bounds[1])}"


def money(amount: Decimal) -> Json:
    return {"currencyCode": CURRENCY, "amount": f"{amount:.2f}"}


def quantity(eaches: int, line: PoLine) -> Json:
    """Eaches in the unit the PO ordered in, when they divide evenly."""
    if line.uom == "Cases" and eaches % line.unit_size == 0:
        return {
            "amount": eaches // line.unit_size,
            "unitOfMeasure": "Cases",
            "unitSize": line.unit_size,
        }
    return {"amount": eaches, "unitOfMeasure": "Eaches", "unitSize": 1}


def _state(po: PurchaseOrder, now: datetime) -> tuple[str, datetime]:
    received = po.received_at
    if received is not None and received + timedelta(days=20) < now:
        return "Closed", received + timedelta(days=20)
    if po.acknowledged_at is not None:
        return "Acknowledged", po.acknowledged_at
    return "New", po.ordered_at


def order(po: PurchaseOrder, vendor_code: str, now: datetime) -> Json:
    state, changed = _state(po, now)
    return {
        "purchaseOrderNumber": po.number,
        "purchaseOrderState": state,
        "orderDetails": {
            "purchaseOrderDate": iso(po.ordered_at),
            "purchaseOrderStateChangedDate": iso(changed),
            "purchaseOrderType": "RegularOrder",
            "paymentMethod": "Invoice",
            "buyingParty": {"partyId": "AMAZON"},
            "sellingParty": {"partyId": vendor_code},
            "shipToParty": {"partyId": po.ship_to},
            "billToParty": {"partyId": "AMAZON"},
            "shipWindow": window(po.ship_window),
            "deliveryWindow": window(po.delivery_window),
            "items": [
                {
                    "itemSequenceNumber": str(line.seq),
                    "amazonProductIdentifier": line.item.asin,
                    "vendorProductIdentifier": line.item.sku,
                    "orderedQuantity": {
                        "amount": line.amount,
                        "unitOfMeasure": line.uom,
                        "unitSize": line.unit_size,
                    },
                    "isBackOrderAllowed": False,
                    "netCost": money(line.net_cost),
                    "listPrice": money(line.item.list_price),
                }
                for line in po.lines
            ],
        },
    }


def _receiving(po: PurchaseOrder, line: PoLine) -> Json:
    received_at = po.received_at
    if received_at is None or not po.shipments:
        return {"receiveStatus": "NOT_RECEIVED"}
    if line.received_as is not None:
        amount, unit, size = line.received_as
        received: Json = {"amount": amount, "unitOfMeasure": unit, "unitSize": size}
    else:
        received = quantity(line.received, line)
    status = "RECEIVED" if line.received >= line.accepted else "PARTIALLY_RECEIVED"
    return {
        "receiveStatus": status,
        "receivedQuantity": received,
        "lastReceiveDate": iso(received_at + timedelta(hours=6)),
    }


def order_status(
    po: PurchaseOrder, vendor_code: str, now: datetime, *, details: bool = True
) -> Json:
    """`details=False` leaves out the optional per-change history arrays (the large scenario's
    status file would otherwise pass 2 GB)."""
    state, changed = _state(po, now)
    items = []
    for line in po.lines:
        ordered = {"amount": line.amount, "unitOfMeasure": line.uom, "unitSize": line.unit_size}
        item: Json = {
            "itemSequenceNumber": str(line.seq),
            "buyerProductIdentifier": line.item.asin,
            "vendorProductIdentifier": line.item.sku,
            "netCost": money(line.net_cost),
            "listPrice": money(line.item.list_price),
            "orderedQuantity": {"orderedQuantity": ordered},
        }
        if details:
            item["orderedQuantity"]["orderedQuantityDetails"] = [
                {"updatedDate": iso(po.ordered_at), "orderedQuantity": ordered}
            ]
        if po.acknowledged_at is None:
            item["acknowledgementStatus"] = {"confirmationStatus": "UNCONFIRMED"}
        else:
            accepted = quantity(line.accepted, line)
            rejected = quantity(line.ordered - line.accepted, line)
            acknowledgement: Json = {
                "confirmationStatus": (
                    "ACCEPTED" if line.accepted == line.ordered else "PARTIALLY_ACCEPTED"
                ),
                "acceptedQuantity": accepted,
                "rejectedQuantity": rejected,
            }
            if details:
                acknowledgement["acknowledgementStatusDetails"] = [
                    {
                        "acknowledgementDate": iso(po.acknowledged_at),
                        "acceptedQuantity": accepted,
                        "rejectedQuantity": rejected,
                    }
                ]
            item["acknowledgementStatus"] = acknowledgement
        item["receivingStatus"] = _receiving(po, line)
        items.append(item)
    return {
        "purchaseOrderNumber": po.number,
        "purchaseOrderStatus": "CLOSED" if state == "Closed" else "OPEN",
        "purchaseOrderDate": iso(po.ordered_at),
        "lastUpdatedDate": iso(changed),
        "sellingParty": {"partyId": vendor_code},
        "shipToParty": {"partyId": po.ship_to},
        "itemStatus": items,
    }


def shipment(ship: Shipment, vendor_code: str) -> Json:
    po = ship.po
    override = ship.asn_override or {}
    transport: Json = {
        "shipMode": "LessThanTruckLoad",
        "transportationMode": "Road",
        "shippedDate": iso(ship.shipped_at),
        "estimatedDeliveryDate": iso(ship.estimated_delivery_at),
        "carrierDetails": {
            "name": ship.carrier.name,
            "code": ship.carrier.scac,
            # The PRO number: Amazon's model calls it shipmentReferenceNumber.
            "shipmentReferenceNumber": ship.pro_number,
        },
        "billOfLadingNumber": ship.bol_number,
    }
    if ship.delivered_at is not None:
        transport["shipmentDeliveryDate"] = iso(ship.delivered_at)
    cartons, pallets = ship.cartons, ship.pallets
    per_pallet = [cartons // pallets + (1 if i < cartons % pallets else 0) for i in range(pallets)]
    data: Json = {
        "vendorShipmentIdentifier": ship.shipment_id,
        "transactionType": "New",
        "transactionDate": iso(ship.created_at),
        "currentShipmentStatus": "Shipped",
        "currentshipmentStatusDate": iso(ship.shipped_at),
        "shipmentStatusDetails": [
            {"shipmentStatus": "Shipped", "shipmentStatusDate": iso(ship.shipped_at)},
            {"shipmentStatus": "Created", "shipmentStatusDate": iso(ship.created_at)},
        ],
        "shipmentCreateDate": iso(ship.created_at),
        "shipmentConfirmDate": iso(ship.confirmed_at),
        "shipmentFreightTerm": ship.freight_term,
        "sellingParty": {"partyId": vendor_code},
        "shipFromParty": {"partyId": f"{vendor_code}-OH1", "address": SHIP_FROM},
        "shipToParty": {"partyId": po.ship_to},
        "shipmentMeasurements": {
            "totalCartonCount": cartons,
            "totalPalletStackable": pallets,
            "shipmentWeight": {"unitOfMeasure": "Lb", "value": str(ship.weight_lb)},
        },
        "purchaseOrders": [
            {
                "purchaseOrderNumber": po.number,
                "purchaseOrderDate": iso(po.ordered_at),
                "shipWindow": window(po.ship_window),
                "items": [
                    {
                        "itemSequenceNumber": str(line.seq),
                        "buyerProductIdentifier": line.item.asin,
                        "vendorProductIdentifier": line.item.sku,
                        "shippedQuantity": quantity(override.get(line.seq, units), line),
                    }
                    for line, units in ship.items
                ],
            }
        ],
        "containers": [
            {
                "containerType": "pallet",
                "containerSequenceNumber": f"{index + 1:03d}",
                "containerIdentifiers": [
                    {
                        "containerIdentificationType": "SSCC",
                        "containerIdentificationNumber": f"00{ship.bol_number}{index + 1:06d}",
                    }
                ],
                "trackingNumber": ship.pro_number,
                "innerContainersDetails": {"containerCount": count},
            }
            for index, count in enumerate(per_pallet)
        ],
        "transportationDetails": transport,
    }
    if ship.freight_term == "Collect":
        data["buyerReferenceNumber"] = f"{ship.bol_number[-7:]}"
    return data
