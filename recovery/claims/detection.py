"""`recovery detect`: run every rule over an account's data and keep the claims in step.

Idempotent: each finding has a stable key, so running again updates its claim instead of adding
one; a claim whose deduction has since been reversed (its finding is gone or now claims nothing)
is retired if it was not filed yet. Only claims nobody has acted on are rewritten.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, fields
from datetime import date
from functools import partial

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from recovery.calendar import BusinessCalendar
from recovery.claims import coop_process, drafting
from recovery.claims.claim_store import load_claims, store_findings, undrafted_ids
from recovery.claims.coop_process import COOP_FRAMES, CoopProcess
from recovery.claims.deadlines import Band, Timing, timing_for
from recovery.claims.detect.chargeback import detect_chargebacks
from recovery.claims.detect.coop import detect_coop
from recovery.claims.detect.price import detect_price_variances
from recovery.claims.detect.shortage import detect_shortages
from recovery.claims.finding_store import complete_findings, replace_findings, save_fingerprint
from recovery.claims.findings import Finding, Verdict
from recovery.claims.frames import DetectionInput, load_detection_input
from recovery.claims.incremental import combine, plan_run, rules_input
from recovery.claims.scope import clear_queue
from recovery.config import Settings
from recovery.errors import RecoveryError
from recovery.ledger import (
    BUCKETS,
    DeductionBuckets,
    InvoiceBalance,
    Receivable,
    balance_invoices,
    bucket_deductions,
    match_bank_deposits,
    receivables,
)
from recovery.models import (
    Claim,
    ClaimType,
    VendorAccount,
)
from recovery.money import to_minor
from recovery.store.collector import collector_paused
from recovery.store.db import reading_engine, session_scope

Progress = Callable[[str], None]


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
    """Judge each account's deductions and keep its claims in step.

    Only what changed since the last run is judged again (`recovery.claims.incremental`);
    `full` judges everything.
    """
    calendar = BusinessCalendar.from_settings(settings.calendar)
    today = today or calendar.today()
    say = progress or (lambda _message: None)
    with Session(engine) as session:
        query = select(VendorAccount).order_by(col(VendorAccount.vendor_code))
        if account:
            query = query.where(col(VendorAccount.vendor_code) == account.upper())
        accounts = list(session.exec(query).all())
    if account and not accounts:
        raise RecoveryError(f"--account {account}: no such vendor account (import its data first)")
    results = []
    # Reads beside a run's reading transaction: begun once it holds SQLite's write lock, so
    # they see the same rows (on PostgreSQL each query sees what was committed, as always).
    readers = reading_engine(engine)
    with (
        ExitStack() as run,
        collector_paused(),
        _cyclic_gc_paused(),
        ThreadPoolExecutor(max_workers=1) as side,
    ):
        if readers is not None:
            run.callback(readers.dispose)
        for vendor in accounts:
            assert vendor.id is not None
            with ExitStack() as stack:
                with engine.connect() as conn:
                    plan = plan_run(conn, vendor.id, settings, full=full)
                    say(f"{vendor.vendor_code}: reading data ({plan.why})")
                    coop = None
                    if plan.full and coop_process.wanted(conn, settings, vendor.id):
                        coop = CoopProcess(engine, vendor.id)
                        stack.callback(coop.close)
                    # Summed by the database beside the reading below: SQLite aggregates
                    # without holding Python's GIL, so the second core does it.
                    summing = None
                    if readers is not None:
                        summing = side.submit(_unsettled_balances, readers, vendor.id)
                    inp = load_detection_input(
                        conn, vendor.id, plan.scope, only=None if coop is None else _NOT_COOP
                    )
                    if summing is None:
                        balances = balance_invoices(conn, vendor.id, unsettled_only=True)
                    else:
                        balances = summing.result()
                    if coop is not None:
                        coop.wait_until_reading()  # (before this transaction ends)
                say(f"{vendor.vendor_code}: applying the rules")
                judge_coop = detect_coop if coop is None else coop.judge
                computed = find_all(rules_input(inp, plan.scope), settings, judge_coop)
            combined = combine(plan, computed)
            findings = combined.findings
            timings = _timings(findings, today, settings, calendar)
            say(f"{vendor.vendor_code}: writing claims")
            with session_scope(engine) as session:
                conn = session.connection()
                stored = store_findings(
                    session,
                    vendor.id,
                    findings,
                    timings,
                    summarised=combined.summarised,
                    complete=partial(complete_findings, conn, vendor.id),
                )
                replace_findings(
                    conn, vendor.id, None if plan.full else plan.stale_keys, combined.computed
                )
                save_fingerprint(conn, vendor.id, plan.fingerprint)
                clear_queue(conn, vendor.id, plan.queue)
                result = AccountResult(
                    vendor.vendor_code,
                    vendor.currency,
                    {},
                    created=stored.created,
                    updated=stored.updated,
                    retired=stored.retired,
                    unchanged=stored.unchanged,
                    scope=plan.why,
                )
                if draft:
                    # Claims an earlier run found without drafting (`--no-draft`) are drafted
                    # now too.
                    to_draft = sorted({*stored.changed_ids, *undrafted_ids(session, vendor.id)})
                    if to_draft:
                        say(f"{vendor.vendor_code}: drafting {len(to_draft)} claims")
                        drafting.draft_claims(session, load_claims(session, to_draft), settings)
                statuses = _claim_statuses(session, vendor.id)
            _summarise(result, inp, balances, findings, timings, statuses, settings, today)
            results.append(result)
    return DetectionResult(results)


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """A run makes and drops hundreds of thousands of frames' cells, findings and rows, none
    in reference cycles; the cycle collector walked them hundreds of times, about a tenth of a
    next-day run. It is back on when the run ends."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _unsettled_balances(readers: Engine, account_id: int) -> list[InvoiceBalance]:
    with readers.connect() as conn:
        return balance_invoices(conn, account_id, unsettled_only=True)


