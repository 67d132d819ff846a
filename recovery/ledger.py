"""Reconciliation: where every invoiced and every deducted cent went.

For each vendor invoice, invoiced = paid + terms discount + net deductions + remaining, and
whatever is left over is an unexplained short-pay. Every deducted cent lands in exactly one
bucket (valid, claimable, claimed, recovered, denied, written off, unexplained), payments are
matched to the vendor's bank deposits, and unpaid invoices past due are receivables.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations, pairwise
from typing import Any

import numpy as np
import pandas as pd

from recovery.claims.detect.common import as_date, as_int, as_str, records
from recovery.claims.findings import Finding, Verdict
from recovery.claims.frames import DetectionInput
from recovery.money import to_minor

BUCKETS = ("valid", "claimable", "claimed", "recovered", "denied", "written_off", "unexplained")

# Which bucket a claim's amount is in, by the claim's status.
_STATUS_BUCKET = {
    "waiting": "claimable",
    "draft": "claimable",
    "ready": "claimable",
    "needs_evidence": "unexplained",
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


def balance_invoices(inp: DetectionInput, *, unsettled_only: bool = False) -> list[InvoiceBalance]:
    """invoiced = paid + discount + net deductions + remaining, per vendor invoice.

    A remittance pays an invoice on its own line (Amount Paid, less any terms discount) and
    takes deductions on separate negative lines, so the cash the vendor actually got for an
    invoice is what its lines paid less the net deductions that reference it.

    `unsettled_only` keeps the invoices still open or short-paid (what the summary lists): the
    sums are worked out a column at a time, and only those become objects.
    """
    lines = inp.remittance_lines[inp.remittance_lines["kind"] == "invoice_payment"]
    base = lines["base_invoice_number"]
    paid_for = base.where(_text(base), lines["invoice_number"]).astype(str)
    # Each payment states what is still open after it; the smallest is the latest.
    payments = pd.DataFrame(
        {
            "paid": _whole(lines["paid_minor"]),
            "discount": _whole(lines["discount_minor"]),
            "remaining": _whole(lines["remaining_minor"]),
        }
    )
    by_payment = payments.groupby(paid_for.to_numpy(), sort=False).agg(
        {"paid": "sum", "discount": "sum", "remaining": "min"}
    )
    taken = inp.deductions[_text(inp.deductions["invoice_number"])]
    amounts = _whole(taken["amount_minor"])
    deducted = amounts.groupby(taken["invoice_number"].astype(str).to_numpy(), sort=False).sum()
    invoices = inp.invoices
    numbers = invoices["invoice_number"].astype(str)
    invoiced = _whole(invoices["amount_minor"])
    paid_row = by_payment.index.get_indexer(pd.Index(numbers))
    line_paid, off, remaining = (
        _per_invoice(by_payment[name], paid_row, numbers.index)
        for name in ("paid", "discount", "remaining")
    )
    taken_off = _per_invoice(deducted, deducted.index.get_indexer(pd.Index(numbers)), numbers.index)
    # An invoice no payment line names is still open in full.
    left = remaining.where(paid_row >= 0, invoiced)
    paid = line_paid - taken_off
    short = invoiced - paid - off - taken_off - left
    keep = (short != 0) | (left > 0) if unsettled_only else pd.Series(True, index=invoices.index)
    return [
        InvoiceBalance(
            invoice_number=number,
            currency=str(currency),
            invoiced=int(amount),
            paid=int(cash),
            discount=int(discount_minor),
            deducted=int(deduction),
            remaining=int(still_open),
            short_paid=int(short_minor),
            due_date=as_date(due),
        )
        for (
            number,
            currency,
            amount,
            cash,
            discount_minor,
            deduction,
            still_open,
            short_minor,
            due,
        ) in zip(
            numbers[keep].tolist(),
            invoices["currency"][keep].tolist(),
            invoiced[keep].tolist(),
            paid[keep].tolist(),
            off[keep].tolist(),
            taken_off[keep].tolist(),
            left[keep].tolist(),
            short[keep].tolist(),
            invoices["due_date"][keep].tolist(),
            strict=True,
        )
    ]


def _per_invoice(sums: pd.Series, rows: np.ndarray[Any, Any], index: pd.Index) -> pd.Series:
    """`sums` at `rows` (positions from `get_indexer`), 0 where an invoice has none (-1): int64
    throughout, where `map` or `reindex` would go through float for the missing ones."""
    values = sums.to_numpy(dtype="int64")
    picked = values[rows] if len(values) else np.zeros(len(rows), dtype="int64")
    return pd.Series(np.where(rows >= 0, picked, 0), index=index)


def _text(column: pd.Series) -> pd.Series:
    """Cells holding a non-empty value (what `as_str` keeps)."""
    return column.notna() & (column.astype(str) != "")


def _whole(column: pd.Series) -> pd.Series:
    """Minor units as int64, empty cells as 0 (what `as_int` reads)."""
    return column.fillna(0).astype("int64")


def receivables(balances: Iterable[InvoiceBalance], today: date) -> list[Receivable]:
    """Invoices past their due date with money still open, oldest first."""
    result = [
        Receivable(b.invoice_number, b.currency, b.remaining, b.due_date, (today - b.due_date).days)
        for b in balances
        if b.remaining > 0 and b.due_date is not None and b.due_date < today
    ]
    return sorted(result, key=lambda r: (r.due_date, r.invoice_number))


def bucket_deductions(
    inp: DetectionInput,
    findings: Iterable[Finding],
    claim_status: Mapping[str, tuple[str, int]] | None = None,
) -> list[DeductionBuckets]:
    """Split every debit into buckets; `claim_status` maps finding key → (status, recovered)."""
    claim_status = claim_status or {}
    rows = {int(r["id"]): r for r in records(inp.deductions)}
    groups = _group_by_findings(rows, list(findings))
    result = []
    for key, (ids, group_findings) in groups.items():
        members = [rows[i] for i in sorted(ids)]
        gross = sum(max(as_int(r["amount_minor"]), 0) for r in members)
        credits = -sum(min(as_int(r["amount_minor"]), 0) for r in members)
        currency = str(members[0]["currency"])
        invoice_number = next(
            (as_str(r["invoice_number"]) for r in members if as_str(r["invoice_number"])), None
        )
        family = _family(str(members[0]["kind"]))
        buckets = DeductionBuckets(key, family, invoice_number, currency, gross)
        put = buckets.put
        put("recovered", credits)
        for finding in group_findings:
            claim_minor = to_minor(finding.amount, finding.currency)
            status, recovered = claim_status.get(finding.key, ("", 0))
            if finding.verdict == Verdict.claimable:
                bucket = _STATUS_BUCKET.get(status, "claimable")
                if bucket == "recovered" and status in ("won", "partially_won"):
                    put("recovered", recovered)
                    put("denied", claim_minor - recovered)
                else:
                    put(bucket, claim_minor)
            elif finding.verdict in (Verdict.needs_evidence, Verdict.unexplained):
                put("unexplained", claim_minor)
        if group_findings or family in ("shortage", "price", "coop", "chargeback"):
            # Judged, or reversed in full before any rule had something to judge.
            rest = "valid"
        else:
            rest = _UNJUDGED_BUCKET.get(family, "unexplained")
        put(rest, buckets.unallocated)
        result.append(buckets)
    return result


def _family(kind: str) -> str:
    return kind.removesuffix("_reversal")


def _group_by_findings(
    rows: dict[int, dict[str, Any]], findings: list[Finding]
) -> dict[str, tuple[set[int], list[Finding]]]:
    """Deductions judged together (a debit shared by several ASIN findings) form one group."""
    parent: dict[int, int] = {}

    def find(i: int) -> int:
        while parent.setdefault(i, i) != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[int, list[Finding]] = defaultdict(list)
    for finding in findings:
        ids = [i for i in finding.deduction_ids if i in rows]
        for i in ids:
            owner[i].append(finding)
        for a, b in pairwise(ids):
            parent[find(a)] = find(b)
    groups: dict[str, tuple[set[int], list[Finding]]] = {}
    by_root: dict[int, set[int]] = defaultdict(set)
    for i in owner:
        by_root[find(i)].add(i)
    for members in by_root.values():
        seen: dict[str, Finding] = {}
        for i in sorted(members):
            for finding in owner[i]:
                seen.setdefault(finding.key, finding)
        groups[f"judged:{min(members)}"] = (members, list(seen.values()))
    # Deductions no finding answers: grouped by family and the invoice or reference they carry.
    loose: dict[str, set[int]] = defaultdict(set)
    for i, row in rows.items():
        if i in owner:
            continue
        anchor = as_str(row["invoice_number"]) or str(row["reference"])
        loose[f"{_family(str(row['kind']))}:{anchor}"].add(i)
    for key, loose_ids in loose.items():
        groups[key] = (loose_ids, [])
    return groups


def match_bank_deposits(inp: DetectionInput, window_days: int) -> list[BankMatch]:
    """Each payment to a deposit of the same amount within the window, nearest date first; or to
    several deposits in the window only when they add up exactly."""
    deposits = [
        (int(r["id"]), as_date(r["booked_on"]), as_int(r["amount_minor"]))
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
        if day is None:
            continue
        near = [
            d
            for d in deposits
            if d[0] not in used
            and d[1] is not None
            and abs((d[1] - day).days) <= window_days
            and 0 < d[2] <= amount
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
