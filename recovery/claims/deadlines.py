"""When each claim must be filed, and how good the timing still is.

The rules are *guidance* from recovery firms (see the domain notes), so every number is a
setting in `RuleSettings`: a base date per type plus calendar days, moved to a business day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from recovery.calendar import BusinessCalendar
from recovery.config import RuleSettings


class Band(StrEnum):
    optimal = "optimal"
    maturing = "maturing"
    mature = "mature"
    expired = "expired"


@dataclass(frozen=True)
class Timing:
    deadline: date
    band: Band
    days_left: int
    waiting_until: date | None  # shortages inside Amazon's matching period


def deadline_days(claim_type: str, rules: RuleSettings) -> int:
    days = {
        "shortage": rules.shortage_deadline_days,
        "price": rules.price_deadline_days,
        "coop": rules.coop_deadline_days,
        "chargeback": rules.chargeback_deadline_days,
    }
    if claim_type not in days:
        raise ValueError(f"unknown claim type {claim_type!r}")
    return days[claim_type]


def deadline_for(
    claim_type: str,
    base_date: date,
    rules: RuleSettings,
    calendar: BusinessCalendar,
    *,
    invoice_date: date | None = None,
) -> date:
    """Last day to file: base date + the type's days, on a business day, never past the
    24-month limit on the invoice."""
    deadline = calendar.roll_forward(base_date + timedelta(days=deadline_days(claim_type, rules)))
    if invoice_date is not None:
        limit = _add_months(invoice_date, rules.max_invoice_age_months)
        deadline = min(deadline, limit)
    return deadline


def band_for(days_left: int, rules: RuleSettings) -> Band:
    if days_left < 0:
        return Band.expired
    if days_left >= rules.optimal_min_days_left:
        return Band.optimal
    if days_left >= rules.maturing_min_days_left:
        return Band.maturing
    return Band.mature


def timing_for(
    claim_type: str,
    base_date: date,
    today: date,
    rules: RuleSettings,
    calendar: BusinessCalendar,
    *,
    invoice_date: date | None = None,
) -> Timing:
    deadline = deadline_for(claim_type, base_date, rules, calendar, invoice_date=invoice_date)
    days_left = (deadline - today).days
    waiting_until = None
    if claim_type == "shortage":
        matching_ends = base_date + timedelta(days=rules.shortage_matching_days)
        if today < matching_ends:
            waiting_until = matching_ends
    return Timing(deadline, band_for(days_left, rules), days_left, waiting_until)


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate_day in (day.day, 30, 29, 28):
        try:
            return date(year, month, candidate_day)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")
