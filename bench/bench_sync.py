"""Benchmark: sync a year of a large vendor from the fake SP-API at Amazon's rate limit.

The fake meters every operation at 10 requests/s, burst 10 (Amazon's usage plan), answers a
share of requests with 503 and throttles everything with 429 for a few seconds every minute.
The sync must keep the request rate near the allowed rate, lose no page and fail no window.

    .venv/bin/python bench/bench_sync.py                      # 50k POs over a year (~4 min)
    .venv/bin/python bench/bench_sync.py --orders 10000       # shorter

The fake runs in its own process, as Amazon is not in ours: sharing the interpreter (and its
GIL) with the server would slow the sync by the server's work. Counts come from the client.
"Allowed" is the usage plan's rate: the feeds run one after another, so one operation's bucket
is in use at any time. "Achieved" counts the requests the server accepted (any answer but 429:
a 503 spent a token too), over the whole run; "useful" counts only the pages stored.
"""

from __future__ import annotations

import argparse
import multiprocessing
import socket
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from pydantic import SecretStr
from sqlalchemy import func
from sqlmodel import Session, select

from recovery.config import AccountSettings, Settings, SpApiSettings, SyncSettings
from recovery.models import PurchaseOrder, PurchaseOrderItem, Shipment
from recovery.sources.spapi import SyncProgress, sync_spapi
from recovery.store import db
from recovery.testing.fake_spapi import FakeSpApi, Faults
from recovery.testing.fake_spapi_data import synthetic_dataset

VENDOR = "BENCH"


def _serve(
    port: int, orders: int, days: int, end: datetime, rate: float, burst: int, faults: Faults
) -> None:
    data = synthetic_dataset(orders, vendor_code=VENDOR, end=end, days=days, seed=1)
    FakeSpApi(data, rate=rate, burst=burst, faults=faults, now=end).serve_forever(port)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(url: str) -> None:
    deadline = time.monotonic() + 300
    while True:
        try:
            httpx.post(url + "/auth/o2/token", data={"grant_type": "none"})
            return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise RuntimeError("the fake SP-API did not start") from None
            time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=50_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--burst", type=int, default=10)
    parser.add_argument("--error-rate", type=float, default=0.02, help="share answered 503")
    parser.add_argument("--storm-every", type=float, default=60.0, help="seconds between storms")
    parser.add_argument("--storm-seconds", type=float, default=2.0, help="429 storm length")
    parser.add_argument("--database", help="database URL (default: a new SQLite file)")
    args = parser.parse_args()

    end = datetime.now(UTC).replace(microsecond=0)
    began = time.monotonic()
    data = synthetic_dataset(args.orders, vendor_code=VENDOR, end=end, days=args.days, seed=1)
    print(
        f"dataset: {len(data.orders)} POs, {len(data.statuses)} statuses, "
        f"{len(data.shipments)} shipments over {args.days} days "
        f"(built in {time.monotonic() - began:.1f} s)"
    )
    db_url = args.database or f"sqlite:///{Path(tempfile.mkdtemp(prefix='bench-sync-')) / 'r.db'}"
    engine = db.make_engine(db_url)
    db.upgrade(engine)

    faults = Faults(
        error_rate=args.error_rate,
        storm_every=args.storm_every,
        storm_seconds=args.storm_seconds,
        seed=1,
    )
    port = _free_port()
    server = multiprocessing.get_context("spawn").Process(
        target=_serve,
        args=(port, args.orders, args.days, end, args.rate, args.burst, faults),
        daemon=True,
    )
    server.start()
    url = f"http://127.0.0.1:{port}"
    _wait_for(url)
    settings = Settings(
        database_url=db_url,
        accounts=[AccountSettings(vendor_code=VENDOR)],
        spapi=SpApiSettings(
            endpoint=url,
            lwa_token_url=url + "/auth/o2/token",
            lwa_app_id="bench",
            lwa_client_secret=SecretStr("bench"),
            refresh_token=SecretStr("bench"),
        ),
        # Amazon's published plan on the client side too; the default retry policy.
        sync=SyncSettings(initial_days=args.days),
    )
    last_print = [time.monotonic()]

    def progress(event: SyncProgress) -> None:
        if time.monotonic() - last_print[0] >= 30:
            last_print[0] = time.monotonic()
            print(
                f"  {event.feed.value}: window {event.windows_done}/{event.windows_total}, "
                f"{event.pages} pages, {event.requests} requests, {event.retries} retries",
                flush=True,
            )

    started = time.monotonic()
    try:
        report = sync_spapi(settings, engine, until=end, on_progress=progress)
    finally:
        elapsed = time.monotonic() - started
        server.terminate()
        server.join()

    feeds = report.accounts[0].feeds
    total = sum(f.calls.requests for f in feeds)
    throttled = sum(f.calls.throttled for f in feeds)
    failed = sum(f.calls.server_errors for f in feeds)
    pages = sum(f.pages for f in feeds)
    accepted = total - throttled
    with Session(engine) as session:
        pos = session.exec(select(func.count()).select_from(PurchaseOrder)).one()
        items = session.exec(select(func.count()).select_from(PurchaseOrderItem)).one()
        shipments = session.exec(select(func.count()).select_from(Shipment)).one()
        received = session.exec(
            select(func.count())
            .select_from(PurchaseOrderItem)
            .where(PurchaseOrderItem.receive_status.is_not(None))  # type: ignore[union-attr]
        ).one()
    expected_items = sum(len(o["orderDetails"]["items"]) for o in data.orders)
    missing = (
        (len(data.orders) - pos)
        + (expected_items - items)
        + (len(data.shipments) - shipments)
        + (expected_items - received)
    )
    print(f"synced in {elapsed:.1f} s: {pages} pages stored, {report.ok=}")
    print(
        f"requests: {total} sent, {throttled} throttled (429), {failed} server errors (5xx), "
        f"{sum(f.calls.retries for f in feeds)} retries, "
        f"{sum(f.calls.token_refreshes for f in feeds)} token refreshes"
    )
    print(
        f"request rate achieved: {accepted / elapsed:.2f}/s of {args.rate:g}/s allowed "
        f"({100 * accepted / elapsed / args.rate:.1f}%); useful (pages stored) "
        f"{pages / elapsed:.2f}/s ({100 * pages / elapsed / args.rate:.1f}%)"
    )
    print(f"documents missing after sync: {missing} (pages lost: {0 if missing == 0 else '>0'})")
    print(f"windows failed: {sum(0 if f.ok else 1 for f in feeds)}")
    for failure in report.failures:
        print(f"  {failure}")
    engine.dispose()


if __name__ == "__main__":
    main()
