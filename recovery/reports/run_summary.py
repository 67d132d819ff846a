"""What one detection run found, per account and claim type, as `recovery detect` and the
demo print it: the claims and money per type, every deducted cent's bucket (the ledger's),
short-paid invoices, receivables and bank matches.

`recovery.claims.detection` runs each account and hands over what it judged as plain data
(`AccountRun`); `run_detection` summarises each account as soon as its run ends, so one
account's frames are let go before the next is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine

from recovery.claims.deadlines import Band
from recovery.claims.detection import AccountRun, Progress, detect_accounts
from recovery.claims.findings import Verdict
from recovery.claims.kinds import KINDS
from recovery.config import Settings
from recovery.ledger import (
    BUCKETS,
    DeductionBuckets,
    InvoiceBalance,
    Receivable,
    bucket_deductions,
    match_bank_deposits,
    receivables,
)
from recovery.money import to_minor


@dataclass
class TypeSummary:
    type: str
    currency: str
    claims: int = 0
    recoverable: int = 0  # minor units claimable now or once the matching period ends
    needs_evidence: int = 0
    valid: int = 0
    unexplained: int = 0
    over_invoiced: int = 0
    expired: int = 0
    nearest: list[tuple[date, str, int]] = field(default_factory=list)  # deadline, ref, amount


@dataclass
class AccountResult:
    vendor_code: str
    currency: str
    types: dict[str, TypeSummary]
    created: int = 0
    updated: int = 0
    retired: int = 0
    unchanged: int = 0
    buckets: dict[str, int] = field(default_factory=dict)
    deducted: int = 0
    short_paid: list[InvoiceBalance] = field(default_factory=list)
    receivables: list[Receivable] = field(default_factory=list)
    payments: int = 0
    payments_matched: int = 0
    deductions_by_kind: dict[str, tuple[int, int]] = field(default_factory=dict)
    scope: str = ""  # what the run judged again: everything, or the changes only


@dataclass
class DetectionResult:
    accounts: list[AccountResult]


def run_detection(
    engine: Engine,
    settings: Settings,
    *,
    account: str | None = None,
    today: date | None = None,
    draft: bool = True,
    full: bool = False,
    progress: Progress | None = None,
) -> DetectionResult:
    """Judge each account's deductions, keep its claims in step (`detect_accounts`), and
    summarise what each account's run found."""
    runs = detect_accounts(
        engine, settings, account=account, today=today, draft=draft, full=full, progress=progress
    )
    return DetectionResult([summarise(run, settings) for run in runs])


def summarise(run: AccountRun, settings: Settings) -> AccountResult:
    result = AccountResult(
        run.vendor_code,
        run.currency,
        {},
        created=run.created,
        updated=run.updated,
        retired=run.retired,
        unchanged=run.unchanged,
        scope=run.scope,
    )
    inp, balances, findings, timings = run.frames, run.balances, run.findings, run.timings
    statuses, today = run.statuses, run.today
    currency = result.currency
    types = {name: TypeSummary(name, currency) for name in KINDS}
    for finding in findings:
        summary = types[finding.type]
        minor = to_minor(finding.amount, finding.currency)
        timing = timings.get(finding.key)
        if finding.verdict == Verdict.claimable and minor > 0:
            if timing is not None and timing.band == Band.expired:
                summary.expired += minor
                continue
            summary.claims += 1
            summary.recoverable += minor
            if timing is not None:
                summary.nearest.append((timing.deadline, finding.reference, minor))
        elif finding.verdict == Verdict.needs_evidence:
            summary.needs_evidence += minor
        elif finding.verdict == Verdict.unexplained:
            summary.unexplained += minor
        elif finding.verdict == Verdict.over_invoiced:
            summary.over_invoiced += minor
    groups: list[DeductionBuckets] = bucket_deductions(
        inp, findings, statuses, judged_families=KINDS
    )
    result.buckets = {b: sum(g.buckets[b] for g in groups) for b in BUCKETS}
    result.deducted = sum(g.gross for g in groups)
    for group in groups:
        if group.family in types:
            types[group.family].valid += group.buckets["valid"]
    for summary in types.values():
        summary.nearest.sort()
        del summary.nearest[5:]
    result.types = types
    result.short_paid = [b for b in balances if b.short_paid > 0]
    result.receivables = receivables(balances, today)
    result.payments = len(inp.payments)
    result.payments_matched = len(match_bank_deposits(inp, settings.rules.bank_match_days))
    by_kind: dict[str, tuple[int, int]] = {}
    for kind_value, frame in inp.deductions.groupby("kind"):
        amounts = frame["amount_minor"].astype("int64")
        by_kind[str(kind_value)] = (len(frame), int(amounts.sum()))
    result.deductions_by_kind = by_kind
    return result
