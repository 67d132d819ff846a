"""The fake SP-API, driven by the real python-amazon-sp-api client and by raw HTTP."""

from __future__ import annotations

import functools
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sp_api.api import VendorOrders, VendorShipments
from sp_api.auth.exceptions import AuthorizationError
from sp_api.base import (
    SellingApiBadRequestException,
    SellingApiForbiddenException,
    SellingApiRequestThrottledException,
    SellingApiTemporarilyUnavailableException,
)
from spapi_fixtures import (
    APP_ID,
    CLIENT_SECRET,
    END,
    REFRESH_TOKEN,
    VENDOR,
    dataset,
    fake_for,
    response_validator,
)

from recovery.sources.spapi_client import LwaTokenClient
from recovery.testing.fake_spapi import FakeSpApi, Faults
from recovery.testing.fake_spapi_data import load_scenario, write_scenario
from recovery.testing.scenario import generate_scenario

DATA = dataset(400, days=60)


def iso(moment: Any) -> str:
    return str(moment.strftime("%Y-%m-%dT%H:%M:%SZ"))


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeSpApi]:
    with fake_for(DATA) as running:
        yield running


def client(cls: Any, fake: FakeSpApi, *, secret: str = CLIENT_SECRET, **kwargs: Any) -> Any:
    """The real library client, pointed at the fake the way recovery's sync does it."""
    made = cls(
        credentials={
            "lwa_app_id": APP_ID,
            "lwa_client_secret": secret,
            "refresh_token": REFRESH_TOKEN,
        },
        auth_token_client_class=functools.partial(LwaTokenClient, token_url=fake.lwa_url),
        **kwargs,
    )
    made.endpoint = fake.url
    return made


def week() -> dict[str, str]:
    return {"createdAfter": iso(END - timedelta(days=7)), "createdBefore": iso(END)}


