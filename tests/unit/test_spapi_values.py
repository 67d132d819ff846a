"""Quantities and amounts in SP-API documents: the quick read of Amazon's usual shapes gives
exactly what the checked read gives, for any value a document may hold there."""

from __future__ import annotations

from typing import Any

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from recovery.errors import InputError
from recovery.sources import spapi_payloads as payloads
from recovery.sources.spapi_payloads import _checked_quantity, _Doc, _money, _quantity
from recovery.sources.spapi_shapes import ItemQuantity, Money

# What a JSON document may hold in each field: the usual shapes and everything near them.
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 500),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(
        ["12", "8.31", "8.3", "-0.50", "1E+1", " 5 ", "", "7.", "8.315", "abc", "12.340000"]
    ),
    st.text(max_size=4),
)
_units = st.one_of(
    st.sampled_from(["Eaches", "Cases", "cases", " Cases", "", "Pounds"]), _scalars, st.just([1])
)
_codes = st.one_of(st.sampled_from(["USD", "usd", " EUR", "JPY", "KWD", "US", ""]), _scalars)

_quantities = st.one_of(
    st.fixed_dictionaries(  # as Amazon sends them, and one step off
        {
            "amount": st.integers(-2, 500),
            "unitOfMeasure": st.sampled_from(["Eaches", "Cases"]),
            "unitSize": st.integers(-1, 24),
        }
    ),
    st.fixed_dictionaries(
        {}, optional={"amount": _scalars, "unitOfMeasure": _units, "unitSize": _scalars}
    ),
)
_amount_texts = st.decimals(-1000, 1000, places=3).map(str)
_amounts = st.one_of(
    st.fixed_dictionaries(  # as Amazon sends them, and one step off
        {
            "amount": st.one_of(_amount_texts, st.sampled_from(["8.31", "8.3", "12", "0.10"])),
            "currencyCode": st.sampled_from(["USD", "JPY", "KWD", "EUR"]),
        }
    ),
    st.fixed_dictionaries(
        {}, optional={"amount": _scalars, "currencyCode": _codes, "unitOfMeasure": _units}
    ),
)


def _outcome(read: Any) -> Any:
    try:
        return read()
    except InputError as exc:
        return ("error", exc.column, exc.detail)


@given(st.one_of(_quantities, _scalars, st.just([])))
def test_a_quantity_reads_as_the_checks_read_it(value: Any) -> None:
    item = _Doc({"orderedQuantity": value}, None, "orders", 3)

    def checked() -> Any:
        child = item.child("orderedQuantity")
        return _checked_quantity(child)

    assert _outcome(lambda: _quantity(item, "orderedQuantity")) == _outcome(checked)


@given(st.one_of(_amounts, _scalars), st.sampled_from(["USD", "JPY", "KWD"]))
def test_an_amount_reads_as_the_checks_read_it(value: Any, fallback: str) -> None:
    item = _Doc({"netCost": value}, None, "orders", 3)
    # The checked read: the same document, in a shape the quick read leaves alone.
    shadowed = _Doc(
        {"netCost": _Unusual(value) if isinstance(value, dict) else value}, None, "orders", 3
    )
    assert _outcome(lambda: _money(item, "netCost", fallback)) == _outcome(
        lambda: _money(shadowed, "netCost", fallback)
    )


def _as_shape(value: Any, shape: type[msgspec.Struct]) -> Any:
    """`value` as msgspec reads it from a file into Amazon's shape; None where it does not fit
    (a document holding it is read the checked way only)."""
    try:
        return msgspec.json.decode(msgspec.json.encode(value), type=shape | None)
    except msgspec.ValidationError:
        return _NOT_A_SHAPE


_NOT_A_SHAPE = object()


@given(st.one_of(_quantities, _scalars, st.just([])))
def test_the_typed_read_of_a_quantity_gives_what_the_checks_give(value: Any) -> None:
    shape = _as_shape(value, ItemQuantity)
    if shape is _NOT_A_SHAPE:
        return
    try:
        quick = payloads._quick_quantity(shape)
    except payloads._Unusual:
        return  # left to the checked read
    item = _Doc({"orderedQuantity": value}, None, "orders", 3)
    assert quick == _quantity(item, "orderedQuantity")


@given(st.one_of(_amounts, _scalars), st.sampled_from(["USD", "JPY", "KWD"]))
def test_the_typed_read_of_an_amount_gives_what_the_checks_give(value: Any, fallback: str) -> None:
    shape = _as_shape(value, Money)
    if shape is _NOT_A_SHAPE:
        return
    try:
        quick = payloads._quick_money(shape, fallback)
    except payloads._Unusual:
        return
    item = _Doc({"netCost": value}, None, "orders", 3)
    assert quick == _money(item, "netCost", fallback)


class _Unusual(dict):  # type: ignore[type-arg]
    """A mapping that is not exactly a dict: only the checks read it."""
