"""A varied scenario dates documents so that Amazon's deadlines fall on or next to US holidays
and weekends (recovery/testing/scenario/days_off.py): the dates each document gets."""

from __future__ import annotations

from datetime import date

import pytest

from recovery.testing.scenario.days_off import near_days_off, two_years_after

LATEST = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("day", "number", "dated", "deadline", "why"),
    [
        # number % 5 == 0: the deadline on a holiday, the invoice on it too (a fixed date).
        (date(2025, 6, 28), 10, date(2025, 7, 4), date(2027, 7, 4), "Independence Day, a Sunday"),
        (date(2025, 12, 20), 15, date(2025, 12, 24), date(2027, 12, 24), "Christmas observed"),
        (date(2025, 2, 10), 20, date(2025, 2, 15), date(2027, 2, 15), "Washington's Birthday"),
        # No holiday in reach and none up to the latest day: the date stays.
        (date(2026, 11, 20), 20, date(2026, 11, 20), date(2028, 11, 20), "nothing in reach"),
        # % 5 == 1: the deadline on any day off.
        (date(2025, 6, 28), 11, date(2025, 7, 3), date(2027, 7, 3), "a Saturday"),
        (date(2025, 11, 20), 21, date(2025, 11, 20), date(2027, 11, 20), "already a Saturday"),
        # % 5 == 2: the deadline the business day right after a day off.
        (date(2026, 1, 3), 22, date(2026, 1, 3), date(2028, 1, 3), "the Monday after"),
        (date(2025, 6, 24), 12, date(2025, 6, 28), date(2027, 6, 28), "the Monday after"),
        # % 5 == 3: the invoice itself dated on a day off.
        (date(2025, 7, 1), 23, date(2025, 7, 4), date(2027, 7, 4), "invoiced on July 4th"),
        (date(2025, 6, 25), 13, date(2025, 6, 28), date(2027, 6, 28), "invoiced on a Saturday"),
        # % 5 == 4: kept as drawn.
        (date(2025, 6, 25), 14, date(2025, 6, 25), date(2027, 6, 25), "unchanged"),
    ],
)
def test_documents_are_dated_near_days_off(
    day: date, number: int, dated: date, deadline: date, why: str
) -> None:
    moved = near_days_off(day, number, two_years_after, LATEST)
    assert (moved, two_years_after(moved)) == (dated, deadline), why


def test_a_date_never_moves_past_the_latest_day_nor_earlier() -> None:
    for number in range(50):
        moved = near_days_off(date(2026, 11, 18), number, two_years_after, date(2026, 11, 20))
        assert date(2026, 11, 18) <= moved <= date(2026, 11, 20)


def test_leap_day_documents_reach_the_28th() -> None:
    assert two_years_after(date(2024, 2, 29)) == date(2026, 2, 28)
