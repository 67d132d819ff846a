"""A picture of a document's first page, for people to look at beside the fields read from it
(browsers without a PDF viewer, headless ones included, still show an image)."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2  # type: ignore[import-untyped]

from recovery.errors import RecoveryError


def first_page_png(path: Path, width_px: int = 900) -> bytes:
    try:
        pdf = pypdfium2.PdfDocument(str(path))
    except pypdfium2.PdfiumError as exc:
        raise RecoveryError(f"{path.name}: cannot be read as a PDF ({exc})") from exc
    try:
        if len(pdf) == 0:
            raise RecoveryError(f"{path.name}: the PDF has no pages")
        page = pdf[0]
        scale = width_px / page.get_width()
        image = page.render(scale=scale).to_pil()
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=True)
        return out.getvalue()
    finally:
        pdf.close()
