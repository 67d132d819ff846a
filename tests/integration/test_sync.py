"""`recovery sync` end to end: the real python-amazon-sp-api client against the fake SP-API."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from spapi_fixtures import END, VENDOR, dataset, fake_for, sync_settings
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from recovery.config import Settings
from recovery.errors import ConfigError
from recovery.models import (
    CostRecord,
    JobRun,
    PurchaseOrder,
    PurchaseOrderItem,
    Shipment,
    ShipmentItem,
    SyncCursor,
)
from recovery.sources.spapi import Feed, SyncProgress, plan_windows, sync_spapi
from recovery.testing.fake_spapi import FakeSpApi, Faults
from recovery.testing.fake_spapi_data import SpApiDataset, iso, load_scenario
from recovery.testing.scenario import generate_scenario

# 60 days of a vendor at ~35 POs a week: two pages of orders in most windows.
DATA = dataset(300, days=60)


@pytest.fixture
def fake() -> Iterator[FakeSpApi]:
    with fake_for(copy.deepcopy(DATA)) as running:
        yield running


def count(engine: Engine, model: Any) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def assert_synced(engine: Engine, data: SpApiDataset) -> None:
    """The database holds exactly the dataset: counts, and values of a sample of documents."""
    items = sum(len(o["orderDetails"]["items"]) for o in data.orders)
    shipped_lines = sum(len(p["items"]) for s in data.shipments for p in s["purchaseOrders"])
    assert count(engine, PurchaseOrder) == len(data.orders)
    assert count(engine, PurchaseOrderItem) == items
    assert count(engine, Shipment) == len(data.shipments)
    assert count(engine, ShipmentItem) == shipped_lines
    with Session(engine) as session:
        costs = session.exec(select(CostRecord).where(CostRecord.source == "po")).all()
        assert {c.source_ref for c in costs} == {o["purchaseOrderNumber"] for o in data.orders}
        for order in data.orders[::37]:
            po = session.exec(
                select(PurchaseOrder).where(PurchaseOrder.po_number == order["purchaseOrderNumber"])
            ).one()
            assert po.state == order["purchaseOrderState"]
            assert iso(po.ordered_at) == order["orderDetails"]["purchaseOrderDate"]
            assert po.ship_to == order["orderDetails"]["shipToParty"]["partyId"]
            lines = session.exec(
                select(PurchaseOrderItem)
                .where(PurchaseOrderItem.po_id == po.id)
                .order_by(col(PurchaseOrderItem.item_sequence))
            ).all()
            for line, item in zip(lines, order["orderDetails"]["items"], strict=True):
                quantity = item["orderedQuantity"]
                assert line.asin == item["amazonProductIdentifier"]
                assert line.ordered_eaches == quantity["amount"] * quantity["unitSize"]
                assert line.net_cost_minor == int(Decimal(item["netCost"]["amount"]) * 100)
        statuses = {s["purchaseOrderNumber"]: s for s in data.statuses}
        for order in data.orders[::41]:
            status = statuses[order["purchaseOrderNumber"]]
            line = session.exec(
                select(PurchaseOrderItem)
                .join(PurchaseOrder, col(PurchaseOrder.id) == PurchaseOrderItem.po_id)
                .where(PurchaseOrder.po_number == order["purchaseOrderNumber"])
                .where(PurchaseOrderItem.item_sequence == "1")
            ).one()
            receiving = status["itemStatus"][0]["receivingStatus"]
            assert line.receive_status == receiving["receiveStatus"]
            received = receiving["receivedQuantity"]
            assert line.received_eaches == received["amount"] * received["unitSize"]
        for shipment in data.shipments[::29]:
            row = session.exec(
                select(Shipment).where(Shipment.shipment_id == shipment["vendorShipmentIdentifier"])
            ).one()
            transport = shipment["transportationDetails"]
            assert row.bol_number == transport["billOfLadingNumber"]
            assert iso(row.shipped_at) == transport["shippedDate"]
            assert row.freight_term == shipment["shipmentFreightTerm"]


def cursors(engine: Engine) -> dict[str, Any]:
    with Session(engine) as session:
        return {c.feed: c.position for c in session.exec(select(SyncCursor)).all()}


def test_windows_cover_the_range_without_overlap() -> None:
    windows = plan_windows(END - timedelta(days=20), END, 7)
    assert [(w.end - w.start).days for w in windows] == [7, 7, 6]
    assert all(a.end == b.start for a, b in itertools.pairwise(windows))
    assert windows[0].start == END - timedelta(days=20) and windows[-1].end == END
    assert plan_windows(END, END, 7) == []


def test_full_sync_stores_exactly_the_fixture_data(
    fake: FakeSpApi, settings: Settings, engine: Engine
) -> None:
    config = sync_settings(settings, fake)
    events: list[SyncProgress] = []
    report = sync_spapi(config, engine, until=END, on_progress=events.append)
    assert report.ok, report.failures
    assert_synced(engine, DATA)
    assert cursors(engine) == {"orders": END, "status": END, "shipments": END}
    orders = report.accounts[0].feeds[0]
    assert orders.feed is Feed.orders and orders.windows_done == orders.windows_total == 10
    assert orders.pages > orders.windows_total, "some windows need more than one page"
    assert orders.calls.requests == fake.stats.requests["getPurchaseOrders"] == orders.pages
    # Progress: every page reported, windows counted up to the total.
    last = [e for e in events if e.feed is Feed.orders][-1]
    assert (last.windows_done, last.pages) == (10, orders.pages)
    # No window was longer than Amazon allows, and every one named the vendor.
    for record in fake.stats.log:
        assert record.status == 200
        assert record.params.get("orderingVendorCode", record.params.get("sellerWarehouseCode"))
    with Session(engine) as session:
        job = session.exec(select(JobRun)).one()
        assert job.job == "spapi_sync" and job.status == "succeeded"
        assert job.detail["feeds"]["orders"]["windows"] == "10/10"


def test_a_generated_scenario_syncs_completely(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    generate_scenario(tmp_path, seed=11, size="tiny", today=END.date(), pdfs=False, xlsx=False)
    scenario = load_scenario(tmp_path)
    vendor = scenario.orders[0]["orderDetails"]["sellingParty"]["partyId"]
    with FakeSpApi(scenario, rate=1000, burst=1000, now=END) as fake:
        config = sync_settings(settings, fake, days=400, vendor=vendor)
        report = sync_spapi(config, engine, until=END)
    assert report.ok, report.failures
    assert count(engine, PurchaseOrder) == len(scenario.orders)
    assert count(engine, Shipment) == len(scenario.shipments)
    assert count(engine, PurchaseOrderItem) == sum(
        len(o["orderDetails"]["items"]) for o in scenario.orders
    )


def test_incremental_sync_fetches_only_what_changed(
    fake: FakeSpApi, settings: Settings, engine: Engine
) -> None:
    config = sync_settings(settings, fake)
    assert sync_spapi(config, engine, until=END).ok
    changed = copy.deepcopy(fake.rows("orders")[:5])
    for order in changed:
        order["purchaseOrderState"] = "Closed"
        order["orderDetails"]["purchaseOrderChangedDate"] = iso(END + timedelta(minutes=30))
        order["orderDetails"]["purchaseOrderStateChangedDate"] = iso(END + timedelta(minutes=30))
    fake.put("orders", changed)
    fake.reset_stats()
    fake.now = END + timedelta(hours=1)

    report = sync_spapi(config, engine, until=END + timedelta(hours=1), feeds=[Feed.orders])
    assert report.ok
    served = [n for r in fake.stats.log for n in r.served]
    assert sorted(served) == sorted(o["purchaseOrderNumber"] for o in changed)
    assert fake.stats.requests["getPurchaseOrders"] == 1
    assert report.accounts[0].feeds[0].start == END
    with Session(engine) as session:
        states = session.exec(
            select(PurchaseOrder.state).where(
                col(PurchaseOrder.po_number).in_([o["purchaseOrderNumber"] for o in changed])
            )
        ).all()
    assert states == ["Closed"] * 5
    assert count(engine, PurchaseOrder) == len(DATA.orders)


class Crash(BaseException):
    """Stands for the process dying: not an error the sync may catch and carry on from."""


def test_a_crash_mid_sync_resumes_with_no_gap_and_no_duplicate(
    fake: FakeSpApi, settings: Settings, engine: Engine
) -> None:
    config = sync_settings(settings, fake)

    def crash_after_seven_pages(event: SyncProgress) -> None:
        if event.feed is Feed.orders and event.pages == 7:
            raise Crash

    with pytest.raises(Crash):
        sync_spapi(config, engine, until=END, on_progress=crash_after_seven_pages)
    position = cursors(engine)["orders"]
    assert END - timedelta(days=70) < position < END
    stored = count(engine, PurchaseOrder)
    assert 0 < stored < len(DATA.orders)
    with Session(engine) as session:
        assert session.exec(select(JobRun.status)).one() == "failed"

    fake.reset_stats()
    report = sync_spapi(config, engine, until=END)
    assert report.ok
    # The restart began at the cursor, not at the beginning.
    first = fake.stats.log[0]
    assert first.operation == "getPurchaseOrders"
    assert first.params["changedAfter"] == iso(position)
    assert_synced(engine, DATA)


def test_a_429_storm_is_ridden_out(fake: FakeSpApi, settings: Settings, engine: Engine) -> None:
    config = sync_settings(settings, fake, max_attempts=12)

    def storm(event: SyncProgress) -> None:
        if event.pages in (1, 9) and event.feed in (Feed.orders, Feed.shipments):
            fake.start_storm(0.3)

    report = sync_spapi(config, engine, until=END, on_progress=storm)
    assert report.ok, report.failures
    throttled = sum(f.calls.throttled for f in report.accounts[0].feeds)
    assert throttled == fake.stats.count(429) > 2
    assert_synced(engine, DATA)


def test_server_errors_are_retried(fake: FakeSpApi, settings: Settings, engine: Engine) -> None:
    fake.faults = Faults(error_rate=0.25, error_on={1, 2, 3}, seed=3)
    report = sync_spapi(sync_settings(settings, fake), engine, until=END)
    assert report.ok, report.failures
    errors = sum(f.calls.server_errors for f in report.accounts[0].feeds)
    assert errors == fake.stats.count(503) > 3
    assert sum(f.calls.retries for f in report.accounts[0].feeds) == errors
    assert_synced(engine, DATA)


def test_a_window_that_keeps_failing_leaves_the_cursor_and_is_named(
    fake: FakeSpApi, settings: Settings, engine: Engine
) -> None:
    config = sync_settings(settings, fake, max_attempts=3)
    fake.faults = Faults(error_on=set(range(1, 4)))  # the first window's three attempts
    report = sync_spapi(config, engine, until=END, feeds=[Feed.status])
    assert not report.ok
    feed = report.accounts[0].feeds[0]
    first_window = plan_windows(END - timedelta(days=70), END, 7)[0]
    assert feed.failed_window == first_window and feed.windows_done == 0
    assert f"status window {first_window} failed" in report.failures[0]
    assert "503" in report.failures[0]
    assert cursors(engine) == {}
    with Session(engine) as session:
        job = session.exec(select(JobRun)).one()
        assert (
            job.status == "failed" and str(first_window) in job.detail["feeds"]["status"]["error"]
        )
    # The next run picks the window up again.
    assert sync_spapi(config, engine, until=END, feeds=[Feed.status]).ok
    assert cursors(engine) == {"status": END}


def test_an_expired_access_token_is_refreshed(
    fake: FakeSpApi, settings: Settings, engine: Engine
) -> None:
    def expire(event: SyncProgress) -> None:
        if event.feed is Feed.status and event.pages == 2:
            fake.expire_tokens()

    report = sync_spapi(sync_settings(settings, fake), engine, until=END, on_progress=expire)
    assert report.ok, report.failures
    assert fake.stats.count(403) == 1
    assert fake.stats.token_grants == 2
    assert sum(f.calls.token_refreshes for f in report.accounts[0].feeds) == 1
    assert_synced(engine, DATA)


def test_wrong_credentials_stop_the_account_with_one_clear_message(
    fake: FakeSpApi, settings: Settings, engine: Engine
) -> None:
    config = sync_settings(settings, fake)
    config.spapi.lwa_client_secret = SecretStr("wrong")
    report = sync_spapi(config, engine, until=END)
    assert not report.ok
    assert len(report.accounts[0].feeds) == 1
    assert "invalid_client (HTTP 401)" in report.failures[0]
    assert fake.stats.total_requests == 0 and cursors(engine) == {}


def test_missing_credentials_and_accounts_are_config_errors(
    fake: FakeSpApi, settings: Settings, engine: Engine
) -> None:
    config = sync_settings(settings, fake)
    config.spapi.refresh_token = None
    with pytest.raises(ConfigError, match="RECOVERY_SPAPI__REFRESH_TOKENS__ABCDE"):
        sync_spapi(config, engine, until=END)
    config.spapi.refresh_tokens = {VENDOR: SecretStr("Atzr|refresh-token")}
    assert sync_spapi(config, engine, until=END, feeds=[Feed.shipments]).ok
    with pytest.raises(ConfigError, match="not a configured vendor account"):
        sync_spapi(config, engine, account="NOPE", until=END)
    with pytest.raises(ConfigError, match="no vendor accounts"):
        sync_spapi(config.model_copy(update={"accounts": []}), engine, until=END)


def test_the_client_keeps_to_the_rate_limit(settings: Settings, engine: Engine) -> None:
    with fake_for(copy.deepcopy(DATA), rate=40.0, burst=5) as fake:
        config = sync_settings(settings, fake, days=35, rate=40.0, burst=5)
        report = sync_spapi(config, engine, until=END, feeds=[Feed.orders, Feed.status])
        assert report.ok
        records = fake.stats.log
    assert fake.stats.count(429) == 0
    span = records[-1].at - records[0].at
    # Each operation has its own bucket: after the burst, at most 40 requests a second each.
    per_operation = max(fake.stats.requests.values())
    assert span >= (per_operation - 5) / 40.0
