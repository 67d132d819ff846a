"""The contract every importer keeps, and the row scanner the tabular ones share.

An importer says whether it can read a file (`can_read`), reads it into records (`read`), and
stores them (`store`). The caller runs `store` inside one transaction per file, so anything an
importer raises undoes everything it wrote.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Connection

from recovery.config import Settings
from recovery.errors import InputError
from recovery.models import VendorAccount
from recovery.sources.csv_columns import ColumnRun
from recovery.sources.files import Sheet
from recovery.sources.layouts import (
    HeaderMap,
    Layout,
    match_header,
    normalize_header,
    require_columns,
)
from recovery.sources.values import RowParser
from recovery.store.upsert import UpsertCounts

HEADER_SEARCH_ROWS = 100
PROGRESS_EVERY = 2000
# Data rows read together, a column at a time: enough that cells repeat within a block.
BLOCK_ROWS = 2000
# Rows Arrow read are held as columns already: larger blocks make fewer Python values of cells
# repeated from block to block, while progress still shows every second or so.
ARROW_BLOCK_ROWS = 20_000

ProgressCallback = Callable[[int, int | None], None]


@dataclass
class ReadContext:
    """What reading one file needs and records: no database, so a reader process can do it
    (`recovery.sources.read_ahead`)."""

    settings: Settings
    account: VendorAccount  # its marketplace and currency say how dates and amounts are written
    file_name: str
    progress: ProgressCallback | None = None
    total_rows: int | None = None
    rows_read: int = 0
    skipped: int = 0
    warnings: list[str] = field(default_factory=list)
    # Lines a person must look at (unknown remittance descriptions, rows in another currency
    # than the account's, ...).
    needs_look: list[str] = field(default_factory=list)
    # Rows above each sheet's header, by sheet label (co-op backups name their invoice there).
    preambles: dict[str, list[list[str]]] = field(default_factory=dict)
    sheets_with_header: int = 0

    @property
    def currency(self) -> str:
        return self.account.currency

    def tick(self, rows: int) -> None:
        before = self.rows_read
        self.rows_read += rows
        if (
            self.progress is not None
            and before // PROGRESS_EVERY < self.rows_read // PROGRESS_EVERY
        ):
            self.progress(self.rows_read, self.total_rows)

    def warn(self, message: str) -> None:
        self.warnings.append(message)


@dataclass
class ImportContext(ReadContext):
    """What an importer needs while it stores one file."""

    conn: Connection = field(kw_only=True)
    # Vendor codes seen on rows, to warn when a file mixes accounts.
    vendor_codes: dict[str, int] = field(default_factory=dict)

    account_id: int = field(init=False)

    def __post_init__(self) -> None:
        # A plain int: read once per row on the hot path, an ORM attribute costs too much.
        assert self.account.id is not None
        self.account_id = self.account.id


# Not frozen: a frozen dataclass sets each field through object.__setattr__, which made creating
# one record per row cost more than reading the row's cells.
@dataclass(slots=True)
class Record:
    """One data row of a file, read into typed values."""

    section: str
    label: str  # file (and sheet) name for messages
    sheet: str | None
    row: int
    values: dict[str, Any]

    def fail(self, column: str, message: str) -> InputError:
        return InputError(message, file=self.label, row=self.row, column=column)


@dataclass(slots=True)
class Block:
    """Consecutive data rows of one section of a sheet, read into typed values by column."""

    section: str
    label: str  # file (and sheet) name for messages
    sheet: str | None
    rows: list[int]  # each row's number in the file
    columns: dict[str, list[Any]]  # every column of the layout, one value per row

    def __len__(self) -> int:
        return len(self.rows)

    def fail(self, index: int, column: str, message: str) -> InputError:
        return InputError(message, file=self.label, row=self.rows[index], column=column)

    def records(self) -> Iterator[Record]:
        names = list(self.columns)
        by_row = zip(*self.columns.values(), strict=True)
        for row, values in zip(self.rows, by_row, strict=True):
            yield Record(
                self.section, self.label, self.sheet, row, dict(zip(names, values, strict=True))
            )


def records_of(blocks: Iterable[Block]) -> Iterator[Record]:
    for block in blocks:
        yield from block.records()


def chunked(blocks: Iterable[Block], rows: int) -> Iterator[Block]:
    """The blocks merged into blocks of at least `rows` rows where they are of one section:
    rows read one at a time (after a gap, say) are stored in chunks like the others."""
    waiting: list[Block] = []
    size = 0
    for block in blocks:
        if waiting and (block.section, block.label) != (waiting[0].section, waiting[0].label):
            yield _joined(waiting)
            waiting, size = [], 0
        waiting.append(block)
        size += len(block)
        if size >= rows:
            yield _joined(waiting)
            waiting, size = [], 0
    if waiting:
        yield _joined(waiting)


def _joined(blocks: list[Block]) -> Block:
    if len(blocks) == 1:
        return blocks[0]
    first = blocks[0]
    columns = {name: [v for b in blocks for v in b.columns[name]] for name in first.columns}
    rows = [row for b in blocks for row in b.rows]
    return Block(first.section, first.label, first.sheet, rows, columns)


class Importer(ABC):
    kind: ClassVar[str]

    @abstractmethod
    def store(self, ctx: ImportContext, source: Any) -> UpsertCounts:
        """Write what `read` produced; runs inside the file's transaction."""


