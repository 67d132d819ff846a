"""Findings become claims: created, brought up to date, expired or retired, once per run.

Each finding has a stable key, so a run updates the claim a previous run made instead of adding
one. Only claims nobody has acted on are rewritten. The first run on a year of data creates tens
of thousands of claims and later runs mostly find nothing changed, so both paths are set-wise:
new claims and their lines, evidence and events are inserted in bulk, and stored claims are
compared as plain rows; only the few that change are loaded as objects and go through the
workflow.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from recovery.claims import drafting, workflow
from recovery.claims.deadlines import Band, Timing
from recovery.claims.findings import Finding, Verdict
from recovery.models import (
    Claim,
    ClaimEvent,
    ClaimEvidence,
    ClaimLine,
    ClaimStatus,
    EvidenceDocument,
    table_of,
    utcnow,
)
from recovery.money import to_minor
from recovery.store.upsert import existing_ids, insert_rows

S = ClaimStatus
# A person (or the filing job) has not touched these yet: detection may rewrite them.
# An expired claim is among them: if its window is open again (the rules' windows were
# corrected, or a setting changed), detection brings it back.
REWRITABLE = frozenset({S.waiting, S.draft, S.ready, S.needs_evidence, S.needs_look, S.expired})
# The statuses that say who must act next; detection moves a claim between them as its
# finding changes.
_PERSON_NEEDED = {Verdict.needs_evidence: S.needs_evidence, Verdict.unexplained: S.needs_look}
# What detection owns on a claim: a change in any of these is an update.
CONTENT = (
    "amount_minor",
    "reason",
    "deadline",
    "file_by",
    "age_from",
    "quantity",
    "band",
    "confidence_pct",
    "dispute_reason",
)
WORDS = ("reason", "dispute_reason")
_QUERY_CHUNK = 500


@dataclass
class StoreCounts:
    created: int = 0
    updated: int = 0
    retired: int = 0
    unchanged: int = 0
    # Claims whose draft must be (re)written: the new ones and the updated ones.
    changed_ids: list[int] = field(default_factory=list)


def store_findings(
    session: Session,
    account_id: int,
    findings: Sequence[Finding],
    timings: dict[str, Timing],
    *,
    summarised: Collection[str] = frozenset(),
    complete: Callable[[Collection[str]], Mapping[str, Finding]] | None = None,
) -> StoreCounts:
    """Create, update, expire or retire the account's claims to match `findings`.

    The findings with `summarised` keys are the last run's as stored for the summary (see
    `recovery.claims.incremental.stored_findings`): their claims were written from them whole,
    so only their figures and timing are compared, and `complete` gives them whole where a
    claim is rewritten.
    """
    counts = StoreCounts()
    computed = [f.key for f in findings if f.is_claim and f.key not in summarised]
    stored = _stored_claims(session, account_id, computed if summarised else None)
    known_documents = set(session.exec(select(EvidenceDocument.id)).all())
    new: list[tuple[Finding, Timing | None]] = []
    to_update: dict[int, tuple[Finding, Timing | None]] = {}
    seen: set[str] = set()
    lapsed: set[str] = set()
    for finding in findings:
        if not finding.is_claim:
            continue
        timing = timings.get(finding.key)
        if finding.verdict in _PERSON_NEEDED and timing is not None and timing.band == Band.expired:
            # Never provable in time: reported in the summary, no claim to work on.
            lapsed.add(finding.key)
            continue
        seen.add(finding.key)
        row = stored.get(finding.key)
        if row is None:
            new.append((finding, timing))
        elif S(row["status"]) in REWRITABLE and _differs(
            row, finding, timing, words=finding.key not in summarised
        ):
            to_update[row["id"]] = (finding, timing)
        else:
            counts.unchanged += 1
    rewritten = [f.key for f, _ in [*new, *to_update.values()] if f.key in summarised]
    if rewritten:
        assert complete is not None, "summarised findings need `complete`"
        whole = complete(rewritten)
        new = [(whole[f.key] if f.key in summarised else f, t) for f, t in new]
        to_update = {
            i: (whole[f.key] if f.key in summarised else f, t) for i, (f, t) in to_update.items()
        }
    counts.changed_ids.extend(_insert_claims(session, account_id, new, known_documents))
    counts.created = len(new)
    for claim in _load(session, to_update):
        assert claim.id is not None
        finding, timing = to_update[claim.id]
        _update(session, claim, finding, timing, known_documents)
        counts.changed_ids.append(claim.id)
    counts.updated = len(to_update)
    gone = {
        row["id"]: key
        for key, row in stored.items()
        if key not in seen and S(row["status"]) in workflow.PRE_FILING
    }
    for claim in _load(session, gone):
        if claim.finding_key in lapsed:
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
        counts.retired += 1
    session.flush()
    return counts


def load_claims(session: Session, ids: Iterable[int]) -> list[Claim]:
    """The claims with these ids, in that order."""
    wanted = list(ids)
    by_id = {c.id: c for c in _load(session, wanted)}
    return [by_id[i] for i in wanted if i in by_id]


def _initial_status(finding: Finding, timing: Timing | None) -> ClaimStatus:
    if timing is not None and timing.band == Band.expired:
        return S.expired
    if finding.verdict in _PERSON_NEEDED:
        return _PERSON_NEEDED[finding.verdict]
    if timing is not None and timing.waiting_until is not None:
        return S.waiting
    return S.draft


def undrafted_ids(session: Session, account_id: int) -> list[int]:
    """Claims that were never drafted (found by a run told not to draft) and still can be."""
    claim = table_of(Claim)
    query = select(claim.c.id).where(
        claim.c.account_id == account_id,
        claim.c.draft_text == "",
        claim.c.status.in_([s.value for s in drafting.DRAFTABLE]),
    )
    return list(session.connection().execute(query).scalars())


def _stored_claims(
    session: Session, account_id: int, words_for: Collection[str] | None
) -> dict[str, dict[str, Any]]:
    """The account's claims by finding key, each with its id and status; those detection may
    still rewrite also with what `_differs` compares, and their words (long, and compared only
    for findings computed in this run) only for `words_for` (None: all).

    Most of an account's claims were filed, decided or expired long ago: reading only their
    status keeps a run from reading a year of claims' figures and dates to compare none."""
    claim = table_of(Claim)
    own = claim.c.account_id == account_id
    query = select(claim.c.id, claim.c.finding_key, claim.c.status).where(own)
    stored = {
        key: {"id": claim_id, "finding_key": key, "status": status}
        for claim_id, key, status in session.execute(query)
    }
    columns = [c for c in CONTENT if words_for is None or c not in WORDS]
    rewritable = [s.value for s in REWRITABLE]
    query = select(claim.c.finding_key, *(claim.c[c] for c in columns))
    for row in session.execute(query.where(own, claim.c.status.in_(rewritable))).mappings():
        stored[row["finding_key"]].update(row)
    keys = sorted(
        k for k in words_for or () if k in stored and S(stored[k]["status"]) in REWRITABLE
    )
    for start in range(0, len(keys), _QUERY_CHUNK):
        query = select(claim.c.finding_key, *(claim.c[c] for c in WORDS)).where(
            own, claim.c.finding_key.in_(keys[start : start + _QUERY_CHUNK])
        )
        for row in session.execute(query).mappings():
            stored[row["finding_key"]].update(row)
    return stored


