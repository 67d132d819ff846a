"""Store SP-API vendor documents (purchase orders, their status, shipments) as Amazon sends them.

One path for both the SP-API sync and `recovery import` of saved JSON, so a PO looks the same
whichever way it arrived. Input is the list of order/status/shipment objects from a response's
payload; amounts arrive as strings or JSON numbers and are converted with `Decimal(str(x))`;
quantities are kept as sent and also converted to eaches (Cases × unitSize).

Problems raise `InputError` whose column is the JSON path of the bad value, for example
`orders[2].orderDetails.items[0].netCost.amount`.

Each document is read one of two ways to the same rows. A saved file's documents arrive as
msgspec structs of Amazon's shapes (`spapi_shapes`), whose types msgspec has checked: the quick
read (`_quick_*`) takes those in Amazon's usual shape straight to rows. Anything else (the sync's
plain objects, a document that did not fit the shapes, a value the quick read does not take such
as a unit written "cases") goes through the checked read (`_Doc`), which accepts what it can and
names the place of what it cannot.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any, TypeVar

import msgspec
from sqlalchemy import Connection, delete, func, select
from sqlmodel import Session

from recovery.errors import InputError, MoneyError
from recovery.models import (
    CostRecord,
    CostSource,
    PurchaseOrder,
    PurchaseOrderItem,
    Shipment,
    ShipmentItem,
    UnitOfMeasure,
    VendorAccount,
    table_of,
    utcnow,
)
from recovery.money import exponent, normalize_currency, plain_minor, to_decimal, to_minor
from recovery.sources import spapi_shapes as shapes
from recovery.sources.spapi_shapes import Document, as_plain
from recovery.sources.values import MAX_AMOUNT_MINOR, MAX_COUNT, bounded_count, bounded_minor
from recovery.store import changes
from recovery.store.upsert import CHUNK_ROWS, Row, UpsertCounts, upsert, upsert_tuples

T = TypeVar("T")

__all__ = [
    "ReadBatch",
    "UpsertCounts",
    "read_purchase_order_statuses",
    "read_purchase_orders",
    "read_shipments",
    "store_purchase_order_statuses",
    "store_purchase_orders",
    "store_shipments",
    "upsert_purchase_order_statuses",
    "upsert_purchase_orders",
    "upsert_shipments",
]

PO_TABLE = table_of(PurchaseOrder)
PO_ITEM_TABLE = table_of(PurchaseOrderItem)
SHIPMENT_TABLE = table_of(Shipment)
SHIPMENT_ITEM_TABLE = table_of(ShipmentItem)
COST_TABLE = table_of(CostRecord)

_PO_KEY = ("account_id", "po_number")
_ITEM_KEY = ("po_id", "item_sequence")

# What getPurchaseOrdersStatus may change on rows that getPurchaseOrders already wrote.
_PO_STATUS_COLUMNS = ("state", "updated_at")
_ITEM_STATUS_COLUMNS = (
    "confirmation_status",
    "accepted_eaches",
    "rejected_eaches",
    "receive_status",
    "received_quantity",
    "received_unit",
    "received_eaches",
    "last_received_at",
)

# Item rows travel as tuples in these orders, from the reader process to the store: a dict per
# row cost more to send and to store than SQLite took to insert it (two million PO items a
# year for a large vendor, two million status items, two million shipment lines).
_ORDER_ITEM_COLUMNS = (
    "item_sequence",
    "asin",
    "vendor_sku",
    "ordered_quantity",
    "ordered_unit",
    "unit_size",
    "ordered_eaches",
    "net_cost_minor",
    "list_price_minor",
    "currency",
)
_STATUS_ITEM_COLUMNS = _ORDER_ITEM_COLUMNS + _ITEM_STATUS_COLUMNS
_SHIPMENT_ITEM_COLUMNS = (
    "line_no",
    "po_number",
    "item_sequence",
    "asin",
    "vendor_sku",
    "shipped_quantity",
    "shipped_unit",
    "unit_size",
    "shipped_eaches",
)
# A cost observation: the key (`_COST_KEY`) first.
_COST_KEY = ("account_id", "source", "asin", "vendor_sku", "effective_from", "source_ref")
_COST_COLUMNS = (*_COST_KEY, "cost_minor", "currency")


class _Doc:
    """A JSON object and where it sits in the document, so every error can say where.

    The path is put together only for an error: a year of PO status is tens of millions of
    objects and values, and formatting a path for each cost more than reading them.
    """

    __slots__ = ("_index", "_name", "_parent", "data")

    def __init__(self, data: Any, parent: _Doc | None, name: str, index: int | None = None) -> None:
        self.data = data
        self._parent = parent
        self._name = name
        self._index = index
        if type(data) is not dict and not isinstance(data, Mapping):
            raise InputError(f"expected an object, got {type(data).__name__}", column=self.path)

    @property
    def path(self) -> str:
        """`orders[2].orderDetails.items[0]`"""
        path = self._name if self._parent is None else f"{self._parent.path}.{self._name}"
        return path if self._index is None else f"{path}[{self._index}]"

    def child(self, name: str) -> _Doc | None:
        value = self.data.get(name)
        return None if value is None else _Doc(value, self, name)

    def children(self, name: str) -> list[_Doc]:
        value = self.data.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            raise InputError("expected a list", column=f"{self.path}.{name}")
        return [_Doc(item, self, name, i) for i, item in enumerate(value)]

    def text(self, name: str, *, required: bool = False) -> str | None:
        value = self.data.get(name)
        if type(value) is str:  # nearly always: no other checks
            text = value.strip()
        elif value is None or isinstance(value, str):
            text = (value or "").strip()
        elif isinstance(value, (dict, list)):
            raise InputError("expected text", column=f"{self.path}.{name}")
        else:
            text = str(value).strip()
        if text:
            return text
        if required:
            raise InputError("missing", column=f"{self.path}.{name}")
        return None

    def party(self, name: str) -> str | None:
        party = self.child(name)
        return party.text("partyId") if party else None

    def timestamp(self, name: str) -> datetime | None:
        text = self.text(name)
        return None if text is None else parse_timestamp(text, self, name)

    def integer(self, name: str, *, default: int | None = None) -> int | None:
        value = self.data.get(name)
        if value is None:
            return default
        if type(value) is int:  # a JSON number, as Amazon sends quantities (not bool)
            return _count(value, self, name)
        try:
            number = to_decimal(value)
        except MoneyError as exc:
            raise InputError(f"not a number: {value!r}", column=f"{self.path}.{name}") from exc
        if number != number.to_integral_value():
            raise InputError(f"not a whole number: {value!r}", column=f"{self.path}.{name}")
        return _count(int(number), self, name)


def _count(value: int, doc: _Doc, name: str) -> int:
    """A count the database's 32-bit integer columns hold; a bigger one is a broken document,
    named here rather than failing the store (or overflowing a sum) later."""
    return _bounded(bounded_count, value, value, f"{doc.path}.{name}")


def _bounded(bound: Callable[[int], int], value: int, sent: object, column: str) -> int:
    """`value` within the bound the CSV reads keep too (`values.bounded_*`), else an input
    error naming what the document `sent`."""
    try:
        return bound(value)
    except OverflowError as exc:
        raise InputError(f"{sent} is {exc}", column=column) from exc


def parse_timestamp(text: str, doc: _Doc, name: str) -> datetime:
    """ISO 8601 as Amazon writes it; a time without a zone is taken as UTC. `doc`, `name`:
    where the text was, for the error."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise InputError(f"not an ISO date-time: {text!r}", column=f"{doc.path}.{name}") from exc
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _window(doc: _Doc, name: str) -> tuple[datetime | None, datetime | None]:
    """`shipWindow`/`deliveryWindow`: "start--end" (ISO 8601 interval with a double hyphen)."""
    text = doc.text(name)
    if text is None:
        return None, None
    start, sep, end = text.partition("--")
    if not sep:
        raise InputError(f"not a start--end window: {text!r}", column=f"{doc.path}.{name}")
    return parse_timestamp(start, doc, name), parse_timestamp(end, doc, name)


