"""Cells to values: amounts to exact minor units, dates by marketplace, header matching."""

from __future__ import annotations

from datetime import date

import pytest

from recovery.errors import MoneyError
from recovery.sources.layouts import CHARGEBACKS, match_header, normalize_header
from recovery.sources.values import parse_date, parse_minor


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