def _content_of(finding: Finding, timing: Timing | None) -> dict[str, Any]:
    return {
        "amount_minor": to_minor(finding.amount, finding.currency),
        "reason": finding.reason,
        "deadline": timing.deadline if timing else None,
        "file_by": timing.file_by if timing else None,
        "age_from": timing.age_from if timing else None,
        "quantity": finding.quantity,
        "band": timing.band.value if timing else None,
        "confidence_pct": finding.confidence,
        "dispute_reason": finding.dispute_reason,
    }


def _differs(
    row: dict[str, Any], finding: Finding, timing: Timing | None, *, words: bool = True
) -> bool:
    """Whether the claim `row` must be rewritten; `words=False` leaves its reason and dispute
    reason out (a summarised finding does not carry them)."""
    content = _content_of(finding, timing)
    if not words:
        for name in WORDS:
            del content[name]
    if any(row[name] != value for name, value in content.items()):
        return True
    status = S(row["status"])
    if status == S.waiting and (timing is None or timing.waiting_until is None):
        return True  # the matching period has ended
    expired = timing is not None and timing.band == Band.expired
    if expired != (status == S.expired):
        return True
    return _status_moves(status, finding) is not None


def _status_moves(status: ClaimStatus, finding: Finding) -> ClaimStatus | None:
    """Where detection moves a claim whose finding's verdict changed between "needs a person"
    (needs_evidence, needs_look) and claimable; None when it stays."""
    wanted = _PERSON_NEEDED.get(finding.verdict)
    if status == S.needs_look and wanted is None:
        return S.draft
    # (needs_evidence → ready is drafting's move, once the evidence is complete)
    if status == S.needs_look and wanted == S.needs_evidence:
        return S.needs_evidence
    if wanted == S.needs_look and status in (S.waiting, S.draft, S.ready, S.needs_evidence):
        return S.needs_look
    return None


def _fill(claim: Claim, finding: Finding, timing: Timing | None) -> None:
    for name, value in _identity_of(finding).items():
        setattr(claim, name, value)
    for name, value in _content_of(finding, timing).items():
        setattr(claim, name, value)
    kept = {k: v for k, v in claim.draft_fields.items() if k in drafting.DRAFTING_KEYS}
    claim.draft_fields = {**finding.facts, **kept, "verdict": finding.verdict.value}
    claim.updated_at = utcnow()


