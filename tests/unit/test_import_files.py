"""Reading exports: encodings, BOMs, delimiters, workbooks, and spreadsheet row numbers."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from recovery.errors import InputError
from recovery.sources.files import FileFormat, cell_text, open_sheets, sniff_format


def rows_of(path: Path) -> list[tuple[str | None, list[tuple[int, list[str]]]]]:
    with open_sheets(path) as sheets:
        return [(s.name, list(s.rows())) for s in sheets]


def test_utf8_bom_and_row_numbers_count_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b'\xef\xbb\xbfTitle\n\nA,B\n"1,5",x\n')
    [(name, rows)] = rows_of(path)
    assert name is None
    assert rows == [(1, ["Title"]), (2, []), (3, ["A", "B"]), (4, ["1,5", "x"])]


def test_semicolons_and_windows_encoding(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_bytes("Date;Amount;Description\n01.02.2026;1.234,56;Caf\xe9\n".encode("cp1252"))
    [(_, rows)] = rows_of(path)
    assert rows[1] == (2, ["01.02.2026", "1.234,56", "Café"])


def test_utf16_with_tabs(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("A\tB\n1\t2\n", encoding="utf-16")
    [(_, rows)] = rows_of(path)
    assert rows == [(1, ["A", "B"]), (2, ["1", "2"])]


def test_every_sheet_of_a_workbook_with_cells_as_text(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.title = "Data"
    first.append(["ID", "When", "Amount", "Qty"])
    first.append([123456.0, datetime(2026, 3, 4), 12.5, 3])
    book.create_sheet("Revised").append(["x"])
    path = tmp_path / "d.xlsx"
    book.save(path)
    assert sniff_format(path) == FileFormat.xlsx
    sheets = rows_of(path)
    assert [name for name, _ in sheets] == ["Data", "Revised"]
    assert sheets[0][1][1] == (2, ["123456", "2026-03-04", "12.5", "3"])


def test_workbook_rows_are_numbered_as_excel_shows_them(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["C3"], sheet["D3"] = "Invoice", "Amount"  # a table that starts at C3
    sheet["C5"], sheet["D5"] = "INV1", 1.5  # after an empty row
    path = tmp_path / "offset.xlsx"
    book.save(path)
    [(_, rows)] = rows_of(path)
    filled = [(number, [c for c in cells if c]) for number, cells in rows if any(cells)]
    assert filled == [(3, ["Invoice", "Amount"]), (5, ["INV1", "1.5"])]


def test_cell_text() -> None:
    assert cell_text(None) == "" and cell_text(0.1 + 0.2) == "0.30000000000000004"
    assert cell_text(True) == "TRUE" and cell_text(" a ") == "a"


def test_json_is_told_apart_and_bad_workbooks_are_input_errors(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text('  {"orders": []}')
    assert sniff_format(tmp_path / "x.json") == FileFormat.json
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputError, match="broken.xlsx: not a readable XLSX"):
        rows_of(broken)


def test_equal_values_of_different_types_in_a_sheet_keep_their_own_text(tmp_path: Path) -> None:
    # True == 1 == 1.0 to Python: a sheet's cells are made text once per value, not per type.
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for value in (1, True, 1.0, 1.5, datetime(2026, 1, 2), False, 0, " x "):
        sheet.append([value])
    path = tmp_path / "types.xlsx"
    book.save(path)
    [(_, rows)] = rows_of(path)
    assert [cells for _, cells in rows] == [
        ["1"],
        ["TRUE"],
        ["1"],
        ["1.5"],
        ["2026-01-02"],
        ["FALSE"],
        ["0"],
        ["x"],
    ]
