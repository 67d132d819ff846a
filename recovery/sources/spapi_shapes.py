"""Amazon's vendor API shapes as msgspec structs: the fields the store reads, typed as Amazon
documents them (`shared/spapi-models/`: vendorOrders, vendorShipments).

They are the quick read of a saved SP-API file: msgspec decodes a run of documents straight
into these, in C, with every type checked. A document that does not fit them (a quantity sent as
text, a list where an object belongs) fails the decode, and that run of documents is read the
general way (`recovery.sources.spapi_payloads`), which accepts what it can and names the place
of what it cannot, exactly as it does for every document from the sync. Fields not listed are
ignored, as the general read ignores them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import msgspec


# Frozen: a document read is a value, never changed. Not tracked by the cyclic collector (they
# hold only text, numbers, lists and one another, so they form no cycles): a year of PO status
# decoded into twenty million of them, and tracking each one, on creation and again when it
# was freed, took a third of the time decoding took.
class _Shape(msgspec.Struct, rename="camel", omit_defaults=True, frozen=True, gc=False):
    pass


class Party(_Shape, frozen=True):
    party_id: str | None = None


class ItemQuantity(_Shape, frozen=True):
    amount: int | None = None
    unit_of_measure: str | None = None
    unit_size: int | None = None


class Money(_Shape, frozen=True):
    currency_code: str | None = None
    amount: str | None = None
    unit_of_measure: str | None = None


# A part of a document kept as its JSON text, checked as JSON but not decoded (UNSET: the
# document does not have it). The store reads each distinct short text once. A year
# of POs and of their status repeats the same few prices, quantities and acknowledgements
# millions of times, and decoding each into structs, then freeing them, was most of decoding
# a file.
Part = msgspec.Raw | msgspec.UnsetType


# getPurchaseOrders


class OrderItem(_Shape, frozen=True):
    item_sequence_number: str | None = None
    amazon_product_identifier: str | None = None
    vendor_product_identifier: str | None = None
    ordered_quantity: Part = msgspec.UNSET  # ItemQuantity
    net_cost: Part = msgspec.UNSET  # Money
    list_price: Part = msgspec.UNSET  # Money


class OrderDetails(_Shape, frozen=True):
    purchase_order_date: str | None = None
    purchase_order_changed_date: str | None = None
    purchase_order_type: str | None = None
    selling_party: Party | None = None
    ship_to_party: Party | None = None
    ship_window: str | None = None
    delivery_window: str | None = None
    items: list[OrderItem] | None = None


class Order(_Shape, frozen=True):
    purchase_order_number: str | None = None
    purchase_order_state: str | None = None
    order_details: OrderDetails | None = None


# getPurchaseOrdersStatus


class OrderedQuantityDetails(_Shape, frozen=True):
    ordered_quantity: ItemQuantity | None = None


class AcknowledgementStatus(_Shape, frozen=True):
    confirmation_status: str | None = None
    accepted_quantity: ItemQuantity | None = None
    rejected_quantity: ItemQuantity | None = None


class ReceivingStatus(_Shape, frozen=True):
    receive_status: str | None = None
    received_quantity: ItemQuantity | None = None
    last_receive_date: str | None = None


class OrderItemStatus(_Shape, frozen=True):
    item_sequence_number: str | None = None
    buyer_product_identifier: str | None = None
    vendor_product_identifier: str | None = None
    net_cost: Part = msgspec.UNSET  # Money
    list_price: Part = msgspec.UNSET  # Money
    ordered_quantity: Part = msgspec.UNSET  # OrderedQuantityDetails
    acknowledgement_status: Part = msgspec.UNSET  # AcknowledgementStatus
    receiving_status: ReceivingStatus | None = None


class OrderStatus(_Shape, frozen=True):
    purchase_order_number: str | None = None
    purchase_order_status: str | None = None
    purchase_order_date: str | None = None
    selling_party: Party | None = None
    ship_to_party: Party | None = None
    item_status: list[OrderItemStatus] | None = None


# getShipmentDetails


class CarrierDetails(_Shape, frozen=True):
    name: str | None = None
    code: str | None = None
    shipment_reference_number: str | None = None


class TransportationDetails(_Shape, frozen=True):
    bill_of_lading_number: str | None = None
    carrier_details: CarrierDetails | None = None
    shipped_date: str | None = None
    estimated_delivery_date: str | None = None
    shipment_delivery_date: str | None = None


class ShipmentMeasurements(_Shape, frozen=True):
    total_carton_count: int | None = None
    total_pallet_stackable: int | None = None
    total_pallet_non_stackable: int | None = None


class Container(_Shape, frozen=True):
    container_type: str | None = None


class ShippedItem(_Shape, frozen=True):
    item_sequence_number: str | None = None
    buyer_product_identifier: str | None = None
    amazon_product_identifier: str | None = None
    vendor_product_identifier: str | None = None
    shipped_quantity: ItemQuantity | None = None


class ShippedOrder(_Shape, frozen=True):
    purchase_order_number: str | None = None
    items: list[ShippedItem] | None = None


class ShipmentDoc(_Shape, frozen=True):
    vendor_shipment_identifier: str | None = None
    transaction_type: str | None = None
    current_shipment_status: str | None = None
    shipment_freight_term: str | None = None
    selling_party: Party | None = None  # which vendor the file is for
    ship_from_party: Party | None = None
    ship_to_party: Party | None = None
    shipment_create_date: str | None = None
    shipment_confirm_date: str | None = None
    transportation_details: TransportationDetails | None = None
    shipment_measurements: ShipmentMeasurements | None = None
    containers: list[Container] | None = None
    purchase_orders: list[ShippedOrder] | None = None


# A document as read: a struct of these shapes, or a plain JSON object (from the sync's pages,
# or a run the shapes did not fit).
Document = Mapping[str, Any] | msgspec.Struct

DECODERS: dict[str, msgspec.json.Decoder[Any]] = {
    "purchase-orders": msgspec.json.Decoder(list[Order]),
    "po-status": msgspec.json.Decoder(list[OrderStatus]),
    "shipments": msgspec.json.Decoder(list[ShipmentDoc]),
}


def decode_documents(kind: str, text: str) -> list[Document]:
    """The documents of `text`, a JSON array of whole documents of `kind`: structs when every
    one fits Amazon's shapes, else plain objects for the general read to check. Text that is
    not JSON raises `msgspec.DecodeError` or `json.JSONDecodeError`."""
    try:
        documents: list[Document] = DECODERS[kind].decode(text)
    except msgspec.ValidationError:
        # The standard library's decoder, as the general read always had: the same values.
        plain: list[Document] = json.loads(text)
        return plain
    return documents


# The readers of kept parts (a part that does not fit raises `msgspec.ValidationError`, as the
# whole document's decode would have).
MONEY: msgspec.json.Decoder[Money | None] = msgspec.json.Decoder(Money | None)
QUANTITY: msgspec.json.Decoder[ItemQuantity | None] = msgspec.json.Decoder(ItemQuantity | None)
ORDERED_QUANTITY: msgspec.json.Decoder[OrderedQuantityDetails | None] = msgspec.json.Decoder(
    OrderedQuantityDetails | None
)
ACKNOWLEDGEMENT: msgspec.json.Decoder[AcknowledgementStatus | None] = msgspec.json.Decoder(
    AcknowledgementStatus | None
)


def as_plain(document: msgspec.Struct) -> dict[str, Any]:
    """A struct as the JSON object it came from (fields it does not hold are left out), for
    the general read of a document the quick one does not take."""
    plain: dict[str, Any] = msgspec.to_builtins(document, enc_hook=_kept_part)
    return plain


def _kept_part(value: Any) -> Any:
    if isinstance(value, msgspec.Raw):
        # The standard library's decoder, as for a run the shapes do not fit: the same values.
        return json.loads(bytes(value))
    raise NotImplementedError(type(value))
