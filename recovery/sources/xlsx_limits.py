"""A workbook's size checked before the XLSX reader sees it.

The reader (calamine) allocates every cell of a sheet's used range at once: a 5 KB file with
one cell at A1 and one at XFD1048576 asks for 17 billion cells (512 GiB) and the process dies
in native code, beyond any `except`. So each worksheet's XML is streamed here first, counting
its bytes after decompression and finding the farthest row and column any cell or row names;
past a limit (`[imports] xlsx_max_*`) the file is refused with one line.

The scan costs a fraction of the reader's time (`bench/bench_xlsx_limits.py`).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from recovery.config import ImportSettings
from recovery.errors import InputError

_CHUNK = 1 << 20
# A tag cut by a chunk's end is read whole with the next chunk.
_TAIL = 64
# Every writer puts a space before an attribute: patterns starting with that literal are
# several times faster than ones starting with `\s`, used only where other whitespace is.
# Row elements' numbers (`<row r="12">`; a cell's reference has letters: `r="B12"`).
_ROW_NUMBERS = re.compile(rb' r="(\d+)"')
_ROW_NUMBERS_ANY_SPACE = re.compile(rb'\sr="(\d+)"')
_WORKSHEET = re.compile(r"xl/worksheets/[^/]+\.xml")


def numbers_above(bound: int) -> str:
    """A regular expression matching the decimal numbers (no leading zero) above `bound`:
    `above(150)` matches 151..159, 160..199, 200..999 and every number of 4 digits or more."""
    digits = str(bound)
    branches = [rf"[1-9]\d{{{len(digits)},}}"]
    for at, digit in enumerate(digits):
        if digit == "9":
            continue
        rest = len(digits) - at - 1
        low = int(digit) + 1
        first = "[1-9]" if at == 0 and low == 1 else f"[{low}-9]"
        branches.append(digits[:at] + first + (rf"\d{{{rest}}}" if rest else ""))
    return "(?:" + "|".join(branches) + ")"


@dataclass
class _Extent:
    rows: int = 0
    columns: int = 0
    bytes: int = 0
    cells: int = 0  # cell elements, whatever their references say
    row_elements: int = 0
    unnamed_cells: int = 0  # cells without a reference: each may push a row one column on


def column_number(letters: bytes) -> int:
    """`A` → 1, `Z` → 26, `AA` → 27, `XFD` → 16384."""
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def check_workbook(path: Path, limits: ImportSettings) -> None:
    """Refuse (InputError) a workbook whose sheets would not fit the limits once read."""
    try:
        with zipfile.ZipFile(path) as book:
            members = book.infolist()
            declared = sum(m.file_size for m in members)
            if declared > limits.xlsx_max_bytes:
                raise _too_big(path, declared, limits)
            total = 0
            for member in members:
                if not _WORKSHEET.fullmatch(member.filename):
                    continue
                extent = _scan(book, member, limits.xlsx_max_bytes - total, path, limits)
                total += extent.bytes
                _check_extent(path, member.filename, extent, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError) as exc:
        # RuntimeError: an encrypted member; zlib errors arrive as BadZipFile or OSError.
        raise InputError(f"not a readable XLSX workbook: {exc}", file=path.name) from exc
    except ValueError as exc:  # a corrupt deflate stream, an unsupported compression
        raise InputError(f"not a readable XLSX workbook: {exc}", file=path.name) from exc


def _too_big(path: Path, size: int, limits: ImportSettings) -> InputError:
    return InputError(
        f"the workbook holds more than {limits.xlsx_max_bytes:,} bytes of XML once unpacked "
        f"({size:,}); [imports] xlsx_max_bytes sets the limit",
        file=path.name,
    )


def _scan(
    book: zipfile.ZipFile, member: zipfile.ZipInfo, budget: int, path: Path, limits: ImportSettings
) -> _Extent:
    """The sheet's farthest row and column, read at the speed of a regular expression search.

    Rows: the row elements give a bound; a cell whose reference names a row past it (a
    crafted file) is searched for with a pattern of the numbers above the bound, which in a
    sound sheet matches nothing, and raises the bound when it does. Columns: references past
    Z are found and read; A to Z count as 26.
    """
    extent = _Extent()
    tail = b""
    above: re.Pattern[bytes] | None = None
    above_rows = -1
    with book.open(member) as stream:
        while chunk := stream.read(_CHUNK):
            extent.bytes += len(chunk)
            if extent.bytes > budget:
                raise _too_big(path, limits.xlsx_max_bytes - budget + extent.bytes, limits)
            text = tail + chunk
            rows = _ROW_NUMBERS.findall(text)
            cells = text.count(b'<c r="')
            # An `r` attribute after other whitespace than a space (legal XML, and invisible to
            # the patterns below): the slower patterns read them all.
            odd = text.count(b'r="') != cells + len(rows)
            if odd:
                rows = _ROW_NUMBERS_ANY_SPACE.findall(text)
            # Rows and cells written without a reference take the next position: as many more
            # rows and columns as there are of them, at most (`<c` also counts `<col` and the
            # like, which only makes the bound looser).
            extent.row_elements += chunk.count(b"<row")
            unnamed = chunk.count(b"<c") - cells
            extent.cells += cells + unnamed
            extent.rows = max(extent.rows, extent.row_elements)
            if rows:
                extent.rows = max(extent.rows, max(map(int, rows)))
            while True:
                if above is None or above_rows != extent.rows:
                    space = rb"\s" if odd else b" "
                    pattern = numbers_above(extent.rows).encode()
                    # One pass finds the cells past Z and those past the last row (leading
                    # zeros too: the reader reads A007 as A7).
                    above = re.compile(
                        space + rb'r="(?:([A-Z]{2,})\d|[A-Z]+0*(' + pattern + rb')")'
                    )
                    above_rows = extent.rows
                found = above.findall(text)
                wide = {letters for letters, _ in found if letters}
                extent.columns = max(extent.columns, 26, *map(column_number, wide))
                far = [int(row) for _, row in found if row]
                if not far:
                    break
                extent.rows = max(far)
            extent.unnamed_cells += max(unnamed, 0)
            tail = text[-_TAIL:]
    return extent


def _check_extent(path: Path, member: str, extent: _Extent, limits: ImportSettings) -> None:
    sheet = member.rsplit("/", 1)[-1].removesuffix(".xml")
    where = f"{path.name} [{sheet}]"
    if extent.rows > limits.xlsx_max_rows:
        raise InputError(
            f"a cell is on row {extent.rows:,}, past the limit of {limits.xlsx_max_rows:,} rows "
            "([imports] xlsx_max_rows)",
            file=where,
        )
    if extent.columns > limits.xlsx_max_columns:
        raise InputError(
            f"a cell is in column {extent.columns:,}, past the limit of "
            f"{limits.xlsx_max_columns:,} columns ([imports] xlsx_max_columns)",
            file=where,
        )
    columns = extent.columns + extent.unnamed_cells
    cells = max(extent.rows * columns, extent.cells)
    if cells > limits.xlsx_max_cells:
        raise InputError(
            f"the used range spans {extent.rows:,} rows x {extent.columns:,} columns, more than "
            f"the limit of {limits.xlsx_max_cells:,} cells ([imports] xlsx_max_cells)",
            file=where,
        )
