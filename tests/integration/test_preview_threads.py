"""The web UI renders document previews in a thread pool. PDFium crashes the whole process when two
threads call it at once, so this runs in a child process: a crash shows as its exit status instead
of taking the test worker down."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

EVIDENCE = Path(__file__).parents[1] / "data" / "evidence"

PROGRAM = textwrap.dedent(
    """
    import sys
    from concurrent.futures import ThreadPoolExecutor
    from pathlib import Path

    from recovery.evidence.preview import first_page_png

    paths = [Path(p) for p in sys.argv[1:]]
    with ThreadPoolExecutor(max_workers=8) as pool:
        images = list(pool.map(lambda path: first_page_png(path, width_px=200), paths * 50))
    assert all(image.startswith(b"\\x89PNG") for image in images)
    print(len(images))
    """
)


def test_previews_rendered_from_many_threads_at_once_do_not_crash_the_process() -> None:
    names = [
        "handmade_pod.pdf",
        "multi_po_bol.pdf",
        "osd_report_pod.pdf",
        "stamped_receipt_pod.pdf",
    ]
    pdfs = [EVIDENCE / name for name in names]
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, *map(str, pdfs)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == str(len(pdfs) * 50)
