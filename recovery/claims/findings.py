"""What detection finds: one `Finding` per deduction (or part of one) that is worth a look.

Findings are plain values produced by the pure rules in `recovery.claims.kinds`; writing them
as claims is `recovery.claims.detection`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any


class Verdict(StrEnum):
    claimable = "claimable"  # wrong, with the evidence to say so: becomes a claim
    needs_evidence = "needs_evidence"  # wrong if the shipment can be proven; nothing claimed yet
    valid = "valid"  # Amazon was right
    over_invoiced = "over_invoiced"  # Amazon was right because the vendor invoiced too much
    unexplained = "unexplained"  # cannot be judged from the data: a person must look


# Findings are values no one changes once a rule made them, but they are not frozen dataclasses:
# a frozen dataclass sets each field through object.__setattr__, which tripled the cost of
# making the tens of thousands of findings a run builds or reads back.
@dataclass(slots=True)
class FindingLine:
    invoice_number: str | None
    po_number: str | None
    asin: str | None
    quantity: int | None
    amount: Decimal


@dataclass(slots=True)
class Finding:
    type: str  # ClaimType value
    verdict: Verdict
    key: str  # stable identity across runs: type + the deduction's natural key
    reference: str  # the deduction's own id: debit note, co-op invoice or chargeback id
    amount: Decimal  # claimable (or at stake, for needs_evidence/over_invoiced)
    currency: str
    reason: str  # plain words naming the numbers compared and the documents used
    confidence: int = 90  # percent
    invoice_number: str | None = None
    po_number: str | None = None
    asin: str | None = None
    quantity: int | None = None
    base_date: date | None = None  # what the deadline counts from (due date, notification...)
    deduction_ids: tuple[int, ...] = ()
    evidence_ids: tuple[int, ...] = ()
    lines: tuple[FindingLine, ...] = ()
    dispute_reason: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def is_claim(self) -> bool:
        """Worth a claim: money to claim now, once the shipment is proven, or once a person
        has looked (a claim in status needs_look)."""
        return self.verdict in CLAIM_VERDICTS and self.amount > 0


CLAIM_VERDICTS = frozenset({Verdict.claimable, Verdict.needs_evidence, Verdict.unexplained})
