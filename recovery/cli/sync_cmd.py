"""`recovery sync`: pull purchase orders, PO statuses and shipments from the SP-API, and
Vendor Central's exports through the portal."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table

from recovery.cli.context import AppContext, app_context
from recovery.cli.import_cmd import summary_table
from recovery.errors import ConfigError, RecoveryError
from recovery.sources.spapi import (
    ALL_FEEDS,
    Feed,
    SyncProgress,
    SyncReport,
    parse_feeds,
    sync_spapi,
)
from recovery.sources.vendor_central import sync_vendor_central

DEFAULT_FEEDS = ",".join(feed.value for feed in ALL_FEEDS)
SPAPI = "spapi"
VENDOR_CENTRAL = "vendor-central"
SOURCES = (SPAPI, VENDOR_CENTRAL)


class SyncFailed(RecoveryError):
    """Some windows could not be pulled; their cursors were left where they were."""


def sync(
    ctx: typer.Context,
    account: Annotated[
        str | None,
        typer.Option("--account", help="Only this vendor code (default: every account)."),
    ] = None,
    from_: Annotated[
        datetime | None,
        typer.Option(
            "--from",
            formats=["%Y-%m-%d"],
            help="SP-API: pull changes since this date (UTC) instead of since the last sync.",
        ),
    ] = None,
    feeds: Annotated[
        str,
        typer.Option("--feeds", help="Comma-separated: orders, status, shipments."),
    ] = DEFAULT_FEEDS,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            help="spapi or vendor-central (default: both; Vendor Central when"
            " vendor_central.username is set).",
        ),
    ] = None,
) -> None:
    """Pull from the Selling Partner API, resuming where the last sync stopped, and download
    Vendor Central's exports into the importers."""
    try:
        chosen = parse_feeds(feeds)
    except ConfigError as exc:
        raise typer.BadParameter(str(exc), param_hint="--feeds") from exc
    if source is not None and source not in SOURCES:
        raise typer.BadParameter(
            f"{source!r} is not a source; one of: {', '.join(SOURCES)}", param_hint="--source"
        )
    app = app_context(ctx)
    if source in (None, SPAPI):
        _sync_spapi(app, account, from_, chosen)
    # Without --source, Vendor Central is synced once it is set up: an SP-API-only install
    # runs as before.
    if source == VENDOR_CENTRAL or (source is None and app.settings.vendor_central.username):
        _sync_vendor_central(app)


def _sync_vendor_central(app: AppContext) -> None:
    app.console.print("Vendor Central: signing in and downloading the exports", highlight=False)
    report = sync_vendor_central(app.engine, app.settings)
    app.console.print(summary_table(report.results))
    app.console.print(
        f"Vendor Central: {len(report.results)} files in {report.folder}"
        f" ({report.pages_loaded} pages loaded)",
        highlight=False,
    )


def _sync_spapi(
    app: AppContext, account: str | None, from_: datetime | None, chosen: tuple[Feed, ...]
) -> None:
    settings = app.settings
    engine = app.engine
    start = from_.replace(tzinfo=UTC) if from_ is not None else None
    with _ProgressDisplay(app.console) as display:
        report = sync_spapi(
            settings, engine, account=account, start=start, feeds=chosen, on_progress=display
        )
    app.console.print(_summary(report))
    if not report.ok:
        failures = report.failures
        for failure in failures:
            app.console.print(f"[red]failed[/] {failure}", highlight=False)
        more = f" (and {len(failures) - 1} more above)" if len(failures) > 1 else ""
        raise SyncFailed(f"{failures[0]}{more}; run `recovery sync` again to retry")


class _ProgressDisplay:
    """One bar per (account, feed): windows done of total, with pages, rows, rate, retries."""

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("windows  {task.fields[detail]}"),
            console=console,
            transient=True,
        )
        self.tasks: dict[tuple[str, str], TaskID] = {}
        self.started: dict[tuple[str, str], float] = {}

    def __enter__(self) -> _ProgressDisplay:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def __call__(self, event: SyncProgress) -> None:
        key = (event.vendor_code, event.feed.value)
        now = self.progress.get_time()
        if key not in self.tasks:
            self.tasks[key] = self.progress.add_task(
                f"{event.vendor_code} {event.feed.value}", total=event.windows_total, detail=""
            )
            self.started[key] = now
        elapsed = max(now - self.started[key], 1e-6)
        detail = (
            f"{event.pages} pages  {event.rows} rows  {event.requests / elapsed:.1f} req/s  "
            f"{event.retries} retries ({event.throttled} throttled)"
        )
        self.progress.update(self.tasks[key], completed=event.windows_done, detail=detail)


def _summary(report: SyncReport) -> Table:
    # Compact enough for an 80-column terminal or a log file.
    until = max((f.end for a in report.accounts for f in a.feeds), default=None)
    title = f"SP-API sync up to {until:%Y-%m-%d %H:%M} UTC" if until else "SP-API sync"
    table = Table(
        title=f"{title} ({report.elapsed:.1f} s)",
        box=box.SIMPLE_HEAD,
        collapse_padding=True,
        pad_edge=False,
    )
    for column in ("account", "feed"):
        table.add_column(column)
    for column in ("windows", "pages", "new", "updated", "requests", "retries"):
        table.add_column(column, justify="right")
    table.add_column("status")
    for account in report.accounts:
        for feed in account.feeds:
            table.add_row(
                account.vendor_code,
                feed.feed.value,
                f"{feed.windows_done}/{feed.windows_total}",
                str(feed.pages),
                str(feed.inserted),
                str(feed.updated),
                str(feed.calls.requests),
                str(feed.calls.retries),
                "ok" if feed.ok else "FAILED",
            )
    return table
