"""Helpers the rules share to read frame cells."""

from __future__ import annotations

from datetime import date

import pandas as pd

from recovery.frame_values import as_date, as_int, as_str, column_values, read_rows


def test_column_values_reads_each_distinct_value_once_and_empty_cells_as_none() -> None:
    frame = pd.DataFrame({"qty": [3, None, 3, 7], "code": ["A", None, "A", ""]})
    calls: list[object] = []

    def counted(value: object) -> int:
        calls.append(value)
        return as_int(value)

    assert column_values(frame, "qty", counted) == [3, 0, 3, 7]
    assert len(calls) == 3  # 3, 7 and the empty cell, however often each occurs
    assert column_values(frame, "code", as_str) == ["A", None, "A", None]


def test_read_rows_gives_the_named_columns_typed() -> None:
    frame = pd.DataFrame({"day": [date(2026, 5, 1), None], "qty": [1, 2], "ignored": ["x", "y"]})
    assert read_rows(frame, day=as_date, qty=as_int) == [
        {"day": date(2026, 5, 1), "qty": 1},
        {"day": None, "qty": 2},
    ]


def test_column_values_of_an_empty_frame() -> None:
    assert column_values(pd.DataFrame({"qty": []}), "qty", as_int) == []
