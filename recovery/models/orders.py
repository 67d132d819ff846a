"""Purchase orders, their items, shipments (ASNs) and the cost history of each item.

Quantities are kept as Amazon reports them (amount, unit of measure, unit size) *and* in eaches,
because Case-vs-Each mix-ups are one of the ways shortages are deducted wrongly.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from recovery.models.base import money_field, time_field


class PurchaseOrder(SQLModel, table=True):
    __tablename__ = "purchase_order"
    __table_args__ = (UniqueConstraint("account_id", "po_number"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="vendor_account.id", index=True)
    po_number: str = Field(max_length=32, index=True)
    state: str = Field(default="New", max_length=16)  # New / Acknowledged / Closed
    po_type: str | None = Field(default=None, max_length=32)
    ordered_at: datetime | None = time_field()
    changed_at: datetime | None = time_field()
    selling_party: str | None = Field(default=None, max_length=32)
    ship_to: str | None = Field(default=None, max_length=32)  # FC code (shipToParty.partyId)
    ship_window_start: datetime | None = time_field()
    ship_window_end: datetime | None = time_field()
    delivery_window_start: datetime | None = time_field()
    delivery_window_end: datetime | None = time_field()
    confirmed_at: datetime | None = time_field()
    updated_at: datetime = time_field(default_now=True)


class UnitOfMeasure(StrEnum):
    cases = "Cases"
    eaches = "Eaches"


class PurchaseOrderItem(SQLModel, table=True):
    __tablename__ = "purchase_order_item"
    __table_args__ = (
        UniqueConstraint("po_id", "item_sequence"),
        # Co-op backup lines look up what a PO received of their ASIN: one seek per line
        # instead of reading every item of the PO, and the index holds the answer (a third of
        # the co-op lines' read went to fetching each item's row for it).
        Index("ix_purchase_order_item_po_id_asin_received", "po_id", "asin", "received_eaches"),
    )

    id: int | None = Field(default=None, primary_key=True)
    po_id: int = Field(foreign_key="purchase_order.id")
    item_sequence: str = Field(max_length=16)
    asin: str | None = Field(default=None, max_length=16)
    vendor_sku: str | None = Field(default=None, max_length=64)
    ordered_quantity: int = 0
    ordered_unit: str = Field(default=UnitOfMeasure.eaches, max_length=8)
    unit_size: int = 1
    ordered_eaches: int = 0
    net_cost_minor: int | None = money_field(nullable=True)  # per each
    list_price_minor: int | None = money_field(nullable=True)
    currency: str = Field(default="USD", max_length=3)
    # From getPurchaseOrdersStatus.
    confirmation_status: str | None = Field(default=None, max_length=24)
    accepted_eaches: int | None = None
    rejected_eaches: int | None = None
    receive_status: str | None = Field(default=None, max_length=24)
    received_quantity: int | None = None
    received_unit: str | None = Field(default=None, max_length=8)
    received_eaches: int | None = None
    last_received_at: datetime | None = time_field()


class Shipment(SQLModel, table=True):
    """An ASN (advance shipment notice) as `getShipmentDetails` returns it."""

    __tablename__ = "shipment"
    __table_args__ = (UniqueConstraint("account_id", "shipment_id"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="vendor_account.id", index=True)
    shipment_id: str = Field(max_length=64, index=True)  # vendorShipmentIdentifier
    transaction_type: str | None = Field(default=None, max_length=16)
    status: str | None = Field(default=None, max_length=32)
    freight_term: str | None = Field(default=None, max_length=16)  # Collect / Prepaid
    bol_number: str | None = Field(default=None, max_length=64, index=True)
    pro_number: str | None = Field(default=None, max_length=64, index=True)
    carrier: str | None = Field(default=None, max_length=64)
    ship_from: str | None = Field(default=None, max_length=64)
    ship_to: str | None = Field(default=None, max_length=32)
    created_at: datetime | None = time_field()  # shipmentCreateDate: ASN sent
    confirmed_at: datetime | None = time_field()  # shipmentConfirmDate
    shipped_at: datetime | None = time_field()
    estimated_delivery_at: datetime | None = time_field()
    delivered_at: datetime | None = time_field()
    carton_count: int | None = None
    pallet_count: int | None = None
    updated_at: datetime = time_field(default_now=True)


class ShipmentItem(SQLModel, table=True):
    __tablename__ = "shipment_item"
    __table_args__ = (UniqueConstraint("shipment_id", "line_no"),)

    id: int | None = Field(default=None, primary_key=True)
    shipment_id: int = Field(foreign_key="shipment.id")
    line_no: int
    po_number: str = Field(max_length=32, index=True)  # evidence links by PO number
    item_sequence: str | None = Field(default=None, max_length=16)
    asin: str | None = Field(default=None, max_length=16)
    vendor_sku: str | None = Field(default=None, max_length=64)
    shipped_quantity: int = 0
    shipped_unit: str = Field(default=UnitOfMeasure.eaches, max_length=8)
    unit_size: int = 1
    shipped_eaches: int = 0


class CostSource(StrEnum):
    po = "po"  # a PO line's net cost, observed on the PO date
    price_list = "price_list"  # the vendor's own cost list


class CostRecord(SQLModel, table=True):
    """An effective-dated cost per each for an item; the history says which cost was in force."""

    __tablename__ = "cost_record"
    # The unique key is the only index: it starts with what detection looks costs up by (the
    # account's cost list: account, source). A large vendor's PO lines add two million
    # records a year, and each further index cost SQLite ~10 % of inserting them.
    __table_args__ = (
        UniqueConstraint(
            "account_id", "source", "asin", "vendor_sku", "effective_from", "source_ref"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="vendor_account.id")
    asin: str = Field(default="", max_length=16)
    vendor_sku: str = Field(default="", max_length=64)
    cost_minor: int = money_field()
    currency: str = Field(max_length=3)
    effective_from: date
    effective_to: date | None = None
    source: str = Field(max_length=16)
    source_ref: str = Field(default="", max_length=128)  # PO number, or the cost list's file
    reason: str | None = Field(default=None, max_length=200)
