"""PDF file → pages of text (text layer, or OCR for scanned pages) → parsed fields.

`extract_file` is the one step the ingest pipeline runs per file, in a worker process: it takes
a path and plain options (picklable) and returns a plain result, or raises `UnreadableDocument`
with a one-line reason for files that are not readable PDFs (not a PDF, encrypted, corrupt).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recovery.errors import InputError
from recovery.evidence.ocr import OCR_DPI, OcrUnavailable, ocr_page
from recovery.evidence.parse import ParsedDocument, parse_pages
from recovery.evidence.text import PageText, Word, page_from_words

PDF_MAGIC = b"%PDF-"
# Fewer characters than this on a page means there is no usable text layer (a scan).
MIN_TEXT_CHARS = 20

# pdfminer logs every odd object it tolerates and pypdf what it repairs ("EOF marker not
# found"): a user needs the product's one line per bad file, not theirs beside it. Their
# records go nowhere, at every level (a reason worth telling is in the exception we word).
for _library in ("pdfminer", "pypdf", "pdfplumber"):
    _logger = logging.getLogger(_library)
    _logger.addHandler(logging.NullHandler())
    _logger.propagate = False


class UnreadableDocument(InputError):
    """A file that cannot be read as a PDF; skipped, the batch goes on."""


@dataclass(frozen=True)
class ExtractOptions:
    ocr: bool = True
    tesseract_cmd: str = "tesseract"
    ocr_language: str = "eng"
    date_order: str = "MDY"


@dataclass
class Extraction:
    pages: int
    text_source: str  # "text", "ocr", or "none" when a scan could not be read
    document: ParsedDocument
    notes: list[str] = field(default_factory=list)  # e.g. "OCR unavailable: …", said once


def extract_file(path: Path, options: ExtractOptions) -> Extraction:
    _check_is_pdf(path)
    pages, text_source, notes = read_pages(path, options)
    return Extraction(
        pages=len(pages) or _page_count(path),
        text_source=text_source,
        document=parse_pages(pages, date_order=options.date_order),
        notes=notes,
    )


def _check_is_pdf(path: Path) -> None:
    try:
        with path.open("rb") as handle:
            head = handle.read(1024)
    except OSError as exc:
        raise UnreadableDocument(f"cannot read: {exc.strerror or exc}", file=str(path)) from exc
    if PDF_MAGIC not in head:
        raise UnreadableDocument("not a PDF", file=str(path))


def read_pages(path: Path, options: ExtractOptions) -> tuple[list[PageText], str, list[str]]:
    """Every page's lines; scanned pages go through OCR when it is on and available."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    pages: list[PageText] = []
    notes: list[str] = []
    used_ocr = False
    skipped_scans = 0
    try:
        with pdfplumber.open(path) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                text_page = page_from_words(number, _words(page), "text")
                if sum(len(line.text) for line in text_page.lines) >= MIN_TEXT_CHARS:
                    pages.append(text_page)
                    continue
                if not options.ocr:
                    skipped_scans += 1
                    continue
                try:
                    image = page.to_image(resolution=OCR_DPI).original
                    pages.append(
                        ocr_page(
                            image,
                            number,
                            command=options.tesseract_cmd,
                            language=options.ocr_language,
                        )
                    )
                    used_ocr = True
                except OcrUnavailable as exc:
                    skipped_scans += 1
                    if str(exc) not in notes:
                        notes.append(str(exc))
    except PDFPasswordIncorrect as exc:
        raise UnreadableDocument("encrypted PDF (needs a password)", file=str(path)) from exc
    except UnreadableDocument:
        raise
    except Exception as exc:  # pdfminer raises many unrelated types for broken files
        if _needs_password(path):
            raise UnreadableDocument("encrypted PDF (needs a password)", file=str(path)) from exc
        raise UnreadableDocument(_broken(exc), file=str(path)) from exc
    if skipped_scans and not options.ocr:
        notes.append(f"{skipped_scans} scanned page(s) not read: OCR is off (evidence.ocr)")
    if not pages:
        return pages, "none", notes
    return pages, "ocr" if used_ocr else "text", notes


def _words(page: Any) -> list[Word]:
    return [
        Word(w["text"], float(w["x0"]), float(w["x1"]), float(w["top"]), float(w["bottom"]))
        for w in page.extract_words(keep_blank_chars=False, use_text_flow=False)
    ]


def _needs_password(path: Path) -> bool:
    """pdfplumber wraps pdfminer's password error; ask pypdf, which says it plainly."""
    import pypdf

    try:
        reader = pypdf.PdfReader(path)
        return bool(reader.is_encrypted) and not reader.decrypt("")
    except Exception:  # unreadable for pypdf too: then it is not (only) a password problem
        return False


def _page_count(path: Path) -> int:
    import pypdf

    try:
        return len(pypdf.PdfReader(path).pages)
    except Exception:  # the count is informative only; a broken count is not worth failing on
        return 0


def _broken(exc: Exception) -> str:
    detail = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
    return f"corrupt or unreadable PDF ({detail})"
