"""The query side of the fake SP-API: filter a feed by date windows, page it with `nextToken`.

Rules as Amazon documents them for the vendor APIs: every date filter is an After/Before pair
whose range must not exceed 7 days; `limit` is bounded per operation (100 for orders and
statuses, 50 for shipments); results are sorted by creation date and paged with an opaque
`nextToken` that carries the query, so later pages need nothing else. Paging is by key (the
last creation date and identifier served), so rows added meanwhile never shift a page.
Here After is inclusive and Before exclusive, so consecutive windows never share a row.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

Payload = dict[str, Any]

MAX_WINDOW = timedelta(days=7)


class BadRequest(Exception):
    """A 400 answer: Amazon's `InvalidInput` with a message."""


def parse_time(value: str) -> datetime:
    moment = datetime.fromisoformat(value.strip())
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _stamp(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return parse_time(value)
    except ValueError:
        return None


@dataclass(frozen=True)
class DateFilter:
    after: str
    before: str
    key: Callable[[Payload], datetime]


@dataclass(frozen=True)
class FeedSpec:
    operation: str
    path: str
    list_key: str
    identity: Callable[[Payload], str]
    created: Callable[[Payload], datetime]
    date_filters: tuple[DateFilter, ...]
    # Query parameters that select rows whose extracted value equals the parameter.
    equals: Mapping[str, Callable[[Payload], str | None]] = field(default_factory=dict)
    max_limit: int = 100
    # What `includeDetails=false` leaves of a row (None: the operation has no such switch).
    summary: Callable[[Payload], Payload] | None = None


def _order_created(order: Payload) -> datetime:
    stamp = _stamp(order.get("orderDetails", {}).get("purchaseOrderDate"))
    return stamp or datetime.min.replace(tzinfo=UTC)


def _order_changed(order: Payload) -> datetime:
    details = order.get("orderDetails", {})
    stamps = [
        _stamp(details.get(name))
        for name in (
            "purchaseOrderDate",
            "purchaseOrderChangedDate",
            "purchaseOrderStateChangedDate",
        )
    ]
    return max((s for s in stamps if s), default=datetime.min.replace(tzinfo=UTC))


def _status_created(status: Payload) -> datetime:
    return _stamp(status.get("purchaseOrderDate")) or datetime.min.replace(tzinfo=UTC)


def _status_updated(status: Payload) -> datetime:
    return _stamp(status.get("lastUpdatedDate")) or _status_created(status)


def _shipment_created(shipment: Payload) -> datetime:
    return (
        _stamp(shipment.get("shipmentCreateDate"))
        or _stamp(shipment.get("transactionDate"))
        or datetime.min.replace(tzinfo=UTC)
    )


def _party(*path: str) -> Callable[[Payload], str | None]:
    def extract(row: Payload) -> str | None:
        node: Any = row
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        return node if isinstance(node, str) else None

    return extract


ORDERS = FeedSpec(
    operation="getPurchaseOrders",
    path="/vendor/orders/v1/purchaseOrders",
    list_key="orders",
    identity=lambda o: str(o.get("purchaseOrderNumber", "")),
    created=_order_created,
    date_filters=(
        DateFilter("createdAfter", "createdBefore", _order_created),
        DateFilter("changedAfter", "changedBefore", _order_changed),
    ),
    equals={
        "orderingVendorCode": _party("orderDetails", "sellingParty", "partyId"),
        "purchaseOrderState": _party("purchaseOrderState"),
    },
    summary=lambda o: {
        "purchaseOrderNumber": o["purchaseOrderNumber"],
        "purchaseOrderState": o["purchaseOrderState"],
    },
)

STATUSES = FeedSpec(
    operation="getPurchaseOrdersStatus",
    path="/vendor/orders/v1/purchaseOrdersStatus",
    list_key="ordersStatus",
    identity=lambda s: str(s.get("purchaseOrderNumber", "")),
    created=_status_created,
    date_filters=(
        DateFilter("createdAfter", "createdBefore", _status_created),
        DateFilter("updatedAfter", "updatedBefore", _status_updated),
    ),
    equals={
        "orderingVendorCode": _party("sellingParty", "partyId"),
        "purchaseOrderNumber": _party("purchaseOrderNumber"),
        "purchaseOrderStatus": _party("purchaseOrderStatus"),
        "shipToPartyId": _party("shipToParty", "partyId"),
    },
)

SHIPMENTS = FeedSpec(
    operation="getShipmentDetails",
    path="/vendor/shipping/v1/shipments",
    list_key="shipments",
    identity=lambda s: str(s.get("vendorShipmentIdentifier", "")),
    created=_shipment_created,
    date_filters=(DateFilter("createdAfter", "createdBefore", _shipment_created),),
    equals={
        # Amazon: "should be same as 'sellingParty.partyId' in the Shipment".
        "sellerWarehouseCode": _party("sellingParty", "partyId"),
        "buyerWarehouseCode": _party("shipToParty", "partyId"),
        "vendorShipmentIdentifier": _party("vendorShipmentIdentifier"),
    },
    max_limit=50,
)

FEEDS: dict[str, FeedSpec] = {"orders": ORDERS, "statuses": STATUSES, "shipments": SHIPMENTS}


def _encode_token(state: Payload) -> str:
    return base64.urlsafe_b64encode(json.dumps(state, separators=(",", ":")).encode()).decode()


def _decode_token(token: str) -> Payload:
    try:
        state = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (binascii.Error, ValueError) as exc:
        raise BadRequest("Invalid nextToken.") from exc
    if not isinstance(state, dict) or not {"ranges", "equals", "sort", "last"} <= state.keys():
        raise BadRequest("Invalid nextToken.")
    return state


class FeedIndex:
    """One feed's rows, sorted once per date filter so a window is found by bisection."""

    def __init__(self, spec: FeedSpec, rows: list[Payload]) -> None:
        self.spec = spec
        self.rows = list(rows)
        self._by_filter: dict[str, tuple[list[datetime], list[Payload]]] = {}
        for date_filter in spec.date_filters:
            ordered = sorted(self.rows, key=date_filter.key)
            self._by_filter[date_filter.after] = ([date_filter.key(r) for r in ordered], ordered)

    def _resolve_ranges(
        self, params: Mapping[str, str], now: datetime
    ) -> dict[str, tuple[datetime, datetime]]:
        ranges: dict[str, tuple[datetime, datetime]] = {}
        for date_filter in self.spec.date_filters:
            raw_after, raw_before = params.get(date_filter.after), params.get(date_filter.before)
            if raw_after is None and raw_before is None:
                continue
            try:
                before = parse_time(raw_before) if raw_before else now
                after = parse_time(raw_after) if raw_after else before - MAX_WINDOW
            except ValueError as exc:
                raise BadRequest(
                    f"{date_filter.after}/{date_filter.before} must be ISO-8601 date-times."
                ) from exc
            if after > before:
                raise BadRequest(f"{date_filter.after} must be before {date_filter.before}.")
            if before - after > MAX_WINDOW:
                raise BadRequest(
                    f"The date range {date_filter.after} to {date_filter.before} "
                    "must not exceed 7 days."
                )
            ranges[date_filter.after] = (after, before)
        if not ranges:
            names = " or ".join(f.after for f in self.spec.date_filters)
            raise BadRequest(f"A date range is required: give {names}.")
        return ranges

    def page(
        self, params: Mapping[str, str], now: datetime, limit: int
    ) -> tuple[list[Payload], str | None]:
        """One page of rows and the token for the next one (None on the last page)."""
        token = params.get("nextToken")
        if token:
            state = _decode_token(token)
            ranges = {
                name: (parse_time(bounds[0]), parse_time(bounds[1]))
                for name, bounds in state["ranges"].items()
            }
            equals: dict[str, str] = state["equals"]
            descending = state["sort"] == "DESC"
            last: tuple[datetime, str] | None = (parse_time(state["last"][0]), state["last"][1])
            details = bool(state.get("details", True))
        else:
            ranges = self._resolve_ranges(params, now)
            equals = {name: params[name] for name in self.spec.equals if params.get(name)}
            sort = params.get("sortOrder", "ASC")
            if sort not in ("ASC", "DESC"):
                raise BadRequest("sortOrder must be ASC or DESC.")
            descending = sort == "DESC"
            last = None
            details = params.get("includeDetails", "true").lower() != "false"

        first_name = next(iter(ranges))
        keys, ordered = self._by_filter[first_name]
        low, high = ranges[first_name]
        candidates = ordered[bisect.bisect_left(keys, low) : bisect.bisect_left(keys, high)]
        filters = {f.after: f for f in self.spec.date_filters}
        selected = [
            row
            for row in candidates
            if all(low <= filters[n].key(row) < high for n, (low, high) in ranges.items())
            and all(self.spec.equals[n](row) == value for n, value in equals.items())
        ]
        keyed = sorted(
            (((self.spec.created(row), self.spec.identity(row)), row) for row in selected),
            key=lambda pair: pair[0],
            reverse=descending,
        )
        if last is not None:
            marker = last
            keyed = [(k, r) for k, r in keyed if (k < marker if descending else k > marker)]
        served = keyed[:limit]
        rows = [r for _, r in served]
        if not details and self.spec.summary is not None:
            rows = [self.spec.summary(r) for r in rows]
        if len(keyed) <= limit:
            return rows, None
        last_key = served[-1][0]
        next_state = {
            "ranges": {n: [lo.isoformat(), hi.isoformat()] for n, (lo, hi) in ranges.items()},
            "equals": equals,
            "sort": "DESC" if descending else "ASC",
            "last": [last_key[0].isoformat(), last_key[1]],
            "details": details,
        }
        return rows, _encode_token(next_state)
