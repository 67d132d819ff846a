"""Extraction against the renderer's truth: every layout and kind, the hard documents, a scan.

The per-field precision/recall table is printed to the terminal even without `-s`.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pypdf
import pytest

from recovery.evidence.extract import ExtractOptions, UnreadableDocument, extract_file
from recovery.testing.documents import KINDS, LAYOUTS, DocumentTruth, render_document
from recovery.testing.evidence_scoring import Scorecard, random_truths

HARD = Path(__file__).resolve().parents[1] / "data" / "evidence"
TEXT_DOCUMENTS = 64
TARGET = 0.95


def _truth_from_json(data: dict[str, Any]) -> DocumentTruth:
    for key in ("ship_date", "delivery_date"):
        if data[key] is not None:
            data[key] = date.fromisoformat(data[key])
    return DocumentTruth(**data)


def hard_documents() -> list[tuple[Path, DocumentTruth]]:
    truths = json.loads((HARD / "truth.json").read_text())
    return [(HARD / name, _truth_from_json(data)) for name, data in truths.items()]


def _write(tmp_path: Path, name: str, pdf: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(pdf)
    return path


def test_renderer_is_deterministic_and_covers_every_layout_and_kind() -> None:
    truths = random_truths(len(LAYOUTS) * len(KINDS))
    assert {(t.layout, t.kind) for t in truths} == {(lay, k) for lay in LAYOUTS for k in KINDS}
    for truth in truths:
        pdf = render_document(truth)
        assert pdf.startswith(b"%PDF-") and pdf == render_document(truth)
    different = replace(truths[0], cartons=truths[0].cartons + 1)
    assert render_document(different) != render_document(truths[0])


def test_a_scanned_render_has_no_text_layer(tmp_path: Path) -> None:
    path = _write(tmp_path, "scan.pdf", render_document(random_truths(1)[0], scanned=True))
    reader = pypdf.PdfReader(path)
    assert len(reader.pages) == 1
    assert reader.pages[0].extract_text().strip() == ""


def test_extraction_precision_and_recall_per_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    card = Scorecard()
    options = ExtractOptions()
    for index, truth in enumerate(random_truths(TEXT_DOCUMENTS, seed=11)):
        path = _write(tmp_path, f"{index}-{truth.layout}-{truth.kind}.pdf", render_document(truth))
        extraction = extract_file(path, options)
        assert extraction.text_source == "text"
        card.add(path.name, truth, extraction.document)
    for path, truth in hard_documents():
        card.add(path.name, truth, extract_file(path, options).document)
    with capsys.disabled():
        print(f"\n{TEXT_DOCUMENTS} rendered text PDFs + {len(hard_documents())} hard ones")
        print(card.table())
        if card.misses:
            print("misses:\n  " + "\n  ".join(card.misses))
    assert card.worst() >= TARGET, card.misses


def test_hard_documents_are_read_completely() -> None:
    """Multi-PO BOL, handwritten exception, hand-drawn PODs in other words and shapes (an OS&D
    inspection table, a receiving stamp, pallets damaged): no field missed."""
    for path, truth in hard_documents():
        card = Scorecard()
        card.add(path.name, truth, extract_file(path, ExtractOptions()).document)
        assert card.misses == []


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="Tesseract is not installed")
def test_scanned_documents_go_through_tesseract(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    truths = [
        replace(random_truths(8, seed=3)[7], exception_kind="short", exception_units=2),
        random_truths(1, seed=5)[0],
        random_truths(3, seed=5)[2],
    ]
    card = Scorecard()
    for index, truth in enumerate(truths):
        path = _write(tmp_path, f"scan-{index}.pdf", render_document(truth, scanned=True))
        extraction = extract_file(path, ExtractOptions())
        assert extraction.text_source == "ocr"
        card.add(path.name, truth, extraction.document)
    with capsys.disabled():
        print(f"\n{len(truths)} scanned PDFs through Tesseract")
        print(card.table())
        if card.misses:
            print("misses:\n  " + "\n  ".join(card.misses))
    scores = card.fields.values()
    assert sum(s.tp for s in scores) / sum(s.tp + s.fn for s in scores) >= 0.9
    for name in ("kind", "signed", "delivery_date", "exception_kind", "exception_units"):
        assert card.fields[name].fn == 0 and card.fields[name].fp == 0, name


def test_without_tesseract_a_scan_is_kept_unread_and_said_once(tmp_path: Path) -> None:
    path = _write(tmp_path, "scan.pdf", render_document(random_truths(1)[0], scanned=True))
    extraction = extract_file(path, ExtractOptions(tesseract_cmd="no-such-tesseract-here"))
    assert extraction.text_source == "none"
    assert extraction.pages == 1
    assert extraction.document.bol_number is None
    assert len(extraction.notes) == 1 and "not installed" in extraction.notes[0]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("encrypted.pdf", "encrypted PDF"),
        ("corrupt.pdf", "corrupt or unreadable PDF"),
        ("not_a_pdf.pdf", "not a PDF"),
    ],
)
def test_bad_files_are_one_clear_line(name: str, reason: str) -> None:
    with pytest.raises(UnreadableDocument) as raised:
        extract_file(HARD / name, ExtractOptions())
    message = str(raised.value)
    assert name in message and reason in message and "\n" not in message


# Every POD layout and every such note once (each render and read takes a second).
UNCOUNTED_NOTES = [
    ("OS&D", "freight_bill"),
    ("OS&D noted", "delivery_receipt"),
    ("DAMAGED", "parcel_pod"),
    ("short - see photos", "vics_bol"),
    ("exception noted", "delivery_receipt"),
    ("OS&D", "vics_bol"),
]


@pytest.mark.parametrize(("note", "layout"), UNCOUNTED_NOTES)
def test_a_note_that_counts_nothing_is_unreadable_never_a_clean_pod(
    tmp_path: Path, layout: str, note: str
) -> None:
    """A receiver's "OS&D" in the exceptions box is the mark that something went wrong, not
    a printed label: the POD is unreadable (a person looks), never clean."""
    truth = replace(
        random_truths(2)[1],
        kind="pod",
        layout=layout,
        signed=True,
        receiver="J. Smith",
        delivery_date=date(2026, 3, 5),
        ship_date=date(2026, 3, 2),
        exception_kind=None,
        exception_units=None,
        exception_note=note,
    )
    path = _write(tmp_path, "pod.pdf", render_document(truth))
    parsed = extract_file(path, ExtractOptions()).document
    assert parsed.exception_kind == "unreadable", (note, layout)