def _money(doc: _Doc, name: str, fallback_currency: str) -> tuple[int | None, str]:
    """(minor units per each, currency); None for absent or weight-priced amounts."""
    data = doc.data.get(name)
    # Amazon's usual shape, {"currencyCode": "USD", "amount": "8.31"}, read without a _Doc;
    # anything else is read (or rejected) by the checks below, to the same result.
    if type(data) is dict and data.get("unitOfMeasure") is None:
        amount, code = data.get("amount"), data.get("currencyCode")
        if type(amount) is str and type(code) is str:
            places = _plain_places(code)
            minor = None if places is None else plain_minor(amount, places)
            if minor is not None and abs(minor) <= MAX_AMOUNT_MINOR:
                return minor, code
    money = doc.child(name)
    if money is None or money.data.get("amount") is None:
        return None, fallback_currency
    try:
        currency = normalize_currency(money.text("currencyCode") or fallback_currency)
        # Items sold by weight are priced per pound/kilogram: not a cost per each.
        if money.text("unitOfMeasure"):
            return None, currency
        minor = to_minor(to_decimal(str(money.data["amount"])), currency)
    except MoneyError as exc:
        raise InputError(str(exc), column=f"{money.path}.amount") from exc
    return _bounded(bounded_minor, minor, money.data["amount"], f"{money.path}.amount"), currency


def _quantity(parent: _Doc | None, name: str) -> tuple[int | None, str | None, int, int | None]:
    """(amount, unit, unit size, eaches) of the ItemQuantity `name` of `parent`."""
    data = None if parent is None else parent.data.get(name)
    # Amazon's usual shape, {"amount": 12, "unitOfMeasure": "Cases", "unitSize": 6}, read
    # without a _Doc; anything else is read (or rejected) by `_checked_quantity`, to the same
    # result.
    if type(data) is dict:
        amount, unit, size = data.get("amount"), data.get("unitOfMeasure"), data.get("unitSize", 1)
        plain = type(amount) is int and type(size) is int and size >= 1 and type(unit) is str
        in_range = plain and size <= MAX_COUNT and abs(amount * size) <= MAX_COUNT
        if in_range and unit in _PLAIN_UNITS:
            return amount, unit, size, amount * size if _PLAIN_UNITS[unit] else amount
    return _checked_quantity(parent.child(name) if parent is not None else None)


# Units as Amazon writes them: whether the unit is a case.
_PLAIN_UNITS = {"Eaches": False, "Cases": True}


