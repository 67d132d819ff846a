"""Business days: public holidays of a country (the `holidays` package) plus company closures.

Deadlines are counted in the business's own timezone: "days left" on a Friday evening in
Seattle is not what UTC says.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from recovery.config import CalendarSettings
from recovery.errors import ConfigError


@dataclass
class BusinessCalendar:
    country: str = "US"
    subdivision: str | None = None
    timezone: str = "America/Los_Angeles"
    closures: list[tuple[date, date]] = field(default_factory=list)

    def __post_init__(self) -> None:
        try:
            self._tz = ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(f"calendar.timezone: unknown timezone {self.timezone!r}") from exc
        try:
            self._holidays = holidays.country_holidays(self.country, subdiv=self.subdivision)
        except NotImplementedError as exc:
            raise ConfigError(
                f"calendar.country: no holiday calendar for {self.country!r}"
            ) from exc

    @classmethod
    def from_settings(cls, settings: CalendarSettings) -> BusinessCalendar:
        return cls(
            country=settings.country,
            subdivision=settings.subdivision,
            timezone=settings.timezone,
            closures=[(c.start, c.end) for c in settings.closures],
        )

    @property
    def tz(self) -> ZoneInfo:
        return self._tz

    def holiday_name(self, day: date) -> str | None:
        name = self._holidays.get(day)
        if name:
            return str(name)
        if any(start <= day <= end for start, end in self.closures):
            return "company closure"
        return None

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < 5 and self.holiday_name(day) is None

    def add_business_days(self, start: date, days: int) -> date:
        """The date `days` business days after `start` (before it when negative)."""
        step = 1 if days >= 0 else -1
        remaining = abs(days)
        current = start
        while remaining:
            current += timedelta(days=step)
            if self.is_business_day(current):
                remaining -= 1
        return current

    def roll_forward(self, day: date) -> date:
        """`day` itself when it is a business day, else the next one (a deadline on a Sunday
        means Monday)."""
        while not self.is_business_day(day):
            day += timedelta(days=1)
        return day

    def business_days_between(self, start: date, end: date) -> int:
        """Business days in (start, end]; negative when end is before start."""
        if end < start:
            return -self.business_days_between(end, start)
        return sum(1 for d in _days(start + timedelta(days=1), end) if self.is_business_day(d))

    def today(self, now: datetime | None = None) -> date:
        """Today in the business timezone."""
        moment = now if now is not None else datetime.now(self._tz)
        if moment.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        return moment.astimezone(self._tz).date()

    def days_left(self, deadline: date, now: datetime | None = None) -> int:
        """Calendar days from today (business timezone) to `deadline`; 0 on the day, <0 after."""
        return (deadline - self.today(now)).days


def add_calendar_days(start: date, days: int) -> date:
    return start + timedelta(days=days)


def _days(start: date, end: date) -> Iterable[date]:
    current = start
    while current <= end:
        yield current
        current += timedelta(days=1)
