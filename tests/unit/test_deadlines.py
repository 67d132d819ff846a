"""Deadlines are Amazon's last calendar days, file_by is the plan on business days, and the band
says how good filing today still is (DOMAIN.md, "Deadlines are Amazon's dates")."""

from __future__ import annotations

from datetime import date

import pytest

from recovery.calendar import BusinessCalendar
from recovery.claims.deadlines import Band, deadline_for, file_by_for, timing_for
from recovery.claims.kinds.common import add_months
from recovery.config import RuleSettings

RULES = RuleSettings()
US = BusinessCalendar(country="US", timezone="America/Los_Angeles")


@pytest.mark.parametrize(
    ("claim_type", "base", "invoice_date", "deadline"),
    [
        # Shortages and price claims: 24 months from the invoice date, whatever the due date.
        ("shortage", date(2026, 9, 1), date(2026, 7, 3), date(2028, 7, 3)),
        ("price", date(2026, 9, 1), date(2026, 7, 3), date(2028, 7, 3)),
        # ... a Saturday after a holiday stays that Saturday (the portal is open).
        ("shortage", date(2025, 1, 27), date(2024, 11, 28), date(2026, 11, 28)),
        ("shortage", date(2025, 2, 24), date(2024, 12, 26), date(2026, 12, 26)),
        # A leap day's anniversary is the last day of February.
        ("price", date(2024, 4, 29), date(2024, 2, 29), date(2026, 2, 28)),
        # Without the invoice date, the due date stands in.
        ("shortage", date(2026, 9, 1), None, date(2028, 9, 1)),
        # Co-op: two years from the co-op invoice date.
        ("coop", date(2026, 3, 15), None, date(2028, 3, 15)),
        # Chargebacks: 30 calendar days from the notification, even onto a holiday or weekend.
        ("chargeback", date(2026, 10, 27), None, date(2026, 11, 26)),  # Thanksgiving
        ("chargeback", date(2026, 11, 25), None, date(2026, 12, 25)),  # Christmas
        ("chargeback", date(2026, 10, 29), None, date(2026, 11, 28)),  # Saturday
        ("chargeback", date(2026, 10, 30), None, date(2026, 11, 29)),  # Sunday
        ("chargeback", date(2026, 12, 2), None, date(2027, 1, 1)),  # New Year's Day
    ],
)
def test_deadline_is_amazons_calendar_day(
    claim_type: str, base: date, invoice_date: date | None, deadline: date
) -> None:
    assert deadline_for(claim_type, base, RULES, invoice_date=invoice_date) == deadline


@pytest.mark.parametrize(
    ("deadline", "margin", "file_by"),
    [
        (date(2026, 11, 25), 0, date(2026, 11, 25)),  # a Wednesday: that day
        (date(2026, 11, 26), 0, date(2026, 11, 25)),  # Thanksgiving: the day before
        (date(2026, 11, 29), 0, date(2026, 11, 27)),  # Sunday after: the Friday
        (date(2026, 11, 29), 2, date(2026, 11, 24)),  # less 2 business days (over Thanksgiving)
        (date(2026, 12, 25), 2, date(2026, 12, 22)),  # Christmas, then 2 back
        (date(2027, 1, 1), 1, date(2026, 12, 30)),  # New Year's Day, then 1 back
        (date(2026, 11, 30), 2, date(2026, 11, 25)),  # Monday less 2 over the long weekend
    ],
)
def test_file_by_is_a_business_day_on_or_before_the_deadline(
    deadline: date, margin: int, file_by: date
) -> None:
    rules = RuleSettings(file_by_margin_days=margin)
    planned = file_by_for(deadline, rules, US)
    assert planned == file_by
    assert planned <= deadline and US.is_business_day(planned)


DUE = date(2025, 9, 1)  # invoice dated 2025-07-03; deadline 2027-07-03


@pytest.mark.parametrize(
    ("claim_type", "today", "band"),
    [
        # Shortages: waiting while Amazon matches (35 days after the due date) ...
        ("shortage", date(2025, 9, 1), Band.waiting),
        ("shortage", date(2025, 10, 5), Band.waiting),
        # ... then optimal up to 56 days old, maturing up to 90, then mature until the limit.
        ("shortage", date(2025, 10, 6), Band.optimal),
        ("shortage", date(2025, 10, 27), Band.optimal),
        ("shortage", date(2025, 10, 28), Band.maturing),
        ("shortage", date(2025, 11, 30), Band.maturing),
        ("shortage", date(2025, 12, 1), Band.mature),
        # a year-old vendor's old shortage is still fileable
        ("shortage", date(2026, 9, 1), Band.mature),
        ("shortage", date(2027, 7, 3), Band.mature),
        ("shortage", date(2027, 7, 4), Band.expired),
        # Price claims: no matching wait by default; best within 30 days of the due date.
        ("price", date(2025, 9, 1), Band.optimal),
        ("price", date(2025, 10, 1), Band.optimal),
        ("price", date(2025, 10, 2), Band.maturing),
        ("price", date(2025, 12, 1), Band.mature),
        ("price", date(2027, 7, 4), Band.expired),
    ],
)
def test_band_of_aged_claims(claim_type: str, today: date, band: Band) -> None:
    timing = timing_for(claim_type, DUE, today, RULES, US, invoice_date=date(2025, 7, 3))
    assert timing.band == band
    assert timing.deadline == date(2027, 7, 3)
    assert (timing.waiting_until is not None) == (band == Band.waiting)


@pytest.mark.parametrize(
    ("today", "band"),
    [
        (date(2025, 3, 1), Band.optimal),
        (date(2025, 3, 31), Band.optimal),
        (date(2025, 4, 1), Band.maturing),
        (date(2025, 5, 30), Band.maturing),
        (date(2025, 5, 31), Band.mature),
        (date(2027, 3, 1), Band.mature),
        (date(2027, 3, 2), Band.expired),
    ],
)
def test_band_of_coop_invoices_by_their_age(today: date, band: Band) -> None:
    assert timing_for("coop", date(2025, 3, 1), today, RULES, US).band == band


@pytest.mark.parametrize(
    ("today", "band", "days_left"),
    [
        (date(2026, 10, 27), Band.optimal, 30),
        (date(2026, 11, 15), Band.optimal, 11),
        (date(2026, 11, 16), Band.maturing, 10),
        (date(2026, 11, 22), Band.maturing, 4),
        (date(2026, 11, 23), Band.mature, 3),
        (date(2026, 11, 26), Band.mature, 0),  # Thanksgiving is still the last day
        (date(2026, 11, 27), Band.expired, -1),
    ],
)
def test_band_of_chargebacks_by_days_left(today: date, band: Band, days_left: int) -> None:
    timing = timing_for("chargeback", date(2026, 10, 27), today, RULES, US)
    assert (timing.band, timing.days_left) == (band, days_left)
    assert timing.deadline == date(2026, 11, 26)
    assert timing.file_by == date(2026, 11, 23)  # Wednesday 25th less 2 business days


def test_band_edges_are_settings() -> None:
    rules = RuleSettings(shortage_matching_days=0, shortage_optimal_days=10)
    timing = timing_for("shortage", DUE, date(2025, 9, 12), rules, US)
    assert timing.band == Band.maturing and timing.waiting_until is None
    rules = RuleSettings(price_matching_days=20)
    assert timing_for("price", DUE, date(2025, 9, 12), rules, US).band == Band.waiting


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 1, 31), 24, date(2026, 1, 31)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2025, 12, 15), 24, date(2027, 12, 15)),
    ],
)
def test_add_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected
