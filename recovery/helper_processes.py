"""Where the product's helper processes start from: one forkserver, with what they run imported.

The helpers (the import's reader, detection's co-op process, the evidence parsers) start from a
forkserver, a clean, single-threaded process: forking the caller could copy a lock held by a web
or scheduler thread. A child of a bare forkserver imports what it runs:
0.6 s before each reader or co-op process even once the server was up. The server imports them
once instead, when the first helper of the process starts, and every later helper begins from a
copy of it. A first day starts three kinds of helper, a service many.

A module that starts a helper names it in `PRELOADED` (by name: importing them here would make
this module depend on the parts that use it). The caller's main script is not preloaded: Python
3.11's server is never handed its path (CPython gh-98552; `"__main__"` in the list imports the
server's own), so each child runs it again before its work. For `recovery` that is the
command line's module alone (its commands load when they run): 50-80 ms a helper.

The first helper of a process waits about a second for the server's imports: a caller with work
of its own to do meanwhile starts it with `start_in_background` (detection's co-op process; the
import's reader, started so, measured 2 % slower on the SP-API files, and is started plainly),
and a command that will start helpers starts the server before its own imports
(`start_server_now`).
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import os
import threading
from collections.abc import Sequence
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext
from multiprocessing.process import BaseProcess

PRELOADED = (
    "recovery.sources.read_ahead",
    "recovery.claims.fast_run",
    "recovery.evidence.extract",
)


def helpers_import_the_installed_product() -> None:
    """Called once at a program's start, before it starts any thread (setting the environment
    is not thread-safe): its helpers then import the product it runs, never a folder of the
    working directory.

    The server is started as `python -c`, which puts the working directory first on its path,
    and Python 3.11 ignores the path it is handed (CPython gh-117378, fixed from 3.12). Run
    from a folder holding a `recovery` folder (the checkout an editable install points at,
    say), every helper imported that and died. PYTHONSAFEPATH keeps the working directory off
    a Python program's path.
    """
    os.environ["PYTHONSAFEPATH"] = "1"


def helper_context() -> ForkServerContext:
    """The context to start a helper process in."""
    context = multiprocessing.get_context("forkserver")
    # (Heeded when the server starts, with the first helper: later calls change nothing.)
    context.set_forkserver_preload(list(PRELOADED))
    return context


def start_server_now() -> None:
    """Starts the helpers' server without waiting for it: a program that will start helpers
    lets the server's imports (a second or more) run beside its own, where its first helper
    would otherwise wait for them. Needs a second core to gain anything."""
    if (os.cpu_count() or 1) >= 2:
        helper_context()  # (sets what the server imports, before it starts)
        multiprocessing.forkserver.ensure_running()


class BackgroundStart:
    """A helper process being started from a thread of its own (`start_in_background`)."""

    def __init__(self, process: BaseProcess, their_ends: Sequence[Connection]) -> None:
        self._process = process
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._start, args=(their_ends,), name=f"{process.name}-start"
        )
        self._thread.start()

    def wait(self) -> None:
        """Returns once the process has started; raises if it could not be."""
        if not self.started():
            raise RuntimeError(f"the {self._process.name} process did not start") from self._error

    def started(self) -> bool:
        """Whether the process was started (waits for the attempt)."""
        self._thread.join()
        return self._error is None

    def _start(self, their_ends: Sequence[Connection]) -> None:
        try:
            self._process.start()
        except BaseException as error:  # (raised by `wait`, in the caller's thread)
            self._error = error
        finally:
            # The process's ends of its pipes, closed here once it holds them: its end closing
            # then tells the caller it is gone.
            for end in their_ends:
                end.close()


def start_in_background(process: BaseProcess, their_ends: Sequence[Connection]) -> BackgroundStart:
    """Starts `process` (made in `helper_context()`) from a thread; `their_ends`: its ends of
    the pipes it was given, closed once it has started."""
    return BackgroundStart(process, their_ends)
