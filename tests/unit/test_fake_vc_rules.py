"""How the fake Vendor Central judges disputes: windows, odds and decisions (pure rules)."""

from __future__ import annotations

from datetime import date

import pytest

from recovery.testing.fake_vendor_central.model import DisputeType, Outcome
from recovery.testing.fake_vendor_central.rules import (
    LineClaim,
    Odds,
    Windows,
    add_months,
    decide,
    last_day,
    matching_runs,
    redispute_last_day,
    roll,
)
from recovery.testing.fake_vendor_central.scenario_source import Recoverable

W = Windows()
DUE = date(2026, 3, 16)


@pytest.mark.parametrize(
    ("kind", "today", "runs"),
    [
        (DisputeType.shortage, date(2026, 4, 19), True),  # day 34 after the due date
        (DisputeType.shortage, date(2026, 4, 20), False),  # day 35: matching has ended
        (DisputeType.price, date(2026, 3, 17), False),  # price claims do not wait
        (DisputeType.coop, date(2026, 3, 17), False),
    ],
)
def test_shortages_wait_for_amazons_matching(kind: DisputeType, today: date, runs: bool) -> None:
    assert matching_runs(kind, DUE, today, W) is runs


@pytest.mark.parametrize(
    ("kind", "anchor", "last"),
    [
        (DisputeType.shortage, DUE, date(2028, 3, 16)),  # 24 months
        (DisputeType.price, date(2026, 2, 28), date(2028, 2, 28)),
        (DisputeType.coop, date(2024, 2, 29), date(2026, 2, 28)),  # clamped to the month's end
        (DisputeType.chargeback, date(2026, 10, 22), date(2026, 11, 21)),  # 30 calendar days
    ],
)
def test_last_day_of_a_first_dispute(kind: DisputeType, anchor: date, last: date) -> None:
    assert last_day(kind, anchor, W) == last


@pytest.mark.parametrize(
    ("kind", "resolved", "last"),
    [
        (DisputeType.shortage, date(2026, 12, 14), date(2027, 1, 23)),
        (DisputeType.chargeback, date(2026, 12, 14), date(2027, 1, 13)),
    ],
)
def test_last_day_of_a_re_dispute(kind: DisputeType, resolved: date, last: date) -> None:
    assert redispute_last_day(kind, resolved, W) == last


def test_add_months_clamps() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 30), 24) == date(2028, 11, 30)


def _shortage(
    disputed: int, recoverable: int | None, *, proven: bool = True, before: int = 0
) -> LineClaim:
    price = 3534
    truth = None if recoverable is None else Recoverable(recoverable * price, recoverable, True)
    return LineClaim(disputed, disputed * price, price, truth, before * price, proven)


def _amount(disputed: int, recoverable: int | None, *, needs_document: bool = False) -> LineClaim:
    truth = None if recoverable is None else Recoverable(recoverable, None, needs_document)
    return LineClaim(None, disputed, None, truth, 0, False)


@pytest.mark.parametrize(
    ("name", "lines", "in_window", "luck", "outcome", "approved"),
    [
        (
            "recoverable and proven",
            [_shortage(40, 40)],
            True,
            0.0,
            Outcome.approved,
            [(40, 141360)],
        ),
        (
            "asked for more than is owed",
            [_shortage(47, 11)],
            True,
            0.0,
            Outcome.partial,
            [(11, 38874)],
        ),
        (
            "asked for less than is owed",
            [_shortage(5, 11)],
            True,
            0.0,
            Outcome.approved,
            [(5, 17670)],
        ),
        ("a valid deduction", [_shortage(10, None)], True, 0.0, Outcome.denied, [(0, 0)]),
        (
            "no proof of delivery",
            [_shortage(40, 40, proven=False)],
            True,
            0.0,
            Outcome.denied,
            [(0, 0)],
        ),
        ("outside the window", [_shortage(40, 40)], False, 0.0, Outcome.denied, [(0, 0)]),
        ("unlucky", [_shortage(40, 40)], True, 0.99, Outcome.denied, [(0, 0)]),
        (
            "re-dispute of what is left",
            [_shortage(29, 40, before=11)],
            True,
            0.0,
            Outcome.approved,
            [(29, 102486)],
        ),
        (
            "re-dispute when nothing is left",
            [_shortage(36, 11, before=11)],
            True,
            0.0,
            Outcome.denied,
            [(0, 0)],
        ),
        (
            "one line proven, one valid",
            [_shortage(40, 40), _shortage(3, None)],
            True,
            0.0,
            Outcome.partial,
            [(40, 141360), (0, 0)],
        ),
        ("co-op overcharge", [_amount(4594, 4594)], True, 0.0, Outcome.approved, [(None, 4594)]),
        ("co-op asked too much", [_amount(5594, 4594)], True, 0.0, Outcome.partial, [(None, 4594)]),
        (
            "chargeback needing a document",
            [_amount(29262, 29262, needs_document=True)],
            True,
            0.0,
            Outcome.denied,
            [(None, 0)],
        ),
    ],
)
def test_decide(
    name: str,
    lines: list[LineClaim],
    in_window: bool,
    luck: float,
    outcome: Outcome,
    approved: list[tuple[int | None, int]],
) -> None:
    decision = decide(lines, in_window=in_window, odds=0.9, luck=luck)
    assert (decision.outcome, decision.approved) == (outcome, approved), name
    assert decision.resolution


def test_odds_fall_with_invoice_age_and_the_luck_repeats() -> None:
    odds = Odds()
    assert odds.at(40) > odds.at(100) > odds.at(400)
    ids = [f"DSPT{n}" for n in range(2000)]
    assert [roll(7, i) for i in ids] == [roll(7, i) for i in ids]
    assert [roll(7, i) for i in ids] != [roll(8, i) for i in ids]

    def wins(age: int) -> int:
        line = [_shortage(10, 10)]
        return sum(
            decide(line, in_window=True, odds=odds.at(age), luck=roll(7, i)).outcome
            == Outcome.approved
            for i in ids
        )

    optimal, maturing, mature = wins(40), wins(100), wins(400)
    assert optimal > maturing > mature
    assert abs(optimal / len(ids) - odds.optimal) < 0.03
    assert abs(mature / len(ids) - odds.mature) < 0.03
