"""Turn a claim into what will be filed: the text, the attachments and the form's fields.

Rendering is a pure function of the claim's data (`DraftInput`) and the templates; reading that
data from the database and moving the claim on (ready / needs_evidence / auto-approved) are the
thin parts around it.

Detection puts extra facts in `Claim.draft_fields`; the templates use these when present and
leave them out otherwise (money as decimal strings, dates as ISO strings):
- shortage: invoice_date, due_date, shipped_date, invoiced_units, shipped_units,
  received_units, deducted_units, exception_units, unit_cost, bol_number(s), pro_number(s),
  carrier, cartons, ship_to
- price: po_date, invoice_cost, paid_cost, agreed_cost, cost_effective_from
- coop: agreement_id, agreement_title, agreement_rate_pct (or rate_percent), billed_rate_pct,
  billed_amount (or billed), correct_amount (or correct), period_start, period_end, problems
  (list of sentences)
- chargeback: issue_type, sub_type, notification_date, fee_charged (or charged), fee_expected,
  asn_confirmed_at, shipped_at, delivered_at, delivery_window_start, delivery_window_end,
  duplicate_of
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    pass_context,
)
from jinja2.runtime import Context
from markupsafe import Markup
from sqlmodel import Session, col, select

from recovery.claims import workflow
from recovery.claims.claim_view import claim_values
from recovery.claims.draft_input import DocumentFacts, DraftInput, LineFacts, PriorDecision
from recovery.claims.kinds import KINDS, kind_of
from recovery.config import Settings
from recovery.errors import RecoveryError
from recovery.models.accounts import VendorAccount
from recovery.models.base import utcnow
from recovery.models.claims import (
    Claim,
    ClaimEvent,
    ClaimEvidence,
    ClaimLine,
    ClaimStatus,
    FilingAttempt,
)
from recovery.models.evidence import DocumentKind, EvidenceDocument
from recovery.money import format_money, from_minor
from recovery.resources import templates_dir

S = ClaimStatus

MONEY_FACTS = frozenset(
    {
        "unit_cost",
        "invoice_cost",
        "paid_cost",
        "agreed_cost",
        "billed_amount",
        "correct_amount",
        "fee_charged",
        "fee_expected",
    }
)
# Keys of `draft_fields` that drafting writes itself; everything else is a fact from detection.
DRAFTING_KEYS = frozenset({"filing", "attachments", "missing_evidence", "text_edited_by"})

# Statuses whose draft may still be (re)rendered.
DRAFTABLE = frozenset({S.waiting, S.draft, S.needs_evidence, S.ready, S.redispute_ready})

_KIND_ORDER = {DocumentKind.bol: 0, DocumentKind.pod: 1, DocumentKind.packing_list: 2}
_PROOF_OF_DELIVERY = frozenset({DocumentKind.bol, DocumentKind.pod})


class TemplateError(RecoveryError):
    """A claim template is missing or broken (usually a vendor's override)."""


@dataclass(frozen=True)
class Draft:
    text: str
    attachments: list[dict[str, Any]]
    filing: dict[str, Any]
    missing: list[str]

    @property
    def evidence_complete(self) -> bool:
        return not self.missing


def template_name(claim_type: str, level: int) -> str:
    """`shortage_dispute.j2`, `shortage_redispute.j2`, then `statement_of_open_items.j2`."""
    kind = KINDS.get(claim_type)
    if kind is None:
        raise TemplateError(f"no claim templates for type {claim_type!r}")
    if level >= 3:
        return "statement_of_open_items.j2"
    dispute, redispute = kind.templates
    return redispute if level == 2 else dispute


def _money(context: Context, value: Any, currency: str | None = None) -> str:
    if value is None or value == "":
        return ""
    return format_money(Decimal(value), currency or context["currency"])


def _sentence(text: str) -> str:
    """Detection's reasons may end without a full stop; a letter's sentences should not."""
    text = str(text).strip()
    return text if not text or text[-1] in ".!?" else text + "."


def _plural(count: int | None, singular: str, plural: str | None = None) -> str:
    word = singular if count == 1 else (plural or singular + "s")
    return f"{count} {word}"


@functools.lru_cache(maxsize=8)
def template_environment(override_dir: Path | None) -> Environment:
    """Shipped templates, with any same-named file in `override_dir` taking precedence.

    Autoescape is on so that a value from an imported file can never turn into markup when a
    template is shown as HTML; `render_draft` unescapes the result, because what is filed is
    plain text and must carry the values exactly as they are.
    """
    loaders = []
    if override_dir is not None:
        if not override_dir.is_dir():
            raise TemplateError(f"claims.templates_dir: {override_dir} is not a directory")
        loaders.append(FileSystemLoader(str(override_dir)))
    loaders.append(FileSystemLoader(str(templates_dir() / "claims")))
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # Templates are read once per process; checking the files on every claim costs more
        # than the rendering when detection drafts thousands.
        auto_reload=False,
    )
    env.filters["money"] = pass_context(_money)
    env.filters["plural"] = _plural
    env.filters["sentence"] = _sentence
    return env


