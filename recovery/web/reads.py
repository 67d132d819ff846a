"""Every database read the pages make, in one place, so a change in the core is easy to follow.

Lists are filtered, sorted and paged by the database (the queue holds 100k claims and more);
amounts come back as `Decimal` with their currency.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, case, func, not_, or_, select
from sqlmodel import Session

from recovery.claims import drafting, workflow
from recovery.claims.draft_input import DraftInput
from recovery.claims.kinds import KINDS
from recovery.claims.queue import band_now, current_band
from recovery.claims.reader import load_detection_input
from recovery.config import RuleSettings
from recovery.ledger import (
    BankMatch,
    InvoiceBalance,
    Receivable,
    balance_invoices,
    match_bank_deposits,
    receivables,
)
from recovery.models import (
    AuditEntry,
    BankTransaction,
    Claim,
    ClaimEvent,
    ClaimEvidence,
    Deduction,
    EvidenceDocument,
    FilingAttempt,
    ImportBatch,
    JobRun,
    LedgerAdjustment,
    Payment,
    RemittanceKind,
    VendorAccount,
    table_of,
)
from recovery.models.claims import ClaimStatus
from recovery.money import from_minor

S = ClaimStatus
BANDS = ("waiting", "optimal", "maturing", "mature", "expired")
SORTS = {"file_by": "File by, soonest first", "value": "Amount × confidence, largest first"}
OPEN_WORK = (S.needs_evidence, S.ready, S.redispute_ready, S.approved)
# Dashboard figures by status: money still to claim, money Amazon is deciding on.
RECOVERABLE = (S.waiting, S.draft, S.ready, S.needs_evidence, S.approved, S.redispute_ready)
FILED = (S.filing, S.filed)
DECIDED = (S.won, S.partially_won, S.denied)
# Which ledger bucket a claim's amount sits in, by its status (as the ledger buckets it).
CLAIM_BUCKETS = {
    "claimable": (S.waiting, S.draft, S.ready, S.approved),
    "claimed": (S.filing, S.filed, S.redispute_ready),
    "recovered": (S.won, S.partially_won, S.retired),
    "denied": (S.denied, S.closed),
    "written_off": (S.rejected, S.expired),
    "unexplained": (S.needs_evidence,),
}
LEDGER_BUCKETS = ("valid", *CLAIM_BUCKETS)

C = table_of(Claim).c
ACCOUNT = table_of(VendorAccount)


def money(minor: int | None, currency: str) -> Decimal:
    return from_minor(int(minor or 0), currency)


def accounts(session: Session) -> list[VendorAccount]:
    return list(session.scalars(select(VendorAccount).order_by(VendorAccount.vendor_code)))


# ---------------------------------------------------------------- queue


@dataclass(frozen=True)
class QueueFilters:
    type: str = ""
    status: str = "open"  # "open": the statuses that need a person; "": any
    band: str = ""
    account_id: int | None = None
    sort: str = "file_by"
    page: int = 1


@dataclass(frozen=True)
class QueueItem:
    id: int
    type: str
    status: str
    vendor_code: str
    invoice_number: str | None
    po_number: str | None
    asin: str | None
    reference: str
    amount: Decimal
    currency: str
    confidence_pct: int
    deadline: date | None
    days_left: int | None
    band: str | None
    file_by: date | None = None

    @property
    def expected_value(self) -> Decimal:
        return self.amount * self.confidence_pct / 100


@dataclass(frozen=True)
class QueuePage:
    items: list[QueueItem]
    total: int
    page: int
    pages: int
    page_size: int


def _moving_band(band: str, today: date, rules: RuleSettings) -> ColumnElement[bool]:
    """Claims whose band, worked out today as `deadlines.band_for` does, is `band`.

    Kinds with aged bands (shortages, price claims, co-op invoices) age from `age_from`
    (waiting inside Amazon's matching period, then optimal, maturing, mature); the others
    (chargebacks) count the days left to the deadline; every type is expired past its
    deadline."""
    if band == "expired":
        return C.deadline < today
    live = C.deadline >= today
    optimal_from = today + timedelta(days=rules.chargeback_optimal_min_days_left)
    maturing_from = today + timedelta(days=rules.chargeback_maturing_min_days_left)
    by_days_left = {
        "optimal": C.deadline >= optimal_from,
        "maturing": and_(C.deadline >= maturing_from, C.deadline < optimal_from),
        "mature": and_(live, C.deadline < maturing_from),
    }
    by_type: list[ColumnElement[bool]] = []
    for claim_type, kind in KINDS.items():
        aged_bands = kind.window.aged_bands
        if aged_bands is None:
            if band in by_days_left:
                by_type.append(and_(C.type == claim_type, by_days_left[band]))
            continue
        wait = kind.window.matching_days(rules)
        optimal, maturing = aged_bands(rules)
        opened = C.age_from <= today - timedelta(days=wait)
        by_age = {
            "waiting": C.age_from > today - timedelta(days=wait),
            "optimal": and_(opened, C.age_from >= today - timedelta(days=optimal)),
            "maturing": and_(
                opened,
                C.age_from < today - timedelta(days=optimal),
                C.age_from >= today - timedelta(days=maturing),
            ),
            "mature": and_(opened, C.age_from < today - timedelta(days=maturing)),
        }
        by_type.append(and_(C.type == claim_type, live, by_age[band]))
    return or_(*by_type)


def _band_conditions(
    band: str, statuses: Sequence[str], today: date, rules: RuleSettings
) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """The band filter for claims with a deadline and for those without one.

    Before filing a claim's band moves with the clock (`queue.band_now`), so the filter works it
    out for today; after filing, and for claims stored before their age was, it is the band
    stored at the last run. When the status filter keeps only one kind, only that half is
    asked."""
    pre_filing = [s.value for s in workflow.PRE_FILING]
    stored = C.band == band
    moving = or_(and_(C.age_from.is_not(None), _moving_band(band, today, rules)),
                 and_(C.age_from.is_(None), stored))  # fmt: skip
    if statuses and all(s in pre_filing for s in statuses):
        dated = moving
    elif statuses and not any(s in pre_filing for s in statuses):
        dated = stored
    else:
        pre = C.status.in_(pre_filing)
        dated = or_(and_(pre, moving), and_(not_(pre), stored))
    return dated, stored


@dataclass(frozen=True)
class _Conditions:
    """The filters as conditions: on every claim, and for the claims with and without a
    deadline apart (the band filter differs, and the two are paged one after the other)."""

    common: list[ColumnElement[bool]]
    dated: list[ColumnElement[bool]]
    undated: list[ColumnElement[bool]]

    @property
    def all(self) -> list[ColumnElement[bool]]:
        return [*self.common, or_(and_(*self.dated), and_(*self.undated))]


def _queue_conditions(
    filters: QueueFilters, today: date, rules: RuleSettings, *, walk: bool = False
) -> _Conditions:
    """`walk`: for a query that walks an index in the page's order; the filtered columns are
    then wrapped (`status || ''`, `account_id + 0`) so no planner (SQLite without statistics
    above all) fetches every match by their own index and sorts them."""
    status: ColumnElement[Any] = C.status
    kind: ColumnElement[Any] = C.type
    account: ColumnElement[Any] = C.account_id
    if walk:
        status, kind, account = status.concat(""), kind.concat(""), account + 0
    common: list[ColumnElement[bool]] = []
    if filters.type:
        common.append(kind == filters.type)
    statuses: list[str] = []
    if filters.status == "open":
        statuses = [s.value for s in OPEN_WORK]
    elif filters.status:
        statuses = [filters.status]
    if statuses:
        common.append(status.in_(statuses))
    if filters.account_id is not None:
        common.append(account == filters.account_id)
    dated: list[ColumnElement[bool]] = [C.file_by.is_not(None)]
    undated: list[ColumnElement[bool]] = [C.file_by.is_(None)]
    if filters.band:
        by_deadline, by_stored = _band_conditions(filters.band, statuses, today, rules)
        dated.append(by_deadline)
        undated.append(by_stored)
    return _Conditions(common, dated, undated)


_QUEUE_COLUMNS = (
    C.id,
    C.type,
    C.status,
    ACCOUNT.c.vendor_code,
    C.invoice_number,
    C.po_number,
    C.asin,
    C.reference,
    C.amount_minor,
    C.currency,
    C.confidence_pct,
    C.deadline,
    C.file_by,
    C.age_from,
    C.band,
)


def _item(row: Any, today: date, rules: RuleSettings) -> QueueItem:
    """A queue item from a row of `_QUEUE_COLUMNS` (a SQLAlchemy Row of any width), its band
    as it stands today."""
    days_left = (row.deadline - today).days if row.deadline else None
    return QueueItem(
        id=row.id,
        type=row.type,
        status=row.status,
        vendor_code=row.vendor_code,
        invoice_number=row.invoice_number,
        po_number=row.po_number,
        asin=row.asin,
        reference=row.reference,
        amount=money(row.amount_minor, row.currency),
        currency=row.currency,
        confidence_pct=row.confidence_pct,
        deadline=row.deadline,
        days_left=days_left,
        band=band_now(row.type, row.status, row.band, row.age_from, row.deadline, today, rules),
        file_by=row.file_by,
    )


# Below this many matching claims the database sorts them; above, it walks an index in order.
_SORT_IN_MEMORY_UP_TO = 2000


def _count(session: Session, conditions: Sequence[ColumnElement[bool]]) -> int:
    query = select(func.count()).select_from(table_of(Claim)).where(*conditions)
    return int(session.connection().execute(query).scalar_one())


def _queue_rows(
    session: Session,
    conditions: Sequence[ColumnElement[bool]],
    order: Sequence[ColumnElement[Any]],
    limit: int,
    offset: int,
) -> list[Row[Any]]:
    if limit <= 0:
        return []
    query = (
        select(*_QUEUE_COLUMNS)
        .join(ACCOUNT, ACCOUNT.c.id == C.account_id)
        .where(*conditions)
        .order_by(*order)
        .limit(limit)
        .offset(offset)
    )
    return list(session.connection().execute(query))


def queue_page(
    session: Session, filters: QueueFilters, today: date, rules: RuleSettings, page_size: int
) -> QueuePage:
    """One page of the queue. Both orders follow an index (`ix_claim_file_by_id`,
    `ix_claim_expected_value`), so the database stops after a page instead of sorting all."""
    conditions = _queue_conditions(filters, today, rules)
    dated_total = _count(session, [*conditions.common, *conditions.dated])
    total = dated_total + _count(session, [*conditions.common, *conditions.undated])
    pages = max(1, -(-total // page_size))
    page = min(max(filters.page, 1), pages)
    offset = (page - 1) * page_size
    # Few matches: sorting them is cheapest. Many: walk the index of the order
    # (`ix_claim_file_by_id`, `ix_claim_expected_value`) and stop after a page.
    if total > _SORT_IN_MEMORY_UP_TO:
        conditions = _queue_conditions(filters, today, rules, walk=True)
    if filters.sort == "value":
        value = (C.amount_minor * C.confidence_pct).desc()
        rows = _queue_rows(session, conditions.all, [value, C.id.desc()], page_size, offset)
    else:
        # Soonest file_by first and claims without one last, on every database (SQLite and
        # PostgreSQL place NULLs at opposite ends): the dated ones, then the undated.
        rows = _queue_rows(
            session, [*conditions.common, *conditions.dated], [C.file_by, C.id],
            min(page_size, dated_total - offset), offset,
        )  # fmt: skip
        rows += _queue_rows(
            session, [*conditions.common, *conditions.undated], [C.id],
            page_size - len(rows), max(0, offset - dated_total),
        )  # fmt: skip
    items = [_item(row, today, rules) for row in rows]
    return QueuePage(items, total, page, pages, page_size)


def claims_by_id(session: Session, claim_ids: Sequence[int]) -> list[Claim]:
    if not claim_ids:
        return []
    return list(session.scalars(select(Claim).where(C.id.in_(list(claim_ids))).order_by(C.id)))


# ---------------------------------------------------------------- dashboard


@dataclass
class MoneyByCurrency:
    values: dict[str, Decimal] = field(default_factory=dict)

    def add(self, currency: str, minor: int) -> None:
        self.values[currency] = self.values.get(currency, Decimal(0)) + money(minor, currency)


@dataclass(frozen=True)
class RatePoint:
    month: str  # YYYY-MM
    decided: Decimal
    recovered: Decimal

    @property
    def rate_pct(self) -> Decimal:
        return (
            (self.recovered / self.decided * 100).quantize(Decimal("0.1"))
            if self.decided
            else Decimal(0)
        )


@dataclass(frozen=True)
class GroupFigure:
    vendor_code: str
    type: str
    currency: str
    claims: int
    open_amount: Decimal
    recovered: Decimal


@dataclass
class Dashboard:
    recoverable: MoneyByCurrency
    filed: MoneyByCurrency
    recovered: MoneyByCurrency
    denied: MoneyByCurrency
    rate: list[RatePoint]
    due_this_week: list[QueueItem]
    groups: list[GroupFigure]


def dashboard(session: Session, today: date, rules: RuleSettings) -> Dashboard:
    figures = {name: MoneyByCurrency() for name in ("recoverable", "filed", "recovered", "denied")}
    lost = case(
        (C.status == S.denied.value, C.amount_minor),
        (C.status == S.partially_won.value, C.amount_minor - C.recovered_minor),
        else_=0,
    )
    recoverable_sum = func.sum(
        case((C.status.in_([s.value for s in RECOVERABLE]), C.amount_minor), else_=0)
    )
    filed_sum = func.sum(case((C.status.in_([s.value for s in FILED]), C.amount_minor), else_=0))
    query = select(
        C.currency, recoverable_sum, filed_sum, func.sum(C.recovered_minor), func.sum(lost)
    ).group_by(C.currency)
    for currency, recoverable, filed, recovered, denied in session.connection().execute(query):
        figures["recoverable"].add(currency, recoverable)
        figures["filed"].add(currency, filed)
        figures["recovered"].add(currency, recovered)
        figures["denied"].add(currency, denied)
    return Dashboard(
        **figures,
        rate=_recovery_rate(session, today),
        due_this_week=_due_this_week(session, today, rules),
        groups=_groups(session),
    )


def _recovery_rate(session: Session, today: date, months: int = 12) -> list[RatePoint]:
    """Recovered ÷ decided dollars by the month Amazon decided (won, partly won, denied)."""
    index = today.year * 12 + today.month - 1 - (months - 1)
    start = date(index // 12, index % 12 + 1, 1)
    event_table = table_of(ClaimEvent)
    events = event_table.c
    rows = session.connection().execute(
        select(events.at, C.amount_minor, C.recovered_minor, C.currency)
        .join(event_table, events.claim_id == C.id)
        .where(
            events.action == "transition",
            events.to_status.in_([s.value for s in DECIDED]),
            events.at >= datetime.combine(start, time(), UTC),
        )
    )
    decided: dict[str, Decimal] = defaultdict(Decimal)
    recovered: dict[str, Decimal] = defaultdict(Decimal)
    for at, amount_minor, recovered_minor, currency in rows:
        month = at.strftime("%Y-%m")
        decided[month] += money(amount_minor, currency)
        recovered[month] += money(recovered_minor, currency)
    points = []
    month_start = start
    while month_start <= today:
        key = month_start.strftime("%Y-%m")
        points.append(RatePoint(key, decided[key], recovered[key]))
        month_start = (month_start + timedelta(days=32)).replace(day=1)
    return points


def _due_this_week(session: Session, today: date, rules: RuleSettings) -> list[QueueItem]:
    """Claims not yet filed whose file_by (the plan: a business day on or before Amazon's
    deadline) falls in the next seven days, or has passed while the deadline has not."""
    rows = session.connection().execute(
        select(*_QUEUE_COLUMNS)
        .join(ACCOUNT, ACCOUNT.c.id == C.account_id)
        .where(
            C.status.in_([s.value for s in workflow.PRE_FILING]),
            C.deadline >= today,
            C.file_by <= today + timedelta(days=7),
        )
        .order_by(C.file_by, C.amount_minor.desc(), C.id)
        .limit(25)
    )
    return [_item(row, today, rules) for row in rows]


def _groups(session: Session) -> list[GroupFigure]:
    open_amount = func.sum(
        case((C.status.in_([s.value for s in RECOVERABLE + FILED]), C.amount_minor), else_=0)
    )
    rows = session.connection().execute(
        select(
            ACCOUNT.c.vendor_code,
            C.type,
            C.currency,
            func.count(),
            open_amount,
            func.sum(C.recovered_minor),
        )
        .join(ACCOUNT, ACCOUNT.c.id == C.account_id)
        .group_by(ACCOUNT.c.vendor_code, C.type, C.currency)
        .order_by(ACCOUNT.c.vendor_code, C.type, C.currency)
    )
    return [
        GroupFigure(code, kind, cur, int(n), money(open_minor, cur), money(rec_minor, cur))
        for code, kind, cur, n, open_minor, rec_minor in rows
    ]


# ---------------------------------------------------------------- claim


@dataclass
class ClaimView:
    claim: Claim
    vendor_code: str
    data: DraftInput
    events: Sequence[ClaimEvent]
    filings: list[FilingAttempt]
    days_left: int | None
    band: str | None
    missing: list[str]
    editable: bool


def claim_view(session: Session, claim_id: int, today: date, rules: RuleSettings) -> ClaimView:
    claim = workflow.get_claim(session, claim_id)
    account = session.get(VendorAccount, claim.account_id)
    days_left = (claim.deadline - today).days if claim.deadline else None
    filings = list(
        session.scalars(
            select(FilingAttempt)
            .where(FilingAttempt.claim_id == claim_id)  # type: ignore[arg-type]
            .order_by(FilingAttempt.started_at)  # type: ignore[arg-type]
        )
    )
    return ClaimView(
        claim=claim,
        vendor_code=account.vendor_code if account else "",
        data=drafting.load_draft_input(session, claim),
        events=workflow.audit_trail(session, claim_id),
        filings=filings,
        days_left=days_left,
        band=current_band(claim, today, rules),
        missing=list(claim.draft_fields.get("missing_evidence") or []),
        editable=ClaimStatus(claim.status) in workflow.EDITABLE,
    )


def claim_document(session: Session, claim_id: int, document_id: int) -> EvidenceDocument | None:
    """The document, only when it is linked to this claim."""
    linked = session.scalars(
        select(ClaimEvidence).where(
            ClaimEvidence.claim_id == claim_id,  # type: ignore[arg-type]
            ClaimEvidence.document_id == document_id,  # type: ignore[arg-type]
        )
    ).first()
    return session.get(EvidenceDocument, document_id) if linked is not None else None


# ---------------------------------------------------------------- worklist


@dataclass(frozen=True)
class NeedsEvidence:
    item: QueueItem
    missing: list[str]


@dataclass(frozen=True)
class NeedsLook:
    id: int
    vendor_code: str
    reference: str
    invoice_number: str | None
    description: str
    amount: Decimal
    currency: str


def needs_evidence(session: Session, today: date, rules: RuleSettings) -> list[NeedsEvidence]:
    """Claims waiting for a document (what is missing comes from the draft)."""
    return [
        NeedsEvidence(item, list((fields or {}).get("missing_evidence") or []))
        for item, fields in _person_needed(session, S.needs_evidence, today, rules)
    ]


def needs_look_claims(session: Session, today: date, rules: RuleSettings) -> list[QueueItem]:
    """Claims a rule could not judge (an exception note nobody can count, a chargeback type
    without a rule, money no rule explains): a person looks, then approves or rejects."""
    return [item for item, _ in _person_needed(session, S.needs_look, today, rules)]


def _person_needed(
    session: Session, status: ClaimStatus, today: date, rules: RuleSettings
) -> list[tuple[QueueItem, dict[str, Any] | None]]:
    rows = session.connection().execute(
        select(*_QUEUE_COLUMNS, C.draft_fields)
        .join(ACCOUNT, ACCOUNT.c.id == C.account_id)
        .where(C.status == status.value)
        .order_by(C.file_by.is_(None), C.file_by, C.id)
        .limit(200)
    )
    return [(_item(row, today, rules), row.draft_fields) for row in rows]


def needs_look(session: Session) -> list[NeedsLook]:
    """Deductions no rule can judge (an unknown remittance description): a person decides."""
    d = table_of(Deduction).c
    rows = session.connection().execute(
        select(
            d.id,
            ACCOUNT.c.vendor_code,
            d.reference,
            d.invoice_number,
            d.description,
            d.amount_minor,
            d.currency,
        )
        .join(ACCOUNT, ACCOUNT.c.id == d.account_id)
        .where(d.kind == RemittanceKind.other.value)
        .order_by(d.id)
        .limit(200)
    )
    return [
        NeedsLook(i, code, ref, inv, desc, money(minor, cur), cur)
        for i, code, ref, inv, desc, minor, cur in rows
    ]


# ---------------------------------------------------------------- ledger


@dataclass(frozen=True)
class InvoiceLedger:
    balance: InvoiceBalance
    buckets: dict[str, Decimal]
    adjustments: list[LedgerAdjustment]


@dataclass(frozen=True)
class UnmatchedPayment:
    id: int
    payment_number: str
    payment_date: date | None
    amount: Decimal
    currency: str


@dataclass
class LedgerView:
    account: VendorAccount | None
    invoices: list[InvoiceLedger]
    invoice_count: int
    unmatched: list[UnmatchedPayment]
    deposits: list[BankTransaction]
    receivables: list[Receivable]


def ledger_view(
    session: Session, account_id: int | None, today: date, window_days: int, limit: int = 200
) -> LedgerView:
    all_accounts = accounts(session)
    account = next((a for a in all_accounts if a.id == account_id), None)
    if account is None:
        account = all_accounts[0] if all_accounts else None
    if account is None or account.id is None:
        return LedgerView(None, [], 0, [], [], [])
    conn = session.connection()
    balances = balance_invoices(conn, account.id, unsettled_only=True)
    shown = balances[:limit]
    numbers = [b.invoice_number for b in shown]
    buckets = _claim_buckets(session, account.id, numbers)
    adjustments: dict[str, list[LedgerAdjustment]] = defaultdict(list)
    if numbers:
        for adjustment in session.scalars(
            select(LedgerAdjustment)
            .where(
                LedgerAdjustment.account_id == account.id,  # type: ignore[arg-type]
                LedgerAdjustment.invoice_number.in_(numbers),  # type: ignore[attr-defined]
            )
            .order_by(LedgerAdjustment.at)  # type: ignore[arg-type]
        ):
            adjustments[adjustment.invoice_number].append(adjustment)
    invoices = []
    for balance in shown:
        per_bucket = buckets.get(balance.invoice_number, {})
        deducted = money(balance.deducted, balance.currency)
        judged = sum(per_bucket.values(), Decimal(0))
        # What no claim accounts for was judged valid (or was never disputed).
        valid = max(deducted - judged, Decimal(0))
        values = {
            "valid": valid,
            **{name: per_bucket.get(name, Decimal(0)) for name in CLAIM_BUCKETS},
        }
        invoices.append(InvoiceLedger(balance, values, adjustments.get(balance.invoice_number, [])))
    unmatched, deposits = _unmatched_payments(session, account.id, window_days)
    return LedgerView(
        account, invoices, len(balances), unmatched, deposits, receivables(balances, today)
    )


def _claim_buckets(
    session: Session, account_id: int, numbers: list[str]
) -> dict[str, dict[str, Decimal]]:
    result: dict[str, dict[str, Decimal]] = defaultdict(dict)
    if not numbers:
        return result
    for bucket, statuses in CLAIM_BUCKETS.items():
        for number, currency, total in session.connection().execute(
            select(C.invoice_number, C.currency, func.sum(C.amount_minor))
            .where(
                C.account_id == account_id,
                C.invoice_number.in_(numbers),
                C.status.in_([s.value for s in statuses]),
            )
            .group_by(C.invoice_number, C.currency)
        ):
            result[number][bucket] = result[number].get(bucket, Decimal(0)) + money(total, currency)
    return result


def _unmatched_payments(
    session: Session, account_id: int, window_days: int
) -> tuple[list[UnmatchedPayment], list[BankTransaction]]:
    """Payments with no bank deposit: neither matched by the ledger's rule nor by a person."""
    frames = load_detection_input(session.connection(), account_id, only={"payments", "bank"})
    matches: list[BankMatch] = match_bank_deposits(frames, window_days)
    matched_numbers = {m.payment_number for m in matches}
    used_deposits = {i for m in matches for i in m.deposit_ids}
    payments = list(
        session.scalars(
            select(Payment)
            .where(Payment.account_id == account_id)  # type: ignore[arg-type]
            .order_by(Payment.payment_date, Payment.payment_number)  # type: ignore[arg-type]
        )
    )
    used_deposits |= {p.bank_transaction_id for p in payments if p.bank_transaction_id}
    unmatched = [
        UnmatchedPayment(
            p.id, p.payment_number, p.payment_date, money(p.amount_minor, p.currency), p.currency
        )
        for p in payments
        if p.id is not None
        and p.bank_transaction_id is None
        and p.payment_number not in matched_numbers
    ]
    deposits = [
        t
        for t in session.scalars(
            select(BankTransaction)
            .where(BankTransaction.account_id == account_id)  # type: ignore[arg-type]
            .order_by(BankTransaction.booked_on)  # type: ignore[arg-type]
        )
        if t.id not in used_deposits and t.amount_minor > 0
    ]
    return unmatched, deposits


# ---------------------------------------------------------------- imports, jobs, audit


def recent_imports(session: Session, limit: int = 50) -> list[ImportBatch]:
    return list(
        session.scalars(
            select(ImportBatch).order_by(ImportBatch.imported_at.desc()).limit(limit)  # type: ignore[attr-defined]
        )
    )


def recent_job_runs(session: Session, limit: int = 100) -> list[JobRun]:
    return list(
        session.scalars(
            select(JobRun).order_by(JobRun.started_at.desc()).limit(limit)  # type: ignore[attr-defined]
        )
    )


def recent_audit(session: Session, limit: int = 200) -> list[AuditEntry]:
    return list(
        session.scalars(
            select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)  # type: ignore[union-attr]
        )
    )