@lru_cache(maxsize=64)
def _plain_places(code: str) -> int | None:
    """The decimals of `code` if it is an ISO code as the checks would leave it (`USD`)."""
    try:
        return exponent(code) if normalize_currency(code) == code else None
    except MoneyError:
        return None


def _checked_quantity(doc: _Doc | None) -> tuple[int | None, str | None, int, int | None]:
    if doc is None:
        return None, None, 1, None
    amount = doc.integer("amount")
    unit = doc.text("unitOfMeasure") or UnitOfMeasure.eaches.value
    size = doc.integer("unitSize", default=1) or 1
    if size < 1:
        raise InputError(f"unitSize must be at least 1, got {size}", column=f"{doc.path}.unitSize")
    if amount is None:
        return None, unit, size, None
    eaches = amount * size if unit.lower().startswith("case") else amount
    return amount, unit, size, _count(eaches, doc, "amount")


def _account_id(account: VendorAccount) -> int:
    if account.id is None:
        raise ValueError("the vendor account must be saved before documents are stored for it")
    return account.id


def _connection(session: Session) -> Connection:
    session.flush()
    return session.connection()


def upsert_purchase_orders(
    session: Session,
    account: VendorAccount,
    orders: Sequence[Document],
    *,
    start: int = 0,
) -> UpsertCounts:
    """Store `payload.orders` of getPurchaseOrders (or single getPurchaseOrder payloads).

    Orders without `orderDetails` (includeDetails=false) update only their state. Each item with
    a net cost per each also becomes a cost observation dated the PO date.
    """
    read = read_purchase_orders(orders, account.currency, start)
    return store_purchase_orders(_connection(session), _account_id(account), read)


def read_purchase_orders(orders: Sequence[Document], currency: str, start: int = 0) -> ReadBatch:
    """Each order's row and item rows, and their cost observations; `start` is the first
    order's place in its list."""
    read = _read_each(_quick_order, _order, _order_item, "orders", orders, currency, start)
    return ReadBatch(read, _cost_observations(read))


def store_purchase_orders(conn: Connection, account_id: int, read: ReadBatch) -> UpsertCounts:
    """Store what `read_purchase_orders` read (see `upsert_purchase_orders`)."""
    now = utcnow()
    po_rows: list[Row] = []
    items_by_po = _ItemsByParent()
    for row, items in read.documents:
        row.update(account_id=account_id, updated_at=now)
        po_rows.append(row)
        if items is not None:
            items_by_po.add(row["po_number"], items)
    result = upsert(conn, PO_TABLE, po_rows, _PO_KEY, want_ids=True)
    item_rows = items_by_po.with_parents(result.ids, account_id)
    columns = ("po_id", *_ORDER_ITEM_COLUMNS)
    counts = result.counts + upsert_tuples(conn, PO_ITEM_TABLE, columns, item_rows, _ITEM_KEY)
    # Cost observations are a by-product, not documents the caller sent: not counted.
    account = (account_id,)
    costs = [account + cost for cost in read.costs]
    upsert_tuples(conn, COST_TABLE, _COST_COLUMNS, costs, _COST_KEY)
    return counts


class _ItemsByParent:
    """Item rows by their parent's number, one per key: the same PO twice in a batch (pages
    that overlap) stores and counts its items once, as the later document has them."""

    def __init__(self) -> None:
        self._items: dict[str, list[Item]] = {}

    def add(self, parent: str, items: list[Item]) -> None:
        known = self._items.get(parent)
        if known is None:
            self._items[parent] = items
        else:
            # The first column is the item's key under its parent (its sequence number).
            self._items[parent] = list({item[0]: item for item in known + items}.values())

    def with_parents(self, ids: Mapping[tuple[Any, ...], int], account_id: int) -> list[Item]:
        """Every item row with its parent's row id in front."""
        rows: list[Item] = []
        for parent, items in self._items.items():
            head = (ids[(account_id, parent)],)
            rows.extend([head + item for item in items])
        return rows


def _read_each(
    quick: Callable[[Any, str], DocumentRows],
    checked: Callable[[_Doc, str], ReadRows],
    item: Callable[[Row], Item],
    name: str,
    documents: Sequence[Document],
    currency: str,
    start: int,
) -> list[DocumentRows]:
    return [
        _read(quick, checked, item, raw, (name, i), currency)
        for i, raw in enumerate(documents, start)
    ]


def _read(
    quick: Callable[[Any, str], DocumentRows],
    checked: Callable[[_Doc, str], ReadRows],
    item: Callable[[Row], Item],
    raw: Any,
    where: tuple[str, int],
    currency: str,
) -> DocumentRows:
    """One document's rows: the quick read of a struct in Amazon's usual shape (item rows
    made as tuples at once), else (a plain object, or a value the quick read leaves alone)
    the checked read, which names the place of a bad value; `item` makes its item rows the
    same tuples."""
    if isinstance(raw, msgspec.Struct):
        try:
            return quick(raw, currency)
        except _Unusual:
            raw = as_plain(raw)
    name, index = where  # the document's place, for errors: ("orders", 2)
    row, items = checked(_Doc(raw, None, name, index), currency)
    return row, None if items is None else list(map(item, items))


