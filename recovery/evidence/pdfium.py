"""PDFium (behind pypdfium2) is one library per process and not thread-safe: two threads calling
it at once, even on different documents, crash the process (pypdfium2's "Incompatibility with
Threading", https://pypdfium2-team.github.io/pypdfium2/python_api.html). The web UI renders
previews in a thread pool, so every PDFium call goes through this one lock."""

from __future__ import annotations

import threading

PDFIUM_LOCK = threading.Lock()
