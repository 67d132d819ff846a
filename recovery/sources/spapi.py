"""Sync purchase orders, PO statuses and shipments from the Selling Partner API.

For each vendor account, each feed is pulled in windows of at most 7 days (Amazon's limit) from
its cursor to now, page by page with `nextToken`. Orders are selected by change date
(`changedAfter`), statuses by update date (`updatedAfter`), so one pass serves a first sync and
every later increment alike: only what changed since the cursor comes back. Shipments have no
change date in the API and are selected by creation date.

Every page is stored in its own transaction through the importers' upserts (so a PO is stored
the same way whether it came from the API or a saved file, cost history included). The feed's
cursor moves to a window's end in the transaction that stores the window's last page. A crash
therefore loses at most the pages of the window in progress, which the next run fetches again
and upserts in place: no gap, no duplicate. A window that fails after the retries leaves the
cursor where it was and is named in the result.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from recovery.config import AccountSettings, Settings
from recovery.errors import ConfigError, RecoveryError
from recovery.models import JobRun, VendorAccount, utcnow
from recovery.sources.accounts import resolve_account
from recovery.sources.cursors import read_cursor, set_cursor
from recovery.sources.spapi_client import CallStats, SpApiAuthError, SpApiConnection, SpApiError
from recovery.sources.spapi_pages import (
    Page,
    PagePrefetcher,
    Window,
    WindowFailed,
    iso,
    plan_windows,
)
from recovery.sources.spapi_payloads import (
    upsert_purchase_order_statuses,
    upsert_purchase_orders,
    upsert_shipments,
)
from recovery.store.db import session_scope
from recovery.store.upsert import UpsertCounts

JOB_NAME = "spapi_sync"


class Feed(StrEnum):
    orders = "orders"
    status = "status"
    shipments = "shipments"


ALL_FEEDS: tuple[Feed, ...] = (Feed.orders, Feed.status, Feed.shipments)

Upsert = Callable[[Session, VendorAccount, list[dict[str, Any]]], UpsertCounts]


@dataclass(frozen=True)
class FeedPlan:
    feed: Feed
    operation: str
    list_key: str
    after: str
    before: str
    page_size: int
    vendor_param: str
    upsert: Upsert
    extra: tuple[tuple[str, str], ...] = ()


FEED_PLANS: dict[Feed, FeedPlan] = {
    Feed.orders: FeedPlan(
        Feed.orders,
        "getPurchaseOrders",
        "orders",
        "changedAfter",
        "changedBefore",
        100,
        "orderingVendorCode",
        upsert_purchase_orders,
        (("includeDetails", "true"), ("sortOrder", "ASC")),
    ),
    Feed.status: FeedPlan(
        Feed.status,
        "getPurchaseOrdersStatus",
        "ordersStatus",
        "updatedAfter",
        "updatedBefore",
        100,
        "orderingVendorCode",
        upsert_purchase_order_statuses,
        (("sortOrder", "ASC"),),
    ),
    Feed.shipments: FeedPlan(
        Feed.shipments,
        "getShipmentDetails",
        "shipments",
        "createdAfter",
        "createdBefore",
        50,
        # Amazon: "should be same as 'sellingParty.partyId' in the Shipment".
        "sellerWarehouseCode",
        upsert_shipments,
        (("sortOrder", "ASC"),),
    ),
}


def parse_feeds(text: str) -> tuple[Feed, ...]:
    """`orders,status,shipments` (any subset, any order) in the order they must run."""
    names = {part.strip().lower() for part in text.split(",") if part.strip()}
    unknown = names - {f.value for f in Feed}
    if unknown or not names:
        raise ConfigError(
            f"unknown feed(s) {', '.join(sorted(unknown)) or '(none)'}: "
            f"choose from {', '.join(f.value for f in ALL_FEEDS)}"
        )
    # Orders before statuses: a status only updates what the order created.
    return tuple(f for f in ALL_FEEDS if f.value in names)


@dataclass
class FeedResult:
    feed: Feed
    start: datetime
    end: datetime
    windows_total: int
    windows_done: int = 0
    pages: int = 0
    inserted: int = 0
    updated: int = 0
    calls: CallStats = field(default_factory=CallStats)
    failed_window: Window | None = None
    error: str | None = None
    credentials_refused: bool = False

    @property
    def rows(self) -> int:
        return self.inserted + self.updated

    @property
    def ok(self) -> bool:
        return self.error is None

    def as_detail(self) -> dict[str, Any]:
        return {
            "from": iso(self.start),
            "to": iso(self.end),
            "windows": f"{self.windows_done}/{self.windows_total}",
            "pages": self.pages,
            "inserted": self.inserted,
            "updated": self.updated,
            "requests": self.calls.requests,
            "retries": self.calls.retries,
            "throttled": self.calls.throttled,
            "server_errors": self.calls.server_errors,
            "token_refreshes": self.calls.token_refreshes,
            "failed_window": str(self.failed_window) if self.failed_window else None,
            "error": self.error,
        }


@dataclass
class AccountResult:
    vendor_code: str
    feeds: list[FeedResult] = field(default_factory=list)
    job_run_id: int | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and all(f.ok for f in self.feeds)


@dataclass
class SyncReport:
    accounts: list[AccountResult]
    elapsed: float

    @property
    def ok(self) -> bool:
        return all(a.ok for a in self.accounts)

    @property
    def failures(self) -> list[str]:
        messages: list[str] = []
        for account in self.accounts:
            if account.error:
                messages.append(f"{account.vendor_code}: {account.error}")
            messages.extend(f"{account.vendor_code}: {f.error}" for f in account.feeds if f.error)
        return messages


@dataclass(frozen=True)
class SyncProgress:
    """Reported after every stored page, and when a feed starts (pages == 0)."""

    vendor_code: str
    feed: Feed
    window: Window | None
    windows_done: int
    windows_total: int
    pages: int
    rows: int
    requests: int
    retries: int
    throttled: int


ProgressCallback = Callable[[SyncProgress], None]


def _accounts(settings: Settings, only: str | None) -> list[AccountSettings]:
    if not settings.accounts:
        raise ConfigError("no vendor accounts configured: add an [[accounts]] entry to config.toml")
    if only is None:
        return list(settings.accounts)
    chosen = settings.account(only)
    if chosen is None:
        codes = ", ".join(a.vendor_code for a in settings.accounts)
        raise ConfigError(f"--account {only}: not a configured vendor account ({codes})")
    return [chosen]


def sync_spapi(
    settings: Settings,
    engine: Engine,
    *,
    account: str | None = None,
    start: datetime | None = None,
    feeds: Sequence[Feed] = ALL_FEEDS,
    until: datetime | None = None,
    on_progress: ProgressCallback | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> SyncReport:
    """Pull every feed for every configured account (or `account`) up to `until` (now).

    `start` overrides the cursors (a re-sync from that instant). Errors that a person must fix
    before anything can work (no accounts, missing credentials) raise; failures of single
    windows are reported in the result and the other feeds and accounts still run.
    """
    began = time.monotonic()
    end = (until or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    chosen = _accounts(settings, account)
    connections = {a.vendor_code: SpApiConnection(settings, a, sleep=sleep) for a in chosen}
    results: list[AccountResult] = []
    try:
        for account_settings in chosen:
            results.append(
                _sync_account(
                    settings,
                    engine,
                    connections[account_settings.vendor_code],
                    account_settings,
                    start=start,
                    end=end,
                    feeds=feeds,
                    on_progress=on_progress,
                )
            )
    finally:
        for connection in connections.values():
            connection.close()
    return SyncReport(results, time.monotonic() - began)


def _start_job(engine: Engine, settings: Settings, vendor_code: str) -> tuple[int, int]:
    with session_scope(engine) as session:
        row, _ = resolve_account(session, settings, vendor_code)
        assert row.id is not None
        job = JobRun(job=JOB_NAME, account_id=row.id)
        session.add(job)
        session.flush()
        assert job.id is not None
        return row.id, job.id


def _finish_job(engine: Engine, job_id: int, result: AccountResult, status: str) -> None:
    with session_scope(engine) as session:
        job = session.get(JobRun, job_id)
        assert job is not None
        job.status = status
        job.finished_at = utcnow()
        job.detail = {
            "feeds": {f.feed.value: f.as_detail() for f in result.feeds},
            "error": result.error,
        }
        session.add(job)


def _sync_account(
    settings: Settings,
    engine: Engine,
    connection: SpApiConnection,
    account: AccountSettings,
    *,
    start: datetime | None,
    end: datetime,
    feeds: Iterable[Feed],
    on_progress: ProgressCallback | None,
) -> AccountResult:
    account_id, job_id = _start_job(engine, settings, account.vendor_code)
    result = AccountResult(account.vendor_code, job_run_id=job_id)
    try:
        for feed in feeds:
            feed_result = _sync_feed(
                settings,
                engine,
                connection,
                account_id,
                FEED_PLANS[feed],
                start=start,
                end=end,
                on_progress=on_progress,
            )
            result.feeds.append(feed_result)
            if feed_result.credentials_refused:
                # Wrong credentials fail every feed alike: say it once and stop this account.
                break
    except BaseException as exc:
        result.error = f"interrupted: {exc!r}"
        _finish_job(engine, job_id, result, "failed")
        raise
    _finish_job(engine, job_id, result, "succeeded" if result.ok else "failed")
    return result


def _sync_feed(
    settings: Settings,
    engine: Engine,
    connection: SpApiConnection,
    account_id: int,
    plan: FeedPlan,
    *,
    start: datetime | None,
    end: datetime,
    on_progress: ProgressCallback | None,
) -> FeedResult:
    with session_scope(engine) as session:
        cursor = read_cursor(session, account_id, plan.feed.value)
    begin = start or cursor or end - timedelta(days=settings.sync.initial_days)
    windows = plan_windows(begin.astimezone(UTC), end, settings.sync.window_days)
    result = FeedResult(plan.feed, begin, end, len(windows))
    calls_before = connection.stats.copy()

    def report(window: Window | None) -> None:
        result.calls = connection.stats.since(calls_before)
        if on_progress is not None:
            on_progress(
                SyncProgress(
                    connection.vendor_code,
                    plan.feed,
                    window,
                    result.windows_done,
                    result.windows_total,
                    result.pages,
                    result.rows,
                    result.calls.requests,
                    result.calls.retries,
                    result.calls.throttled,
                )
            )

    report(None)

    def fetch(window: Window, token: str | None) -> tuple[list[dict[str, Any]], str | None]:
        params = {
            plan.after: iso(window.start),
            plan.before: iso(window.end),
            "limit": str(plan.page_size),
            plan.vendor_param: connection.vendor_code,
            **dict(plan.extra),
        }
        if token:
            params["nextToken"] = token
        page = connection.call(plan.operation, params)
        rows = page.payload.get(plan.list_key) or []
        if not isinstance(rows, list):
            raise SpApiError(f"{plan.operation}: payload.{plan.list_key} is not a list")
        return rows, page.next_token

    with PagePrefetcher(fetch, windows) as pages:
        for item in pages:
            failure = item if isinstance(item, WindowFailed) else None
            if failure is None:
                assert isinstance(item, Page)
                try:
                    _store_page(engine, account_id, plan, item, result)
                except RecoveryError as exc:
                    failure = WindowFailed(item.window, exc)
                else:
                    report(item.window)
                    continue
            result.failed_window = failure.window
            result.error = f"{plan.feed.value} window {failure.window} failed: {failure.error}"
            result.credentials_refused = isinstance(failure.error, SpApiAuthError)
            break
    result.calls = connection.stats.since(calls_before)
    return result


def _store_page(
    engine: Engine, account_id: int, plan: FeedPlan, page: Page, result: FeedResult
) -> None:
    """Store one page; the last page of a window also moves the cursor, in the same commit."""
    with session_scope(engine) as session:
        counts = UpsertCounts()
        if page.rows:
            account = session.get(VendorAccount, account_id)
            assert account is not None
            counts = plan.upsert(session, account, page.rows)
        if page.last_of_window:
            set_cursor(session, account_id, plan.feed.value, page.window.end)
    result.pages += 1
    result.inserted += counts.inserted
    result.updated += counts.updated
    if page.last_of_window:
        result.windows_done += 1
