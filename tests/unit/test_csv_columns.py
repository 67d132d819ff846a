"""Arrow reads the bulk of a CSV file exactly as csv.reader would: same rows, same numbers.

`csv.reader` is the oracle. Whatever the text (quotes in odd places, line breaks inside
cells, ragged rows, blank lines, bad UTF-8), the rows a sheet yields must be the ones
csv.reader gives, numbered alike, or the same error.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recovery.errors import InputError
from recovery.sources import csv_columns, files
from recovery.sources.csv_columns import ColumnRun
from recovery.sources.files import open_sheets

CELL = st.text(alphabet='ab1 ,"\n\ré', max_size=6)


def _rows_read(path: Path) -> tuple[list[tuple[int, list[str]]], int]:
    """(the sheet's rows with empty rows as [], how many came from Arrow)."""
    rows: list[tuple[int, list[str]]] = []
    by_arrow = 0
    with open_sheets(path) as [sheet]:
        for piece in sheet.pieces:
            if isinstance(piece, ColumnRun):
                by_arrow += len(piece)
                batch = list(piece.rows())
            else:
                batch = [piece]
            rows.extend((n, cells if any(cells) else []) for n, cells in batch)
    return rows, by_arrow


def _oracle(text: str) -> list[tuple[int, list[str]]]:
    rows = csv.reader(io.StringIO(text, newline=""))
    return [(n, cells if any(cells) else []) for n, cells in enumerate(rows, start=1)]


def _ends_in_quotes(text: str) -> bool:
    """Whether the text ends inside a quoted cell, with an odd number of quotes (a writer's
    come in pairs): then a line break added at the end is part of the last cell (anywhere
    else it adds an empty row, or nothing)."""
    rows, more = _oracle(text), _oracle(text + "\n")
    open_end = bool(rows) and len(more) == len(rows) and more[-1] != rows[-1]
    return open_end and text.count('"') % 2 == 1


def _assert_read_as_csv_reader_reads(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "f.csv"
        path.write_bytes(text.encode())
        if _ends_in_quotes(text):
            # A file cut off inside a quoted cell is refused, naming the row the cell is on.
            with pytest.raises(InputError, match="never closed") as error:
                _rows_read(path)
            assert error.value.row == len(_oracle(text))
            return
        rows, _ = _rows_read(path)
    assert rows == _oracle(text)


@pytest.fixture
def short_head(monkeypatch: pytest.MonkeyPatch) -> None:
    """Arrow from the third row on, in small batches: many runs and many places to stop."""
    monkeypatch.setattr(files, "CSV_HEAD_ROWS", 2)
    monkeypatch.setattr(csv_columns, "BLOCK_BYTES", 64)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(
        st.one_of(
            # Three cells, some quoted as a writer would (quotes doubled), some as they are.
            st.lists(st.tuples(CELL, st.booleans()), min_size=3, max_size=3).map(
                lambda cells: ",".join(
                    '"' + c.replace('"', '""') + '"' if quoted else c for c, quoted in cells
                )
            ),
            st.text(alphabet='ab1 ,"\n\r', max_size=12),
        ),
        min_size=1,
        max_size=12,
    ),
    ending=st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_rows_are_csv_readers_whatever_the_text(
    short_head: None, lines: list[str], ending: str
) -> None:
    _assert_read_as_csv_reader_reads("h,e,ad\nx,y,z" + ending + ending.join(lines))


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(st.text(alphabet="ab1 ,\ré", max_size=12), min_size=1, max_size=12),
    ending=st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_without_quotes_csv_reader_goes_on_from_the_byte_where_arrow_stopped(
    short_head: None, lines: list[str], ending: str
) -> None:
    # No quote anywhere: csv.reader resumes at a byte offset instead of reading the rows Arrow
    # gave again, unless a lone carriage return (a row end to csv.reader) is among them.
    _assert_read_as_csv_reader_reads("h,e,ad\nx,y,z" + ending + ending.join(lines))


def test_a_uniform_file_is_read_by_arrow_after_its_head(tmp_path: Path) -> None:
    lines = ["Report", "Invoice,Amount,Note"] + [f'INV{i},{i}.50,"a, ""b""\nc"' for i in range(500)]
    path = tmp_path / "f.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    rows, by_arrow = _rows_read(path)
    assert by_arrow == 502 - files.CSV_HEAD_ROWS
    assert rows[-1] == (502, ["INV499", "499.50", 'a, "b"\nc'])
    assert rows == _oracle("\n".join(lines) + "\n")


def test_a_ragged_row_deep_in_the_file_hands_the_rest_to_csv_reader(
    short_head: None, tmp_path: Path
) -> None:
    lines = ["A,B"] + [f"{i},x" for i in range(3000)]
    lines[2500] = "1,2,3"
    path = tmp_path / "f.csv"
    path.write_text("\n".join(lines))
    rows, by_arrow = _rows_read(path)
    assert rows == _oracle("\n".join(lines))
    assert 0 < by_arrow < 2500


def test_bad_utf8_after_the_head_is_csv_readers_error_as_near_to_its_row(
    short_head: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Past the 64 KiB the encoding is guessed from, so the file is taken for UTF-8.
    lines = [b"A,B"] + [b"%d,x" % i for i in range(20_000)] + [b"5,\xff"]
    path = tmp_path / "f.csv"
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(InputError) as error:
        _rows_read(path)
    monkeypatch.setattr(files, "CSV_HEAD_ROWS", 10**9)  # csv.reader alone
    with pytest.raises(InputError) as by_csv_reader:
        _rows_read(path)
    # Text is decoded some kilobytes ahead of the rows csv.reader gives, so the row named is at
    # or a little before the bad one; going on from where Arrow stopped, it is no further off.
    assert "not readable as text" in str(error.value)
    assert by_csv_reader.value.row is not None and error.value.row is not None
    assert by_csv_reader.value.row <= error.value.row <= 20_002


def test_a_narrower_total_row_at_the_end_leaves_arrow_all_but_the_last_rows(
    tmp_path: Path,
) -> None:
    # A co-op backup: the data, then a Total row with fewer cells. Arrow refuses the whole
    # batch holding it, then reads on in smaller batches up to a few hundred rows before it.
    lines = ["Co-op backup report", "Date,Quantity,Amount,ASIN"]
    lines += [f"12/01/2025,{i % 90},{i}.25,B{i:09d}" for i in range(20_000)]
    lines.append("Total,123,456.00")
    path = tmp_path / "backup.csv"
    path.write_text("\n".join(lines) + "\n")
    rows, by_arrow = _rows_read(path)
    assert rows == _oracle("\n".join(lines) + "\n")
    assert by_arrow >= 20_002 - files.CSV_HEAD_ROWS - 3_000


def test_a_line_break_in_a_quoted_cell_split_between_arrow_blocks_is_kept(
    short_head: None,
) -> None:
    # Found by the property test above: Arrow's 64-byte block ends between "\r" and "\n" of
    # the last cell's line break, and Arrow alone read the cell as '111"\r'.
    _assert_read_as_csv_reader_reads(
        'h,e,ad\nx,y,z\r\n"111é","111é","11111"""\r\n"111é","111é","111""\r\n"'
    )
