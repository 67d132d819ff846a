"""Helper processes start from a forkserver that has already imported what they run."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

from recovery.helper_processes import PRELOADED, helper_context


def test_a_helper_finds_what_helpers_run_already_imported() -> None:
    # Without the server's preload a child imports these itself, each time: 0.6 s before every
    # reader or co-op process. (`eval` imports nothing: what it sees is what the child got.)
    probe = "sorted(m for m in __import__('sys').modules if m.startswith('recovery.'))"
    with ProcessPoolExecutor(max_workers=1, mp_context=helper_context()) as pool:
        imported = pool.submit(eval, probe).result(timeout=120)
    assert set(PRELOADED) - {"__main__"} <= set(imported)