# One document as read: its own row and its item rows (None: the document lists no items,
# which for an order without details leaves its stored items alone).
ReadRows = tuple[Row, list[Row] | None]
Item = tuple[Any, ...]
# One document as stored: its own row and its item rows as tuples in its kind's column order
# (None as above).
DocumentRows = tuple[Row, list[Item] | None]


@dataclass(frozen=True, slots=True)
class ReadBatch:
    """A batch of documents as the store takes them."""

    documents: list[DocumentRows]
    # Orders only: their items' cost observations (`_COST_COLUMNS` without the account, which
    # the reader does not know), one per key, the last, in the order of their key: the unique
    # index holds that order, so each index page is written once per batch, not once per row.
    costs: list[Item] = field(default_factory=list)

    def __reduce__(self) -> tuple[Callable[[bytes], ReadBatch], tuple[bytes]]:
        # Batches cross from the reader process to the importer: msgpack writes these rows
        # three times as fast as pickle and reads them as fast (datetimes, all aware, travel
        # as msgpack timestamps; the decoder's type brings the dates and tuples back).
        return _unpacked, (_BATCH_ENCODER.encode((self.documents, self.costs)),)


def _unpacked(data: bytes) -> ReadBatch:
    documents, costs = _BATCH_DECODER.decode(data)
    return ReadBatch(documents, costs)


_BATCH_ENCODER = msgspec.msgpack.Encoder()
_BATCH_DECODER = msgspec.msgpack.Decoder(
    tuple[
        list[tuple[dict[str, Any], list[tuple[Any, ...]] | None]],
        list[tuple[str, str, str, date, str, int, str]],  # `_COST_COLUMNS` but the first
    ]
)


_order_item = itemgetter(*_ORDER_ITEM_COLUMNS)
_status_item = itemgetter(*_STATUS_ITEM_COLUMNS)
_shipment_item = itemgetter(*_SHIPMENT_ITEM_COLUMNS)


_ASIN, _SKU, _NET_COST, _CURRENCY = (
    _ORDER_ITEM_COLUMNS.index(name) for name in ("asin", "vendor_sku", "net_cost_minor", "currency")
)


_ASIN_OF_COST = itemgetter(1)  # (the account is not in front yet)


def _cost_observations(read: list[DocumentRows]) -> list[Item]:
    """Each item with a net cost and an identifier, as a cost dated its order's PO date."""
    latest: dict[Item, Item] = {}
    source = CostSource.po.value
    for order, items in read:
        ordered_at: datetime | None = order.get("ordered_at")
        if items is None or ordered_at is None:
            continue
        effective: date = ordered_at.date()
        po_number = order["po_number"]
        for item in items:
            asin, sku, cost = item[_ASIN] or "", item[_SKU] or "", item[_NET_COST]
            if cost is not None and (asin or sku):
                key = (source, asin, sku, effective, po_number)
                latest[key] = (*key, cost, item[_CURRENCY])
    # In ASIN order (the key's first column that varies): the records then go into the unique
    # key's index side by side, not all over it. Sorting whole tuples, for the same inserts,
    # took three times as long, on the reader's side.
    return sorted(latest.values(), key=_ASIN_OF_COST)


class _Unusual(Exception):
    """A value the quick read leaves to the checked one (which accepts it or names it)."""


def _order(order: _Doc, currency: str) -> ReadRows:
    po_number = order.text("purchaseOrderNumber", required=True)
    row: Row = {"po_number": po_number}
    state = order.text("purchaseOrderState")
    if state:
        row["state"] = state
    details = order.child("orderDetails")
    if details is None:
        return row, None
    ship_start, ship_end = _window(details, "shipWindow")
    delivery_start, delivery_end = _window(details, "deliveryWindow")
    row.update(
        po_type=details.text("purchaseOrderType"),
        ordered_at=details.timestamp("purchaseOrderDate"),
        changed_at=details.timestamp("purchaseOrderChangedDate"),
        selling_party=details.party("sellingParty"),
        ship_to=details.party("shipToParty"),
        ship_window_start=ship_start,
        ship_window_end=ship_end,
        delivery_window_start=delivery_start,
        delivery_window_end=delivery_end,
    )
    return row, [_order_item_row(item, currency) for item in details.children("items")]


def _quick_order(order: shapes.Order, currency: str) -> DocumentRows:
    row: Row = {"po_number": _quick_required(order.purchase_order_number)}
    state = _quick_text(order.purchase_order_state)
    if state:
        row["state"] = state
    details = order.order_details
    if details is None:
        return row, None
    ship_start, ship_end = _quick_window(details.ship_window)
    delivery_start, delivery_end = _quick_window(details.delivery_window)
    row.update(
        po_type=_quick_text(details.purchase_order_type),
        ordered_at=_quick_time(details.purchase_order_date),
        changed_at=_quick_time(details.purchase_order_changed_date),
        selling_party=_quick_party(details.selling_party),
        ship_to=_quick_party(details.ship_to_party),
        ship_window_start=ship_start,
        ship_window_end=ship_end,
        delivery_window_start=delivery_start,
        delivery_window_end=delivery_end,
    )
    return row, [_quick_order_item(item, currency) for item in details.items or ()]


def _quick_order_item(item: shapes.OrderItem, currency: str) -> Item:
    text = _part_text
    return _quick_ordered(
        item.item_sequence_number,
        item.amazon_product_identifier,
        item.vendor_product_identifier,
        _part_quantity(text(item.ordered_quantity)),
        _part_costs(text(item.net_cost), text(item.list_price), currency),
    )


