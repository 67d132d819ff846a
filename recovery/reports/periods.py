"""The report's calendar: an ISO week (Monday to Sunday) and the trailing periods ending with it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from recovery.errors import RecoveryError

_ISO_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


class WeekError(RecoveryError):
    """A --week value that is not an ISO week."""


@dataclass(frozen=True)
class Period:
    key: str  # week, 4w, 13w, ytd
    label: str
    start: date
    end: date  # inclusive

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


@dataclass(frozen=True)
class ReportCalendar:
    week: Period
    trailing: tuple[Period, ...]  # the week first, then 4 and 13 weeks and the year to date
    next_week: Period
    weeks: tuple[Period, ...]  # the 13 single weeks ending with the report's, oldest first

    @property
    def earliest(self) -> date:
        return min(p.start for p in self.trailing)


def parse_week(text: str) -> tuple[int, int]:
    """`2026-W48` → (2026, 48); refused with one line when it is no ISO week."""
    match = _ISO_WEEK.match(text.strip())
    if match is None:
        raise WeekError(f"--week {text!r}: expected an ISO week such as 2026-W48")
    year, week = int(match.group(1)), int(match.group(2))
    try:
        date.fromisocalendar(year, week, 1)
    except ValueError:
        raise WeekError(f"--week {text!r}: {year} has no week {week}") from None
    return year, week


def week_label(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def last_complete_week(today: date) -> tuple[int, int]:
    """The week a Monday-morning report is about: the one that ended before `today`."""
    year, week, _ = (today - timedelta(days=today.isoweekday())).isocalendar()
    return year, week


def report_calendar(year: int, week: int) -> ReportCalendar:
    monday = date.fromisocalendar(year, week, 1)
    sunday = monday + timedelta(days=6)
    this_week = Period("week", f"Week {week_label(monday)}", monday, sunday)
    four = Period("4w", "Trailing 4 weeks", monday - timedelta(weeks=3), sunday)
    thirteen = Period("13w", "Trailing 13 weeks", monday - timedelta(weeks=12), sunday)
    # The year of the week's Sunday: a report on the first ISO week of January starts a new year.
    ytd = Period("ytd", f"Year to date {sunday.year}", date(sunday.year, 1, 1), sunday)
    next_monday = sunday + timedelta(days=1)
    following = Period(
        "next", f"Week {week_label(next_monday)}", next_monday, next_monday + timedelta(days=6)
    )
    weeks = tuple(
        Period("w", week_label(m), m, m + timedelta(days=6))
        for m in (monday - timedelta(weeks=n) for n in range(12, -1, -1))
    )
    return ReportCalendar(this_week, (this_week, four, thirteen, ytd), following, weeks)
