"""Documents dated so that Amazon's deadlines fall on or next to US holidays and weekends.

DOMAIN.md ("Deadlines are Amazon's dates"): a deadline is the last calendar day Amazon takes a
dispute, and the portal is open on weekends and holidays, so a deadline on Independence Day
stays there; only `file_by`, the plan, moves to a business day before it. A product that
rolls a deadline forward to the next business day files late, and one that rolls it back
calls a claim expired a day early. Only dates near days off show either mistake, so a varied
scenario dates its vendor invoices (shortage and price claims count 24 months from them) and
its co-op invoices (two years) there, as chargebacks.py does with notifications (30 days).

Which document gets which date is decided by its number, not drawn, so the rest of the
scenario keeps its draws and a seed still gives byte-identical files.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from recovery.calendar import BusinessCalendar
from recovery.testing.scenario.answer_key import DISPUTE_LIMIT_YEARS, years_after
from recovery.testing.scenario.world import World

US = BusinessCalendar(country="US")

# How far a document's date may move later to find its day. Below 14 days: a co-op period
# billed twice is billed again at least 14 days later, so the later copy stays the later one.
REACH_DAYS = 10

# By the document's number modulo 5: the deadline on a US holiday (else the document on one,
# else the deadline on a weekend); the deadline on any day off; the deadline on the business
# day right after a day off; the document itself dated on a day off; the fifth keeps its date.
_HOLIDAY, _DAY_OFF, _AFTER_DAY_OFF, _DATED_OFF = 0, 1, 2, 3


def is_holiday(day: date) -> bool:
    return US.holiday_name(day) is not None


def is_day_off(day: date) -> bool:
    return not US.is_business_day(day)


def _after_day_off(day: date) -> bool:
    return US.is_business_day(day) and is_day_off(day - timedelta(days=1))


def first_such_day(
    day: date,
    deadline_of: Callable[[date], date],
    wanted: Callable[[date, date], bool],
    *,
    reach: int,
    latest: date | None = None,
) -> date | None:
    """The first of `day` and the `reach - 1` days after it (none after `latest`) for which
    `wanted(document date, its deadline)` holds."""
    for shift in range(reach):
        candidate = day + timedelta(days=shift)
        if latest is not None and candidate > latest:
            return None
        if wanted(candidate, deadline_of(candidate)):
            return candidate
    return None


def deadline_off_work(day: date, deadline_of: Callable[[date], date], *, reach: int) -> date:
    """`day`, or the first day after it whose deadline falls on a weekend or US holiday."""
    found = first_such_day(day, deadline_of, lambda _, end: is_day_off(end), reach=reach)
    return found or day


def near_days_off(
    day: date, number: int, deadline_of: Callable[[date], date], latest: date
) -> date:
    """The date a document numbered `number` gets in a varied scenario: `day` or up to
    REACH_DAYS later (never after `latest`), as the number's residue says."""
    mode = number % 5
    tests: list[Callable[[date, date], bool]]
    if mode == _HOLIDAY:
        tests = [
            lambda _, end: is_holiday(end),
            lambda doc, _: is_holiday(doc),
            lambda _, end: is_day_off(end),
        ]
    elif mode == _DAY_OFF:
        tests = [lambda _, end: is_day_off(end)]
    elif mode == _AFTER_DAY_OFF:
        tests = [lambda _, end: _after_day_off(end)]
    elif mode == _DATED_OFF:
        tests = [lambda doc, _: is_day_off(doc)]
    else:
        return day
    for wanted in tests:
        found = first_such_day(day, deadline_of, wanted, reach=REACH_DAYS, latest=latest)
        if found is not None:
            return found
    return day


def two_years_after(day: date) -> date:
    """Amazon's deadline for shortages, price claims and co-op invoices, as the answer key
    states it."""
    return date.fromisoformat(years_after(day, DISPUTE_LIMIT_YEARS))


def date_near_days_off(world: World) -> None:
    """Move vendor invoices and co-op invoices (with the deductions dated from them) to dates
    whose deadlines fall on or next to days off. Runs after the co-op invoices exist and
    before any deduction is derived from a vendor invoice's dates."""
    for invoice in world.invoices:
        moved = near_days_off(
            invoice.invoice_date,
            int(invoice.number),
            two_years_after,
            world.today - timedelta(days=1),
        )
        shift = moved - invoice.invoice_date
        invoice.invoice_date = moved
        invoice.due_date += shift
    # A co-op month is billed only once it is 25 days over; its invoice came 5-12 days after
    # the month: no later than this, so that its deduction still reaches a payment.
    coop_latest = world.today - timedelta(days=15)
    for coop in world.coop_invoices:
        moved = near_days_off(coop.invoice_date, int(coop.number), two_years_after, coop_latest)
        shift = moved - coop.invoice_date
        coop.invoice_date = moved
        if coop.event is not None:
            coop.event.target += shift
            coop.event.document_date += shift
