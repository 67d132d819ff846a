"""Read exports as rows of text cells, whatever they came as: CSV (any common encoding and
delimiter, with or without BOM) or XLSX (every sheet).

Rows are streamed, never loaded whole, and numbered as a spreadsheet user counts them: the
first line of the file is row 1, so an error's row number is the row they see in Excel.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from recovery.errors import InputError
from recovery.sources.csv_columns import ColumnRun, column_runs

SAMPLE_BYTES = 64 * 1024
_DELIMITERS = (",", ";", "\t", "|")
# Exports write some long texts (descriptions) into one cell; csv's 128 KiB default is enough
# for people but not for every machine-made file.
csv.field_size_limit(16 * 1024 * 1024)

# Rows read by csv.reader before Arrow takes over: preambles and headers, of any width.
CSV_HEAD_ROWS = 100

Row = tuple[int, list[str]]
Rows = Iterator[Row]
# A row, or many rows of one width as columns (the bulk of a large CSV file).
Piece = Row | ColumnRun


@dataclass
class Sheet:
    """One table of a file: the only one of a CSV, or one worksheet of a workbook.

    An empty row may come as [] or as empty cells: csv.reader and Arrow differ there.
    """

    name: str | None
    label: str  # how messages name it: "file.xlsx [sheet Revised]"
    pieces: Iterator[Piece]
    total_rows: int | None

    def rows(self) -> Rows:
        """Every row, one at a time (the pieces are used up)."""
        for piece in self.pieces:
            if isinstance(piece, ColumnRun):
                yield from piece.rows()
            else:
                yield piece

    def peek(self, count: int) -> list[Row]:
        """The first `count` rows; the pieces still yield them afterwards."""
        head: list[Row] = []
        rest: list[Piece] = []
        for piece in self.pieces:
            if len(head) >= count:
                rest.append(piece)
                break
            if isinstance(piece, ColumnRun):
                wanted = min(count - len(head), len(piece))
                head.extend(piece.rows(0, wanted))
                if wanted < len(piece):
                    rest.append(piece.after(wanted))
            else:
                head.append(piece)
        self.pieces = itertools.chain(head, rest, self.pieces)
        return head


class FileFormat:
    csv = "csv"
    xlsx = "xlsx"
    json = "json"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def sniff_format(path: Path) -> str:
    """XLSX by its zip signature, JSON by its first character, CSV otherwise."""
    try:
        with path.open("rb") as handle:
            head = handle.read(SAMPLE_BYTES)
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", file=path.name) from exc
    if head.startswith(b"PK\x03\x04"):
        return FileFormat.xlsx
    text = head.lstrip(codecs.BOM_UTF8).lstrip()
    if text[:1] in (b"{", b"["):
        return FileFormat.json
    return FileFormat.csv


@contextmanager
def open_sheets(path: Path) -> Iterator[list[Sheet]]:
    """The file's tables; rows are read lazily while the context is open."""
    fmt = sniff_format(path)
    if fmt == FileFormat.xlsx:
        with _xlsx_sheets(path) as sheets:
            yield sheets
    else:
        with _csv_sheet(path) as sheet:
            yield [sheet]


def _encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        # A multi-byte character may be cut at the end of the sample: ignore the last bytes.
        sample.decode("utf-8") if len(sample) < SAMPLE_BYTES else sample[:-4].decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"  # what Excel on Windows writes when told "CSV"
    return "utf-8-sig"


def _delimiter(text: str) -> str:
    lines = text.splitlines()[:200]
    if len(lines) > 1:
        lines = lines[:-1]  # the sample may end mid-line
    best, best_score = ",", 0
    for delimiter in _DELIMITERS:
        try:
            counts = [len(r) for r in csv.reader(lines, delimiter=delimiter) if len(r) > 1]
        except csv.Error:
            continue
        if not counts:
            continue
        modal, rows = Counter(counts).most_common(1)[0]
        score = rows * (modal - 1)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _count_lines(path: Path) -> int:
    lines = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            lines += block.count(b"\n")
    return lines + 1


@contextmanager
def _csv_sheet(path: Path) -> Iterator[Sheet]:
    name = path.name
    try:
        with path.open("rb") as raw:
            sample = raw.read(SAMPLE_BYTES)
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", file=name) from exc
    encoding = _encoding(sample)
    delimiter = _delimiter(sample.decode(encoding, errors="replace"))
    with path.open(encoding=encoding, newline="", errors="strict") as handle:
        rows = _csv_rows(handle, delimiter, name)
        pieces = _csv_pieces(path, encoding, delimiter, rows)
        yield Sheet(None, name, pieces, _count_lines(path))


