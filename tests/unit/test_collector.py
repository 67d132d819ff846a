"""Imports and detection pause the cyclic garbage collector; a long-running server (the web UI,
the scheduler) must get it back however the work ends."""

from __future__ import annotations

import gc

import pytest

from recovery.store.collector import collector_paused


def test_the_collector_is_back_after_the_work_even_when_it_fails() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("an import failed")
    assert gc.isenabled()


def test_a_collector_someone_else_turned_off_stays_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