def test_real_client_pages_through_a_window_with_next_token(fake: FakeSpApi) -> None:
    orders = client(VendorOrders, fake)
    seen: list[str] = []
    pages = 0
    token = None
    while True:
        extra = {"nextToken": token} if token else {}
        response = orders.get_purchase_orders(limit=7, includeDetails="true", **week(), **extra)
        pages += 1
        seen += [o["purchaseOrderNumber"] for o in response.payload["orders"]]
        assert len(response.payload["orders"]) <= 7
        token = response.next_token
        if token is None:
            break
    start = END - timedelta(days=7)
    expected = {
        o["purchaseOrderNumber"]
        for o in DATA.orders
        if iso(start) <= o["orderDetails"]["purchaseOrderDate"] < iso(END)
    }
    assert len(expected) > 14, "the window must need several pages"
    assert len(seen) == len(set(seen)) == len(expected)
    assert set(seen) == expected
    assert pages == -(-len(expected) // 7)
    assert response.rate_limit == "1000"


def test_real_client_sees_the_seven_day_rule_and_the_limit(fake: FakeSpApi) -> None:
    orders = client(VendorOrders, fake)
    with pytest.raises(SellingApiBadRequestException) as refused:
        orders.get_purchase_orders(
            createdAfter=iso(END - timedelta(days=7, seconds=1)), createdBefore=iso(END)
        )
    assert refused.value.amzn_code == "InvalidInput"
    assert "7 days" in refused.value.message
    with pytest.raises(SellingApiBadRequestException):
        orders.get_purchase_orders_status(
            updatedAfter=iso(END - timedelta(days=8)), updatedBefore=iso(END)
        )
    with pytest.raises(SellingApiBadRequestException) as too_many:
        orders.get_purchase_orders(limit=101, **week())
    assert "between 1 and 100" in too_many.value.message
    shipments = client(VendorShipments, fake)
    with pytest.raises(SellingApiBadRequestException):
        shipments.get_shipment_details(limit=51, **week())
    assert shipments.get_shipment_details(limit=50, **week()).payload["shipments"]


def test_bad_tokens_are_refused_as_amazon_does(fake: FakeSpApi) -> None:
    # LWA: a wrong client secret is 401 invalid_client.
    with pytest.raises(AuthorizationError) as lwa:
        client(VendorOrders, fake, secret="wrong").get_purchase_orders(**week())
    assert lwa.value.status_code == 401 and lwa.value.error_code == "invalid_client"
    # The API: an access token it never issued is 403 Unauthorized.
    forged = client(VendorOrders, fake, restricted_data_token="Atza|forged")
    with pytest.raises(SellingApiForbiddenException) as api:
        forged.get_purchase_orders(**week())
    assert api.value.amzn_code == "Unauthorized"
    assert "revoked, malformed or invalid" in str(api.value.error)
    missing = httpx.get(fake.url + "/vendor/orders/v1/purchaseOrders", params=week())
    assert missing.status_code == 403
    assert missing.json()["errors"][0]["code"] == "Unauthorized"


def test_an_expired_access_token_is_refused_until_a_new_one_is_fetched() -> None:
    with fake_for(DATA) as fake:
        orders = client(VendorOrders, fake)
        assert orders.get_purchase_orders(**week()).payload["orders"]
        fake.expire_tokens()
        with pytest.raises(SellingApiForbiddenException) as expired:
            orders.get_purchase_orders(**week())
        assert "expired" in expired.value.error[0]["details"]
        orders._auth.invalidate()
        assert orders.get_purchase_orders(**week()).payload["orders"]
        assert fake.stats.token_grants == 2


def test_bursts_over_the_bucket_get_429_with_the_rate_header() -> None:
    with fake_for(DATA, rate=1.0, burst=3) as fake:
        orders = client(VendorOrders, fake)
        for _ in range(3):
            orders.get_purchase_orders(**week())
        with pytest.raises(SellingApiRequestThrottledException) as throttled:
            orders.get_purchase_orders(**week())
        assert throttled.value.headers["x-amzn-RateLimit-Limit"] == "1"
        assert throttled.value.amzn_code == "QuotaExceeded"
        # Buckets are per operation: shipments still have their burst.
        client(VendorShipments, fake).get_shipment_details(**week())
        time.sleep(1.1)
        orders.get_purchase_orders(**week())
        assert fake.stats.count(429) == 1


def test_faults_are_injected_on_request() -> None:
    with fake_for(DATA) as fake:
        fake.faults = Faults(error_on={2}, slow_rate=1.0, slow_seconds=0.2)
        orders = client(VendorOrders, fake)
        began = time.monotonic()
        orders.get_purchase_orders(**week())
        assert time.monotonic() - began >= 0.2
        with pytest.raises(SellingApiTemporarilyUnavailableException):
            orders.get_purchase_orders(**week())
        fake.faults = Faults()
        fake.start_storm(0.3)
        with pytest.raises(SellingApiRequestThrottledException):
            orders.get_purchase_orders(**week())
        time.sleep(0.35)
        orders.get_purchase_orders(**week())
        assert fake.stats.count(503) == 1 and fake.stats.count(429) == 1


def test_filters_by_change_date_vendor_code_and_details(fake: FakeSpApi) -> None:
    orders = client(VendorOrders, fake)
    after, before = iso(END - timedelta(days=21)), iso(END - timedelta(days=14))
    changed = orders.get_purchase_orders(
        changedAfter=after,
        changedBefore=before,
        includeDetails="false",
        orderingVendorCode=VENDOR,
    ).payload["orders"]
    expected = {
        o["purchaseOrderNumber"]
        for o in DATA.orders
        if after <= o["orderDetails"]["purchaseOrderChangedDate"] < before
    }
    assert 0 < len(expected) < 100
    assert {o["purchaseOrderNumber"] for o in changed} == expected
    assert all(set(o) == {"purchaseOrderNumber", "purchaseOrderState"} for o in changed)
    other = orders.get_purchase_orders(orderingVendorCode="OTHER", **week()).payload["orders"]
    assert other == []


def _walk(
    fake: FakeSpApi, path: str, limit: int, after: str, before: str, days: int = 63
) -> Iterator[Any]:
    token = fake_token(fake)
    start = END - timedelta(days=days)
    while start < END:
        params: dict[str, Any] = {
            after: iso(start),
            before: iso(min(start + timedelta(days=7), END)),
            "limit": limit,
        }
        while True:
            response = httpx.get(
                fake.url + path, params=params, headers={"x-amz-access-token": token}
            )
            assert response.status_code == 200
            yield response.json()
            next_token = response.json()["payload"].get("pagination", {}).get("nextToken")
            if not next_token:
                break
            params = {"nextToken": next_token, "limit": limit}
        start += timedelta(days=7)


def fake_token(fake: FakeSpApi) -> str:
    granted = httpx.post(
        fake.lwa_url,
        data={
            "grant_type": "refresh_token",
            "refresh_token": REFRESH_TOKEN,
            "client_id": APP_ID,
            "client_secret": CLIENT_SECRET,
        },
    )
    assert granted.status_code == 200
    return str(granted.json()["access_token"])


@pytest.mark.parametrize(
    ("model", "definition", "path", "limit", "after", "key", "count"),
    [
        (
            "vendorOrders.json",
            "GetPurchaseOrdersResponse",
            "/vendor/orders/v1/purchaseOrders",
            100,
            "changed",
            "orders",
            len(DATA.orders),
        ),
        (
            "vendorOrders.json",
            "GetPurchaseOrdersStatusResponse",
            "/vendor/orders/v1/purchaseOrdersStatus",
            100,
            "updated",
            "ordersStatus",
            len(DATA.statuses),
        ),
        (
            "vendorShipments.json",
            "GetShipmentDetailsResponse",
            "/vendor/shipping/v1/shipments",
            50,
            "created",
            "shipments",
            len(DATA.shipments),
        ),
    ],
)
def test_every_page_validates_against_amazons_model(
    fake: FakeSpApi,
    model: str,
    definition: str,
    path: str,
    limit: int,
    after: str,
    key: str,
    count: int,
) -> None:
    validator = response_validator(model, definition)
    served = 0
    for body in _walk(fake, path, limit, f"{after}After", f"{after}Before"):
        errors = sorted(validator.iter_errors(body), key=str)
        assert not errors, errors[0]
        served += len(body["payload"][key])
    assert served == count


def test_a_generated_scenario_is_served_and_validates(tmp_path: Path) -> None:
    generate_scenario(tmp_path, seed=5, size="tiny", today=END.date(), pdfs=False, xlsx=False)
    scenario = load_scenario(tmp_path)
    assert scenario.orders and scenario.statuses and scenario.shipments
    feeds = [
        ("vendorOrders.json", "GetPurchaseOrdersResponse", ORDERS_PATH, "changed", "orders"),
        (
            "vendorOrders.json",
            "GetPurchaseOrdersStatusResponse",
            STATUS_PATH,
            "updated",
            "ordersStatus",
        ),
        (
            "vendorShipments.json",
            "GetShipmentDetailsResponse",
            SHIPMENTS_PATH,
            "created",
            "shipments",
        ),
    ]
    with FakeSpApi(scenario, rate=1000, burst=1000, now=END) as fake:
        for model, definition, path, prefix, key in feeds:
            validator = response_validator(model, definition)
            served: list[Any] = []
            for body in _walk(fake, path, 50, f"{prefix}After", f"{prefix}Before", days=420):
                validator.validate(body)
                served += body["payload"][key]
            assert len(served) == len(getattr(scenario, FEED_OF[key]))


ORDERS_PATH = "/vendor/orders/v1/purchaseOrders"
STATUS_PATH = "/vendor/orders/v1/purchaseOrdersStatus"
SHIPMENTS_PATH = "/vendor/shipping/v1/shipments"
FEED_OF = {"orders": "orders", "ordersStatus": "statuses", "shipments": "shipments"}


def test_error_answers_validate_against_amazons_model(fake: FakeSpApi) -> None:
    validator = response_validator("vendorOrders.json", "GetPurchaseOrdersResponse")
    refused = httpx.get(
        fake.url + "/vendor/orders/v1/purchaseOrders",
        params={"createdAfter": iso(END - timedelta(days=9)), "createdBefore": iso(END)},
        headers={"x-amz-access-token": fake_token(fake)},
    )
    assert refused.status_code == 400
    validator.validate(refused.json())
    validator.validate(httpx.get(fake.url + "/vendor/orders/v1/purchaseOrders").json())


def test_a_scenario_directory_round_trips(tmp_path: Path) -> None:
    write_scenario(DATA, tmp_path)
    loaded = load_scenario(tmp_path)
    assert loaded.orders == DATA.orders and loaded.shipments == DATA.shipments
    with FakeSpApi(loaded, rate=1000, burst=1000, now=END) as fake:
        orders = client(VendorOrders, fake)
        assert orders.get_purchase_orders(**week()).payload["orders"]


def test_the_command_serves_a_scenario_until_stopped(tmp_path: Path) -> None:
    write_scenario(DATA, tmp_path)
    with FakeSpApi() as probe:  # borrow a free port, then give it back
        port = int(probe.url.rsplit(":", 1)[1])
    code = (
        "from pathlib import Path; from recovery.cli.fake_spapi_cmd import fake_spapi; "
        f"fake_spapi(port={port}, scenario=Path({str(tmp_path)!r}), rate=5.0, burst=5)"
    )
    server = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                granted = httpx.post(
                    url + "/auth/o2/token",
                    data={"grant_type": "refresh_token", "refresh_token": "any"},
                )
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the fake SP-API did not start"
                time.sleep(0.1)
        token = granted.json()["access_token"]
        answer = httpx.get(
            url + "/vendor/shipping/v1/shipments",
            params=week(),
            headers={"x-amz-access-token": token},
        )
        assert answer.status_code == 200 and answer.headers["x-amzn-RateLimit-Limit"] == "5"
        assert answer.json()["payload"]["shipments"]
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=10)
    assert f"http://127.0.0.1:{port}" in out
