"""Write tables the way Vendor Central and banks export them, mess included.

A CSV can carry a UTF-8 BOM, a preamble before the header, `$1,234.56` or `(12.00)` amounts,
MM/DD/YYYY dates, a `Total` row and a trailing summary block. The XLSX twins hold real numbers
and dates in cells (with number formats), as spreadsheet exports do. Output is byte-identical for
the same input: no timestamps other than the scenario's own.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

Cell = str | int | Decimal | date | None


@dataclass(frozen=True)
class Style:
    """How a file writes amounts and dates."""

    money: str = "plain"  # plain: -1234.56 | dollar: $1,234.56 / -$12.00 | accounting: (12.00)
    dates: str = "us"  # us: MM/DD/YYYY | iso
    bom: bool = False

    def amount(self, value: Decimal) -> str:
        if self.money == "plain":
            return f"{value:.2f}"
        if self.money == "dollar":
            text = f"${abs(value):,.2f}"
            return f"-{text}" if value < 0 else text
        text = f"{abs(value):,.2f}"
        return f"({text})" if value < 0 else text

    def day(self, value: date) -> str:
        return value.strftime("%m/%d/%Y") if self.dates == "us" else value.isoformat()

    def cell(self, value: Cell) -> str:
        if value is None:
            return ""
        if isinstance(value, Decimal):
            return self.amount(value)
        if isinstance(value, date):
            return self.day(value)
        return str(value)


@dataclass
class Block:
    """One header and its rows; a file is one or more blocks, with text lines around them."""

    headers: Sequence[str]
    rows: Iterable[Sequence[Cell]]
    before: list[Sequence[Cell]] = field(default_factory=list)  # preamble lines
    after: list[Sequence[Cell]] = field(default_factory=list)  # Total row, summary block


def write_csv(path: Path, blocks: Sequence[Block], style: Style) -> int:
    """Write blocks one after another; returns the number of data rows written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8-sig" if style.bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        for block in blocks:
            count += _csv_block(writer, handle, block, style)
    return count


def _csv_block(writer: Any, handle: TextIO, block: Block, style: Style) -> int:
    cell = style.cell
    for line in block.before:
        writer.writerow([cell(value) for value in line])
    writer.writerow(block.headers)
    count = 0
    rows: list[list[str]] = []
    for row in block.rows:
        rows.append([cell(value) for value in row])
        if len(rows) >= 20_000:
            writer.writerows(rows)
            count += len(rows)
            rows.clear()
    writer.writerows(rows)
    count += len(rows)
    for line in block.after:
        writer.writerow([cell(value) for value in line])
    return count


def write_xlsx(path: Path, sheets: Sequence[tuple[str, Sequence[Block]]], created: date) -> int:
    """One workbook; each sheet holds its blocks. `created` fixes the document timestamp."""
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "strings_to_numbers": False}
    )
    workbook.set_properties({"created": datetime.combine(created, time(6, 0))})
    money = workbook.add_format({"num_format": "#,##0.00"})
    day = workbook.add_format({"num_format": "mm/dd/yyyy"})
    count = 0
    for name, blocks in sheets:
        sheet = workbook.add_worksheet(name)
        row_no = 0
        for block in blocks:
            for line in block.before:
                _xlsx_row(sheet, row_no, line, money, day)
                row_no += 1
            _xlsx_row(sheet, row_no, list(block.headers), money, day)
            row_no += 1
            for row in block.rows:
                _xlsx_row(sheet, row_no, row, money, day)
                row_no += 1
                count += 1
            for line in block.after:
                _xlsx_row(sheet, row_no, line, money, day)
                row_no += 1
    workbook.close()
    return count


def _xlsx_row(sheet: Any, row_no: int, values: Sequence[Cell], money: Any, day: Any) -> None:
    for col, value in enumerate(values):
        if value is None or value == "":
            continue
        if isinstance(value, Decimal):
            # Spreadsheet cells are binary floats; importers read them back with Decimal(str(x)).
            sheet.write_number(row_no, col, float(value), money)
        elif isinstance(value, date):
            sheet.write_datetime(row_no, col, datetime.combine(value, time()), day)
        elif isinstance(value, int):
            sheet.write_number(row_no, col, value)
        else:
            sheet.write_string(row_no, col, value)