def render_draft(data: DraftInput, env: Environment) -> Draft:
    attachments = [
        {"document_id": doc.id, "name": doc.name, "kind": doc.kind} for doc in data.documents
    ]
    missing = missing_evidence(data)
    name = template_name(data.type, data.level)
    try:
        template = env.get_template(name)
        rendered = template.render(
            claim=data,
            currency=data.currency,
            lines=data.lines,
            documents=data.documents,
            facts=_FactView(data.facts),
            missing=missing,
        )
    except RecoveryError:
        raise
    except Exception as exc:  # a vendor's template: say which one and what broke
        raise TemplateError(f"claim template {name}: {type(exc).__name__}: {exc}") from exc
    text = _tidy(Markup(rendered).unescape())
    return Draft(
        text=text,
        attachments=attachments,
        filing=filing_fields(data, text, attachments),
        missing=missing,
    )


class _FactView(dict[str, Any]):
    """Facts for templates: an absent fact is None rather than an error, since detection
    supplies different facts per case."""

    def __missing__(self, key: str) -> None:
        return None

    def __getattr__(self, key: str) -> Any:
        return self[key]


def _tidy(text: str) -> str:
    """Collapse the blank lines left where optional paragraphs were skipped."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    tidy: list[str] = []
    for line in lines:
        if line == "" and tidy and tidy[-1] == "":
            continue
        tidy.append(line)
    return "\n".join(tidy) + "\n"


def missing_evidence(data: DraftInput) -> list[str]:
    """What the claim still lacks before a person should be asked to approve it (its kind's
    rule)."""
    return kind_of(data.type).missing_evidence(data)


def filing_fields(
    data: DraftInput, text: str, attachments: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """What the portal's dispute form asks for, as JSON-ready values: what every form takes,
    then the kind's own fields."""
    names = [str(a["name"]) for a in attachments]
    common: dict[str, Any] = {
        "level": data.level,
        "explanation": text,
        "attachments": names,
        "amount": str(data.amount),
        "currency": data.currency,
    }
    if data.level >= 2 and data.previous_cases:
        common["previous_case_ids"] = list(data.previous_cases)
    return {**common, **kind_of(data.type).form_fields(data)}


# Other names detection may use for the same facts.
_FACT_ALIASES = {
    "bol_numbers": "bol_number",
    "pro_numbers": "pro_number",
    "rate_percent": "agreement_rate_pct",
    "billed": "billed_amount",
    "correct": "correct_amount",
    "charged": "fee_charged",
    "expected_fee": "fee_expected",
}


