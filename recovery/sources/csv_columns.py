"""The bulk of a large CSV file read by Arrow's C++ parser, as runs of rows held in columns.

`csv.reader` makes a Python string of every cell, and at a few µs a row that was most of a
million-row import. Arrow keeps the cells in its own buffers; the importer then makes Python
values of each column's distinct cells only (`RowParser.parse_columns`).

Arrow reads the same rows `csv.reader` does (quotes, doubled quotes, line ends, cells spanning
lines) as long as every row is as wide as the table. At the first one that is not, or anything
else Arrow will not read (bad UTF-8, say), it stops; the caller goes on with `csv.reader` from
there, which reads or rejects the row as it always has.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

# Bytes parsed at a time; a row longer than this stops Arrow (csv.reader then reads it).
BLOCK_BYTES = 4 * 1024 * 1024
# Where a row stops Arrow, it tries again with batches down to this size.
MIN_BLOCK_BYTES = 64 * 1024


class ColumnRun:
    """Consecutive rows of one width, as one text array per column."""

    def __init__(self, first: int, columns: Sequence[pa.Array[Any]]) -> None:
        self.first = first  # the first row's number in the file
        self.columns = list(columns)

    def __len__(self) -> int:
        return len(self.columns[0])

    @property
    def width(self) -> int:
        return len(self.columns)

    def rows(self, start: int = 0, stop: int | None = None) -> Iterator[tuple[int, list[str]]]:
        """Rows `start` to `stop` (indexes in the run) as (row number, cells)."""
        stop = len(self) if stop is None else stop
        cells = [c.slice(start, stop - start).to_pylist() for c in self.columns]
        for index, row in enumerate(zip(*cells, strict=True), start=self.first + start):
            yield index, list(row)

    def row(self, index: int) -> list[str]:
        return [c[index].as_py() for c in self.columns]

    def column(self, position: int, start: int, stop: int) -> ArrowTextColumn:
        return ArrowTextColumn(self.columns[position].slice(start, stop - start))

    def after(self, index: int) -> ColumnRun:
        """The rows from `index` on."""
        return ColumnRun(self.first + index, [c.slice(index) for c in self.columns])


class ArrowTextColumn:
    """One column of a run, for `RowParser.parse_columns`: read once per distinct cell."""

    def __init__(self, array: pa.Array[Any]) -> None:
        self._array = array
        encoded = array.dictionary_encode()
        self._distinct: list[str] = cast(list[str], encoded.dictionary.to_pylist())
        self._codes = encoded.indices.to_numpy(zero_copy_only=False)

    def distinct(self) -> list[str]:
        return self._distinct

    def take(self, values: list[Any]) -> list[Any]:
        """Each cell's value, given the value of each distinct cell in `distinct()`'s order."""
        table = np.empty(len(values), dtype=object)
        table[:] = values  # text, numbers, dates: never a sequence numpy would spread
        taken: list[Any] = table[self._codes].tolist()
        return taken

    def cells(self) -> list[str]:
        return cast(list[str], self._array.to_pylist())


def column_runs(
    path: Path, delimiter: str, width: int, skip: int
) -> Generator[ColumnRun, None, tuple[int, bool]]:
    """The rows after the first `skip`, while they are `width` cells wide and Arrow reads them.

    Returns (rows read, including the skipped ones; whether that was the whole file). When
    Arrow stops early the caller reads on with csv.reader, which reads the rest or fails with
    the row's number.
    """
    read = skip
    block = BLOCK_BYTES
    while True:
        try:
            with _open(path, delimiter, width, read, block) as reader:
                for batch in reader:
                    if _split_line_break(batch.columns):
                        return read, False
                    if batch.num_rows:
                        yield ColumnRun(read + 1, batch.columns)
                        read += batch.num_rows
            return read, True
        except pa.ArrowInvalid:
            # Arrow stops a whole batch short of the row it will not read (a Total row at the
            # end of a report, say): smaller batches get closer to it, re-reading from here.
            if block <= MIN_BLOCK_BYTES:
                return read, False
            block //= 8
        except OSError:
            return read, False


def _split_line_break(columns: Sequence[pa.Array[Any]]) -> bool:
    r"""Whether a cell holds a carriage return not followed by a line feed.

    Where a block of Arrow's ends between the "\r" and the "\n" of a line break inside a
    quoted cell, Arrow drops the "\n" (pyarrow 26, `newlines_in_values`; apache/arrow#51368,
    its fix #51394 still open): the cell reads "\r" alone. Such a batch is left to csv.reader,
    which reads it right; a file whose quoted cells really hold a lone "\r" (line breaks of old
    Macs) is read so too, only slower.
    """
    for column in columns:
        # The plain search first: most exports hold no carriage return in any cell, and it
        # answers that for less than the pattern does.
        if (
            pc.any(pc.match_substring(column, "\r")).as_py()
            and pc.any(pc.match_substring_regex(column, "\r([^\n]|$)")).as_py()
        ):
            return True
    return False


def _open(
    path: Path, delimiter: str, width: int, skip: int, block: int
) -> pa_csv.CSVStreamingReader:
    names = [str(i) for i in range(width)]
    return pa_csv.open_csv(
        path,
        read_options=pa_csv.ReadOptions(
            column_names=names, skip_rows_after_names=skip, block_size=block
        ),
        parse_options=pa_csv.ParseOptions(
            delimiter=delimiter,
            quote_char='"',
            double_quote=True,
            escape_char=False,
            # Quoted cells may hold line breaks, as csv.reader allows; rows are records.
            newlines_in_values=True,
            # csv.reader gives an empty line as a row; so must this, to number rows alike.
            ignore_empty_lines=False,
        ),
        convert_options=pa_csv.ConvertOptions(
            column_types={name: pa.string() for name in names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