def _quick_ordered(
    sequence: str | None,
    asin: str | None,
    sku: str | None,
    quantity: tuple[int | None, str | None, int, int | None],
    costs: tuple[int | None, int | None, str],
) -> Item:
    """An item as ordered: `_ORDER_ITEM_COLUMNS`, as `_order_item_row` names them; `quantity`
    as `_quick_quantity` reads it, `costs` as `_costs` does."""
    amount, unit, size, eaches = quantity
    net, price, cost_currency = costs
    return (
        _quick_required(sequence),
        (asin.strip() or None) if asin is not None else None,  # (`_quick_text`, inline: per item)
        (sku.strip() or None) if sku is not None else None,
        amount or 0,
        unit or UnitOfMeasure.eaches.value,
        size,
        eaches or 0,
        net,
        price,
        cost_currency,
    )


def _order_item_row(item: _Doc, currency: str) -> Row:
    sequence = item.text("itemSequenceNumber", required=True)
    amount, unit, size, eaches = _quantity(item, "orderedQuantity")
    net_cost, cost_currency = _money(item, "netCost", currency)
    list_price, _ = _money(item, "listPrice", cost_currency)
    return {
        "item_sequence": sequence,
        "asin": item.text("amazonProductIdentifier"),
        "vendor_sku": item.text("vendorProductIdentifier"),
        "ordered_quantity": amount or 0,
        "ordered_unit": unit or UnitOfMeasure.eaches.value,
        "unit_size": size,
        "ordered_eaches": eaches or 0,
        "net_cost_minor": net_cost,
        "list_price_minor": list_price,
        "currency": cost_currency,
    }


def upsert_purchase_order_statuses(
    session: Session,
    account: VendorAccount,
    statuses: Sequence[Document],
    *,
    start: int = 0,
) -> UpsertCounts:
    """Store `payload.ordersStatus` of getPurchaseOrdersStatus: acknowledgement and receiving.

    A status for a PO not seen yet creates it from what the status carries; for known POs only
    the status columns change, so order details from getPurchaseOrders are kept.
    """
    read = read_purchase_order_statuses(statuses, account.currency, start)
    return store_purchase_order_statuses(_connection(session), _account_id(account), read)


def read_purchase_order_statuses(
    statuses: Sequence[Document], currency: str, start: int = 0
) -> ReadBatch:
    """Each status's PO row and item rows; `start` is the first status's place in its list."""
    return ReadBatch(
        _read_each(_quick_status, _status, _status_item, "ordersStatus", statuses, currency, start)
    )


def store_purchase_order_statuses(
    conn: Connection, account_id: int, read: ReadBatch
) -> UpsertCounts:
    """Store what `read_purchase_order_statuses` read (see `upsert_purchase_order_statuses`)."""
    now = utcnow()
    po_rows: list[Row] = []
    items_by_po = _ItemsByParent()
    for row, items in read.documents:
        row.update(account_id=account_id, updated_at=now)
        po_rows.append(row)
        items_by_po.add(row["po_number"], items or [])
    result = upsert(conn, PO_TABLE, po_rows, _PO_KEY, update=_PO_STATUS_COLUMNS, want_ids=True)
    item_counts = upsert_tuples(
        conn,
        PO_ITEM_TABLE,
        ("po_id", *_STATUS_ITEM_COLUMNS),
        items_by_po.with_parents(result.ids, account_id),
        _ITEM_KEY,
        update=_ITEM_STATUS_COLUMNS,
    )
    return result.counts + item_counts


def _status(status: _Doc, _currency: str) -> ReadRows:
    row: Row = {
        "po_number": status.text("purchaseOrderNumber", required=True),
        "ordered_at": status.timestamp("purchaseOrderDate"),
        "selling_party": status.party("sellingParty"),
        "ship_to": status.party("shipToParty"),
    }
    if (status.text("purchaseOrderStatus") or "").upper() == "CLOSED":
        row["state"] = "Closed"
    return row, [_status_item_row(item, _currency) for item in status.children("itemStatus")]


def _quick_status(status: shapes.OrderStatus, currency: str) -> DocumentRows:
    row: Row = {
        "po_number": _quick_required(status.purchase_order_number),
        "ordered_at": _quick_time(status.purchase_order_date),
        "selling_party": _quick_party(status.selling_party),
        "ship_to": _quick_party(status.ship_to_party),
    }
    if (_quick_text(status.purchase_order_status) or "").upper() == "CLOSED":
        row["state"] = "Closed"
    return row, [_quick_status_item(item, currency) for item in status.item_status or ()]


def _quick_status_item(item: shapes.OrderItemStatus, currency: str) -> Item:
    text = _part_text
    as_ordered = _quick_ordered(
        item.item_sequence_number,
        item.buyer_product_identifier,
        item.vendor_product_identifier,
        _status_quantity(text(item.ordered_quantity)),
        _part_costs(text(item.net_cost), text(item.list_price), currency),
    )
    # Then _ITEM_STATUS_COLUMNS, as `_status_item_row` names them.
    return (
        *as_ordered,
        *_status_acknowledged(text(item.acknowledgement_status)),
        *_quick_received(item.receiving_status),
    )


