"""`recovery detect`: run every kind's rule over an account's data and keep the claims in step.

One account's run reads plan → read → judge → store → draft (`_AccountRun.detect`); what makes
it fast is `recovery.claims.fast_run`, what it judges again `recovery.claims.incremental`,
what it judged goes to the run's summary (`recovery.reports.run_summary`) as plain data.

Idempotent: each finding has a stable key, so running again updates its claim instead of adding
one; a claim whose deduction has since been reversed (its finding is gone or now claims nothing)
is retired if it was not filed yet. Only claims nobody has acted on are rewritten.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from functools import partial

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from recovery.calendar import BusinessCalendar
from recovery.claims import drafting
from recovery.claims.claim_store import StoreCounts, load_claims, store_findings, undrafted_ids
from recovery.claims.deadlines import Timing, timing_for
from recovery.claims.fast_run import FastRun, Judge
from recovery.claims.findings import Finding
from recovery.claims.incremental.plan import Combined, RunPlan, combine, plan_run, rules_input
from recovery.claims.incremental.scope import clear_queue
from recovery.claims.incremental.stored_findings import (
    complete_findings,
    replace_findings,
    save_fingerprint,
)
from recovery.claims.inputs import DetectionInput
from recovery.claims.kinds import KINDS
from recovery.config import Settings
from recovery.errors import RecoveryError
from recovery.ledger import InvoiceBalance
from recovery.models import Claim, VendorAccount
from recovery.store.db import session_scope

Progress = Callable[[str], None]


@dataclass
class AccountRun:
    """What one account's run did to its claims and what it judged, as plain data."""

    vendor_code: str
    currency: str
    today: date
    created: int
    updated: int
    retired: int
    unchanged: int
    scope: str  # what the run judged again: everything, or the changes only
    frames: DetectionInput
    balances: list[InvoiceBalance]
    findings: list[Finding]
    timings: dict[str, Timing]
    statuses: dict[str, tuple[str, int]]  # finding key -> its claim's status and recovered


def detect_accounts(
    engine: Engine,
    settings: Settings,
    *,
    account: str | None = None,
    today: date | None = None,
    draft: bool = True,
    full: bool = False,
    progress: Progress | None = None,
) -> Iterator[AccountRun]:
    """Judge each account's deductions and keep its claims in step, one account at a time.

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
    with FastRun(engine, settings) as fast:
        run = _AccountRun(engine, settings, fast, today, calendar, say)
        for vendor in accounts:
            yield run.detect(vendor, draft=draft, full=full)


@dataclass
class _AccountRun:
    engine: Engine
    settings: Settings
    fast: FastRun
    today: date
    calendar: BusinessCalendar
    say: Progress

    def detect(self, vendor: VendorAccount, *, draft: bool, full: bool) -> AccountRun:
        """plan → read → judge → store → draft."""
        assert vendor.id is not None
        code, settings = vendor.vendor_code, self.settings
        with ExitStack() as stack:
            with self.engine.connect() as conn:
                plan = plan_run(conn, vendor.id, settings, full=full)
                self.say(f"{code}: reading data ({plan.why})")
                inp, balances, judges = self.fast.read(conn, vendor.id, plan, stack)
            self.say(f"{code}: applying the rules")
            computed = find_all(rules_input(inp, plan.scope), settings, judges)
        combined = combine(plan, computed)
        findings = combined.findings
        timings = _timings(findings, self.today, settings, self.calendar)
        self.say(f"{code}: writing claims")
        with session_scope(self.engine) as session:
            stored = self._store(session, vendor.id, plan, combined, timings)
            if draft:
                self._draft(session, vendor, stored.changed_ids)
            statuses = claim_statuses(session, vendor.id)
        return AccountRun(
            code,
            vendor.currency,
            self.today,
            created=stored.created,
            updated=stored.updated,
            retired=stored.retired,
            unchanged=stored.unchanged,
            scope=plan.why,
            frames=inp,
            balances=balances,
            findings=findings,
            timings=timings,
            statuses=statuses,
        )

    def _store(
        self,
        session: Session,
        account_id: int,
        plan: RunPlan,
        combined: Combined,
        timings: dict[str, Timing],
    ) -> StoreCounts:
        """The claims brought in step, the computed findings and the rules' fingerprint kept
        for the next run, and the queue this run read cleared, in one transaction."""
        conn = session.connection()
        stored = store_findings(
            session,
            account_id,
            combined.findings,
            timings,
            summarised=combined.summarised,
            complete=partial(complete_findings, conn, account_id),
        )
        replace_findings(
            conn, account_id, None if plan.full else plan.stale_keys, combined.computed
        )
        save_fingerprint(conn, account_id, plan.fingerprint)
        clear_queue(conn, account_id, plan.queue)
        return stored

    def _draft(self, session: Session, vendor: VendorAccount, changed: Sequence[int]) -> None:
        assert vendor.id is not None
        # Claims an earlier run found without drafting (`--no-draft`) are drafted now too.
        to_draft = sorted({*changed, *undrafted_ids(session, vendor.id)})
        if to_draft:
            self.say(f"{vendor.vendor_code}: drafting {len(to_draft)} claims")
            drafting.draft_claims(session, load_claims(session, to_draft), self.settings)


def claim_statuses(session: Session, account_id: int) -> dict[str, tuple[str, int]]:
    rows = session.exec(
        select(Claim.finding_key, Claim.status, Claim.recovered_minor).where(
            Claim.account_id == account_id
        )
    ).all()
    return {key: (status, recovered) for key, status, recovered in rows}


def find_all(
    inp: DetectionInput,
    settings: Settings,
    judges: Mapping[str, Judge] | None = None,
) -> list[Finding]:
    """Every kind's findings, in `KINDS`' order; `judges` replace a kind's own rule (the
    co-op process's).

    The kinds judged here go first and `judges` last: the co-op process is still judging
    while this one judges the others."""
    judges = judges or {}
    found = {
        kind.type: kind.judge(inp, settings.rules)
        for kind in KINDS.values()
        if kind.type not in judges
    }
    found.update((kind, judge(inp)) for kind, judge in judges.items())
    return [finding for kind in KINDS for finding in found[kind]]


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
