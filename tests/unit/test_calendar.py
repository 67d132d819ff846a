from datetime import UTC, date, datetime

import pytest

from recovery.calendar import BusinessCalendar
from recovery.config import CalendarSettings, Closure
from recovery.errors import ConfigError


@pytest.fixture
def us() -> BusinessCalendar:
    return BusinessCalendar(country="US", timezone="America/Los_Angeles")


def test_weekends_and_public_holidays_are_not_business_days(us: BusinessCalendar) -> None:
    assert us.is_business_day(date(2026, 11, 25))  # Wednesday
    assert not us.is_business_day(date(2026, 11, 26))  # Thanksgiving
    assert not us.is_business_day(date(2026, 11, 28))  # Saturday
    assert us.holiday_name(date(2026, 12, 25)) == "Christmas Day"


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 11, 25), 1, date(2026, 11, 27)),  # over Thanksgiving
        (date(2026, 11, 27), 1, date(2026, 11, 30)),  # over a weekend
        (date(2026, 12, 23), 3, date(2026, 12, 29)),  # over Christmas and a weekend
        (date(2026, 11, 30), -1, date(2026, 11, 27)),  # backwards
        (date(2026, 11, 25), 0, date(2026, 11, 25)),
    ],
)
def test_add_business_days(us: BusinessCalendar, start: date, days: int, expected: date) -> None:
    assert us.add_business_days(start, days) == expected


def test_company_closures_come_from_settings() -> None:
    settings = CalendarSettings(
        closures=[Closure(start=date(2026, 12, 28), end=date(2026, 12, 31), name="shutdown")]
    )
    calendar = BusinessCalendar.from_settings(settings)
    assert calendar.add_business_days(date(2026, 12, 24), 1) == date(2027, 1, 4)
    assert calendar.holiday_name(date(2026, 12, 29)) == "company closure"
    assert calendar.business_days_between(date(2026, 12, 24), date(2027, 1, 4)) == 1


def test_roll_forward_moves_weekend_deadlines_to_monday(us: BusinessCalendar) -> None:
    assert us.roll_forward(date(2026, 11, 28)) == date(2026, 11, 30)
    assert us.roll_forward(date(2026, 11, 30)) == date(2026, 11, 30)


def test_days_left_counts_in_the_business_timezone(us: BusinessCalendar) -> None:
    # 05:00 UTC on Nov 24 is still Nov 23 in Seattle.
    now = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
    assert us.today(now) == date(2026, 11, 23)
    assert us.days_left(date(2026, 11, 24), now) == 1
    assert us.days_left(date(2026, 11, 23), now) == 0
    assert us.days_left(date(2026, 11, 20), now) == -3


def test_days_left_defaults_to_the_real_clock(us: BusinessCalendar) -> None:
    import time_machine

    with time_machine.travel(datetime(2026, 11, 24, 5, 0, tzinfo=UTC), tick=False):
        assert us.days_left(date(2026, 11, 24)) == 1


def test_unknown_country_or_timezone_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="timezone"):
        BusinessCalendar(timezone="Mars/Olympus")
    with pytest.raises(ConfigError, match="country"):
        BusinessCalendar(country="XX")
