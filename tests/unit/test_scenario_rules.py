"""Small rules of the scenario generator that other parts rely on."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from recovery.errors import InputError
from recovery.testing.scenario import period_start
from recovery.testing.scenario.answer_key import chargeback_deadline, years_after
from recovery.testing.scenario.coop import rebate
from recovery.testing.scenario.sizes import size_profile
from recovery.testing.scenario.writers import Style


@pytest.mark.parametrize(
    ("today", "months", "start"),
    [
        (date(2026, 11, 23), 12, date(2025, 11, 23)),
        (date(2026, 3, 31), 1, date(2026, 2, 28)),
        (date(2024, 3, 31), 1, date(2024, 2, 29)),
        (date(2026, 1, 15), 3, date(2025, 10, 15)),
    ],
)
def test_the_period_is_the_months_ending_today(today: date, months: int, start: date) -> None:
    assert period_start(today, months) == start


def test_a_period_needs_a_month() -> None:
    with pytest.raises(InputError):
        period_start(date(2026, 1, 1), 0)


def test_unknown_size_is_a_user_error() -> None:
    with pytest.raises(InputError, match="huge"):
        size_profile("huge")


@pytest.mark.parametrize(
    ("base", "rate", "expected"),
    [
        (Decimal("100.00"), Decimal("7.5"), Decimal("7.50")),
        (Decimal("10.50"), Decimal("5"), Decimal("0.52")),  # 0.525 rounds half-even down
        (Decimal("10.70"), Decimal("5"), Decimal("0.54")),  # 0.535 rounds half-even up
        (Decimal("-33.30"), Decimal("2.5"), Decimal("-0.83")),
    ],
)
def test_coop_rebate_is_base_times_rate_half_even(
    base: Decimal, rate: Decimal, expected: Decimal
) -> None:
    assert rebate(base, rate) == expected


@pytest.mark.parametrize(
    ("style", "amount", "text"),
    [
        (Style("plain"), Decimal("-1234.5"), "-1234.50"),
        (Style("dollar"), Decimal("1234.56"), "$1,234.56"),
        (Style("dollar"), Decimal("-12"), "-$12.00"),
        (Style("accounting"), Decimal("-1234.56"), "(1,234.56)"),
        (Style("accounting"), Decimal("5"), "5.00"),
    ],
)
def test_amount_styles_of_real_exports(style: Style, amount: Decimal, text: str) -> None:
    assert style.amount(amount) == text


def test_us_exports_write_month_first() -> None:
    assert Style(dates="us").day(date(2026, 3, 4)) == "03/04/2026"
    assert Style(dates="iso").day(date(2026, 3, 4)) == "2026-03-04"


@pytest.mark.parametrize(
    ("notified_on", "deadline"),
    [
        (date(2026, 10, 27), "2026-11-26"),  # Thanksgiving stays the last day
        (date(2026, 10, 29), "2026-11-28"),  # a Saturday too
        (date(2026, 11, 25), "2026-12-25"),  # Christmas Day
    ],
)
def test_the_keys_chargeback_deadlines_are_amazons_calendar_days(
    notified_on: date, deadline: str
) -> None:
    assert chargeback_deadline(notified_on) == deadline


@pytest.mark.parametrize(
    ("invoice_date", "deadline"),
    [
        (date(2025, 11, 27), "2027-11-27"),
        (date(2024, 2, 29), "2026-02-28"),
    ],
)
def test_the_keys_invoice_deadlines_are_two_years_on(invoice_date: date, deadline: str) -> None:
    assert years_after(invoice_date, 2) == deadline
