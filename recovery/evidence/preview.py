"""A picture of a document's first page, for people to look at beside the fields read from it
(browsers without a PDF viewer, headless ones included, still show an image)."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2  # type: ignore[import-untyped]
from PIL import Image

from recovery.errors import RecoveryError
from recovery.evidence.pdfium import PDFIUM_LOCK


def first_page_png(path: Path, width_px: int = 900) -> bytes:
    with PDFIUM_LOCK:
        image = _first_page_image(path, width_px)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _first_page_image(path: Path, width_px: int) -> Image.Image:
    try:
        pdf = pypdfium2.PdfDocument(str(path))
    except pypdfium2.PdfiumError as exc:
        raise RecoveryError(f"{path.name}: cannot be read as a PDF ({exc})") from exc
    try:
        if len(pdf) == 0:
            raise RecoveryError(f"{path.name}: the PDF has no pages")
        page = pdf[0]
        scale = width_px / page.get_width()
        image: Image.Image = page.render(scale=scale).to_pil()
        return image
    finally:
        pdf.close()
