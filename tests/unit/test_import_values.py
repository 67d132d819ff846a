"""Cells to values: amounts to exact minor units, dates by marketplace, header matching."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recovery.errors import MoneyError
from recovery.sources.layouts import CHARGEBACKS, match_header, normalize_header
from recovery.sources.values import parse_date, parse_minor, plain_minor_units


@pytest.mark.parametrize(
    ("text", "currency", "comma", "minor"),
    [
        ("1234.56", "USD", False, 123456),
        ("$1,234.56", "USD", False, 123456),
        ("(12.00)", "USD", False, -1200),
        ("($1,234.5)", "USD", False, -123450),
        ("-0.10", "USD", False, -10),
        ("12", "USD", False, 1200),
        ("12.50-", "USD", False, -1250),
        ("USD 7.00", "USD", False, 700),
        ("1.234,56", "EUR", True, 123456),
        ("-12,00 €", "EUR", True, -1200),
        ("1200", "JPY", False, 1200),
        ("1.230", "USD", False, 123),  # trailing zeros beyond the cent are exact
    ],
)
def test_amounts_become_exact_minor_units(
    text: str, currency: str, comma: bool, minor: int
) -> None:
    assert parse_minor(text, currency, decimal_comma=comma) == minor


@pytest.mark.parametrize("text", ["1,23", "12..5", "(5", "abc", "$", "1.005"])
def test_amounts_that_are_not_amounts_or_not_exact_are_refused(text: str) -> None:
    with pytest.raises(MoneyError):
        parse_minor(text, "USD", decimal_comma=False)


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("2026-11-23", "DMY", date(2026, 11, 23)),
        ("2026-11-23T08:00:00Z", "MDY", date(2026, 11, 23)),
        ("11/03/2026", "MDY", date(2026, 11, 3)),
        ("11/03/2026", "DMY", date(2026, 3, 11)),
        ("03.11.2026", "DMY", date(2026, 11, 3)),
        ("3/11/26", "DMY", date(2026, 11, 3)),
        ("23-Nov-2026", "MDY", date(2026, 11, 23)),
        ("Nov 23, 2026", "DMY", date(2026, 11, 23)),
    ],
)
def test_dates_by_marketplace_order(text: str, order: str, expected: date) -> None:
    assert parse_date(text, order) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["13/13/2026", "2026-02-30", "yesterday", "12/2026"])
def test_impossible_dates_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_date(text, "MDY")


def test_headers_match_whatever_their_spelling() -> None:
    assert normalize_header("\ufeffInvoice #") == "invoicenumber"
    assert normalize_header(" AMOUNT-Paid ") == normalize_header("amount_paid")
    header = match_header(CHARGEBACKS, ["chargeback id", "CHARGE_AMOUNT", "Notes"], 4, {})
    assert header is not None and header.positions == {"chargeback_id": 0, "amount": 1}
    assert match_header(CHARGEBACKS, ["Fee", "Chargeback ID"], 1, {}) is None
    mapped = match_header(
        CHARGEBACKS, ["Fee", "Chargeback ID"], 1, {"chargebacks": {"Charge Amount": ["fee"]}}
    )
    assert mapped is not None and mapped.positions["amount"] == 0


# Cells of the plain shape with any number of digits on either side of the point, and cells
# near it: a sign, a point, and what makes a cell not plain.
_digits = st.text(st.sampled_from("0123456789"), max_size=20)
_amount_cells = st.one_of(
    st.builds(
        lambda sign, whole, point, fraction: sign + whole + point + fraction,
        st.sampled_from(["", "-"]),
        _digits,
        st.sampled_from(["", "."]),
        _digits,
    ),
    st.text(st.sampled_from("0123456789" * 4 + "..--0 $,()e٣"), max_size=24),
)


@settings(max_examples=300, deadline=None)  # (Arrow's first call sets up its kernels)
@given(cells=st.lists(_amount_cells, max_size=40), currency=st.sampled_from(["USD", "JPY", "KWD"]))
def test_plain_amounts_read_together_as_each_reads_alone(cells: list[str], currency: str) -> None:
    """Arrow reads a column's plain amounts at once; those must be what `parse_minor` makes
    of each, and the cells it leaves (None) are read by `parse_minor` as before."""
    for cell, minor in zip(cells, plain_minor_units(cells, currency), strict=True):
        if minor is not None:
            assert minor == parse_minor(cell, currency, decimal_comma=False), cell


def test_the_shapes_exports_write_most_are_read_together() -> None:
    cells = ["1234.56", "-12.5", "7.", "0", "-0.01", "9" * 11 + ".99", "1" + "0" * 11 + ".00"]
    assert plain_minor_units(cells, "USD") == [123456, -1250, 700, 0, -1, 10**13 - 1, None]
    # Everything else is left to `parse_minor`: symbols, spaces, separators, more places than
    # the currency has (even zeros), more digits than int64 holds, non-ASCII digits.
    others = ["$1.00", " 1.00", "1,000.00", "(5)", "1.005", "12.500", "9" * 17, "١٢", ""]
    assert plain_minor_units(others, "USD") == [None] * len(others)
    assert plain_minor_units(["12", "12.5"], "JPY") == [12, None]
