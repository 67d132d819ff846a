"""What became of filed disputes: Amazon's decision, then the money actually paid back.

A resolved dispute moves its claims to won, partially won or denied, each with its share of the
approval (a shortage dispute approves per line: PO and ASIN). `recovered` is only what later
remittances show as credits: per dispute, the reversal lines Amazon pays it back with (the
number and kind in `CREDITS`), on payments dated on or after the filing, shared among the
dispute's claims up to what each was approved.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from playwright.sync_api import Browser
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from recovery.claims import workflow
from recovery.claims.ladder import LadderReport, climb
from recovery.config import Settings
from recovery.models.claims import Claim, ClaimStatus, ClaimType, FilingAttempt
from recovery.models.payments import Payment, RemittanceKind, RemittanceLine
from recovery.money import format_minor, to_minor
from recovery.portal.disputes import DisputeDecision, read_decision
from recovery.portal.downloads import download_remittance
from recovery.portal.session import PortalSession
from recovery.sources.importing import import_files

S = ClaimStatus
ACTOR = "outcome-sync"
DECIDED = {"Approved": S.won, "Partially approved": S.partially_won, "Denied": S.denied}


@dataclass(frozen=True)
class CreditOf:
    """The credit line that pays a dispute of this type back: its kind and printed number."""

    kind: str
    number: Callable[[Claim], str]


CREDITS: dict[str, CreditOf] = {
    ClaimType.shortage: CreditOf(
        RemittanceKind.shortage_reversal, lambda c: f"{c.invoice_number}SCR"
    ),
    ClaimType.price: CreditOf(RemittanceKind.price_reversal, lambda c: f"{c.invoice_number}PCRR"),
    ClaimType.coop: CreditOf(RemittanceKind.coop_reversal, lambda c: c.reference),
    ClaimType.chargeback: CreditOf(
        RemittanceKind.chargeback_reversal, lambda c: f"{c.reference}VCBSINV"
    ),
}


@dataclass
class OutcomeReport:
    decided: dict[str, int] = field(default_factory=dict)  # status → claims
    pending: int = 0  # disputes not yet resolved
    # Credits seen on remittances, per currency, over every followed claim.
    recovered_minor: dict[str, int] = field(default_factory=dict)
    # Denied and partly approved claims moved up the ladder, or closed at its top.
    ladder: LadderReport = field(default_factory=LadderReport)
    # Statements of open items sent as Contact Us cases: Amazon answers the case itself, which
    # a person reads (the case log shows its status).
    settlement_cases: int = 0


def claim_shares(claims: Sequence[Claim], decision: DisputeDecision) -> dict[int, int]:
    """Each claim's share of the approval, in minor units."""
    currency = claims[0].currency
    total = to_minor(decision.approved_amount or Decimal(0), currency)
    if len(claims) == 1:
        return {claims[0].id or 0: total}
    by_line = {
        (line.po_number, line.asin): to_minor(line.approved_amount or Decimal(0), currency)
        for line in decision.lines
    }
    return {c.id or 0: by_line.get((c.po_number or "", c.asin or ""), 0) for c in claims}


