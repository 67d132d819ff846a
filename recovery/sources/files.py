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
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from recovery.config import ImportSettings
from recovery.errors import InputError
from recovery.sources.csv_columns import ColumnRun, column_runs
from recovery.sources.xlsx_limits import check_workbook

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
class FileEnd:
    """How the file ended, known once its last row is read."""

    # The last row, when no line break follows it: a download that stopped may have cut it.
    unterminated_row: int | None = None


@dataclass
class Sheet:
    """One table of a file: the only one of a CSV, or one worksheet of a workbook.

    An empty row may come as [] or as empty cells: csv.reader and Arrow differ there.
    """

    name: str | None
    label: str  # how messages name it: "file.xlsx [sheet Revised]"
    pieces: Iterator[Piece]
    total_rows: int | None
    end: FileEnd = field(default_factory=FileEnd)

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
def open_sheets(path: Path, limits: ImportSettings | None = None) -> Iterator[list[Sheet]]:
    """The file's tables; rows are read lazily while the context is open.

    A workbook is checked against `limits` (its size once read) before it is opened."""
    fmt = sniff_format(path)
    if fmt == FileFormat.xlsx:
        check_workbook(path, limits or ImportSettings())
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


def _count_lines(path: Path) -> tuple[int, int]:
    """(lines, quote characters) of the file."""
    lines = quotes = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            lines += block.count(b"\n")
            quotes += block.count(b'"')
    return lines + 1, quotes


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
    lines, quotes = _count_lines(path)
    # A writer's quotes come in pairs: with an even number of them (counted as bytes, which
    # UTF-16 does not allow) no quoted cell can be left open at the end of the file.
    odd = quotes % 2 == 1 or encoding == "utf-16"
    end = FileEnd()
    with path.open(encoding=encoding, newline="", errors="strict") as handle:
        rows = _csv_rows(handle, delimiter, name, check_end=odd, end=end)
        pieces = _csv_pieces(path, encoding, delimiter, rows, check_end=odd, end=end)
        yield Sheet(None, name, pieces, lines, end)


def _csv_pieces(
    path: Path, encoding: str, delimiter: str, rows: Rows, *, check_end: bool, end: FileEnd
) -> Iterator[Piece]:
    """csv.reader's rows, the bulk of them read by Arrow where it can (UTF-8 files whose rows
    after the head are as wide as the last row of the head).

    `check_end`: whether the file may end inside a quoted cell. Arrow then takes the rest of
    the file as that cell; csv.reader reads the file again to tell."""
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
            if check_end:
                for _ in rows:  # raises at a quoted cell open at the end
                    pass
            return
        # Arrow stopped early: csv.reader goes on after the rows it gave, from their last byte
        # where that is known, else by reading them again.
        offset = _offset_after_lines(path, read)
        if offset is not None:
            with path.open("rb") as raw:
                raw.seek(offset)
                rest = io.TextIOWrapper(raw, encoding="utf-8", errors="strict", newline="")
                yield from _csv_rows(
                    rest, delimiter, path.name, start=read, check_end=check_end, end=end
                )
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


def _csv_rows(
    handle: TextIO,
    delimiter: str,
    name: str,
    start: int = 0,
    *,
    check_end: bool = True,
    end: FileEnd | None = None,
) -> Rows:
    """The rows of `handle`, numbered from `start` + 1 (it may start mid-file); with
    `check_end`, a file ending inside a quoted cell is refused. `end` learns whether a line
    break follows the last row."""
    lines = _RecordLines(handle)
    reader = csv.reader(lines, delimiter=delimiter)
    number = start
    while True:
        lines.record.clear()
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
        if lines.ended and check_end and _open_quote(lines.record, delimiter):
            raise InputError(
                "a quoted cell opened on this row is never closed: the file ends inside it "
                "(an interrupted download?)",
                file=name,
                row=number,
            )
        # Only a file's last line can lack a line break.
        if end is not None and lines.record and not lines.record[-1].endswith(("\n", "\r")):
            end.unterminated_row = number
        yield number, cells


class _RecordLines:
    """The lines of a text stream, keeping those of the record being read; `ended` once the
    stream is used up (the last record may then end inside a quoted cell)."""

    def __init__(self, handle: TextIO) -> None:
        self._lines = iter(handle)
        self.record: list[str] = []
        self.ended = False

    def __iter__(self) -> _RecordLines:
        return self

    def __next__(self) -> str:
        try:
            line = next(self._lines)
        except StopIteration:
            self.ended = True
            raise
        self.record.append(line)
        return line


def _open_quote(record: list[str], delimiter: str) -> bool:
    """Whether the record's text ends inside a quoted cell, which csv.reader closes silently
    (its strict mode would tell, but also refuses odd quoting that exports do have). A line
    break added to the text shows it: inside a quoted cell it becomes part of the last cell;
    after a closed one it adds an empty row or nothing."""
    if len(record) == 1 and '"' not in record[0]:
        return False
    text = "".join(record)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    more = list(csv.reader(io.StringIO(text + "\n", newline=""), delimiter=delimiter))
    return bool(rows) and len(more) == len(rows) and more[-1] != rows[-1]


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
