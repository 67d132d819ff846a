"""Where the product's helper processes start from: one forkserver, with what they run imported.

The helpers (the import's reader, detection's co-op process, the evidence parsers) start from a
forkserver, a clean, single-threaded process: forking the caller could copy a lock held by a web
or scheduler thread. A child of a bare forkserver imports what it runs, and the caller's main
module again (which imports most of the product): 0.6 s before each reader or co-op process
even once the server was up. The server imports them once instead, when the first helper of the
process starts, and every later helper begins at once from a copy of it. A first day starts
three kinds of helper, a service many.

A module that starts a helper names it in `PRELOADED` (by name: importing them here would make
this module depend on the parts that use it).
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.context import ForkServerContext

PRELOADED = (
    # The caller's main module, which a child would otherwise run again (`multiprocessing`
    # imports it in the server and skips it in a child that shares it).
    "__main__",
    "recovery.sources.read_ahead",
    "recovery.claims.fast_run",
    "recovery.evidence.extract",
)


def helper_context() -> ForkServerContext:
    """The context to start a helper process in."""
    context = multiprocessing.get_context("forkserver")
    # (Heeded when the server starts, with the first helper: later calls change nothing.)
    context.set_forkserver_preload(list(PRELOADED))
    return context
