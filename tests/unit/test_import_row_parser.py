"""The row parser's shortcuts read cells exactly as the general path does, errors included."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recovery.errors import InputError, MoneyError
from recovery.sources.layouts import INVOICES, HeaderMap, match_header
from recovery.sources.values import RowParser, parse_minor

digits = st.text(st.characters(categories=["Nd"]), min_size=1, max_size=9)


@given(
    negative=st.booleans(),
    whole=digits,
    fraction=st.none() | st.text(st.sampled_from("0123456789"), max_size=5),
)
def test_plain_numbers_are_exact_minor_units_or_refused(
    negative: bool, whole: str, fraction: str | None
) -> None:
    text = ("-" if negative else "") + whole + ("" if fraction is None else "." + fraction)
    # Decimal reads every decimal digit int() does; an empty fraction ("12.") is a whole number.
    cents = Decimal(whole + "." + (fraction or "0")).scaleb(2)
    if cents != cents.to_integral_value():
        with pytest.raises(MoneyError):
            parse_minor(text, "USD", decimal_comma=False)
        return
    expected = -int(cents) if negative else int(cents)
    assert parse_minor(text, "USD", decimal_comma=False) == expected


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [("12.5", "JPY", None), ("12", "JPY", 12), ("1.234", "BHD", 1234), ("-.5", "USD", -50)],
)
def test_places_come_from_the_currency(text: str, currency: str, minor: int | None) -> None:
    if minor is None:
        with pytest.raises(MoneyError):
            parse_minor(text, currency, decimal_comma=False)
    else:
        assert parse_minor(text, currency, decimal_comma=False) == minor


def invoices_parser(*columns: str) -> RowParser:
    header = match_header(INVOICES, list(columns), 3, {})
    assert isinstance(header, HeaderMap)
    return RowParser(header, "inv.csv", "MDY", False, "USD")


def test_text_is_stripped_blank_is_none_and_absent_columns_read_as_empty() -> None:
    parser = invoices_parser("Invoice Number", "Invoice Amount", "Payment Due Date", "Status")
    values = parser.parse(4, ["  I-1 ", "10.00", "12/01/2026", "   "])
    assert values["invoice_number"] == "I-1" and values["status"] is None
    assert values["asin"] is None and values["invoice_amount"] == 1000
    # Trailing empty cells right of the header are nothing.
    assert parser.parse(5, ["I-2", "1", "", "", " ", ""])["status"] is None


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        (["I-2", "1", "12/01/2026", "Paid", "oops"], "a value in column 5, right of the header"),
        (["I-2", "1", "", "", "", "", "x"], "a value in column 7, right of the header"),
    ],
)
def test_a_row_wider_than_the_header_is_refused(cells: list[str], message: str) -> None:
    parser = invoices_parser("Invoice Number", "Invoice Amount", "Payment Due Date", "Status")
    with pytest.raises(InputError, match=message) as error:
        parser.parse(5, cells)
    assert error.value.row == 5 and error.value.file == "inv.csv"


def test_a_narrower_row_reads_its_missing_cells_as_empty_unless_the_file_ends_in_it() -> None:
    parser = invoices_parser("Invoice Number", "Invoice Amount", "Payment Due Date", "Status")
    # Excel leaves out the trailing empty cells of some rows.
    short = parser.parse(5, ["I-2", "1"])
    assert short["due_date"] is None and short["status"] is None
    # A download cut off mid-row: the last cell still reads (24.4 of 24.48).
    with pytest.raises(InputError, match="the file ends mid-row: the last row has 2 cells"):
        parser.check_not_cut(6, ["I-2", "24.4"])


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        (["  ", "10.00", "", ""], "Invoice Number", "empty"),
        (["I" * 65, "10.00", "", ""], "Invoice Number", "longer than 64 characters"),
        (["I-1", "10.00", "", "S" * 33], "Invoice Status", "longer than 32 characters"),
        # Two bad cells: the first column is named, as a person reading left to right expects.
        (["I-1", "ten", "13/45/2026", ""], "Invoice Amount", "not an amount: 'ten'"),
        (["", "ten", "", ""], "Invoice Number", "empty"),
    ],
)
def test_bad_cells_name_their_row_and_column(cells: list[str], column: str, message: str) -> None:
    parser = invoices_parser("Invoice Number", "Invoice Amount", "Payment Due Date", "Status")
    with pytest.raises(InputError) as caught:
        parser.parse(7, cells)
    assert (caught.value.file, caught.value.row, caught.value.column) == ("inv.csv", 7, column)
    assert message in caught.value.detail


def test_amounts_are_read_in_the_currency_of_their_row_even_when_the_cell_repeats() -> None:
    parser = invoices_parser(
        "Invoice Amount", "Invoice Number", "Payment Due Date", "Unit Cost", "Currency"
    )
    rows = [["12", "A", "", "12", "USD"], ["12", "B", "", "12", "JPY"], ["12", "C", "", "12", ""]]
    read = [parser.parse(n, cells) for n, cells in enumerate(rows, start=4)]
    assert [(v["invoice_amount"], v["unit_cost"], v["currency"]) for v in read] == [
        (1200, 1200, "USD"),
        (12, 12, "JPY"),
        (1200, 1200, None),  # no currency on the row: the account's
    ]
    # A bad currency is reported before the amounts it would have been read in.
    with pytest.raises(InputError) as caught:
        parser.parse(9, ["x", "D", "", "y", "dollars"])
    assert caught.value.column == "Invoice Currency"


# Cells that read, per column, for the block reader's oracle; amounts are whole so that they
# read in every currency, and differently in each (12 USD is 1200 cents, 12 JPY is 12 yen).
_GOOD_CELLS = {
    "Invoice Number": [" I-1 ", "I-2", "I-2", "I-3"],
    "Invoice Amount": ["12", "$1,234", "(3)", "12", "12.00", "7.", "-40"],
    "Payment Due Date": ["12/01/2026", "2026-12-01", ""],
    "Status": ["", "Paid", "  Paid"],
    "Quantity": ["1", "", "2", "2.0"],
    "Unit Cost": ["8", "8", ""],
    "Currency": ["", "USD", "usd", "JPY"],
}
_BAD_CELLS = {
    "Invoice Number": ["", "I" * 65],
    "Invoice Amount": ["", "ten", "12.5", "1.005"],  # 12.5 reads in dollars, not in yen
    "Payment Due Date": ["13/45/2026"],
    "Status": ["S" * 33],
    "Quantity": ["x", "2.5"],
    "Unit Cost": ["1.234"],
    "Currency": ["dollars"],
}
_BLOCK_HEADER = list(_GOOD_CELLS)

_rows = st.lists(
    st.tuples(*(st.sampled_from(cells) for cells in _GOOD_CELLS.values())).map(list),
    min_size=1,
    max_size=30,
)


# No deadline: the first example imports Arrow's compute functions (half a second).
@settings(deadline=None)
@given(rows=_rows, bad=st.none() | st.tuples(st.integers(0, 29), st.sampled_from(_BLOCK_HEADER)))
def test_a_block_reads_as_its_rows_do_one_by_one(
    rows: list[list[str]], bad: tuple[int, str] | None
) -> None:
    if bad is not None:
        index, column = bad
        row = rows[index % len(rows)]
        row[_BLOCK_HEADER.index(column)] = _BAD_CELLS[column][index % len(_BAD_CELLS[column])]
    by_row = invoices_parser(*_BLOCK_HEADER)
    try:
        expected = [by_row.parse(n, cells) for n, cells in enumerate(rows, start=2)]
    except InputError:
        expected = None
    block = invoices_parser(*_BLOCK_HEADER).parse_block(rows)
    if expected is None:
        assert block is None  # read again row by row, for the error's row and column
    else:
        assert block == {name: [values[name] for values in expected] for name in expected[0]}


@pytest.mark.parametrize(
    "odd", [["I-2", "12", "12/01/2026"], ["I-2", "12", "", "", "1", "8", "USD", "shifted"]]
)
def test_a_block_with_a_row_not_as_wide_as_the_header_is_left_to_the_row_reader(
    odd: list[str],
) -> None:
    parser = invoices_parser(*_BLOCK_HEADER)
    rows = [["I-1", "12", "", "", "1", "8", "USD"], odd]
    # The row reader pads a short row or refuses a shifted one; the block does not guess.
    assert parser.parse_block(rows) is None
    assert parser.parse_block(rows[:1]) == {
        name: [value] for name, value in parser.parse(2, rows[0]).items()
    }
