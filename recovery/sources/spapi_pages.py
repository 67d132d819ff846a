"""Date windows of a feed and their pages, fetched a few pages ahead of the code storing them.

The usage plan allows a request every 100 ms; storing a page of 100 orders can take about as
long. Fetching in a background thread keeps the request rate at the plan's while the database
works, instead of adding the two. Pages still arrive in order, so a window's cursor is only
ever moved after all of its pages were stored.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any

from recovery.errors import RecoveryError


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime

    def __str__(self) -> str:
        return f"{iso(self.start)}..{iso(self.end)}"


def plan_windows(start: datetime, end: datetime, days: int) -> list[Window]:
    """Consecutive windows of at most `days` covering [start, end)."""
    step = timedelta(days=days)
    windows: list[Window] = []
    cursor = start
    while cursor < end:
        windows.append(Window(cursor, min(cursor + step, end)))
        cursor = windows[-1].end
    return windows


@dataclass(frozen=True)
class Page:
    window: Window
    rows: list[dict[str, Any]]
    last_of_window: bool


@dataclass(frozen=True)
class WindowFailed:
    window: Window
    error: RecoveryError


# One page: (rows, token of the next page or None) for a window and the previous page's token.
FetchPage = Callable[[Window, str | None], tuple[list[dict[str, Any]], str | None]]


class PagePrefetcher:
    """Iterate to get every page of `windows` in order, or a `WindowFailed` that ends them."""

    def __init__(self, fetch: FetchPage, windows: list[Window], depth: int = 4) -> None:
        self._fetch = fetch
        self._windows = windows
        self._queue: queue.Queue[Page | WindowFailed | BaseException | None] = queue.Queue(
            maxsize=depth
        )
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="spapi-prefetch", daemon=True)

    def __enter__(self) -> PagePrefetcher:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        # The thread may be waiting for a slow answer; it notices the flag right after.
        self._thread.join(timeout=5)

    def __iter__(self) -> Iterator[Page | WindowFailed]:
        while True:
            item = self._queue.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def _put(self, item: Page | WindowFailed | BaseException | None) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        try:
            for window in self._windows:
                token: str | None = None
                while True:
                    if self._stop.is_set():
                        return
                    try:
                        rows, token = self._fetch(window, token)
                    except RecoveryError as exc:
                        self._put(WindowFailed(window, exc))
                        return
                    if not self._put(Page(window, rows, token is None)):
                        return
                    if token is None:
                        break
        except BaseException as exc:
            # A bug, not an API failure: hand it to the consuming thread to raise there.
            self._put(exc)
        finally:
            self._put(None)