# An item's prices, quantity and acknowledgement, read once per distinct text (kept as text:
# `spapi_shapes.Part`; a long one is read the checked way, so the caches hold a few MB at most
# whatever a file holds). Over a year's first 392 k status items, one read in 185 of the prices
# missed the cache, one in 994 of the quantities and one in 73 of the acknowledgements. A part
# that does not fit Amazon's shape sends its document to the checked read, as a document that
# does not fit does.


@lru_cache(maxsize=4096)
def _part_quantity(text: bytes | None) -> tuple[int | None, str | None, int, int | None]:
    quantity: shapes.ItemQuantity | None = _part(text, shapes.QUANTITY)
    return _quick_quantity(quantity)


@lru_cache(maxsize=4096)
def _status_quantity(text: bytes | None) -> tuple[int | None, str | None, int, int | None]:
    ordered = _part(text, shapes.ORDERED_QUANTITY)
    return _quick_quantity(ordered.ordered_quantity if ordered is not None else None)


@lru_cache(maxsize=4096)
def _part_costs(
    net_cost: bytes | None, list_price: bytes | None, currency: str
) -> tuple[int | None, int | None, str]:
    return _costs(_part(net_cost, shapes.MONEY), _part(list_price, shapes.MONEY), currency)


@lru_cache(maxsize=4096)
def _status_acknowledged(text: bytes | None) -> tuple[str | None, int | None, int | None]:
    ack = _part(text, shapes.ACKNOWLEDGEMENT)
    if ack is None:
        return None, None, None
    return (
        _quick_text(ack.confirmation_status),
        _quick_quantity(ack.accepted_quantity)[3],
        _quick_quantity(ack.rejected_quantity)[3],
    )


# Amazon's parts are under 200 bytes; one longer (an ignored field of any size) is not cached.
LONGEST_CACHED_PART = 1024


def _part_text(part: shapes.Part) -> bytes | None:
    """A kept part's JSON text, to cache its read by (None: the document does not have it)."""
    if part is msgspec.UNSET:
        return None
    text = bytes(part)
    if len(text) > LONGEST_CACHED_PART:
        raise _Unusual
    return text


def _part(text: bytes | None, decoder: msgspec.json.Decoder[T]) -> T | None:
    """A kept part's text read by `decoder` (None when absent); `_Unusual` when it does not
    fit."""
    if text is None:
        return None
    try:
        return decoder.decode(text)
    except msgspec.ValidationError:
        raise _Unusual from None


def _quick_received(
    receiving: shapes.ReceivingStatus | None,
) -> tuple[str | None, int | None, str | None, int | None, datetime | None]:
    if receiving is None:
        return None, None, None, None, None
    amount, unit, _, eaches = _quick_quantity(receiving.received_quantity)
    return (
        _quick_text(receiving.receive_status),
        amount,
        unit if amount is not None else None,
        eaches,
        _quick_time(receiving.last_receive_date),
    )


def _status_item_row(item: _Doc, currency: str) -> Row:
    ordered = item.child("orderedQuantity")
    amount, unit, size, eaches = _quantity(ordered, "orderedQuantity")
    net_cost, cost_currency = _money(item, "netCost", currency)
    list_price, _ = _money(item, "listPrice", cost_currency)
    ack = item.child("acknowledgementStatus")
    receiving = item.child("receivingStatus")
    received_amount, received_unit, _, received_eaches = _quantity(receiving, "receivedQuantity")
    return {
        "item_sequence": item.text("itemSequenceNumber", required=True),
        "asin": item.text("buyerProductIdentifier"),
        "vendor_sku": item.text("vendorProductIdentifier"),
        "ordered_quantity": amount or 0,
        "ordered_unit": unit or UnitOfMeasure.eaches.value,
        "unit_size": size,
        "ordered_eaches": eaches or 0,
        "net_cost_minor": net_cost,
        "list_price_minor": list_price,
        "currency": cost_currency,
        "confirmation_status": ack.text("confirmationStatus") if ack else None,
        "accepted_eaches": _quantity(ack, "acceptedQuantity")[3] if ack else None,
        "rejected_eaches": _quantity(ack, "rejectedQuantity")[3] if ack else None,
        "receive_status": receiving.text("receiveStatus") if receiving else None,
        "received_quantity": received_amount,
        "received_unit": received_unit if received_amount is not None else None,
        "received_eaches": received_eaches,
        "last_received_at": receiving.timestamp("lastReceiveDate") if receiving else None,
    }


def upsert_shipments(
    session: Session,
    account: VendorAccount,
    shipments: Sequence[Document],
    *,
    start: int = 0,
) -> UpsertCounts:
    """Store `payload.shipments` of getShipmentDetails: the ASN, its dates, carrier and items.

    A newer version of a shipment replaces its item lines (lines it no longer lists go).
    """
    read = read_shipments(shipments, account.currency, start)
    return store_shipments(_connection(session), _account_id(account), read)


def read_shipments(shipments: Sequence[Document], currency: str, start: int = 0) -> ReadBatch:
    """Each shipment's row and line rows; `start` is the first shipment's place in its list."""
    return ReadBatch(
        _read_each(
            _quick_shipment, _shipment, _shipment_item, "shipments", shipments, currency, start
        )
    )