class TabularImporter(Importer):
    """Importers of CSV/XLSX exports described by layouts (one per section of the file)."""

    layouts: ClassVar[tuple[Layout, ...]]
    # Co-op backups: a "Total" row ends the data; anything below it is a summary.
    total_ends_data: ClassVar[bool] = False

    def can_read(self, headers: Sequence[str], settings: Settings) -> bool:
        maps = settings.imports.column_maps
        return any(match_header(layout, headers, 0, maps) for layout in self.layouts)

    def read(self, ctx: ReadContext, sheets: Sequence[Sheet]) -> Iterator[Block]:
        for sheet in sheets:
            yield from _SheetScanner(self, ctx, sheet).blocks()


class RecordImporter(TabularImporter):
    """A tabular importer that stores a record (one row's values) at a time.

    Simple and enough for files of thousands of rows; the importers of million-row files
    store `read`'s blocks whole instead.
    """

    def store(self, ctx: ImportContext, source: Any) -> UpsertCounts:
        return self.store_records(ctx, records_of(source))

    @abstractmethod
    def store_records(self, ctx: ImportContext, records: Iterator[Record]) -> UpsertCounts: ...


# First characters a Total row can start with; an empty first cell needs the full check.
_TOTAL_STARTS = frozenset(["", "T", "t", "G", "g", "S", "s", " "])


# Rows `_scan` would take for data: the first cell holds a letter or digit and is not a total,
# and another cell is not empty. Other rows may be data too; they are read one at a time.
_WORD = "[0-9A-Za-z]"
_TOTAL_LIKE = "(?is)t.*o.*t.*a.*l"  # any first cell `is_total_row` could take for a total


def _data_rows(run: ColumnRun) -> np.ndarray[Any, np.dtype[np.bool_]]:
    first = run.columns[0]
    empty = pa.scalar("", pa.string())
    filled = np.zeros(len(run), dtype=np.int32)
    for column in run.columns:
        filled += pc.not_equal(column, empty).to_numpy(zero_copy_only=False)
    worded = pc.match_substring_regex(first, _WORD).to_numpy(zero_copy_only=False)
    total = pc.match_substring_regex(first, _TOTAL_LIKE).to_numpy(zero_copy_only=False)
    data: np.ndarray[Any, np.dtype[np.bool_]] = worded & ~total & (filled >= 2)
    return data


def _empty_beyond(run: ColumnRun, width: int, start: int, stop: int) -> bool:
    """Whether rows `start` to `stop` of the run have only empty cells right of `width`."""
    empty = pa.scalar("", pa.string())
    for column in run.columns[width:]:
        cells = pc.utf8_trim_whitespace(column.slice(start, stop - start))
        if pc.any(pc.not_equal(cells, empty)).as_py():
            return False
    return True


def is_total_row(cells: Sequence[str]) -> bool:
    for cell in cells[:4]:
        text = normalize_header(cell)
        if text:
            return text.startswith(("total", "grandtotal", "subtotal"))
    return False


class _SheetScanner:
    """Walks one sheet: preamble, header(s), data rows, blank/total/note rows, summary blocks.

    A row that cannot be read is an error, except after the data has ended (a blank or Total
    row, then only unreadable rows to the end): that is a trailing summary block and ignored.

    Runs of plain data rows are read a block at a time, column by column; a block with a cell
    that does not read is read again row by row, which finds the error's row or a repeated
    header exactly as if there were no blocks.
    """

    def __init__(self, importer: TabularImporter, ctx: ReadContext, sheet: Sheet) -> None:
        self.importer = importer
        self.ctx = ctx
        self.sheet = sheet
        self.maps = ctx.settings.imports.column_maps
        marketplace = ctx.account.marketplace
        self.date_order = ctx.settings.imports.date_order_for(marketplace)
        self.decimal_comma = ctx.settings.imports.decimal_comma_for(marketplace)
        imports = ctx.settings.imports
        self.date_window = (imports.earliest_date, imports.latest_date(date.today()))
        self.parser: RowParser | None = None
        self.section = ""  # the parser's, read once per header rather than once per row
        self.gap = False
        self.pending: InputError | None = None
        self.pending_rows: list[int] = []
        self.preamble: list[list[str]] = []
        self.plain: list[tuple[int, list[str]]] = []  # data rows waiting to be read as one block
        # Rows in another currency than the account's: {currency: (rows, first row)}.
        self.foreign: dict[str, tuple[int, int]] = {}
        self.done = False  # the data has ended (or no header came in time)

    def _header(self, number: int, cells: list[str]) -> HeaderMap | None:
        for layout in self.importer.layouts:
            header = match_header(layout, cells, number, self.maps)
            if header is not None:
                require_columns(header, self.sheet.label)
                return header
        return None

    def _use(self, header: HeaderMap) -> None:
        self.parser = RowParser(
            header,
            self.sheet.label,
            self.date_order,
            self.decimal_comma,
            self.ctx.currency,
            self.date_window,
        )
        self.section = header.layout.section

    def blocks(self) -> Iterator[Block]:
        for piece in self.sheet.pieces:
            if isinstance(piece, ColumnRun):
                yield from self._run(piece)
            else:
                yield from self._scan(*piece)
            if self.done:
                break
        yield from self._flush()
        ctx, sheet = self.ctx, self.sheet
        for currency, (count, first) in sorted(self.foreign.items()):
            ctx.needs_look.append(
                f"{sheet.label}: {count} row(s) in {currency}, first at row {first}, while the "
                f"account is in {ctx.currency}: stored as written; if the account's currency is "
                "wrong, set it in config.toml and import the file again"
            )
        if self.parser is None:
            if any(any(c.strip() for c in row) for row in self.preamble):
                ctx.warn(f"{sheet.label}: no {self.importer.kind} header found; sheet skipped")
            return
        if self.pending is not None and self.pending_rows:
            rows = self.pending_rows
            ctx.skipped += len(rows)
            span = f"row {rows[0]}" if len(rows) == 1 else f"rows {rows[0]}-{rows[-1]}"
            ctx.warn(f"{sheet.label}: {span} after the data look like a summary; ignored")

    def _scan(self, number: int, cells: list[str]) -> Iterator[Block]:
        """One row, whatever it is: blank, preamble, header, note, total or data."""
        ctx = self.ctx
        if number == self.sheet.end.unterminated_row and self.parser is not None:
            self.parser.check_not_cut(number, cells)
        nonempty = len(cells) - cells.count("")
        if nonempty <= 1 or not cells[0].strip():
            nonempty = sum(1 for c in cells if c and c.strip())
        if nonempty == 0:
            yield from self._flush()
            self.gap = self.parser is not None
            return
        if self.parser is None:
            header = self._header(number, cells) if nonempty > 1 else None
            if header is None:
                if number > HEADER_SEARCH_ROWS:
                    self.done = True
                    return
                self.preamble.append(cells)
                return
            self._use(header)
            ctx.preambles[self.sheet.label] = self.preamble
            ctx.sheets_with_header += 1
            self.gap = False
            return
        note = nonempty == 1 and bool(cells[0].strip())
        if note or (cells[0][:1] in _TOTAL_STARTS and is_total_row(cells)):
            yield from self._flush()
            # Notes in the first column ("Invoices" before the lines) and totals are not data.
            if self.pending is None:
                ctx.skipped += 1
            else:
                self.pending_rows.append(number)
            if is_total_row(cells) and self.importer.total_ends_data:
                self.done = True
                return
            self.gap = True
            return
        if self._takes_blocks():
            self.plain.append((number, cells))
            if len(self.plain) >= BLOCK_ROWS:
                yield from self._flush()
            return
        yield from self._row(number, cells)

    def _takes_blocks(self) -> bool:
        """Whether a data row now is plain data, to be read with the rows around it."""
        return (
            self.parser is not None
            and not self.gap
            and self.pending is None
            and self.section != "payments"
        )

    def _flush(self) -> Iterator[Block]:
        """The data rows waiting in `plain` as one block."""
        if not self.plain:
            return
        rows = self.plain.copy()
        self.plain.clear()
        assert self.parser is not None
        columns = self.parser.parse_block([cells for _, cells in rows])
        if columns is None:
            for number, cells in rows:
                yield from self._row(number, cells)
            return
        yield self._block([number for number, _ in rows], columns)

    def _run(self, run: ColumnRun) -> Iterator[Block]:
        """Rows Arrow read: data a block at a time straight from the columns, any other row
        (blank, note, total, a header after a gap) one at a time as `_scan` reads it."""
        data = _data_rows(run)
        others = np.flatnonzero(~data)
        index = 0
        while index < len(run) and not self.done:
            if data[index] and self._takes_blocks():
                after = int(np.searchsorted(others, index))
                stop = int(others[after]) if after < len(others) else len(run)
                stop = min(stop, index + ARROW_BLOCK_ROWS)
                yield from self._flush()
                yield from self._run_block(run, index, stop)
                index = stop
            else:
                yield from self._scan(run.first + index, run.row(index))
                index += 1

    def _run_block(self, run: ColumnRun, start: int, stop: int) -> Iterator[Block]:
        """Rows `start` to `stop` of the run as one block, or one by one when they do not read."""
        assert self.parser is not None
        columns = None
        if run.width == self.parser.width or (
            run.width > self.parser.width and _empty_beyond(run, self.parser.width, start, stop)
        ):
            columns = self.parser.parse_columns(stop - start, lambda i: run.column(i, start, stop))
        if columns is None:
            for number, cells in run.rows(start, stop):
                yield from self._row(number, cells)
            return
        yield self._block(list(range(run.first + start, run.first + stop)), columns)

    def _block(self, numbers: list[int], columns: dict[str, list[Any]]) -> Block:
        """Rows read, counted for progress."""
        self.ctx.tick(len(numbers))
        currencies = columns.get("currency")
        if currencies is not None and set(currencies) - {None, self.ctx.currency}:
            self._note_foreign(numbers, currencies)
        return Block(self.section, self.sheet.label, self.sheet.name, numbers, columns)

    def _note_foreign(self, numbers: list[int], currencies: list[str | None]) -> None:
        account = self.ctx.currency
        for number, currency in zip(numbers, currencies, strict=True):
            if currency is not None and currency != account:
                count, first = self.foreign.get(currency, (0, number))
                self.foreign[currency] = (count + 1, first)

    def _row(self, number: int, cells: list[str]) -> Iterator[Block]:
        """One row that may be a header, data, or part of a summary after the data."""
        assert self.parser is not None
        if self.gap or self.section == "payments":
            header = self._header(number, cells)
            if header is not None:
                if self.pending is not None:
                    raise self.pending
                self._use(header)
                self.gap = False
                return
        try:
            values = self.parser.parse(number, cells)
        except InputError as exc:
            header = self._header(number, cells)
            if header is not None:  # a repeated header (exports pasted together)
                self._use(header)
                return
            if not self.gap and self.pending is None:
                raise
            self.pending = self.pending or exc
            self.pending_rows.append(number)
            return
        if self.pending is not None:
            raise self.pending
        self.gap = False
        yield self._block([number], {name: [value] for name, value in values.items()})
