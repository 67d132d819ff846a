"""Pausing Python's cyclic garbage collector around bulk work (imports, detection).

Bulk work builds hundreds of thousands of containers (rows, blocks, tuples, findings) and no
reference cycles. The cyclic collector runs every few hundred allocations and rescans what
survived its last runs, so it traversed them again and again. Reference counting still frees
everything meanwhile; only cycles wait until the collector is back.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic collector off inside, and as it was afterwards, errors or not."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
