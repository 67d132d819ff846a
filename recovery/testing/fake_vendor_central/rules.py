"""How the fake portal judges a dispute: windows, win odds and the decision. Pure functions.

The windows are DOMAIN.md's: a shortage cannot be disputed while Amazon's matching runs (35 days
after the due date) and not after 24 months; price claims have the same hard limit; co-op
invoices two years from the invoice date; chargebacks 30 days from the notification, and one
second dispute within 30 days of the first rejection. A re-dispute of the other kinds is taken
within ~40 days of the first resolution. The odds fall with the invoice age as recovery firms
report (optimal, maturing, mature); they are a setting of the fake, seeded per dispute.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from recovery.testing.fake_vendor_central.model import DisputeType, Outcome
from recovery.testing.fake_vendor_central.scenario_source import Recoverable


@dataclass(frozen=True)
class Windows:
    matching_days: int = 35
    hard_limit_months: int = 24
    chargeback_days: int = 30
    redispute_days: int = 40
    chargeback_redispute_days: int = 30
    review_days: int = 14  # from filing to Amazon's decision


@dataclass(frozen=True)
class Odds:
    """Chance that a dispute Amazon should approve is approved, by the invoice age at filing
    (days from the anchor date: due date, co-op invoice date or chargeback notice)."""

    optimal_until: int = 65
    maturing_until: int = 120
    optimal: float = 0.92
    maturing: float = 0.75
    mature: float = 0.45

    @classmethod
    def certain(cls) -> Odds:
        """Every provable dispute wins: for tests that check the rules, not the luck."""
        return cls(optimal=1.0, maturing=1.0, mature=1.0)

    def at(self, age_days: int) -> float:
        if age_days <= self.optimal_until:
            return self.optimal
        if age_days <= self.maturing_until:
            return self.maturing
        return self.mature


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    target = day.day
    while True:
        try:
            return date(year, month + 1, target)
        except ValueError:
            target -= 1


def matching_runs(kind: DisputeType, anchor: date, today: date, windows: Windows) -> bool:
    """Amazon's own matching still runs: the portal does not take a shortage dispute yet."""
    return kind == DisputeType.shortage and today < anchor + timedelta(days=windows.matching_days)


def last_day(kind: DisputeType, anchor: date, windows: Windows) -> date:
    """The last day Amazon accepts a first dispute of this kind (calendar days, weekends too)."""
    if kind == DisputeType.chargeback:
        return anchor + timedelta(days=windows.chargeback_days)
    return add_months(anchor, windows.hard_limit_months)


def redispute_last_day(kind: DisputeType, resolved_on: date, windows: Windows) -> date:
    days = (
        windows.chargeback_redispute_days
        if kind == DisputeType.chargeback
        else windows.redispute_days
    )
    return resolved_on + timedelta(days=days)


def roll(seed: int, dispute_id: str) -> float:
    """The same dispute gets the same luck on every run of the same scenario."""
    return random.Random(f"{seed}:{dispute_id}").random()


@dataclass(frozen=True)
class LineClaim:
    """One disputed line as the judge sees it."""

    dispute_quantity: int | None
    dispute_minor: int
    unit_price_minor: int | None
    truth: Recoverable | None  # None: the deduction is valid
    already_approved_minor: int = 0  # by the first dispute, when this is a re-dispute
    proven: bool = True  # the right document was attached (when one is needed)


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    approved: list[tuple[int | None, int]]  # (quantity, amount) per line
    resolution: str


def decide(
    lines: list[LineClaim],
    *,
    in_window: bool,
    odds: float,
    luck: float,
) -> Decision:
    """Approve what is recoverable and proven, deny the rest; the odds decide the luck."""
    zero: list[tuple[int | None, int]] = [
        (0 if c.dispute_quantity is not None else None, 0) for c in lines
    ]
    if not in_window:
        return Decision(Outcome.denied, zero, "Denied: the dispute was filed outside the window.")
    approved: list[tuple[int | None, int]] = []
    unproven = False
    for claim in lines:
        if claim.truth is None:
            approved.append((0 if claim.dispute_quantity is not None else None, 0))
            continue
        if claim.truth.needs_document and not claim.proven:
            unproven = True
            approved.append((0 if claim.dispute_quantity is not None else None, 0))
            continue
        approved.append(_approvable(claim))
    requested = sum(c.dispute_minor for c in lines)
    total = sum(amount for _, amount in approved)
    if total == 0:
        reason = (
            "Denied: no signed proof of delivery showing the PO number for the freight term."
            if unproven
            else "Denied: Amazon's records support the deduction."
        )
        return Decision(Outcome.denied, zero, reason)
    if luck >= odds:
        return Decision(Outcome.denied, zero, "Denied: Amazon's review upheld the deduction.")
    if total >= requested:
        return Decision(Outcome.approved, approved, "Approved in full.")
    return Decision(
        Outcome.partial, approved, "Partially approved: only part of the amount is supported."
    )


def _approvable(claim: LineClaim) -> tuple[int | None, int]:
    truth = claim.truth
    assert truth is not None
    left = max(truth.amount_minor - claim.already_approved_minor, 0)
    if claim.dispute_quantity is not None and claim.unit_price_minor and truth.quantity:
        # Shortages are approved in units at the invoiced unit cost.
        units_left = left // claim.unit_price_minor
        units = min(claim.dispute_quantity, units_left, truth.quantity)
        return units, min(units * claim.unit_price_minor, claim.dispute_minor)
    amount = min(claim.dispute_minor, left)
    quantity = claim.dispute_quantity if claim.dispute_quantity is not None else None
    return quantity, amount
