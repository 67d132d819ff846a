"""OCR of scanned pages with the Tesseract command-line tool, when it is installed.

The CLI (Debian's `tesseract-ocr`) is used instead of a Python binding so that nothing needs
compiling and a missing Tesseract is a fact to report, not an import error. Its TSV output keeps
each word's box, which the form parser needs as much as the words.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from recovery.evidence.text import PageText, Word, page_from_words

OCR_DPI = 300
POINTS_PER_INCH = 72
TIMEOUT_SECONDS = 120
# A straight dark run this long (in pixels at OCR_DPI, about 0.3 inch) is a rule, not a glyph.
RULE_MIN_PIXELS = 90
_RULE_MARKS = set("|_-—–=~'\"‘’`.,;!/\\")


class OcrUnavailable(Exception):
    """Tesseract is not installed or cannot run; the message says which and how to fix it."""


def find_tesseract(command: str) -> str | None:
    return shutil.which(command)


def ocr_page(image: Any, number: int, *, command: str, language: str) -> PageText:
    """Words of a page image (a PIL image rendered at OCR_DPI) in PDF points."""
    executable = find_tesseract(command)
    if executable is None:
        raise OcrUnavailable(
            f"Tesseract ({command!r}) is not installed: scanned pages cannot be read "
            "(install the tesseract-ocr package or set evidence.tesseract_cmd)"
        )
    with tempfile.TemporaryDirectory(prefix="recovery-ocr-") as tmp:
        png = Path(tmp) / "page.png"
        without_rules(image).save(png)
        try:
            done = subprocess.run(
                # psm 6 (one block of text) keeps boxed form cells that the automatic page
                # segmentation drops as "pictures"; word boxes still give the layout.
                [executable, str(png), "stdout", "-l", language, "--psm", "6", "tsv"],
                capture_output=True,
                # Pages are already spread over processes; Tesseract's own threads only contend.
                env={**os.environ, "OMP_THREAD_LIMIT": "1"},
                check=True,
                timeout=TIMEOUT_SECONDS,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise OcrUnavailable(f"Tesseract failed: {_first_line(exc)}") from exc
    scale = POINTS_PER_INCH / OCR_DPI
    return page_from_words(number, _tsv_words(done.stdout.decode("utf-8", "replace"), scale), "ocr")


def without_rules(image: Any) -> Any:
    """The page with long straight rules (form boxes, table lines) painted white.

    Tesseract drops short values that sit inside boxes (a lone "8" between two box edges reads
    as part of a picture); forms are read far better without their lines.
    """
    import numpy as np
    from PIL import Image

    pixels = np.asarray(image.convert("L"))
    dark = pixels < 200  # anti-aliased edges of a rule are grey
    rules = _runs(dark, axis=0) | _runs(dark, axis=1)
    cleaned = np.where(rules, 255, pixels).astype(np.uint8)
    return Image.fromarray(cleaned, mode="L")


def _runs(dark: Any, axis: int) -> Any:
    """Pixels on straight dark runs longer than any glyph, along the axis (0 = vertical)."""
    import numpy as np

    reach = RULE_MIN_PIXELS // 2
    window = 2 * reach + 1
    counts = np.cumsum(dark, axis=axis, dtype=np.int32)
    pad = [(0, 0), (0, 0)]
    pad[axis] = (reach + 1, reach)
    padded = np.pad(counts, pad, mode="edge")
    if axis == 0:
        padded[: reach + 1, :] = 0
        inside = padded[window:, :] - padded[:-window, :]
    else:
        padded[:, : reach + 1] = 0
        inside = padded[:, window:] - padded[:, :-window]
    centres = inside >= window
    # Widen the centres back to the full run: a pixel is on a rule if a full window covers it.
    covered = np.cumsum(centres, axis=axis, dtype=np.int32)
    padded = np.pad(covered, pad, mode="edge")
    if axis == 0:
        padded[: reach + 1, :] = 0
        near = padded[window:, :] - padded[:-window, :]
    else:
        padded[:, : reach + 1] = 0
        near = padded[:, window:] - padded[:, :-window]
    return (near > 0) & dark


def _tsv_words(tsv: str, scale: float) -> list[Word]:
    words: list[Word] = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if row.get("level") != "5" or float(row.get("conf") or -1) < 0:
            continue
        # Form rules and box edges come out as "|", "_" or "—": not words.
        if all(c in _RULE_MARKS for c in text):
            continue
        left, top = int(row["left"]), int(row["top"])
        width, height = int(row["width"]), int(row["height"])
        words.append(
            Word(text, left * scale, (left + width) * scale, top * scale, (top + height) * scale)
        )
    return words


def _first_line(exc: BaseException) -> str:
    stderr = getattr(exc, "stderr", None)
    if isinstance(stderr, bytes) and stderr.strip():
        return stderr.decode("utf-8", "replace").strip().splitlines()[-1]
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