def normalise_facts(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Detection's facts under the names the templates use; money as Decimal, lists of
    document numbers as one comma-separated value."""
    facts: dict[str, Any] = {}
    for key, value in raw.items():
        if key in DRAFTING_KEYS:
            continue
        name = _FACT_ALIASES.get(key, key)
        if name in facts and key != name:
            continue  # the canonical name wins over an alias
        if isinstance(value, list) and name in ("bol_number", "pro_number"):
            value = ", ".join(str(v) for v in value) or None
        facts[name] = _fact_value(name, value)
    return facts


def _fact_value(key: str, value: Any) -> Any:
    if key in MONEY_FACTS and value is not None and not isinstance(value, Decimal):
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return value
    return value


def load_draft_input(session: Session, claim: Claim) -> DraftInput:
    """The claim's data, lines, documents and history as `render_draft` needs them."""
    assert claim.id is not None
    return load_draft_inputs(session, [claim])[claim.id]


_ID_CHUNK = 500  # below every database's bound-parameter limit


def load_draft_inputs(session: Session, claims: Sequence[Claim]) -> dict[int, DraftInput]:
    """`DraftInput` per claim id, read set-wise: a handful of queries per 500 claims, not per
    claim, because detection drafts thousands at once."""
    inputs: dict[int, DraftInput] = {}
    accounts: dict[int, VendorAccount | None] = {}
    with session.no_autoflush:
        for start in range(0, len(claims), _ID_CHUNK):
            chunk = list(claims[start : start + _ID_CHUNK])
            ids = [c.id for c in chunk if c.id is not None]
            lines: dict[int, list[ClaimLine]] = defaultdict(list)
            for line in session.exec(
                select(ClaimLine)
                .where(col(ClaimLine.claim_id).in_(ids))
                .order_by(col(ClaimLine.claim_id), col(ClaimLine.line_no))
            ):
                lines[line.claim_id].append(line)
            documents: dict[int, list[EvidenceDocument]] = defaultdict(list)
            for claim_id, doc in session.exec(
                select(ClaimEvidence.claim_id, EvidenceDocument)
                .join(EvidenceDocument, col(ClaimEvidence.document_id) == col(EvidenceDocument.id))
                .where(col(ClaimEvidence.claim_id).in_(ids))
            ):
                documents[claim_id].append(doc)
            cases: dict[int, list[str]] = defaultdict(list)
            for filing in session.exec(
                select(FilingAttempt)
                .where(col(FilingAttempt.claim_id).in_(ids), FilingAttempt.outcome == "filed")
                .order_by(col(FilingAttempt.started_at))
            ):
                if filing.case_id:
                    cases[filing.claim_id].append(filing.case_id)
            decisions: dict[int, list[ClaimEvent]] = defaultdict(list)
            for event in session.exec(
                select(ClaimEvent)
                .where(
                    col(ClaimEvent.claim_id).in_(ids),
                    col(ClaimEvent.to_status).in_([S.denied.value, S.partially_won.value]),
                    ClaimEvent.action == "transition",
                )
                .order_by(col(ClaimEvent.at), col(ClaimEvent.id))
            ):
                decisions[event.claim_id].append(event)
            for claim in chunk:
                assert claim.id is not None
                if claim.account_id not in accounts:
                    accounts[claim.account_id] = session.get(VendorAccount, claim.account_id)
                inputs[claim.id] = _draft_input(
                    claim,
                    accounts[claim.account_id],
                    lines[claim.id],
                    documents[claim.id],
                    cases[claim.id],
                    decisions[claim.id],
                )
    return inputs


def _draft_input(
    claim: Claim,
    account: VendorAccount | None,
    lines: Sequence[ClaimLine],
    documents: Sequence[EvidenceDocument],
    filed_cases: Sequence[str],
    decisions: Sequence[ClaimEvent],
) -> DraftInput:
    assert claim.id is not None
    cases = list(filed_cases)
    if claim.case_id and claim.case_id not in cases:
        cases.append(claim.case_id)
    return DraftInput(
        **claim_values(claim),
        dispute_reason=claim.dispute_reason,
        vendor_code=account.vendor_code if account else "",
        vendor_name=account.name if account else "",
        case_id=claim.case_id,
        recovered=from_minor(claim.recovered_minor, claim.currency),
        lines=tuple(
            LineFacts(
                line.line_no,
                line.invoice_number,
                line.po_number,
                line.asin,
                line.quantity,
                from_minor(line.amount_minor, line.currency),
            )
            for line in lines
        ),
        documents=tuple(
            sorted(
                (document_facts(doc) for doc in documents),
                key=lambda d: (_KIND_ORDER.get(DocumentKind(d.kind), 9), d.name, d.id),
            )
        ),
        facts=normalise_facts(claim.draft_fields),
        previous_cases=tuple(cases),
        decisions=tuple(PriorDecision(str(e.to_status), e.at.date(), e.note) for e in decisions),
    )


def document_facts(doc: EvidenceDocument) -> DocumentFacts:
    assert doc.id is not None
    kind = doc.kind if doc.kind in set(DocumentKind) else DocumentKind.unknown
    return DocumentFacts(
        id=doc.id,
        name=doc.original_name,
        kind=kind,
        carrier=doc.carrier,
        bol_number=doc.bol_number,
        pro_number=doc.pro_number,
        ship_date=doc.ship_date,
        delivery_date=doc.delivery_date,
        ship_to=doc.ship_to,
        cartons=doc.cartons,
        pallets=doc.pallets,
        units=doc.units,
        signed=doc.signed,
        exception_kind=doc.exception_kind,
        exception_units=doc.exception_units,
        po_numbers=tuple(doc.po_numbers or ()),
    )


def redraft(
    session: Session, claim: Claim, settings: Settings, data: DraftInput | None = None
) -> Draft:
    """Render the claim again and store the result; a person's edited text is kept."""
    draft = render_draft(
        data or load_draft_input(session, claim),
        template_environment(settings.claims.templates_dir),
    )
    if not claim.draft_fields.get("text_edited_by"):
        claim.draft_text = draft.text
    # A new dict: JSON columns only notice assignment, not mutation.
    claim.draft_fields = {
        **claim.draft_fields,
        "filing": draft.filing,
        "attachments": draft.attachments,
        "missing_evidence": draft.missing,
    }
    claim.updated_at = utcnow()
    session.add(claim)
    return draft


def draft_claims(session: Session, claims: Sequence[Claim], settings: Settings) -> None:
    """Render every claim that can still change and move it on.

    draft → ready when its evidence is complete, else → needs_evidence; needs_evidence → ready
    once it is. A ready first-level claim the auto-approval policy covers becomes approved by
    "auto-approval". Claims already approved, filed or closed are left alone.
    """
    policy = settings.claims.auto_approve
    todo = [c for c in claims if ClaimStatus(c.status) in DRAFTABLE]
    inputs = load_draft_inputs(session, todo)
    for claim in todo:
        assert claim.id is not None
        draft = redraft(session, claim, settings, inputs[claim.id])
        status = ClaimStatus(claim.status)
        if status in (S.draft, S.needs_evidence) and draft.evidence_complete:
            workflow.transition(session, claim, S.ready, actor="drafting", note="evidence complete")
        elif status in (S.draft, S.ready) and not draft.evidence_complete:
            workflow.transition(
                session,
                claim,
                S.needs_evidence,
                actor="drafting",
                note="missing: " + "; ".join(draft.missing),
            )
        if (
            claim.status == S.ready
            and claim.level == 1
            and workflow.auto_approvable(
                claim.type, workflow.claim_amount(claim), claim.confidence_pct, policy
            )
        ):
            rule = policy[claim.type]
            workflow.transition(
                session,
                claim,
                S.approved,
                actor=workflow.AUTO_APPROVER,
                note=(
                    f"{format_money(workflow.claim_amount(claim), claim.currency)} ≤ "
                    f"{format_money(rule.max_amount, claim.currency)} and confidence "
                    f"{claim.confidence_pct}% ≥ {rule.min_confidence}%"
                ),
            )


def attach_document(
    session: Session, claim_id: int, document_id: int, settings: Settings, *, actor: str
) -> bool:
    """Link an evidence document to a claim and re-draft it; False when already linked."""
    claim = workflow.get_claim(session, claim_id)
    document = session.get(EvidenceDocument, document_id)
    if document is None:
        raise RecoveryError(f"evidence document {document_id}: no such document")
    if ClaimStatus(claim.status) not in workflow.PRE_FILING:
        raise workflow.ClaimEditError(
            f"claim {claim_id}: evidence cannot be added in status {claim.status}"
        )
    linked = session.exec(
        select(ClaimEvidence).where(
            ClaimEvidence.claim_id == claim_id, ClaimEvidence.document_id == document_id
        )
    ).first()
    if linked is not None:
        return False
    session.add(ClaimEvidence(claim_id=claim_id, document_id=document_id, added_by=actor))
    session.flush()
    workflow.record_event(session, claim, "attach", actor=actor, note=document.original_name)
    if claim.status == S.approved:
        # What was approved did not include this document: a person approves again.
        workflow.transition(
            session, claim, S.ready, actor=actor, note="evidence added after approval"
        )
    if ClaimStatus(claim.status) in DRAFTABLE:
        draft_claims(session, [claim], settings)
    return True
