"""`recovery detect`: run every rule over an account's data and keep the claims in step.

Idempotent: each finding has a stable key, so running again updates its claim instead of adding
one; a claim whose deduction has since been reversed (its finding is gone or now claims nothing)
is retired if it was not filed yet. Only claims nobody has acted on are rewritten.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine, delete
from sqlmodel import Session, col, select

from recovery.calendar import BusinessCalendar
from recovery.claims import drafting, workflow
from recovery.claims.deadlines import Band, Timing, timing_for
from recovery.claims.detect.chargeback import detect_chargebacks
from recovery.claims.detect.coop import detect_coop
from recovery.claims.detect.price import detect_price_variances
from recovery.claims.detect.shortage import detect_shortages
from recovery.claims.findings import Finding, Verdict
from recovery.claims.frames import DetectionInput, load_detection_input
from recovery.config import Settings
from recovery.db import session_scope
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
    ClaimEvent,
    ClaimEvidence,
    ClaimLine,
    ClaimStatus,
    ClaimType,
    EvidenceDocument,
    VendorAccount,
    utcnow,
)
from recovery.money import to_minor

S = ClaimStatus
# A person (or the filing job) has not touched these yet: detection may rewrite them.
REWRITABLE = frozenset({S.waiting, S.draft, S.ready, S.needs_evidence})

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
    progress: Progress | None = None,
) -> DetectionResult:
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
    for vendor in accounts:
        assert vendor.id is not None
        say(f"{vendor.vendor_code}: reading data")
        with engine.connect() as conn:
            inp = load_detection_input(conn, vendor.id)
        say(f"{vendor.vendor_code}: applying the rules")
        findings = find_all(inp, settings)
        timings = {
            f.key: timing_for(
                f.type, f.base_date, today, settings.rules, calendar, invoice_date=_invoice_date(f)
            )
            for f in findings
            if f.base_date is not None
        }
        say(f"{vendor.vendor_code}: writing claims")
        with session_scope(engine) as session:
            result = AccountResult(vendor.vendor_code, vendor.currency, {})
            changed = _write_claims(session, vendor.id, findings, timings, result)
            if draft and changed:
                say(f"{vendor.vendor_code}: drafting {len(changed)} claims")
                drafting.draft_claims(session, changed, settings)
            statuses = _claim_statuses(session, vendor.id)
        _summarise(result, inp, findings, timings, statuses, settings, today)
        results.append(result)
    return DetectionResult(results)


def find_all(inp: DetectionInput, settings: Settings) -> list[Finding]:
    return [
        *detect_shortages(inp),
        *detect_price_variances(inp),
        *detect_coop(inp),
        *detect_chargebacks(inp, settings.rules),
    ]


def _invoice_date(finding: Finding) -> date | None:
    value = finding.facts.get("invoice_date")
    return date.fromisoformat(value) if isinstance(value, str) else None


def _is_claim(finding: Finding) -> bool:
    if finding.verdict == Verdict.needs_evidence:
        return finding.amount > 0
    return finding.verdict == Verdict.claimable and finding.amount > 0


def _initial_status(finding: Finding, timing: Timing | None) -> ClaimStatus:
    if timing is not None and timing.band == Band.expired:
        return S.expired
    if finding.verdict == Verdict.needs_evidence:
        return S.needs_evidence
    if timing is not None and timing.waiting_until is not None:
        return S.waiting
    return S.draft


def _write_claims(
    session: Session,
    account_id: int,
    findings: Sequence[Finding],
    timings: dict[str, Timing],
    result: AccountResult,
) -> list[Claim]:
    """Create, update, expire or retire claims; returns the ones whose draft must be redone."""
    existing = {
        c.finding_key: c
        for c in session.exec(select(Claim).where(Claim.account_id == account_id)).all()
    }
    known_documents = set(session.exec(select(EvidenceDocument.id)).all())
    created: list[tuple[Claim, Finding]] = []
    changed: list[Claim] = []
    seen: set[str] = set()
    lapsed: set[str] = set()
    for finding in findings:
        if not _is_claim(finding):
            continue
        timing = timings.get(finding.key)
        if (
            finding.verdict == Verdict.needs_evidence
            and timing is not None
            and timing.band == Band.expired
        ):
            # Never provable in time: reported in the summary, no claim to work on.
            lapsed.add(finding.key)
            continue
        seen.add(finding.key)
        claim = existing.get(finding.key)
        if claim is None:
            claim = Claim(
                account_id=account_id,
                finding_key=finding.key,
                type=finding.type,
                status=_initial_status(finding, timing),
                currency=finding.currency,
            )
            _fill(claim, finding, timing)
            created.append((claim, finding))
            continue
        if ClaimStatus(claim.status) not in REWRITABLE:
            result.unchanged += 1
            continue
        if _update(session, claim, finding, timing, known_documents):
            result.updated += 1
            changed.append(claim)
        else:
            result.unchanged += 1
    # One flush gives every new claim its id; their details follow in bulk.
    session.add_all([claim for claim, _ in created])
    session.flush()
    for claim, finding in created:
        assert claim.id is not None
        session.add(
            ClaimEvent(
                claim_id=claim.id,
                actor="detect",
                action="detect",
                to_status=claim.status,
                note=finding.reason,
            )
        )
        _add_details(session, claim, finding, known_documents, new=True)
    result.created += len(created)
    for key, claim in existing.items():
        if key in seen or ClaimStatus(claim.status) not in workflow.PRE_FILING:
            continue
        if key in lapsed:
            workflow.transition(
                session,
                claim,
                S.expired,
                actor="detect",
                note="deadline passed before the shipment could be proven",
            )
            continue
        workflow.retire_claim(
            session, claim, "the deduction was reversed or no longer holds anything to claim"
        )
        result.retired += 1
    session.flush()
    return [claim for claim, _ in created] + changed


def _update(
    session: Session,
    claim: Claim,
    finding: Finding,
    timing: Timing | None,
    known_documents: set[int | None],
) -> bool:
    """Bring an untouched claim in line with its finding; True when anything changed."""
    before = _content(claim)
    status_before = claim.status
    _fill(claim, finding, timing)
    if claim.status == S.waiting and (timing is None or timing.waiting_until is None):
        workflow.transition(
            session, claim, S.draft, actor="detect", note="Amazon's matching period has ended"
        )
    if timing is not None and timing.band == Band.expired:
        workflow.transition(
            session, claim, S.expired, actor="detect", note=f"deadline {timing.deadline} passed"
        )
    if _content(claim) == before and claim.status == status_before:
        session.expire(claim)  # nothing to write back
        return False
    session.add(claim)
    assert claim.id is not None
    session.execute(
        delete(ClaimLine)
        .where(col(ClaimLine.claim_id) == claim.id)
        .execution_options(synchronize_session=False)
    )
    # Documents a person attached stay; the ones detection chose follow the finding.
    session.execute(
        delete(ClaimEvidence)
        .where(col(ClaimEvidence.claim_id) == claim.id, col(ClaimEvidence.added_by) == "detect")
        .execution_options(synchronize_session=False)
    )
    _add_details(session, claim, finding, known_documents)
    session.add(
        ClaimEvent(
            claim_id=claim.id,
            actor="detect",
            action="detect",
            from_status=status_before,
            to_status=claim.status,
            note=finding.reason,
        )
    )
    return True


def _content(claim: Claim) -> tuple[object, ...]:
    return (
        claim.amount_minor,
        claim.reason,
        claim.deadline,
        claim.quantity,
        claim.band,
        claim.confidence_pct,
        claim.dispute_reason,
    )


def _fill(claim: Claim, finding: Finding, timing: Timing | None) -> None:
    claim.reference = finding.reference
    claim.invoice_number = finding.invoice_number
    claim.po_number = finding.po_number
    claim.asin = finding.asin
    claim.quantity = finding.quantity
    claim.amount_minor = to_minor(finding.amount, finding.currency)
    claim.currency = finding.currency
    claim.confidence_pct = finding.confidence
    claim.reason = finding.reason
    claim.dispute_reason = finding.dispute_reason
    claim.deduction_id = finding.deduction_ids[0] if finding.deduction_ids else None
    claim.deadline = timing.deadline if timing else None
    claim.band = timing.band.value if timing else None
    kept = {k: v for k, v in claim.draft_fields.items() if k in drafting.DRAFTING_KEYS}
    claim.draft_fields = {**finding.facts, **kept, "verdict": finding.verdict.value}
    claim.updated_at = utcnow()


def _add_details(
    session: Session,
    claim: Claim,
    finding: Finding,
    known_documents: set[int | None],
    *,
    new: bool = False,
) -> None:
    assert claim.id is not None
    for number, line in enumerate(finding.lines, start=1):
        session.add(
            ClaimLine(
                claim_id=claim.id,
                line_no=number,
                invoice_number=line.invoice_number,
                po_number=line.po_number,
                asin=line.asin,
                quantity=line.quantity,
                amount_minor=to_minor(line.amount, finding.currency),
                currency=finding.currency,
            )
        )
    attached = (
        set(
            session.exec(
                select(ClaimEvidence.document_id).where(ClaimEvidence.claim_id == claim.id)
            ).all()
        )
        if finding.evidence_ids
        else set()
    )
    for document_id in finding.evidence_ids:
        if document_id in known_documents and document_id not in attached:
            session.add(ClaimEvidence(claim_id=claim.id, document_id=document_id))


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
    balances = balance_invoices(inp)
    result.short_paid = [b for b in balances if b.short_paid > 0]
    result.receivables = receivables(balances, today)
    result.payments = len(inp.payments)
    result.payments_matched = len(match_bank_deposits(inp, settings.rules.bank_match_days))
    by_kind: dict[str, tuple[int, int]] = {}
    for kind_value, frame in inp.deductions.groupby("kind"):
        amounts = frame["amount_minor"].astype("int64")
        by_kind[str(kind_value)] = (len(frame), int(amounts.sum()))
    result.deductions_by_kind = by_kind
