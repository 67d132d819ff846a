from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recovery.errors import MoneyError
from recovery.money import (
    Money,
    exponent,
    format_minor,
    format_money,
    from_minor,
    parse_amount,
    quantize,
    to_decimal,
    to_minor,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234.56", "1234.56"),
        ("$1,234.56", "1234.56"),
        ("(12.00)", "-12.00"),
        ("($1,200.00)", "-1200.00"),
        ("-12.00", "-12.00"),
        ("12.00-", "-12.00"),
        ("$-5.00", "-5.00"),
        ("USD 12.00", "12.00"),
        ("12.00 USD", "12.00"),
        (" 7 ", "7"),
        ("0.5", "0.5"),
        ("1,000,000", "1000000"),
    ],
)
def test_parse_amount_reads_what_exports_write(text: str, expected: str) -> None:
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1.234,56", "1234.56"), ("-12,00 €", "-12.00"), ("(3,5)", "-3.5"), ("1234", "1234")],
)
def test_parse_amount_with_decimal_comma(text: str, expected: str) -> None:
    assert parse_amount(text, decimal_comma=True) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "abc", "1,23.4", "12..0", "1.234,56", "--5", "$", "1e5"])
def test_parse_amount_refuses_anything_else(text: str) -> None:
    with pytest.raises(MoneyError):
        parse_amount(text)


def test_floats_from_json_become_exact_decimals() -> None:
    assert to_decimal(8.4) == Decimal("8.4")
    assert to_decimal(0.1) + to_decimal(0.2) == Decimal("0.3")


@pytest.mark.parametrize(("currency", "places"), [("USD", 2), ("JPY", 0), ("KWD", 3), ("eur", 2)])
def test_currency_exponents(currency: str, places: int) -> None:
    assert exponent(currency) == places


def test_minor_units_are_exact_and_refuse_rounding() -> None:
    assert to_minor(Decimal("99999999999.99"), "USD") == 9_999_999_999_999
    assert to_minor(Decimal("1200"), "JPY") == 1200
    assert to_minor(Decimal("1.234"), "KWD") == 1234
    with pytest.raises(MoneyError):
        to_minor(Decimal("0.001"), "USD")
    with pytest.raises(MoneyError):
        to_minor(Decimal("1.5"), "JPY")
    with pytest.raises(MoneyError):
        to_minor(1.5, "USD")  # type: ignore[arg-type]


@given(st.integers(min_value=-(10**15), max_value=10**15), st.sampled_from(["USD", "JPY", "KWD"]))
def test_minor_units_round_trip(minor: int, currency: str) -> None:
    assert to_minor(from_minor(minor, currency), currency) == minor


def test_money_refuses_mixed_currencies_and_formats_for_people() -> None:
    assert (Money(Decimal("1.10"), "USD") + Money(Decimal("2.20"), "USD")).amount == Decimal("3.30")
    with pytest.raises(MoneyError):
        Money(Decimal("1"), "USD") + Money(Decimal("1"), "EUR")
    assert format_money(Decimal("-1234.5"), "USD") == "-$1,234.50"
    assert format_money(Decimal("1200"), "JPY") == "¥1,200"
    assert format_money(Decimal("1.5"), "KWD") == "1.500 KWD"


def test_quantize_rounds_half_even_to_the_currency() -> None:
    assert quantize(Decimal("24") * Decimal("8.405"), "USD") == Decimal("201.72")
    assert quantize(Decimal("0.125"), "USD") == Decimal("0.12")


@given(
    st.integers(min_value=-(10**15), max_value=10**15),
    st.sampled_from(["USD", "eur", "JPY", "KWD", "CLF", "SEK", "CAD"]),
)
def test_minor_units_are_worded_as_their_decimal_amount(minor: int, currency: str) -> None:
    assert format_minor(minor, currency) == format_money(from_minor(minor, currency), currency)
