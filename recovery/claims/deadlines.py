"""When each claim must be filed by Amazon's rules, when we plan to file it, and how good the
timing still is.

Three dates per claim (DOMAIN.md, "Deadlines are Amazon's dates"):
- `deadline` is Amazon's last calendar day, the hard limit per type. Shortages and price
  claims: no dispute on invoices older than 24 months (Amazon's 2025 rule, reported by AMZ
  Sellers Attorney, "Amazon Vendor Shortage Disputes Now Limited to 2 Years", and Refunzo,
  "730 days from the invoice date"); co-op invoices: two years from the co-op invoice date;
  chargebacks: 30 calendar days from the notification. The portal takes disputes on weekends
  and holidays, so a deadline is never moved to a business day: moving it later files late.
- `file_by` is the plan: the last business day on or before the deadline, less a margin of
  business days.
- `band` says how good the odds still are. Shortages, price claims and co-op invoices age from
  their invoice (the due date for shortages and prices, the co-op invoice's date): `waiting`
  inside Amazon's matching period, then `optimal`, `maturing`, `mature`. Chargebacks have only
  30 days, so their band counts the days left. `expired` only once the deadline has passed.
Every edge except the hard limits is *guidance* and a setting in `RuleSettings`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from recovery.calendar import BusinessCalendar
from recovery.claims.kinds import kind_of
from recovery.config import RuleSettings


class Band(StrEnum):
    waiting = "waiting"
    optimal = "optimal"
    maturing = "maturing"
    mature = "mature"
    expired = "expired"


@dataclass(frozen=True)
class Timing:
    deadline: date  # Amazon's last calendar day
    file_by: date  # the plan: a business day on or before the deadline
    band: Band
    days_left: int
    age_from: date  # what the band counts from: due date, co-op invoice date, notification
    waiting_until: date | None  # inside Amazon's matching period; not fileable before this


def deadline_for(
    claim_type: str,
    base_date: date,
    rules: RuleSettings,
    *,
    invoice_date: date | None = None,
) -> date:
    """Amazon's last day to file a claim of `claim_type`.

    `base_date` is the invoice due date (shortage, price), the co-op invoice date (coop) or the
    notification date (chargeback); `invoice_date` is the vendor invoice's own date, from which
    the 24 months of shortages and price claims count (the due date when it is unknown). Each
    kind's rule is in its module (`ClaimKind.window`)."""
    return kind_of(claim_type).window.deadline(base_date, rules, invoice_date)


def file_by_for(deadline: date, rules: RuleSettings, calendar: BusinessCalendar) -> date:
    """The last business day on or before `deadline`, less `file_by_margin_days` business
    days."""
    day = deadline
    while not calendar.is_business_day(day):
        day -= timedelta(days=1)
    return calendar.add_business_days(day, -rules.file_by_margin_days)


def matching_ends(claim_type: str, age_from: date, rules: RuleSettings) -> date | None:
    """The first day Amazon takes a dispute, when its own matching must end first."""
    wait = kind_of(claim_type).window.matching_days(rules)
    return age_from + timedelta(days=wait) if wait > 0 else None


def band_for(
    claim_type: str, age_from: date, deadline: date, today: date, rules: RuleSettings
) -> Band:
    """How good the timing of filing `today` is."""
    if today > deadline:
        return Band.expired
    aged_bands = kind_of(claim_type).window.aged_bands
    if aged_bands is None:  # the kind's odds count the days left, not the invoice's age
        days_left = (deadline - today).days
        if days_left >= rules.chargeback_optimal_min_days_left:
            return Band.optimal
        if days_left >= rules.chargeback_maturing_min_days_left:
            return Band.maturing
        return Band.mature
    opens = matching_ends(claim_type, age_from, rules)
    if opens is not None and today < opens:
        return Band.waiting
    optimal_days, maturing_days = aged_bands(rules)
    age = (today - age_from).days
    if age <= optimal_days:
        return Band.optimal
    if age <= maturing_days:
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
    deadline = deadline_for(claim_type, base_date, rules, invoice_date=invoice_date)
    opens = matching_ends(claim_type, base_date, rules)
    return Timing(
        deadline=deadline,
        file_by=file_by_for(deadline, rules, calendar),
        band=band_for(claim_type, base_date, deadline, today, rules),
        days_left=(deadline - today).days,
        age_from=base_date,
        waiting_until=opens if opens is not None and today < opens else None,
    )
