"""Filing approved claims in Vendor Central, each dispute exactly once.

The order of every filing:
1. the claims are taken atomically (`approved → filing`, one row changed per claim, else
   another filer has them) and a `FilingAttempt` with the dispute's key is **committed**;
2. the form is filled and submitted with the key written into the justification;
3. the receipt (DSPT id, fields as typed, the confirmation's screenshot) is stored and the claims
   move to `filed`.
A crash, an error or a timeout anywhere after 1 leaves the attempt unfinished. Before anything
is submitted again, Dispute Management is searched (by invoice, co-op invoice or chargeback id)
for a dispute carrying the key: found, its receipt is stored; absent, the same key is filed.
An attempt is taken over only by one filer (compare-and-set on its start time) and only once it
is older than `filing_lease_seconds`, so a filer still running is never doubled.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser
from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from recovery.claims import workflow
from recovery.claims.forms import DisputeForm, DisputeToFile, form_for
from recovery.claims.settlement_case import SETTLEMENT_CASE, CaseForm
from recovery.config import Settings
from recovery.models.base import table_of, utcnow
from recovery.models.claims import Claim, ClaimEvidence, ClaimStatus, FilingAttempt
from recovery.models.evidence import EvidenceDocument
from recovery.portal.dispute_form import Attachment, FilingRefused, confirmation_id
from recovery.portal.disputes import find_filed
from recovery.portal.session import FormInterrupted, PortalError, PortalSession

S = ClaimStatus
ACTOR = "filer"
KEY_PREFIX = "RCV-"
# Fills of one dispute per run: an expired session or a throttled form loses the form.
FORM_TRIES = 3


@dataclass
class FilingReport:
    filed: list[tuple[str, list[int]]] = field(default_factory=list)  # (DSPT id, claim ids)
    found_after_crash: list[tuple[str, list[int]]] = field(default_factory=list)
    refused: list[tuple[list[int], str]] = field(default_factory=list)
    unknown: list[tuple[list[int], str]] = field(default_factory=list)  # checked next run
    busy: list[int] = field(default_factory=list)  # taken by another filer meanwhile
    previews: list[tuple[list[int], Path]] = field(default_factory=list)  # --dry-run
    left_out: list[str] = field(default_factory=list)  # notes for the person running it
    pages_loaded: int = 0


def plan_date(claim: Claim) -> date | None:
    """When the claim should be filed: its `file_by` plan once claims carry one, else Amazon's
    deadline."""
    planned: date | None = getattr(claim, "file_by", None)
    return planned or claim.deadline


def approved_claims(session: Session, claim_ids: Sequence[int] | None) -> list[Claim]:
    # First disputes, re-disputes and statements of open items (a Contact Us case).
    query = select(Claim).where(Claim.status == S.approved.value)
    if claim_ids:
        query = query.where(col(Claim.id).in_(list(claim_ids)))
    claims = list(session.exec(query).all())
    return sorted(claims, key=lambda c: (plan_date(c) or date.max, c.id or 0))


def filing_form(claim: Claim) -> DisputeForm | CaseForm:
    """The portal's form for the claim's rung: a dispute or re-dispute, or (level 3) the
    Statement of Open Items through a Contact Us case."""
    return SETTLEMENT_CASE if claim.level >= 3 else form_for(claim)


def group_disputes(claims: Sequence[Claim]) -> list[list[Claim]]:
    """Claims that go into one dispute (or case), the most urgent first."""
    groups: dict[str, list[Claim]] = {}
    for claim in claims:
        groups.setdefault(filing_form(claim).group(claim), []).append(claim)
    return list(groups.values())


def justification(claims: Sequence[Claim], key: str) -> str:
    texts = [
        c.draft_text.strip() or str(c.draft_fields.get("filing", {}).get("explanation", ""))
        for c in claims
    ]
    # The key lets the bot recognise its own dispute after a crash; Amazon ignores it.
    return "\n\n".join(t for t in texts if t) + f"\n\nOur reference: {key}"


def attachments(session: Session, settings: Settings, claims: Sequence[Claim]) -> list[Attachment]:
    ids = [c.id for c in claims if c.id is not None]
    documents = session.exec(
        select(EvidenceDocument)
        .join(ClaimEvidence, col(ClaimEvidence.document_id) == col(EvidenceDocument.id))
        .where(col(ClaimEvidence.claim_id).in_(ids))
        .order_by(col(EvidenceDocument.id))
    ).all()
    seen: dict[str, Attachment] = {}
    for doc in documents:
        seen.setdefault(
            doc.sha256, Attachment(doc.original_name, settings.evidence_dir / doc.stored_path)
        )
    return list(seen.values())


def build_dispute(
    session: Session, settings: Settings, claims: list[Claim], key: str
) -> DisputeToFile:
    return DisputeToFile(
        type=claims[0].type,
        claims=claims,
        key=key,
        justification=justification(claims, key),
        attachments=attachments(session, settings, claims),
    )


def new_key() -> str:
    return KEY_PREFIX + secrets.token_hex(6).upper()


class Filer:
    """Files through one portal session; the database is written only in short transactions
    around the portal's steps, never while a page loads."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        portal: PortalSession,
        *,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.portal = portal
        self.now = now
        self.report = FilingReport()

    # -- the run -----------------------------------------------------------------------------

    def run(
        self,
        *,
        dry_run: bool = False,
        limit: int | None = None,
        claim_ids: Sequence[int] | None = None,
    ) -> FilingReport:
        # Signed in before any claim is taken: missing or refused credentials stop the run
        # here, with every claim still where it was.
        self.portal.open("/home")
        if not dry_run:
            self.resume_unfinished()
        for group in self.plan(limit=limit, claim_ids=claim_ids):
            if dry_run:
                self.preview(group)
            else:
                self.file_new(group)
        self.report.pages_loaded = self.portal.pages_loaded
        return self.report

    def plan(
        self, *, limit: int | None = None, claim_ids: Sequence[int] | None = None
    ) -> list[list[Claim]]:
        """The disputes to file, the most urgent first."""
        with Session(self.engine, expire_on_commit=False) as session:
            claims = approved_claims(session, claim_ids)
            groups = group_disputes(claims)
            self._note_held_back(session, groups)
        return groups if limit is None else groups[:limit]

    def _note_held_back(self, session: Session, groups: list[list[Claim]]) -> None:
        """A shortage invoice takes one dispute: lines of it not yet approved would be lost."""
        for group in groups:
            first = group[0]
            if first.type != "shortage" or first.level != 1:
                continue
            others = session.exec(
                select(Claim.id).where(
                    Claim.account_id == first.account_id,
                    Claim.type == "shortage",
                    Claim.invoice_number == first.invoice_number,
                    col(Claim.status).in_([s.value for s in workflow.EDITABLE if s != S.approved]),
                )
            ).all()
            if others:
                self.report.left_out.append(
                    f"invoice {first.invoice_number}: claims {', '.join(map(str, others))} are "
                    "not approved yet and miss this invoice's only shortage dispute"
                )

    # -- a dry run ---------------------------------------------------------------------------

    def preview(self, group: list[Claim]) -> None:
        ids = [c.id or 0 for c in group]
        with Session(self.engine) as session:
            dispute = build_dispute(session, self.settings, group, "RCV-DRY-RUN")
        try:
            filing_form(dispute.first).fill(self.portal, dispute)
        except PortalError as exc:
            self.report.refused.append((ids, str(exc)))
            return
        png, _ = self.portal.keep_page(f"dry-run-{dispute.type}-{ids[0]}", folder="dry-run")
        self.report.previews.append((ids, png))

    # -- filing ------------------------------------------------------------------------------

    def file_new(self, group: list[Claim]) -> None:
        key = new_key()
        with Session(self.engine, expire_on_commit=False) as session:
            fresh = [workflow.get_claim(session, c.id or 0) for c in group]
            try:
                for claim in fresh:
                    workflow.transition(
                        session, claim, S.filing, actor=ACTOR, note=f"filing as {key}"
                    )
            except (workflow.ClaimChanged, workflow.IllegalTransition):
                session.rollback()
                self.report.busy.extend(c.id or 0 for c in group)
                return
            started = self.now()
            for claim in fresh:
                session.add(
                    FilingAttempt(
                        claim_id=claim.id or 0,
                        idempotency_key=f"{key}-{claim.id}",
                        dispute_key=key,
                        started_at=started,
                    )
                )
            # Committed before the portal sees anything: a crash from here on is found again.
            session.commit()
            dispute = build_dispute(session, self.settings, fresh, key)
        self.submit(dispute, already_tried=False)

    def submit(self, dispute: DisputeToFile, *, already_tried: bool) -> None:
        form = filing_form(dispute.first)
        ids = [c.id or 0 for c in dispute.claims]
        search = form.search(dispute.first)
        # A dispute is found in Dispute Management and confirmed by its DSPT id; a case in the
        # case log, by its case id.
        find = form.find if isinstance(form, CaseForm) else find_filed
        confirmed = form.confirmation if isinstance(form, CaseForm) else confirmation_id
        clicked = already_tried
        fields: dict[str, Any] = {}
        for _ in range(FORM_TRIES):
            try:
                if clicked:
                    found = find(self.portal, search, dispute.key)
                    if found:
                        self.store_receipt(dispute, found, fields, after_crash=already_tried)
                        return
                fields = form.fill(self.portal, dispute)
                clicked = True  # from the click on, the portal may hold the dispute
                form.submit(self.portal)
                dispute_id = confirmed(self.portal)
                if dispute_id is None:
                    # A 500 after the store, a refusal, anything: the search above decides.
                    self.portal.keep_page(f"no-confirmation-{dispute.key}")
                    continue
                self.store_receipt(dispute, dispute_id, fields, after_crash=False)
                return
            except FormInterrupted:
                continue
            except FilingRefused as refused:
                if clicked and find(self.portal, search, dispute.key):
                    continue  # stored after all; the next round stores its receipt
                self.give_back(dispute, "refused", str(refused))
                self.report.refused.append((ids, str(refused)))
                return
            except PortalError as error:
                self.report.unknown.append((ids, str(error)))
                return
            except Exception as error:  # a browser failure: the key stays for the next run
                self.portal.keep_page(f"error-{dispute.key}")
                self.report.unknown.append((ids, f"{type(error).__name__}: {error}"))
                return
        try:
            found = find(self.portal, search, dispute.key) if clicked else None
        except PortalError as error:
            self.report.unknown.append((ids, str(error)))
            return
        if found:
            self.store_receipt(dispute, found, fields, after_crash=already_tried)
            return
        message = f"not filed after {FORM_TRIES} tries; the portal has no dispute {dispute.key}"
        self.give_back(dispute, "failed", message)
        self.report.unknown.append((ids, message))

    def store_receipt(
        self,
        dispute: DisputeToFile,
        dispute_id: str,
        fields: dict[str, Any],
        *,
        after_crash: bool,
    ) -> None:
        png, _ = self.portal.keep_page(dispute_id, folder="receipts")
        finished = self.now()
        submitted = {
            **fields,
            "justification": dispute.justification,
            "attachments": [a.name for a in dispute.attachments],
        }
        with Session(self.engine) as session:
            for claim in dispute.claims:
                attempt = session.exec(
                    select(FilingAttempt).where(
                        FilingAttempt.idempotency_key == f"{dispute.key}-{claim.id}"
                    )
                ).one()
                attempt.outcome = "filed"
                attempt.case_id = dispute_id
                attempt.finished_at = finished
                attempt.screenshot_path = str(png)
                attempt.fields = submitted
                session.add(attempt)
                stored = workflow.get_claim(session, claim.id or 0)
                stored.case_id = dispute_id
                session.add(stored)
                session.flush()
                workflow.transition(
                    session, stored, S.filed, actor=ACTOR, note=f"filed as {dispute_id}"
                )
            session.commit()
        ids = [c.id or 0 for c in dispute.claims]
        (self.report.found_after_crash if after_crash else self.report.filed).append(
            (dispute_id, ids)
        )

    def give_back(self, dispute: DisputeToFile, outcome: str, message: str) -> None:
        """The portal certainly does not hold the dispute: the claims go back to the queue."""
        with Session(self.engine) as session:
            for claim in dispute.claims:
                table = table_of(FilingAttempt)
                session.connection().execute(
                    update(table)
                    .where(table.c.idempotency_key == f"{dispute.key}-{claim.id}")
                    .values(outcome=outcome, error=message, finished_at=self.now())
                )
                stored = workflow.get_claim(session, claim.id or 0)
                workflow.transition(session, stored, S.approved, actor=ACTOR, note=message)
            session.commit()

    # -- after a crash -----------------------------------------------------------------------

    def resume_unfinished(self) -> None:
        lease = timedelta(seconds=self.settings.vendor_central.filing_lease_seconds)
        with Session(self.engine, expire_on_commit=False) as session:
            attempts = session.exec(
                select(FilingAttempt).where(
                    FilingAttempt.outcome == "started",
                    col(FilingAttempt.dispute_key).is_not(None),
                )
            ).all()
        by_key: dict[str, list[FilingAttempt]] = {}
        for attempt in attempts:
            by_key.setdefault(attempt.dispute_key or "", []).append(attempt)
        for key, group in by_key.items():
            started = group[0].started_at
            if started > self.now() - lease:
                self.report.busy.extend(a.claim_id for a in group)
                continue
            if not self._take_over(key, started):
                self.report.busy.extend(a.claim_id for a in group)
                continue
            with Session(self.engine, expire_on_commit=False) as session:
                claims = [workflow.get_claim(session, a.claim_id) for a in group]
                if any(c.status != S.filing for c in claims):
                    continue
                dispute = build_dispute(session, self.settings, claims, key)
            self.submit(dispute, already_tried=True)

    def _take_over(self, key: str, started: datetime) -> bool:
        """Compare-and-set on the start time: of two filers resuming, one wins."""
        table = table_of(FilingAttempt)
        with Session(self.engine) as session:
            result = session.connection().execute(
                update(table)
                .where(
                    table.c.dispute_key == key,
                    table.c.outcome == "started",
                    table.c.started_at == started,
                )
                .values(started_at=self.now())
            )
            session.commit()
            return bool(result.rowcount)


def file_claims(
    engine: Engine,
    settings: Settings,
    *,
    dry_run: bool = False,
    limit: int | None = None,
    claim_ids: Sequence[int] | None = None,
    browser: Browser | None = None,
) -> FilingReport:
    """File through `vendor_central.filing_contexts` browser contexts (a dry run: one); with
    more than one, each runs in its own thread with its own Playwright, so `browser` (bound to
    the caller's thread) is not used."""
    if settings.vendor_central.filing_contexts > 1 and not dry_run:
        # Imported here: the parallel runner is built on this module's Filer.
        from recovery.claims.filing_contexts import file_in_contexts

        return file_in_contexts(engine, settings, limit=limit, claim_ids=claim_ids)
    with PortalSession(settings, browser=browser) as portal:
        return Filer(engine, settings, portal).run(
            dry_run=dry_run, limit=limit, claim_ids=claim_ids
        )
