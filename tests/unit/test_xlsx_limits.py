"""A workbook's used range is bounded before the XLSX reader allocates it, however the far
cell is written: a reference in another column, a row past the others, leading zeros, other
whitespace before the attribute, or cells with no reference at all."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import xlsxwriter

from recovery.config import ImportSettings
from recovery.errors import InputError
from recovery.sources.xlsx_limits import check_workbook, column_number, numbers_above

sys.path.insert(0, str(Path(__file__).parents[1] / "data" / "hostile"))
from make_workbooks import sheet_xml, write

LIMITS = ImportSettings()


@pytest.mark.parametrize("bound", [0, 1, 9, 10, 99, 150, 999, 1000, 104857, 1048576])
def test_numbers_above_match_exactly_the_numbers_above_the_bound(bound: int) -> None:
    pattern = re.compile(numbers_above(bound))
    near = range(max(0, bound - 3000), bound + 3000)
    for number in [*near, *(10**k - 1 for k in range(1, 10)), *(10**k for k in range(10))]:
        assert bool(pattern.fullmatch(str(number))) == (number > bound), number


@pytest.mark.parametrize(("letters", "number"), [("A", 1), ("Z", 26), ("AA", 27), ("XFD", 16384)])
def test_column_number(letters: str, number: int) -> None:
    assert column_number(letters.encode()) == number


def _far(tmp_path: Path, far_row: str, message: str) -> None:
    path = tmp_path / "far.xlsx"
    write(path, sheet_xml(2, "A2", "A1:C2").replace('<row r="2"><c r="A2">', far_row))
    with pytest.raises(InputError, match=message):
        check_workbook(path, LIMITS)


@pytest.mark.parametrize(
    ("far_row", "message"),
    [
        # A cell naming a row far past its row element.
        ('<row r="2"><c r="A99999999">', "on row 99,999,999"),
        # The same with leading zeros, which the reader reads as the number.
        ('<row r="2"><c r="A0099999999">', "on row 99,999,999"),
        # A line feed or a tab before the attribute is legal XML.
        ('<row r="2"><c\nr="A99999999">', "on row 99,999,999"),
        ('<row\tr="99999999"><c>', "on row 99,999,999"),
        ('<row r="2"><c r="ZZZ2">', "in column 18,278"),
        ('<row r="2"><c\tr="ZZZ2">', "in column 18,278"),
        # 2,000 cells with no reference take columns one after another; with a row past
        # 20,000 the range passes 40 million cells.
        ('<row r="30000">' + "<c><v>1</v></c>" * 2000 + '<c r="A30000">', "million|cells"),
    ],
)
def test_a_far_cell_is_found_however_it_is_written(
    tmp_path: Path, far_row: str, message: str
) -> None:
    _far(tmp_path, far_row, message)


def test_a_sound_wide_workbook_passes(tmp_path: Path) -> None:
    path = tmp_path / "sound.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for row in range(2000):
        sheet.write_row(row, 0, [f"cell {row} {column}" for column in range(40)])
    book.close()
    check_workbook(path, LIMITS)  # nothing raised
    with pytest.raises(InputError, match="2,000 rows x 40 columns"):
        check_workbook(path, ImportSettings(xlsx_max_cells=50_000))


def test_not_a_zip_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    with pytest.raises(InputError, match="not a readable XLSX workbook"):
        check_workbook(path, LIMITS)