def find_all(
    inp: DetectionInput,
    settings: Settings,
    judge_coop: Callable[[DetectionInput], list[Finding]] = detect_coop,
) -> list[Finding]:
    """Every rule's findings; `judge_coop` may take them from a `CoopProcess`."""
    return [
        *detect_shortages(inp),
        *detect_price_variances(inp),
        *judge_coop(inp),
        *detect_chargebacks(inp, settings.rules),
    ]


# What a run reads itself while a `CoopProcess` judges the co-op invoices.
_NOT_COOP = frozenset(f.name for f in fields(DetectionInput)) - (COOP_FRAMES - {"deductions"})


def _timings(
    findings: Sequence[Finding], today: date, settings: Settings, calendar: BusinessCalendar
) -> dict[str, Timing]:
    """Each finding's deadline and band, worked out once per distinct type and dates (tens of
    thousands of findings share a few hundred)."""
    known: dict[tuple[str, date, date | None], Timing] = {}
    timings = {}
    for finding in findings:
        if finding.base_date is None:
            continue
        dates = (finding.type, finding.base_date, _invoice_date(finding))
        timing = known.get(dates)
        if timing is None:
            timing = known[dates] = timing_for(
                finding.type,
                finding.base_date,
                today,
                settings.rules,
                calendar,
                invoice_date=dates[2],
            )
        timings[finding.key] = timing
    return timings


def _invoice_date(finding: Finding) -> date | None:
    value = finding.facts.get("invoice_date")
    return date.fromisoformat(value) if isinstance(value, str) else None


def _claim_statuses(session: Session, account_id: int) -> dict[str, tuple[str, int]]:
    rows = session.exec(
        select(Claim.finding_key, Claim.status, Claim.recovered_minor).where(
            Claim.account_id == account_id
        )
    ).all()
    return {key: (status, recovered) for key, status, recovered in rows}


def _summarise(
    result: AccountResult,
    inp: DetectionInput,
    balances: list[InvoiceBalance],
    findings: Sequence[Finding],
    timings: dict[str, Timing],
    statuses: dict[str, tuple[str, int]],
    settings: Settings,
    today: date,
) -> None:
    currency = result.currency
    types = {t.value: TypeSummary(t.value, currency) for t in ClaimType}
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
    groups: list[DeductionBuckets] = bucket_deductions(inp, findings, statuses)
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
