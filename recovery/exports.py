"""Cells of every spreadsheet the product writes (CSV and XLSX): text from a file stays text.

A chargeback id, a reference or a document name comes from a file someone else made. A
spreadsheet program runs a cell as a formula when its first character is `=`, `+`, `-` or `@`,
and tab, carriage return and line feed at the start are used to hide one (OWASP, "CSV
Injection", https://owasp.org/www-community/attacks/CSV_Injection: prefix such a cell with a
single quote; quote the field and double its quotes, which the `csv` module does). ASVS 5.0
requirement 1.2.10 asks the same of XLSX: there a text cell is written as a string, never a
formula, and marked with Excel's quote prefix so that editing it keeps it text.

Every export, and every report to come, writes its cells through this module.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import IO, Any

# First characters that make a spreadsheet evaluate a cell (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def inert_text(text: str) -> str:
    """`text` as a spreadsheet shows it without ever evaluating it."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def inert_cell(value: Any) -> Any:
    """A CSV cell: text made inert; numbers, dates and empty cells as they are (the product
    made them, and a negative amount must stay a number)."""
    if isinstance(value, str):
        return inert_text(value)
    return value


class _CsvLines:
    """csv.writer with rows ending in a line feed, where a cell holding a carriage return or
    a line feed is still quoted (csv quotes only the characters of its line terminator, and a
    bare carriage return would otherwise split the row in a spreadsheet)."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\r\n")

    def writerow(self, cells: Iterable[Any]) -> None:
        self._buffer.seek(0)
        self._buffer.truncate()
        self._writer.writerow(cells)
        self._stream.write(self._buffer.getvalue()[:-2] + "\n")


def write_csv_rows(stream: IO[str], rows: Iterable[Sequence[Any]]) -> None:
    """Rows of cells as CSV, every text cell inert."""
    writer = _CsvLines(stream)
    for row in rows:
        writer.writerow([inert_cell(value) for value in row])


def write_csv_records(
    stream: IO[str],
    keys: Sequence[str],
    records: Iterable[Mapping[str, Any]],
    *,
    product_made: Iterable[str] = (),
) -> None:
    """Records as CSV under a header of `keys`; text inert except in the `product_made` keys
    (a decimal string the product wrote, say, which must stay a number)."""
    trusted = set(product_made)
    writer = _CsvLines(stream)
    writer.writerow(keys)
    for record in records:
        writer.writerow(
            [record[key] if key in trusted else inert_cell(record[key]) for key in keys]
        )


class XlsxCells:
    """Writes cells of one XlsxWriter worksheet by their Python type, never as a formula.

    XlsxWriter's `write` turns text starting with `=` into a formula; here text always goes
    through `write_string`, with Excel's quote prefix when it starts like one.
    """

    def __init__(self, workbook: Any, sheet: Any, *, text_format: Mapping[str, Any] | None = None):
        self.sheet = sheet
        self._text = workbook.add_format(dict(text_format or {}))
        self._quoted = workbook.add_format({**(text_format or {}), "quote_prefix": True})

    def write(self, row: int, column: int, value: Any, number_format: Any = None) -> None:
        if value is None or value == "":
            self.sheet.write_blank(row, column, None, number_format)
        elif isinstance(value, bool):
            self.sheet.write_boolean(row, column, value, number_format)
        elif isinstance(value, int | float | Decimal):
            self.sheet.write_number(row, column, value, number_format)
        elif isinstance(value, date):
            self.sheet.write_string(row, column, value.isoformat(), number_format)
        else:
            text = str(value)
            quoted = text.startswith(FORMULA_STARTS)
            style = number_format or (self._quoted if quoted else self._text)
            self.sheet.write_string(row, column, text, style)

    def write_row(self, row: int, values: Sequence[Any], number_format: Any = None) -> None:
        for column, value in enumerate(values):
            self.write(row, column, value, number_format)


def xlsx_workbook(path: str) -> Any:
    """An XlsxWriter workbook that never reads a string as a formula, a number or a URL."""
    import xlsxwriter  # only exports need it

    return xlsxwriter.Workbook(
        path,
        {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False},
    )
