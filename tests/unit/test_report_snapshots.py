"""The weekly summary in each format, compared with reviewed snapshots.

The snapshots in tests/snapshots/reports/ were read by a person. The HTML is compared with its
charts given as fixed placeholders (PNG bytes depend on the fonts a machine has); the workbook
as every cell's value and number format; the PDF as its text, page by page. To accept a
deliberate change, run `UPDATE_SNAPSHOTS=1 pytest tests/unit/test_report_snapshots.py` and
review the diff in git. Page images land in test-artifacts/reports/ for a person to look at.
"""

from __future__ import annotations

import base64
import io
import os
import re
import zipfile
from pathlib import Path

import pdfplumber
import pypdfium2
import pytest
from openpyxl import load_workbook
from report_example import example_report

from recovery.reports.html import render_html
from recovery.reports.pdf import render_pdf
from recovery.reports.weekly import ReportFormat, render
from recovery.reports.xlsx import currency_number_format, render_xlsx

SNAPSHOTS = Path(__file__).resolve().parents[1] / "snapshots" / "reports"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "reports"
PLACEHOLDERS = {"ABCDE": {"recovery": "chart:recovery.png", "deductions": "chart:deductions.png"}}


def matches_snapshot(name: str, text: str) -> None:
    snapshot = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        snapshot.parent.mkdir(parents=True, exist_ok=True)
        snapshot.write_text(text, encoding="utf-8")
    assert snapshot.exists(), f"no snapshot {snapshot.name}: run with UPDATE_SNAPSHOTS=1"
    assert text == snapshot.read_text(encoding="utf-8")


def test_html_snapshot() -> None:
    matches_snapshot("weekly.html", render_html(example_report(), PLACEHOLDERS))


def test_the_html_file_carries_both_charts_as_png_images() -> None:
    page = render(example_report(), ReportFormat.html).decode("utf-8")
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(images) == 2
    for image in images:
        assert base64.b64decode(image).startswith(b"\x89PNG\r\n\x1a\n")


def _workbook_text(data: bytes) -> str:
    book = load_workbook(io.BytesIO(data))
    lines = []
    for sheet in book.worksheets:
        lines.append(f"## {sheet.title}")
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                fmt = "" if cell.number_format == "General" else f"  [{cell.number_format}]"
                lines.append(f"{cell.coordinate}: {cell.value!r}{fmt}")
    return "\n".join(lines) + "\n"


def test_xlsx_snapshot() -> None:
    matches_snapshot("weekly.xlsx.txt", _workbook_text(render_xlsx(example_report())))


def test_the_workbook_has_one_sheet_per_view_and_native_charts() -> None:
    book = load_workbook(io.BytesIO(render_xlsx(example_report())))
    assert book.sheetnames == [
        "Figures",
        "Trend",
        "Deadlines missed",
        "Due next week",
        "Denial reasons",
        "Chargebacks",
        "Short-pays",
        "Receivables",
        "Unmatched payments",
    ]
    charts = book["Trend"]._charts
    assert [(c.tagname, c.grouping) for c in charts] == [
        ("barChart", "clustered"),
        ("barChart", "stacked"),
    ]
    assert [len(c.series) for c in charts] == [2, 5]
    # Money is a number in a currency format, not text.
    figures = book["Figures"]
    recovered = next(c for c in figures[1] if c.value == "Recovered").column
    week_total = next(r for r in figures.iter_rows(min_row=2) if r[4].value == "Total")
    cell = week_total[recovered - 1]
    assert cell.value == pytest.approx(321.60)
    assert cell.number_format == currency_number_format("USD") == '"$"#,##0.00;-"$"#,##0.00'


def test_text_from_files_is_inert_in_the_workbook() -> None:
    data = render_xlsx(example_report())
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets
        for name in sheets:
            assert b"<f>" not in archive.read(name), name
    book = load_workbook(io.BytesIO(data))
    references = [c.value for c in book["Deadlines missed"]["D"]]
    assert '\'=HYPERLINK("http://x")' in references
    assert book["Short-pays"]["B2"].value == "'-1003"
    assert book["Unmatched payments"]["B2"].value == "'@30240045"


@pytest.mark.parametrize(
    ("currency", "number_format"),
    [
        ("USD", '"$"#,##0.00;-"$"#,##0.00'),
        ("JPY", '"¥"#,##0;-"¥"#,##0'),
        ("EUR", '"€"#,##0.00;-"€"#,##0.00'),
    ],
)
def test_currency_number_formats(currency: str, number_format: str) -> None:
    assert currency_number_format(currency) == number_format


def test_pdf_snapshot_and_page_images() -> None:
    data = render_pdf(example_report())
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        pages = [page.extract_text() or "" for page in pdf.pages]
    text = "".join(f"## page {n}\n{page}\n" for n, page in enumerate(pages, start=1))
    matches_snapshot("weekly.pdf.txt", text)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for stale in ARTIFACTS.glob("weekly-page-*.png"):
        stale.unlink()
    document = pypdfium2.PdfDocument(data)
    for n in range(len(document)):
        image = document[n].render(scale=1.2).to_pil()
        # A page that rendered is not blank: charts and tables put dark pixels on it.
        assert image.convert("L").getextrema()[0] < 100
        image.save(ARTIFACTS / f"weekly-page-{n + 1}.png")
