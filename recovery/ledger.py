"""Reconciliation: where every invoiced and every deducted cent went.

For each vendor invoice, invoiced = paid + terms discount + net deductions + remaining, and
whatever is left over is an unexplained short-pay. Every deducted cent lands in exactly one
bucket (valid, claimable, claimed, recovered, denied, written off, unexplained), payments are
matched to the vendor's bank deposits, and unpaid invoices past due are receivables.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import combinations, pairwise
from typing import NamedTuple, Protocol

import pandas as pd
from sqlalchemy import (
    Connection,
    Date,
    Integer,
    String,
    case,
    cast,
    func,
    literal,
    null,
    select,
    union_all,
)

from recovery.frame_values import as_date, as_int, as_str, column_values, records
from recovery.models import Deduction, Invoice, RemittanceKind, RemittanceLine, table_of
from recovery.money import MinorUnits, to_minor


class LedgerFrames(Protocol):
    """The account's rows the ledger reads, one frame each (detection's input is one)."""

    @property
    def deductions(self) -> pd.DataFrame: ...
    @property
    def payments(self) -> pd.DataFrame: ...
    @property
    def bank(self) -> pd.DataFrame: ...


class Judgement(Protocol):
    """What a rule concluded about some deductions (a claim finding is one): the ledger reads
    only these, so it knows nothing of how claims are found."""

    @property
    def key(self) -> str: ...
    @property
    def verdict(self) -> str: ...  # claimable, needs_evidence, valid, over_invoiced, unexplained
    @property
    def amount(self) -> Decimal: ...
    @property
    def currency(self) -> str: ...
    @property
    def deduction_ids(self) -> tuple[int, ...]: ...


BUCKETS = ("valid", "claimable", "claimed", "recovered", "denied", "written_off", "unexplained")

# Which bucket a claim's amount is in, by the claim's status.
_STATUS_BUCKET = {
    "waiting": "claimable",
    "draft": "claimable",
    "ready": "claimable",
    "needs_evidence": "unexplained",
    "needs_look": "unexplained",
    "approved": "claimable",
    "filing": "claimed",
    "filed": "claimed",
    "redispute_ready": "claimed",
    "won": "recovered",
    "partially_won": "recovered",
    "denied": "denied",
    "closed": "denied",
    "rejected": "written_off",
    "expired": "written_off",
    "retired": "recovered",
}
# Decided by Amazon, for good: each cent is recovered (seen on a remittance), denied, or
# approved and still to be paid ("claimed").
_DECIDED = frozenset({"won", "partially_won", "denied", "closed"})
# Decided once and taken up the ladder (a re-dispute or a statement of open items).
_ON_THE_LADDER = frozenset({"redispute_ready", "approved", "filing", "filed"})
# A finding that needed a person stays unexplained until the person decides: once its claim is
# approved (and on), rejected or expired, it is bucketed by that status like any claim.
_WAITING_FOR_A_PERSON = frozenset({"", "needs_evidence", "needs_look"})
# Deductions no rule judges: contractual ones are valid, the rest need a person.
_UNJUDGED_BUCKET = {"returns": "valid", "allowance": "valid"}


@dataclass(frozen=True)
class InvoiceBalance:
    invoice_number: str
    currency: str
    invoiced: int
    paid: int  # cash received for it: its lines' Amount Paid less the deductions taken
    discount: int
    deducted: int  # net of reversals
    remaining: int
    short_paid: int  # not explained by payments, discounts, deductions or what is still open
    due_date: date | None


@dataclass
class DeductionBuckets:
    """The gross debits of a group of related deductions, split into buckets."""

    key: str
    family: str  # the deductions' kind without "_reversal": shortage, price, coop, ...
    invoice_number: str | None
    currency: str
    gross: int
    buckets: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BUCKETS, 0))
    # Kept as `put` moves money, rather than summed again on every call.
    _allocated: int = field(default=0, repr=False, compare=False)

    @property
    def total(self) -> int:
        return sum(self.buckets.values())

    @property
    def unallocated(self) -> int:
        return self.gross - self._allocated

    def put(self, bucket: str, amount: int) -> None:
        """Move up to `amount` of what is not yet allocated into `bucket`."""
        moved = max(0, min(amount, self.gross - self._allocated))
        self.buckets[bucket] += moved
        self._allocated += moved


@dataclass(frozen=True)
class BankMatch:
    payment_number: str
    deposit_ids: tuple[int, ...]


@dataclass(frozen=True)
class Receivable:
    invoice_number: str
    currency: str
    open_amount: int
    due_date: date
    days_past_due: int


def balance_invoices(
    conn: Connection, account_id: int, *, unsettled_only: bool = False
) -> list[InvoiceBalance]:
    """invoiced = paid + discount + net deductions + remaining, per vendor invoice.

    A remittance pays an invoice on its own line (Amount Paid, less any terms discount) and
    takes deductions on separate negative lines, so the cash the vendor actually got for an
    invoice is what its lines paid less the net deductions that reference it.

    Summed by the database in one pass over the invoices, their payment lines and deductions,
    grouped by invoice number: a run that judges one day's changes then need not read a year of
    invoices and payments to list the few still open. `unsettled_only` keeps the invoices still
    open or paid short (what the summary lists).
    """
    inv, rl, d = table_of(Invoice).c, table_of(RemittanceLine).c, table_of(Deduction).c
    zero, nothing = literal(0, MinorUnits), cast(null(), MinorUnits)
    parts = union_all(
        select(
            inv.invoice_number.label("number"),
            inv.id.label("invoice_id"),
            inv.currency,
            inv.due_date,
            inv.amount_minor.label("invoiced"),
            zero.label("paid"),
            zero.label("discount"),
            nothing.label("remaining"),
            zero.label("deducted"),
            literal(0).label("payments"),
        ).where(inv.account_id == account_id),
        # A payment line pays the base invoice it names, else the invoice number as printed.
        select(
            func.coalesce(func.nullif(rl.base_invoice_number, ""), rl.invoice_number),
            cast(null(), Integer),
            cast(null(), String),
            cast(null(), Date),
            zero,
            rl.paid_minor,
            rl.discount_minor,
            rl.remaining_minor,
            zero,
            literal(1),
        ).where(rl.account_id == account_id, rl.kind == RemittanceKind.invoice_payment.value),
        select(
            d.invoice_number,
            cast(null(), Integer),
            cast(null(), String),
            cast(null(), Date),
            zero,
            zero,
            zero,
            nothing,
            d.amount_minor,
            literal(0),
        ).where(d.account_id == account_id, d.invoice_number != ""),
    ).subquery("parts")
    p = parts.c
    invoiced, line_paid, discount = func.sum(p.invoiced), func.sum(p.paid), func.sum(p.discount)
    # Each payment states what is still open after it, so the smallest is the latest; an
    # invoice no payment line names is still open in full.
    remaining = case((func.sum(p.payments) == 0, invoiced), else_=func.min(p.remaining))
    invoice_id = func.max(p.invoice_id)
    query = (
        select(
            p.number,
            func.max(p.currency),
            invoiced,
            line_paid,
            discount,
            func.sum(p.deducted),
            remaining,
            func.max(p.due_date),
        )
        .group_by(p.number)
        .having(invoice_id.is_not(None))  # payments and deductions of invoices never imported
        .order_by(invoice_id)
    )
    if unsettled_only:
        # Short-paid (the short pay below: the deductions cancel out) or still open.
        query = query.having((invoiced - line_paid - discount - remaining != 0) | (remaining > 0))
    balances = []
    for number, currency, amount, cash, off, taken_off, left, due in conn.execute(query):
        paid = int(cash) - int(taken_off)
        balances.append(
            InvoiceBalance(
                invoice_number=str(number),
                currency=str(currency),
                invoiced=int(amount),
                paid=paid,
                discount=int(off),
                deducted=int(taken_off),
                remaining=int(left),
                short_paid=int(amount) - paid - int(off) - int(taken_off) - int(left),
                due_date=due,
            )
        )
    return balances


def receivables(balances: Iterable[InvoiceBalance], today: date) -> list[Receivable]:
    """Invoices past their due date with money still open, oldest first."""
    result = [
        Receivable(b.invoice_number, b.currency, b.remaining, b.due_date, (today - b.due_date).days)
        for b in balances
        if b.remaining > 0 and b.due_date is not None and b.due_date < today
    ]
    return sorted(result, key=lambda r: (r.due_date, r.invoice_number))


def bucket_deductions(
    inp: LedgerFrames,
    findings: Iterable[Judgement],
    claim_status: Mapping[str, tuple[str, int]] | None = None,
    approved: Mapping[str, int] | None = None,
    *,
    judged_families: Collection[str],
) -> list[DeductionBuckets]:
    """Split every debit into buckets; `claim_status` maps finding key → (status, recovered),
    `approved` finding key → what Amazon's decisions approved so far (all its disputes);
    `judged_families` are the deduction families a rule judges (the claim types)."""
    claim_status = claim_status or {}
    approved = approved or {}
    rows = _deduction_rows(inp.deductions)
    groups = _group_by_findings(rows, list(findings))
    result = []
    for key, (ids, group_findings) in groups.items():
        members = [rows[i] for i in sorted(ids)]
        gross = sum(max(r.amount_minor, 0) for r in members)
        credits = -sum(min(r.amount_minor, 0) for r in members)
        currency = members[0].currency
        invoice_number = next((r.invoice_number for r in members if r.invoice_number), None)
        family = _family(members[0].kind)
        buckets = DeductionBuckets(key, family, invoice_number, currency, gross)
        put = buckets.put
        put("recovered", credits)
        # The credits above may be the very ones a claim's `recovered` counts: only what a
        # claim recovered beyond them is moved again.
        credits_left = credits
        for finding in group_findings:
            claim_minor = to_minor(finding.amount, finding.currency)
            status, recovered = claim_status.get(finding.key, ("", 0))
            needs_person = finding.verdict in ("needs_evidence", "unexplained")
            if needs_person and status in _WAITING_FOR_A_PERSON:
                put("unexplained", claim_minor)
            elif status in _DECIDED or (status in _ON_THE_LADDER and finding.key in approved):
                seen_in_credits = min(credits_left, recovered)
                credits_left -= seen_in_credits
                put("recovered", recovered - seen_in_credits)
                granted = max(approved.get(finding.key, recovered), recovered)
                open_minor = claim_minor - recovered
                if status in _DECIDED:
                    # Approved and not paid yet is promised money: still "claimed".
                    put("denied", claim_minor - granted)
                    open_minor = granted - recovered
                put("claimed", open_minor)
            elif finding.verdict == "claimable" or needs_person:
                put(_STATUS_BUCKET.get(status, "claimable"), claim_minor)
        if group_findings or family in judged_families:
            # Judged, or reversed in full before any rule had something to judge.
            rest = "valid"
        else:
            rest = _UNJUDGED_BUCKET.get(family, "unexplained")
        put(rest, buckets.unallocated)
        result.append(buckets)
    return result


def _family(kind: str) -> str:
    return kind.removesuffix("_reversal")


class _Deduction(NamedTuple):
    amount_minor: int
    currency: str
    invoice_number: str | None
    kind: str
    reference: str


def _deduction_rows(deductions: pd.DataFrame) -> dict[int, _Deduction]:
    """Every deduction by id, built a column at a time (tens of thousands, every run)."""
    columns = (
        column_values(deductions, "amount_minor", as_int),
        column_values(deductions, "currency", str),
        column_values(deductions, "invoice_number", as_str),
        column_values(deductions, "kind", str),
        column_values(deductions, "reference", str),
    )
    ids = map(int, deductions["id"].tolist())
    return dict(zip(ids, map(_Deduction._make, zip(*columns, strict=True)), strict=True))


def _group_by_findings(
    rows: dict[int, _Deduction], findings: list[Judgement]
) -> dict[str, tuple[set[int], list[Judgement]]]:
    """Deductions judged together (a debit shared by several ASIN findings) form one group."""
    parent: dict[int, int] = {}

    def find(i: int) -> int:
        while parent.setdefault(i, i) != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[int, list[Judgement]] = defaultdict(list)
    for finding in findings:
        ids = [i for i in finding.deduction_ids if i in rows]
        for i in ids:
            owner[i].append(finding)
        for a, b in pairwise(ids):
            parent[find(a)] = find(b)
    groups: dict[str, tuple[set[int], list[Judgement]]] = {}
    by_root: dict[int, set[int]] = defaultdict(set)
    for i in owner:
        by_root[find(i)].add(i)
    for members in by_root.values():
        seen: dict[str, Judgement] = {}
        for i in sorted(members):
            for finding in owner[i]:
                seen.setdefault(finding.key, finding)
        groups[f"judged:{min(members)}"] = (members, list(seen.values()))
    # Deductions no finding answers: grouped by family and the invoice or reference they carry.
    loose: dict[str, set[int]] = defaultdict(set)
    for i, row in rows.items():
        if i in owner:
            continue
        anchor = row.invoice_number or row.reference
        loose[f"{_family(row.kind)}:{anchor}"].add(i)
    for key, loose_ids in loose.items():
        groups[key] = (loose_ids, [])
    return groups


def match_bank_deposits(inp: LedgerFrames, window_days: int) -> list[BankMatch]:
    """Each payment to a deposit of the same currency and amount within the window, nearest
    date first; or to several deposits in the window only when they add up exactly. Amounts
    are compared in minor units, so a deposit in another currency never matches (12,000 JPY
    is not $120.00). A negative payment matches a debit of the same amount."""
    deposits = [
        (int(r["id"]), as_date(r["booked_on"]), as_int(r["amount_minor"]), str(r["currency"]))
        for r in records(inp.bank)
    ]
    used: set[int] = set()
    matches = []
    payments = sorted(
        records(inp.payments),
        key=lambda p: (as_date(p["payment_date"]) or date.min, str(p["payment_number"])),
    )
    for payment in payments:
        day, amount = as_date(payment["payment_date"]), as_int(payment["amount_minor"])
        currency = str(payment["currency"])
        # A payment that deductions outweigh is a debit on the statement: matched the same way.
        sign = 1 if amount > 0 else -1
        if day is None or amount == 0:
            continue
        near = [
            d
            for d in deposits
            if d[0] not in used
            and d[3] == currency
            and d[1] is not None
            and abs((d[1] - day).days) <= window_days
            and 0 < sign * d[2] <= sign * amount
        ]
        near.sort(key=lambda d: (abs((d[1] - day).days) if d[1] else 0, d[0]))
        chosen: tuple[int, ...] | None = None
        for d in near:
            if d[2] == amount:
                chosen = (d[0],)
                break
        if chosen is None:
            # Split deposits: look only at a handful of nearby ones, pairs and triples.
            for size in (2, 3):
                for combo in combinations(near[:12], size):
                    if sum(d[2] for d in combo) == amount:
                        chosen = tuple(sorted(d[0] for d in combo))
                        break
                if chosen:
                    break
        if chosen:
            used.update(chosen)
            matches.append(BankMatch(str(payment["payment_number"]), chosen))
    return matches
