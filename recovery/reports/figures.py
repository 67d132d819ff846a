"""The weekly summary's figures, computed from plain rows: no database, no rendering.

Every figure is a flow inside a period (what happened between its first and last day) except
the open items at the end (short-pays, receivables, unmatched payments), which are the ledger's
state as of the week's end. Definitions, as the report prints them:

- recoverable $: the amount of the claims drafted in the period (a claim drafted after its
  deadline had passed is not recoverable: it is listed as a missed deadline instead; a claim
  still waiting for a document or a person's look is neither drafted nor recoverable yet);
- disputed $: the amount of the claims filed in the period (a claim's first filing);
- recovered $: what the claims decided won or partly won in the period got back;
- recovery rate on disputed: recovered ÷ the disputed amount of the claims decided in the
  period, so it compares like with like and never exceeds 100 %; on recoverable: recovered ÷
  recoverable of the same period;
- win rate: (won + partly won) ÷ decisions;
- a deadline is missed when a claim was filed after it, expired unfiled, or is still unfiled
  with its deadline behind the week's end. It must read 0.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from recovery.claims.kinds import KINDS
from recovery.claims.workflow import PRE_FILING
from recovery.ledger import InvoiceBalance, Receivable
from recovery.models.claims import ClaimStatus
from recovery.reports.periods import Period, ReportCalendar
from recovery.reports.rows import AccountRows, ChargebackRow, ClaimRow, PaymentRow, StatusChange

CLAIM_TYPES = tuple(KINDS)
# Deductions no claim type answers (returns, allowances, provisions, unknown) are shown together.
DEDUCTION_GROUPS = (*CLAIM_TYPES, "other")
DECISIONS = ("won", "partially_won", "denied")
TOP_DENIAL_REASONS = 5
_UNFILED = frozenset(s.value for s in PRE_FILING)

# Drafted, but not money a rule stands behind yet: the claim needs a document or a person.
WAITING_FOR_A_PERSON = frozenset({ClaimStatus.needs_evidence.value, ClaimStatus.needs_look.value})


@dataclass
class TypeFigures:
    type: str
    deductions_raised: int = 0
    deductions_raised_minor: int = 0
    drafted: int = 0
    recoverable_minor: int = 0
    filed: int = 0
    disputed_minor: int = 0
    won: int = 0
    partly_won: int = 0
    denied: int = 0
    decided_minor: int = 0  # the disputed amount of the period's decisions
    recovered_minor: int = 0
    deadlines_missed: int = 0
    days_to_file: list[int] = field(default_factory=list)
    days_to_decision: list[int] = field(default_factory=list)

    @property
    def decisions(self) -> int:
        return self.won + self.partly_won + self.denied

    @property
    def recovery_rate_disputed(self) -> Decimal | None:
        return _ratio(self.recovered_minor, self.decided_minor)

    @property
    def recovery_rate_recoverable(self) -> Decimal | None:
        return _ratio(self.recovered_minor, self.recoverable_minor)

    @property
    def win_rate(self) -> Decimal | None:
        return _ratio(self.won + self.partly_won, self.decisions)

    @property
    def avg_days_to_file(self) -> Decimal | None:
        return _mean(self.days_to_file)

    @property
    def avg_days_to_decision(self) -> Decimal | None:
        return _mean(self.days_to_decision)

    def absorb(self, other: TypeFigures) -> None:
        for name in (
            "deductions_raised",
            "deductions_raised_minor",
            "drafted",
            "recoverable_minor",
            "filed",
            "disputed_minor",
            "won",
            "partly_won",
            "denied",
            "decided_minor",
            "recovered_minor",
            "deadlines_missed",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.days_to_file.extend(other.days_to_file)
        self.days_to_decision.extend(other.days_to_decision)


@dataclass(frozen=True)
class PeriodFigures:
    period: Period
    types: dict[str, TypeFigures]  # every group of DEDUCTION_GROUPS, in that order
    total: TypeFigures

    @property
    def rows(self) -> list[TypeFigures]:
        """Each group, then the total: the order every table shows them in."""
        return [*self.types.values(), self.total]


@dataclass(frozen=True)
class MissedDeadline:
    claim_id: int
    type: str
    reference: str
    deadline: date
    amount_minor: int
    status: str
    how: str


@dataclass(frozen=True)
class DueClaim:
    claim_id: int
    type: str
    reference: str
    invoice_number: str | None
    plan_date: date
    deadline: date | None
    amount_minor: int
    status: str


@dataclass(frozen=True)
class DenialReason:
    reason: str
    decisions: int
    denied_minor: int  # what those decisions refused


@dataclass
class ChargebackType:
    issue_type: str
    sub_type: str
    week_count: int = 0
    week_minor: int = 0
    count_13w: int = 0
    minor_13w: int = 0


@dataclass(frozen=True)
class WeekPoint:
    label: str
    recoverable_minor: int
    recovered_minor: int
    raised_minor: dict[str, int]  # by deduction group


@dataclass(frozen=True)
class AccountFigures:
    vendor_code: str
    name: str
    currency: str
    periods: list[PeriodFigures]
    missed: list[MissedDeadline]
    due_next_week: list[DueClaim]
    denial_reasons: list[DenialReason]
    chargeback_types: list[ChargebackType]
    short_pays: list[InvoiceBalance]
    receivables: list[Receivable]
    unmatched_payments: list[PaymentRow]
    trend: list[WeekPoint]

    @property
    def week(self) -> PeriodFigures:
        return self.periods[0]

    @property
    def due_next_week_minor(self) -> int:
        return sum(d.amount_minor for d in self.due_next_week)

    @property
    def short_paid_minor(self) -> int:
        return sum(b.short_paid for b in self.short_pays)

    @property
    def receivables_minor(self) -> int:
        return sum(r.open_amount for r in self.receivables)

    @property
    def unmatched_minor(self) -> int:
        return sum(p.amount_minor for p in self.unmatched_payments)


@dataclass(frozen=True)
class WeeklyReport:
    calendar: ReportCalendar
    accounts: list[AccountFigures]

    @property
    def title(self) -> str:
        return f"Weekly recovery summary, {self.calendar.week.label.removeprefix('Week ')}"


def deduction_group(kind: str) -> str:
    family = kind.removesuffix("_reversal")
    return family if family in CLAIM_TYPES else "other"


@dataclass(frozen=True)
class _ClaimHistory:
    """When a claim was first filed, and each decision with the filing it answered."""

    first_filed: date | None
    expired: bool  # expired unfiled
    born_expired: bool  # drafted after its deadline: the deduction was seen too late
    decisions: list[tuple[StatusChange, date | None, bool]]  # change, filed on, last positive


def _histories(
    claims: Sequence[ClaimRow], changes: Iterable[StatusChange]
) -> dict[int, _ClaimHistory]:
    by_claim: dict[int, list[StatusChange]] = defaultdict(list)
    for change in changes:
        by_claim[change.claim_id].append(change)
    result = {}
    for claim in claims:
        first_filed: date | None = None
        last_filed: date | None = None
        decisions: list[tuple[StatusChange, date | None]] = []
        expired = False
        for change in by_claim.get(claim.id, []):
            if change.to_status == "filed":
                first_filed = first_filed or change.on
                last_filed = change.on
            elif change.to_status in DECISIONS:
                decisions.append((change, last_filed))
            elif change.to_status == "expired":
                expired = True
        # A re-disputed claim keeps one recovered amount: it counts once, at its last win.
        positive = [i for i, (c, _) in enumerate(decisions) if c.to_status != "denied"]
        last_positive = positive[-1] if positive else -1
        result[claim.id] = _ClaimHistory(
            first_filed,
            expired or claim.status == "expired",
            claim.deadline is not None and claim.deadline < claim.drafted_on,
            [(c, filed, i == last_positive) for i, (c, filed) in enumerate(decisions)],
        )
    return result


def _missed(claim: ClaimRow, history: _ClaimHistory, week_end: date) -> MissedDeadline | None:
    if claim.deadline is None:
        return None
    how = None
    if history.first_filed is not None:
        if history.first_filed > claim.deadline:
            how = f"filed {history.first_filed.isoformat()}, after the deadline"
    elif history.born_expired:
        how = "already past its deadline when the deduction was first seen"
    elif history.expired:
        how = "expired without being filed"
    elif claim.status in _UNFILED and claim.deadline <= week_end:
        how = "not filed and the deadline has passed"
    if how is None:
        return None
    return MissedDeadline(
        claim.id, claim.type, claim.reference, claim.deadline, claim.amount_minor, claim.status, how
    )


def _period_figures(
    period: Period,
    rows: AccountRows,
    histories: dict[int, _ClaimHistory],
    missed: dict[int, MissedDeadline],
) -> PeriodFigures:
    types = {group: TypeFigures(group) for group in DEDUCTION_GROUPS}
    for deduction in rows.deductions:
        if deduction.amount_minor > 0 and deduction.raised_on in period:
            figures = types[deduction_group(deduction.kind)]
            figures.deductions_raised += 1
            figures.deductions_raised_minor += deduction.amount_minor
    for claim in rows.claims:
        figures = types[deduction_group(claim.type)]
        history = histories[claim.id]
        if (
            claim.drafted_on in period
            and not history.born_expired
            and claim.status not in WAITING_FOR_A_PERSON
        ):
            figures.drafted += 1
            figures.recoverable_minor += claim.amount_minor
        filed_on = history.first_filed
        if filed_on is not None and filed_on in period:
            figures.filed += 1
            figures.disputed_minor += claim.amount_minor
            if claim.deduction_on is not None:
                figures.days_to_file.append((filed_on - claim.deduction_on).days)
        for change, answered, counts_recovery in history.decisions:
            if change.on not in period:
                continue
            if change.to_status == "won":
                figures.won += 1
            elif change.to_status == "partially_won":
                figures.partly_won += 1
            else:
                figures.denied += 1
            figures.decided_minor += claim.amount_minor
            if counts_recovery:
                figures.recovered_minor += claim.recovered_minor
            if answered is not None:
                figures.days_to_decision.append((change.on - answered).days)
        miss = missed.get(claim.id)
        if miss is not None and miss.deadline in period:
            figures.deadlines_missed += 1
    total = TypeFigures("total")
    for figures in types.values():
        total.absorb(figures)
    return PeriodFigures(period, types, total)


def _denial_reasons(
    claims: Sequence[ClaimRow], histories: dict[int, _ClaimHistory], period: Period
) -> list[DenialReason]:
    counts: Counter[str] = Counter()
    refused: Counter[str] = Counter()
    for claim in claims:
        for change, _, counts_recovery in histories[claim.id].decisions:
            if change.on not in period or change.to_status == "won":
                continue
            reason = " ".join(change.note.split()) or "(no reason recorded)"
            counts[reason] += 1
            if change.to_status == "denied":
                refused[reason] += claim.amount_minor
            else:
                refused[reason] += claim.amount_minor - (
                    claim.recovered_minor if counts_recovery else 0
                )
    ranked = sorted(counts, key=lambda r: (-counts[r], -refused[r], r))
    return [DenialReason(r, counts[r], refused[r]) for r in ranked[:TOP_DENIAL_REASONS]]


def _chargeback_types(
    chargebacks: Iterable[ChargebackRow], week: Period, quarter: Period
) -> list[ChargebackType]:
    groups: dict[tuple[str, str], ChargebackType] = {}
    for row in chargebacks:
        if row.notified_on not in quarter:
            continue
        key = (row.issue_type.strip(), row.sub_type.strip())
        group = groups.setdefault(key, ChargebackType(*key))
        group.count_13w += 1
        group.minor_13w += row.amount_minor
        if row.notified_on in week:
            group.week_count += 1
            group.week_minor += row.amount_minor
    return sorted(
        groups.values(), key=lambda g: (-g.minor_13w, -g.count_13w, g.issue_type, g.sub_type)
    )


def _trend(
    rows: AccountRows, weeks: Sequence[Period], histories: dict[int, _ClaimHistory]
) -> list[WeekPoint]:
    points = []
    for week in weeks:
        recoverable = sum(
            c.amount_minor
            for c in rows.claims
            if c.drafted_on in week
            and not histories[c.id].born_expired
            and c.status not in WAITING_FOR_A_PERSON
        )
        recovered = sum(
            c.recovered_minor
            for c in rows.claims
            for change, _, counts in histories[c.id].decisions
            if counts and change.on in week
        )
        raised = dict.fromkeys(DEDUCTION_GROUPS, 0)
        for d in rows.deductions:
            if d.amount_minor > 0 and d.raised_on in week:
                raised[deduction_group(d.kind)] += d.amount_minor
        points.append(WeekPoint(week.label, recoverable, recovered, raised))
    return points


def account_figures(rows: AccountRows, calendar: ReportCalendar) -> AccountFigures:
    week_end = calendar.week.end
    histories = _histories(rows.claims, rows.changes)
    missed = {
        m.claim_id: m
        for m in (_missed(c, histories[c.id], week_end) for c in rows.claims)
        if m is not None
    }
    periods = [_period_figures(p, rows, histories, missed) for p in calendar.trailing]
    quarter = next(p for p in calendar.trailing if p.key == "13w")
    listed_from = calendar.earliest
    due = [
        DueClaim(
            c.id,
            c.type,
            c.reference,
            c.invoice_number,
            c.plan_date,
            c.deadline,
            c.amount_minor,
            c.status,
        )
        for c in rows.claims
        if c.status in _UNFILED and c.plan_date is not None and c.plan_date in calendar.next_week
    ]
    return AccountFigures(
        vendor_code=rows.vendor_code,
        name=rows.name,
        currency=rows.currency,
        periods=periods,
        missed=sorted(
            (m for m in missed.values() if listed_from <= m.deadline <= week_end),
            # Latest first: this week's misses on top of any backlog.
            key=lambda m: (-m.deadline.toordinal(), m.claim_id),
        ),
        due_next_week=sorted(due, key=lambda d: (d.plan_date, -d.amount_minor, d.claim_id)),
        denial_reasons=_denial_reasons(rows.claims, histories, quarter),
        chargeback_types=_chargeback_types(rows.chargebacks, calendar.week, quarter),
        short_pays=sorted(rows.short_pays, key=lambda b: (-b.short_paid, b.invoice_number)),
        receivables=rows.receivables,
        unmatched_payments=rows.unmatched_payments,
        trend=_trend(rows, calendar.weeks, histories),
    )


def _ratio(part: int, whole: int) -> Decimal | None:
    return None if whole == 0 else Decimal(part) / Decimal(whole)


def _mean(values: Sequence[int]) -> Decimal | None:
    if not values:
        return None
    # Half up, as people round: 30.25 days reads 30.3.
    return (Decimal(sum(values)) / Decimal(len(values))).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