def _csv_pieces(path: Path, encoding: str, delimiter: str, rows: Rows) -> Iterator[Piece]:
    """csv.reader's rows, the bulk of them read by Arrow where it can (UTF-8 files whose rows
    after the head are as wide as the last row of the head)."""
    width = 0
    for number, cells in rows:
        yield number, cells
        width = len(cells)
        if number == CSV_HEAD_ROWS:
            break
    else:
        return
    if encoding == "utf-8-sig" and width > 1:
        read, finished = yield from column_runs(path, delimiter, width, CSV_HEAD_ROWS)
        if finished:
            return
        # Arrow stopped early: csv.reader goes on after the rows it gave, from their last byte
        # where that is known, else by reading them again.
        offset = _offset_after_lines(path, read)
        if offset is not None:
            with path.open("rb") as raw:
                raw.seek(offset)
                rest = io.TextIOWrapper(raw, encoding="utf-8", errors="strict", newline="")
                yield from _csv_rows(rest, delimiter, path.name, start=read)
            return
        for _ in itertools.islice(rows, read - CSV_HEAD_ROWS):
            pass
    yield from rows


def _offset_after_lines(path: Path, lines: int) -> int | None:
    """The byte offset just after the file's first `lines` lines, when those lines are its
    first `lines` rows: with no quote character among them (a quoted cell may span lines) and
    no carriage return but in CRLF (csv.reader ends a row at a lone one too). None otherwise."""
    offset, left = 0, lines
    with path.open("rb") as handle:
        while left:
            chunk = handle.read(1024 * 1024)
            if not chunk:
                return None
            if chunk.endswith(b"\r"):
                chunk += handle.read(1)  # a CRLF across two chunks
            count = chunk.count(b"\n")
            if count >= left:
                end = -1
                for _ in range(left):
                    end = chunk.index(b"\n", end + 1)
                chunk, count = chunk[: end + 1], left
            if b'"' in chunk or chunk.count(b"\r") != chunk.count(b"\r\n"):
                return None
            offset += len(chunk)
            left -= count
    return offset


def _csv_rows(handle: TextIO, delimiter: str, name: str, start: int = 0) -> Rows:
    """The rows of `handle`, numbered from `start` + 1 (it may start mid-file)."""
    reader = csv.reader(handle, delimiter=delimiter)
    number = start
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError as exc:
            raise InputError(
                "not readable as text (unknown encoding)", file=name, row=number + 1
            ) from exc
        except csv.Error as exc:
            raise InputError(f"not a readable CSV row: {exc}", file=name, row=number + 1) from exc
        number += 1
        yield number, cells


@contextmanager
def _xlsx_sheets(path: Path) -> Iterator[list[Sheet]]:
    # Calamine (Rust) reads a sheet five times faster than openpyxl's read-only mode; cached
    # formula values are read, as Excel shows them.
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        raise InputError(f"not a readable XLSX workbook: {exc}", file=path.name) from exc
    try:
        sheets = []
        for name in book.sheet_names:
            try:
                sheet = book.get_sheet_by_name(name)
            except (CalamineError, ValueError) as exc:
                raise InputError(f"not a readable XLSX workbook: {exc}", file=path.name) from exc
            label = f"{path.name} [sheet {name}]"
            # iter_rows starts at the sheet's first row, used or not: numbers are Excel's.
            total = sheet.end[0] + 1 if sheet.end else 0
            sheets.append(Sheet(name, label, _xlsx_rows(sheet, label), total))
        yield sheets
    finally:
        book.close()


def _xlsx_rows(sheet: Any, label: str) -> Rows:
    from python_calamine import CalamineError

    # Dates, numbers and flags repeat down a column: each is made text once per sheet. Keyed by
    # type too, since True, 1 and 1.0 are one key to a dict but three different texts.
    texts: dict[tuple[type, Any], str] = {}

    def text(value: Any) -> str:
        key = (value.__class__, value)
        found = texts.get(key)
        if found is None:
            if len(texts) >= _TEXT_CACHE_LIMIT:
                texts.clear()
            found = texts[key] = cell_text(value)
        return found

    try:
        for number, values in enumerate(sheet.iter_rows(), start=1):
            yield (
                number,
                [
                    v.strip()
                    if v.__class__ is str
                    else ""
                    if v is None
                    else texts.get((v.__class__, v)) or text(v)
                    for v in values
                ],
            )
    except (CalamineError, ValueError) as exc:
        raise InputError(f"not a readable worksheet: {exc}", file=label) from exc


_TEXT_CACHE_LIMIT = 100_000


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a CSV export would have held."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        # Whole numbers typed as numbers (IDs, quantities) must not grow a ".0".
        return str(int(value)) if value.is_integer() else str(Decimal(str(value)))
    return str(value).strip()


@contextmanager
def open_text(path: Path) -> Iterator[TextIO]:
    """The file as a text stream in the encoding its first bytes show (for JSON), BOM-tolerant.

    A byte the encoding cannot read raises `UnicodeDecodeError` while the caller reads.
    """
    try:
        with path.open("rb") as raw:
            sample = raw.read(SAMPLE_BYTES)
        handle = path.open(encoding=_encoding(sample), errors="strict")
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", file=path.name) from exc
    with handle:
        yield handle
