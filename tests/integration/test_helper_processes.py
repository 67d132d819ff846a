"""Helper processes start from a forkserver that has already imported what they run."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

import pytest

from recovery.helper_processes import PRELOADED, helper_context, start_in_background


def test_a_helper_finds_what_helpers_run_already_imported() -> None:
    # Without the server's preload a child imports these itself, each time: 0.6 s before every
    # reader or co-op process. (`eval` imports nothing: what it sees is what the child got.)
    probe = "sorted(m for m in __import__('sys').modules if m.startswith('recovery.'))"
    with ProcessPoolExecutor(max_workers=1, mp_context=helper_context()) as pool:
        imported = pool.submit(eval, probe).result(timeout=120)
    assert set(PRELOADED) <= set(imported)


def test_a_helper_that_cannot_start_is_reported_where_it_is_waited_for() -> None:
    context = helper_context()
    ours, theirs = context.Pipe(duplex=False)
    # A lambda cannot be sent to the forkserver's child: the start fails in the thread.
    process = context.Process(target=print, args=(lambda: None,), name="recovery-test")
    start = start_in_background(process, [theirs])
    with pytest.raises(RuntimeError, match="the recovery-test process did not start"):
        start.wait()
    assert not start.started()
    assert theirs.closed
    ours.close()
