"""The weekly summary's figures on hand-checked rows (see report_example.py for the story of
each claim): every number below was worked out by hand from those dates and amounts."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from report_example import example_report

from recovery.reports.figures import AccountFigures, deduction_group
from recovery.reports.periods import WeekError, last_complete_week, parse_week, report_calendar


@pytest.fixture(scope="module")
def account() -> AccountFigures:
    return example_report().accounts[0]


FIGURES = [
    # period, group, figure, expected
    ("week", "total", "deductions_raised", 2),  # the reversal is money back, not raised
    ("week", "total", "deductions_raised_minor", 20860),
    ("week", "shortage", "deductions_raised_minor", 20160),
    ("week", "other", "deductions_raised_minor", 700),  # returns
    ("week", "total", "drafted", 1),  # claim 5 was drafted after its deadline: not recoverable
    ("week", "total", "recoverable_minor", 3500),
    ("week", "total", "filed", 0),
    ("week", "total", "won", 2),
    ("week", "total", "partly_won", 1),
    ("week", "total", "denied", 2),
    ("week", "total", "decided_minor", 44360),
    ("week", "total", "recovered_minor", 32160),  # 20160 + 4000 + 8000
    ("week", "shortage", "recovered_minor", 32160),
    ("week", "price", "denied", 1),
    ("week", "chargeback", "denied", 1),
    ("week", "total", "recovery_rate_disputed", Decimal(32160) / Decimal(44360)),
    ("week", "total", "recovery_rate_recoverable", Decimal(32160) / Decimal(3500)),
    ("week", "total", "win_rate", Decimal(3) / Decimal(5)),
    ("week", "total", "avg_days_to_file", None),
    ("week", "total", "avg_days_to_decision", Decimal("22.2")),  # (19+19+14+24+35) / 5
    ("week", "total", "deadlines_missed", 1),  # claim 8, due Friday, still ready
    ("week", "price", "deadlines_missed", 1),
    ("week", "coop", "recovery_rate_disputed", None),  # nothing decided: no rate, not 0 %
    ("4w", "total", "deductions_raised_minor", 24360),
    ("4w", "total", "drafted", 6),
    ("4w", "total", "recoverable_minor", 41860),
    ("4w", "total", "filed", 4),
    ("4w", "total", "disputed_minor", 36360),
    ("4w", "total", "avg_days_to_file", Decimal("30.3")),
    ("4w", "total", "deadlines_missed", 2),  # claims 8 and 10
    ("13w", "total", "drafted", 9),  # (35+27+23+36) / 4 = 30.25
    ("13w", "total", "filed", 5),  # claim 7's re-filing is not a second first filing
    ("13w", "total", "disputed_minor", 44360),
    ("13w", "total", "denied", 3),
    ("13w", "total", "decided_minor", 52360),
    ("13w", "total", "recovered_minor", 32160),  # claim 7 counted once, at its win
    ("13w", "total", "avg_days_to_file", Decimal("32.2")),
    ("13w", "total", "avg_days_to_decision", Decimal("22.7")),  # 136 / 6
    ("13w", "total", "deadlines_missed", 3),
    ("ytd", "total", "deductions_raised", 4),  # the undated shortage counts nowhere
    ("ytd", "total", "deductions_raised_minor", 47234),
    ("ytd", "total", "deadlines_missed", 4),
    ("ytd", "coop", "deadlines_missed", 2),
]


@pytest.mark.parametrize(("period", "group", "figure", "expected"), FIGURES)
def test_figure(
    account: AccountFigures, period: str, group: str, figure: str, expected: Any
) -> None:
    found = next(p for p in account.periods if p.period.key == period)
    figures = found.total if group == "total" else found.types[group]
    assert getattr(figures, figure) == expected


def test_every_missed_deadline_is_listed_latest_first_with_what_happened(
    account: AccountFigures,
) -> None:
    assert [(m.claim_id, m.how) for m in account.missed] == [
        (8, "not filed and the deadline has passed"),
        (10, "expired without being filed"),
        (6, "filed 2026-11-03, after the deadline"),
        (5, "already past its deadline when the deduction was first seen"),
    ]


def test_money_to_file_next_week_is_by_plan_date(account: AccountFigures) -> None:
    assert [(d.claim_id, d.plan_date) for d in account.due_next_week] == [(4, date(2026, 12, 1))]
    assert account.due_next_week_minor == 3500


def test_denial_reasons_are_grouped_by_their_words_and_ranked(account: AccountFigures) -> None:
    assert [(r.reason, r.decisions, r.denied_minor) for r in account.denial_reasons] == [
        ("Cost was correct per the cost file", 2, 6200),
        ("Units received as per receiving records", 1, 8000),
        ("10 units approved", 1, 6000),  # partly won: 10000 disputed, 4000 back
    ]


def test_chargebacks_by_type_over_the_week_and_13_weeks(account: AccountFigures) -> None:
    assert [
        (g.issue_type, g.sub_type, g.week_count, g.week_minor, g.count_13w, g.minor_13w)
        for g in account.chargeback_types
    ] == [
        ("ASN", "Late ASN", 0, 0, 2, 4700),
        ("Carton Label", "Missing carton content label", 1, 500, 1, 500),
    ]


def test_trend_has_13_weeks_ending_with_the_report_week(account: AccountFigures) -> None:
    labels = [p.label for p in account.trend]
    assert (len(labels), labels[0], labels[-1]) == (13, "2026-W36", "2026-W48")
    last = account.trend[-1]
    assert (last.recoverable_minor, last.recovered_minor) == (3500, 32160)
    assert last.raised_minor == {
        "shortage": 20160,
        "price": 0,
        "coop": 0,
        "chargeback": 0,
        "other": 700,
    }


@pytest.mark.parametrize(
    ("kind", "group"),
    [
        ("shortage", "shortage"),
        ("shortage_reversal", "shortage"),
        ("coop", "coop"),
        ("chargeback", "chargeback"),
        ("price", "price"),
        ("returns", "other"),
        ("provision", "other"),
        ("other", "other"),
    ],
)
def test_deduction_groups(kind: str, group: str) -> None:
    assert deduction_group(kind) == group


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026-W48", (2026, 48)), (" 2026-W01 ", (2026, 1)), ("2026-W53", (2026, 53))],
)
def test_parse_week(text: str, expected: tuple[int, int]) -> None:
    assert parse_week(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-48", "expected an ISO week such as 2026-W48"),
        ("2025-W53", "2025 has no week 53"),
        ("2026-W00", "2026 has no week 0"),
        ("last week", "expected an ISO week"),
    ],
)
def test_a_bad_week_is_refused_in_one_line(text: str, message: str) -> None:
    with pytest.raises(WeekError, match=message):
        parse_week(text)


@pytest.mark.parametrize(
    ("today", "week"),
    [
        (date(2026, 11, 30), (2026, 48)),  # Monday: the week that just ended
        (date(2026, 12, 6), (2026, 48)),  # Sunday: that week is not over yet
        (date(2027, 1, 4), (2026, 53)),
    ],
)
def test_the_default_week_is_the_last_complete_one(today: date, week: tuple[int, int]) -> None:
    assert last_complete_week(today) == week


@pytest.mark.parametrize(
    ("week", "spans"),
    [
        (
            (2026, 48),
            {
                "week": (date(2026, 11, 23), date(2026, 11, 29)),
                "4w": (date(2026, 11, 2), date(2026, 11, 29)),
                "13w": (date(2026, 8, 31), date(2026, 11, 29)),
                "ytd": (date(2026, 1, 1), date(2026, 11, 29)),
            },
        ),
        (
            # ISO week 1 of 2027 starts on Monday 2027-01-04; its year to date is 2027's.
            (2027, 1),
            {
                "week": (date(2027, 1, 4), date(2027, 1, 10)),
                "4w": (date(2026, 12, 14), date(2027, 1, 10)),
                "13w": (date(2026, 10, 12), date(2027, 1, 10)),
                "ytd": (date(2027, 1, 1), date(2027, 1, 10)),
            },
        ),
    ],
)
def test_trailing_periods(week: tuple[int, int], spans: dict[str, tuple[date, date]]) -> None:
    calendar = report_calendar(*week)
    assert {p.key: (p.start, p.end) for p in calendar.trailing} == spans
    assert len(calendar.weeks) == 13
    assert calendar.weeks[-1].start == calendar.week.start
    assert calendar.next_week.start - calendar.week.end == timedelta(days=1)
