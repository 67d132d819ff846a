"""The contract every importer keeps, and the row scanner the tabular ones share.

An importer says whether it can read a file (`can_read`), reads it into records (`read`), and
stores them (`store`). The caller runs `store` inside one transaction per file, so anything an
importer raises undoes everything it wrote.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from sqlalchemy import Connection

from recovery.config import Settings
from recovery.errors import InputError
from recovery.models import VendorAccount
from recovery.sources.files import Sheet
from recovery.sources.layouts import (
    HeaderMap,
    Layout,
    match_header,
    normalize_header,
    require_columns,
)
from recovery.sources.values import RowParser
from recovery.upsert import UpsertCounts

HEADER_SEARCH_ROWS = 100
PROGRESS_EVERY = 2000

ProgressCallback = Callable[[int, int | None], None]


@dataclass
class ImportContext:
    """What an importer needs while it stores one file."""

    conn: Connection
    settings: Settings
    account: VendorAccount
    file_name: str
    progress: ProgressCallback | None = None
    total_rows: int | None = None
    rows_read: int = 0
    skipped: int = 0
    warnings: list[str] = field(default_factory=list)
    # Lines a person must look at (unknown remittance descriptions, ...).
    needs_look: list[str] = field(default_factory=list)
    # Rows above each sheet's header, by sheet label (co-op backups name their invoice there).
    preambles: dict[str, list[list[str]]] = field(default_factory=dict)
    # Vendor codes seen on rows, to warn when a file mixes accounts.
    vendor_codes: dict[str, int] = field(default_factory=dict)
    sheets_with_header: int = 0

    account_id: int = field(init=False)

    def __post_init__(self) -> None:
        # A plain int: read once per row on the hot path, an ORM attribute costs too much.
        assert self.account.id is not None
        self.account_id = self.account.id

    @property
    def currency(self) -> str:
        return self.account.currency

    def tick(self) -> None:
        self.rows_read += 1
        if self.progress is not None and self.rows_read % PROGRESS_EVERY == 0:
            self.progress(self.rows_read, self.total_rows)

    def warn(self, message: str) -> None:
        self.warnings.append(message)


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

    def read(self, ctx: ImportContext, sheets: Sequence[Sheet]) -> Iterator[Record]:
        for sheet in sheets:
            yield from _SheetScanner(self, ctx, sheet).records()

    def store(self, ctx: ImportContext, source: Any) -> UpsertCounts:
        return self.store_records(ctx, source)

    @abstractmethod
    def store_records(self, ctx: ImportContext, records: Iterator[Record]) -> UpsertCounts: ...


# First characters a Total row can start with; an empty first cell needs the full check.
_TOTAL_STARTS = frozenset(["", "T", "t", "G", "g", "S", "s", " "])


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
    """

    def __init__(self, importer: TabularImporter, ctx: ImportContext, sheet: Sheet) -> None:
        self.importer = importer
        self.ctx = ctx
        self.sheet = sheet
        self.maps = ctx.settings.imports.column_maps
        marketplace = ctx.account.marketplace
        self.date_order = ctx.settings.imports.date_order_for(marketplace)
        self.decimal_comma = ctx.settings.imports.decimal_comma_for(marketplace)

    def _header(self, number: int, cells: list[str]) -> HeaderMap | None:
        for layout in self.importer.layouts:
            header = match_header(layout, cells, number, self.maps)
            if header is not None:
                require_columns(header, self.sheet.label)
                return header
        return None

    def _parser(self, header: HeaderMap) -> RowParser:
        return RowParser(
            header, self.sheet.label, self.date_order, self.decimal_comma, self.ctx.currency
        )

    def records(self) -> Iterator[Record]:
        ctx, sheet = self.ctx, self.sheet
        label, sheet_name = sheet.label, sheet.name
        parser: RowParser | None = None
        section = ""  # the parser's, read once per header rather than once per row
        preamble: list[list[str]] = []
        gap = False
        pending: InputError | None = None
        pending_rows: list[int] = []
        for number, cells in sheet.rows:
            nonempty = len(cells) - cells.count("")
            if nonempty <= 1 or not cells[0].strip():
                nonempty = sum(1 for c in cells if c and c.strip())
            if nonempty == 0:
                gap = parser is not None
                continue
            if parser is None:
                header = self._header(number, cells) if nonempty > 1 else None
                if header is None:
                    if number > HEADER_SEARCH_ROWS:
                        break
                    preamble.append(cells)
                    continue
                parser = self._parser(header)
                section = header.layout.section
                ctx.preambles[sheet.label] = preamble
                ctx.sheets_with_header += 1
                gap = False
                continue
            note = nonempty == 1 and bool(cells[0].strip())
            if note or (cells[0][:1] in _TOTAL_STARTS and is_total_row(cells)):
                # Notes in the first column ("Invoices" before the lines) and totals are not data.
                if pending is None:
                    ctx.skipped += 1
                else:
                    pending_rows.append(number)
                if is_total_row(cells) and self.importer.total_ends_data:
                    break
                gap = True
                continue
            if gap or section == "payments":
                header = self._header(number, cells)
                if header is not None:
                    if pending is not None:
                        raise pending
                    parser, gap = self._parser(header), False
                    section = header.layout.section
                    continue
            try:
                values = parser.parse(number, cells)
            except InputError as exc:
                header = self._header(number, cells)
                if header is not None:  # a repeated header (exports pasted together)
                    parser = self._parser(header)
                    section = header.layout.section
                    continue
                if not gap and pending is None:
                    raise
                pending = pending or exc
                pending_rows.append(number)
                continue
            if pending is not None:
                raise pending
            gap = False
            ctx.tick()
            yield Record(section, label, sheet_name, number, values)
        if parser is None:
            if any(any(c.strip() for c in row) for row in preamble):
                ctx.warn(f"{sheet.label}: no {self.importer.kind} header found; sheet skipped")
            return
        if pending is not None and pending_rows:
            ctx.skipped += len(pending_rows)
            span = (
                f"row {pending_rows[0]}"
                if len(pending_rows) == 1
                else f"rows {pending_rows[0]}-{pending_rows[-1]}"
            )
            ctx.warn(f"{sheet.label}: {span} after the data look like a summary; ignored")
