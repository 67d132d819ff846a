"""Benchmark: what checking a workbook's size before reading it costs (`xlsx_limits`).

Every XLSX import first streams its worksheets' XML to find the farthest cell (a workbook
naming cell XFD1048576 would make the reader allocate 512 GiB). This writes a co-op backup
sized workbook and times the check against the XLSX reader reading the same rows as the
importer does (calamine, each row made Python cells), each the median of a few rounds.

    .venv/bin/python bench/bench_xlsx_limits.py [--rows 200000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import xlsxwriter
from python_calamine import CalamineWorkbook

from recovery.config import ImportSettings
from recovery.sources.xlsx_limits import check_workbook


def _workbook(path: Path, rows: int) -> None:
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Backup")
    sheet.write_row(0, 0, ["Receive Date", "Quantity", "Net Sales", "Currency", "Rebate", "Asin"])
    for row in range(1, rows + 1):
        sheet.write_row(row, 0, ["2026-09-03", row % 7, 12.5 + row, "USD", 0.5, f"B{row:09d}"])
    book.close()


def _median(rounds: int, step: object) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        step()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "backup.xlsx"
        _workbook(path, args.rows)
        limits = ImportSettings()

        def read() -> None:
            book = CalamineWorkbook.from_path(str(path))
            for _ in book.get_sheet_by_name("Backup").iter_rows():
                pass

        check = _median(args.rounds, lambda: check_workbook(path, limits))
        reading = _median(args.rounds, read)
        size = path.stat().st_size / 1e6
    print(f"workbook: {args.rows:,} rows x 6 columns, {size:.1f} MB")
    print(f"size check: {check:.2f} s; reader: {reading:.2f} s; check/reader {check / reading:.0%}")


if __name__ == "__main__":
    main()