def store_shipments(conn: Connection, account_id: int, read: ReadBatch) -> UpsertCounts:
    """Store what `read_shipments` read (see `upsert_shipments`)."""
    now = utcnow()
    rows: list[Row] = []
    items_by_shipment: dict[str, list[Item]] = {}
    for row, items in read.documents:
        row.update(account_id=account_id, updated_at=now)
        rows.append(row)
        items_by_shipment[row["shipment_id"]] = items or []
    result = upsert(conn, SHIPMENT_TABLE, rows, ("account_id", "shipment_id"), want_ids=True)
    # The POs the ASN lines named before they are rewritten: a line moved to another PO (or
    # dropped) changes what the old PO can prove.
    parents = [result.ids[(account_id, shipment_id)] for shipment_id in items_by_shipment]
    lines = SHIPMENT_ITEM_TABLE.c
    last_line: dict[int, int] = {}  # shipment row id -> its highest line number on record
    for start in range(0, len(parents), CHUNK_ROWS):
        before = (
            select(lines.shipment_id, lines.po_number, func.max(lines.line_no))
            .where(lines.shipment_id.in_(parents[start : start + CHUNK_ROWS]))
            .group_by(lines.shipment_id, lines.po_number)
        )
        named: set[str] = set()
        for parent, po_number, line_no in conn.execute(before):
            named.add(po_number)
            last_line[parent] = max(line_no, last_line.get(parent, 0))
        changes.note(conn, account_id, "po", sorted(named))
    item_rows: list[Item] = []
    for shipment_id, items in items_by_shipment.items():
        parent = result.ids[(account_id, shipment_id)]
        # Only a shipment that had more lines than it has now loses some (none on a first day).
        if last_line.get(parent, 0) > len(items):
            conn.execute(
                delete(SHIPMENT_ITEM_TABLE).where(
                    lines.shipment_id == parent, lines.line_no > len(items)
                )
            )
        head = (parent,)
        item_rows.extend([head + item for item in items])
    columns = ("shipment_id", *_SHIPMENT_ITEM_COLUMNS)
    key = ("shipment_id", "line_no")
    return result.counts + upsert_tuples(conn, SHIPMENT_ITEM_TABLE, columns, item_rows, key)


def _shipment(shipment: _Doc, _currency: str) -> ReadRows:
    transport = shipment.child("transportationDetails")
    carrier = transport.child("carrierDetails") if transport else None
    cartons, pallets = _container_counts(shipment)
    row: Row = {
        "shipment_id": shipment.text("vendorShipmentIdentifier", required=True),
        "transaction_type": shipment.text("transactionType"),
        "status": shipment.text("currentShipmentStatus"),
        "freight_term": shipment.text("shipmentFreightTerm"),
        "bol_number": transport.text("billOfLadingNumber") if transport else None,
        "pro_number": carrier.text("shipmentReferenceNumber") if carrier else None,
        "carrier": (carrier.text("name") or carrier.text("code")) if carrier else None,
        "ship_from": shipment.party("shipFromParty"),
        "ship_to": shipment.party("shipToParty"),
        "created_at": shipment.timestamp("shipmentCreateDate"),
        "confirmed_at": shipment.timestamp("shipmentConfirmDate"),
        "shipped_at": transport.timestamp("shippedDate") if transport else None,
        "estimated_delivery_at": (
            transport.timestamp("estimatedDeliveryDate") if transport else None
        ),
        "delivered_at": transport.timestamp("shipmentDeliveryDate") if transport else None,
        "carton_count": cartons,
        "pallet_count": pallets,
    }
    items: list[Row] = []
    for order in shipment.children("purchaseOrders"):
        po_number = order.text("purchaseOrderNumber", required=True)
        for item in order.children("items"):
            amount, unit, size, eaches = _quantity(item, "shippedQuantity")
            items.append(
                {
                    "line_no": len(items) + 1,
                    "po_number": po_number,
                    "item_sequence": item.text("itemSequenceNumber"),
                    "asin": item.text("buyerProductIdentifier")
                    or item.text("amazonProductIdentifier"),
                    "vendor_sku": item.text("vendorProductIdentifier"),
                    "shipped_quantity": amount or 0,
                    "shipped_unit": unit or UnitOfMeasure.eaches.value,
                    "unit_size": size,
                    "shipped_eaches": eaches or 0,
                }
            )
    return row, items


def _quick_shipment(shipment: shapes.ShipmentDoc, _currency: str) -> DocumentRows:
    transport = shipment.transportation_details
    carrier = transport.carrier_details if transport else None
    cartons, pallets = _quick_container_counts(shipment)
    row: Row = {
        "shipment_id": _quick_required(shipment.vendor_shipment_identifier),
        "transaction_type": _quick_text(shipment.transaction_type),
        "status": _quick_text(shipment.current_shipment_status),
        "freight_term": _quick_text(shipment.shipment_freight_term),
        "bol_number": _quick_text(transport.bill_of_lading_number) if transport else None,
        "pro_number": _quick_text(carrier.shipment_reference_number) if carrier else None,
        "carrier": ((_quick_text(carrier.name) or _quick_text(carrier.code)) if carrier else None),
        "ship_from": _quick_party(shipment.ship_from_party),
        "ship_to": _quick_party(shipment.ship_to_party),
        "created_at": _quick_time(shipment.shipment_create_date),
        "confirmed_at": _quick_time(shipment.shipment_confirm_date),
        "shipped_at": _quick_time(transport.shipped_date) if transport else None,
        "estimated_delivery_at": (
            _quick_time(transport.estimated_delivery_date) if transport else None
        ),
        "delivered_at": _quick_time(transport.shipment_delivery_date) if transport else None,
        "carton_count": cartons,
        "pallet_count": pallets,
    }
    items: list[Item] = []
    for order in shipment.purchase_orders or ():
        po_number = _quick_required(order.purchase_order_number)
        for item in order.items or ():
            amount, unit, size, eaches = _quick_quantity(item.shipped_quantity)
            items.append(
                (  # _SHIPMENT_ITEM_COLUMNS, as `_shipment` names them
                    len(items) + 1,
                    po_number,
                    _quick_text(item.item_sequence_number),
                    _quick_text(item.buyer_product_identifier)
                    or _quick_text(item.amazon_product_identifier),
                    _quick_text(item.vendor_product_identifier),
                    amount or 0,
                    unit or UnitOfMeasure.eaches.value,
                    size,
                    eaches or 0,
                )
            )
    return row, items