def sync_decisions(engine: Engine, portal: PortalSession) -> OutcomeReport:
    report = OutcomeReport()
    with Session(engine) as session:
        filed = session.exec(
            select(Claim).where(Claim.status == S.filed.value, col(Claim.case_id).is_not(None))
        ).all()
        by_case: dict[str, list[Claim]] = {}
        cases: set[str] = set()
        for claim in filed:
            if claim.level >= 3:
                cases.add(claim.case_id or "")
                continue
            by_case.setdefault(claim.case_id or "", []).append(claim)
        report.settlement_cases = len(cases)
    for case_id, claims in by_case.items():
        decision = read_decision(portal, case_id)
        target = DECIDED.get(decision.outcome or "") if decision.status == "Resolved" else None
        if target is None:
            report.pending += 1
            continue
        shares = claim_shares(claims, decision)
        with Session(engine) as session:
            for claim in claims:
                attempt = session.exec(
                    select(FilingAttempt).where(
                        FilingAttempt.claim_id == claim.id,
                        FilingAttempt.case_id == case_id,
                        FilingAttempt.outcome == "filed",
                    )
                ).one()
                attempt.decision = decision.outcome
                attempt.approved_minor = shares[claim.id or 0]
                attempt.resolved_on = decision.resolved_on
                session.add(attempt)
                # A line approved in full wins even when another line of the dispute did not.
                share = shares[claim.id or 0]
                status = (
                    S.won
                    if share >= claim.amount_minor
                    else (S.partially_won if share > 0 else S.denied)
                )
                stored = workflow.get_claim(session, claim.id or 0)
                workflow.transition(
                    session,
                    stored,
                    status,
                    actor=ACTOR,
                    note=f"{case_id}: {decision.outcome}, "
                    f"{format_minor(share, claim.currency)} approved for this claim",
                )
                report.decided[status.value] = report.decided.get(status.value, 0) + 1
            session.commit()
    return report


def match_credits(engine: Engine) -> dict[str, int]:
    """Set each decided claim's `recovered` from the credits seen; the totals per currency.

    A claim's disputes (the first, then a re-dispute) are paid back with credits of one number:
    the credits seen since the first filing are shared in filing order, each dispute's claims
    up to what each was approved, so no credit counts twice."""
    total: dict[str, int] = {}
    with Session(engine) as session:
        attempts = session.exec(
            select(FilingAttempt, Claim)
            .join(Claim, col(Claim.id) == col(FilingAttempt.claim_id))
            .where(
                FilingAttempt.outcome == "filed",
                col(FilingAttempt.approved_minor).is_not(None),
            )
            .order_by(col(FilingAttempt.started_at), col(Claim.id))
        ).all()
        pools: dict[tuple[int, str, str], list[tuple[FilingAttempt, Claim]]] = {}
        for attempt, claim in attempts:
            credit = CREDITS[claim.type]
            key = (claim.account_id, credit.kind, credit.number(claim))
            pools.setdefault(key, []).append((attempt, claim))
        for (account_id, kind, number), pairs in pools.items():
            filed_on = min((a.finished_at or a.started_at).date() for a, _ in pairs)
            seen = session.exec(
                select(func.coalesce(func.sum(RemittanceLine.paid_minor), 0))
                .join(Payment, col(Payment.id) == col(RemittanceLine.payment_id))
                .where(
                    RemittanceLine.account_id == account_id,
                    RemittanceLine.kind == kind,
                    RemittanceLine.invoice_number == number,
                    col(Payment.payment_date) >= filed_on,
                )
            ).one()
            left = int(seen)
            recovered: dict[int, int] = {}
            claims: dict[int, Claim] = {}
            for attempt, claim in pairs:
                share = min(left, attempt.approved_minor or 0)
                left -= share
                recovered[claim.id or 0] = recovered.get(claim.id or 0, 0) + share
                claims[claim.id or 0] = claim
            for claim_id, share in recovered.items():
                claim = claims[claim_id]
                if claim.recovered_minor != share:
                    claim.recovered_minor = share
                    session.add(claim)
                total[claim.currency] = total.get(claim.currency, 0) + share
        session.commit()
    return total


def follow_outcomes(
    engine: Engine,
    settings: Settings,
    browser: Browser | None = None,
    *,
    today: date | None = None,
) -> OutcomeReport:
    """Decisions from Dispute Management, then the remittance export imported and its credits
    matched: one portal session."""
    with PortalSession(settings, browser=browser) as portal:
        report = sync_decisions(engine, portal)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        export = download_remittance(portal, settings.portal_dir / "downloads" / stamp)
    import_files(engine, settings, [export])
    report.recovered_minor = match_credits(engine)
    report.ladder = climb(engine, settings, today or date.today())
    return report