def _identity_of(finding: Finding) -> dict[str, Any]:
    return {
        "reference": finding.reference,
        "invoice_number": finding.invoice_number,
        "po_number": finding.po_number,
        "asin": finding.asin,
        "currency": finding.currency,
        "deduction_id": finding.deduction_ids[0] if finding.deduction_ids else None,
    }


def _insert_claims(
    session: Session,
    account_id: int,
    new: Sequence[tuple[Finding, Timing | None]],
    known_documents: set[int | None],
) -> list[int]:
    """New claims with their lines, evidence and first event, a few statements in all."""
    if not new:
        return []
    now = utcnow()
    claim = table_of(Claim)
    rows = [
        {
            "account_id": account_id,
            "finding_key": finding.key,
            "type": finding.type,
            "status": _initial_status(finding, timing).value,
            "level": 1,
            **_identity_of(finding),
            **_content_of(finding, timing),
            "draft_text": "",
            "draft_fields": {**finding.facts, "verdict": finding.verdict.value},
            "recovered_minor": 0,
            "created_at": now,
            "updated_at": now,
        }
        for finding, timing in new
    ]
    conn = session.connection()
    insert_rows(conn, claim, rows)
    natural = ("account_id", "finding_key")
    written = existing_ids(conn, claim, natural, [(account_id, f.key) for f, _ in new])
    ids = {key: claim_id for (_, key), claim_id in written.items()}
    lines: list[dict[str, Any]] = []
    evidence: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for (finding, _timing), row in zip(new, rows, strict=True):
        claim_id = ids[finding.key]
        lines.extend(_line_rows(claim_id, finding))
        evidence.extend(
            {"claim_id": claim_id, "document_id": document_id, "added_by": "detect"}
            for document_id in dict.fromkeys(finding.evidence_ids)
            if document_id in known_documents
        )
        events.append(
            {
                "claim_id": claim_id,
                "at": now,
                "actor": "detect",
                "action": "detect",
                "from_status": None,
                "to_status": row["status"],
                "note": finding.reason,
                "previous_text": None,
            }
        )
    for table, table_rows in (
        (table_of(ClaimLine), lines),
        (table_of(ClaimEvidence), evidence),
        (table_of(ClaimEvent), events),
    ):
        insert_rows(conn, table, table_rows)
    return [ids[finding.key] for finding, _ in new]


def _line_rows(claim_id: int, finding: Finding) -> list[dict[str, Any]]:
    return [
        {
            "claim_id": claim_id,
            "line_no": number,
            "invoice_number": line.invoice_number,
            "po_number": line.po_number,
            "asin": line.asin,
            "quantity": line.quantity,
            "amount_minor": to_minor(line.amount, finding.currency),
            "currency": finding.currency,
        }
        for number, line in enumerate(finding.lines, start=1)
    ]


def _update(
    session: Session,
    claim: Claim,
    finding: Finding,
    timing: Timing | None,
    known_documents: set[int | None],
) -> None:
    """Bring an untouched claim in line with its finding (which differs from it)."""
    status_before = claim.status
    _fill(claim, finding, timing)
    expired = timing is not None and timing.band == Band.expired
    if claim.status == S.expired and not expired:
        workflow.transition(
            session,
            claim,
            _initial_status(finding, timing),
            actor="detect",
            note=f"still fileable: Amazon's deadline is {timing.deadline if timing else 'none'}",
        )
    moved = _status_moves(S(claim.status), finding)
    if moved is not None and not expired:
        workflow.transition(
            session,
            claim,
            moved if moved != S.draft else _initial_status(finding, timing),
            actor="detect",
            note="the finding changed: " + finding.verdict.value.replace("_", " "),
        )
    if claim.status == S.waiting and (timing is None or timing.waiting_until is None):
        workflow.transition(
            session, claim, S.draft, actor="detect", note="Amazon's matching period has ended"
        )
    if expired and claim.status != S.expired:
        assert timing is not None
        workflow.transition(
            session, claim, S.expired, actor="detect", note=f"deadline {timing.deadline} passed"
        )
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
    for row in _line_rows(claim.id, finding):
        session.add(ClaimLine(**row))
    attached = set(
        session.exec(
            select(ClaimEvidence.document_id).where(ClaimEvidence.claim_id == claim.id)
        ).all()
    )
    for document_id in dict.fromkeys(finding.evidence_ids):
        if document_id in known_documents and document_id not in attached:
            session.add(ClaimEvidence(claim_id=claim.id, document_id=document_id))
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


def _load(session: Session, ids: Iterable[int]) -> list[Claim]:
    wanted = list(ids)
    claims: list[Claim] = []
    for start in range(0, len(wanted), _QUERY_CHUNK):
        part = wanted[start : start + _QUERY_CHUNK]
        claims.extend(session.exec(select(Claim).where(col(Claim.id).in_(part))).all())
    return claims