def _quick_container_counts(shipment: shapes.ShipmentDoc) -> tuple[int | None, int | None]:
    measurements = shipment.shipment_measurements
    cartons = measurements.total_carton_count if measurements else None
    pallets: int | None = None
    if measurements is not None:
        stackable = measurements.total_pallet_stackable
        loose = measurements.total_pallet_non_stackable
        if stackable is not None or loose is not None:
            pallets = (stackable or 0) + (loose or 0)
    containers = shipment.containers or []
    if containers and cartons is None:
        cartons = sum(1 for c in containers if _quick_text(c.container_type) == "carton")
    if containers and pallets is None:
        pallets = sum(1 for c in containers if _quick_text(c.container_type) == "pallet")
    if any(count is not None and abs(count) > MAX_COUNT for count in (cartons, pallets)):
        raise _Unusual
    return cartons, pallets


# The quick read of single values: what the checked read gives for Amazon's usual shapes,
# `_Unusual` for anything else.


def _quick_text(value: str | None) -> str | None:
    return (value.strip() or None) if value is not None else None


def _quick_required(value: str | None) -> str:
    text = _quick_text(value)
    if text is None:
        raise _Unusual
    return text


def _quick_party(party: shapes.Party | None) -> str | None:
    return _quick_text(party.party_id) if party is not None else None


@lru_cache(maxsize=4096)  # receipts of a PO's items share their time: parsed once, sent once
def _quick_time(value: str | None) -> datetime | None:
    text = _quick_text(value)
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _Unusual from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _quick_window(value: str | None) -> tuple[datetime | None, datetime | None]:
    text = _quick_text(value)
    if text is None:
        return None, None
    start, sep, end = text.partition("--")
    if not sep:
        raise _Unusual
    return _quick_time(start), _quick_time(end)


# Cached: a year of status items repeats the same few received quantities, and of shipments
# the same shipped ones, millions of times (ordered ones are cached by their text, above).
@lru_cache(maxsize=4096)
def _quick_quantity(
    quantity: shapes.ItemQuantity | None,
) -> tuple[int | None, str | None, int, int | None]:
    if quantity is None:
        return None, None, 1, None
    amount, unit = quantity.amount, quantity.unit_of_measure
    size = 1 if quantity.unit_size is None else quantity.unit_size
    if amount is None or not 1 <= size <= MAX_COUNT or unit not in _PLAIN_UNITS:
        raise _Unusual
    if abs(amount * size) > MAX_COUNT:
        raise _Unusual
    return amount, unit, size, amount * size if _PLAIN_UNITS[unit] else amount


def _costs(
    net_cost: shapes.Money | None, list_price: shapes.Money | None, currency: str
) -> tuple[int | None, int | None, str]:
    """(net cost, list price, the net cost's currency, which the list price falls back to)."""
    net, cost_currency = _quick_money(net_cost, currency)
    price, _ = _quick_money(list_price, cost_currency)
    return net, price, cost_currency


def _quick_money(money: shapes.Money | None, fallback_currency: str) -> tuple[int | None, str]:
    if money is None or money.amount is None:
        return None, fallback_currency
    code = money.currency_code
    if money.unit_of_measure is None and code is not None:
        places = _plain_places(code)
        minor = None if places is None else plain_minor(money.amount, places)
        if minor is not None and abs(minor) <= MAX_AMOUNT_MINOR:
            return minor, code
    raise _Unusual


def _container_counts(shipment: _Doc) -> tuple[int | None, int | None]:
    """Cartons and pallets: the shipment's own totals, else its listed containers."""
    measurements = shipment.child("shipmentMeasurements")
    cartons = measurements.integer("totalCartonCount") if measurements else None
    pallets: int | None = None
    if measurements is not None:
        stackable = measurements.integer("totalPalletStackable")
        loose = measurements.integer("totalPalletNonStackable")
        if stackable is not None or loose is not None:
            pallets = _count((stackable or 0) + (loose or 0), measurements, "totalPalletStackable")
    containers = shipment.children("containers")
    if containers and cartons is None:
        cartons = sum(1 for c in containers if c.text("containerType") == "carton")
    if containers and pallets is None:
        pallets = sum(1 for c in containers if c.text("containerType") == "pallet")
    return cartons, pallets
