"""A stored claim as its views read it: the one mapping from a `Claim` row to the values the
queue (`queue.QueueRow`) and the draft (`draft_input.DraftInput`) show, money as `Decimal`.

Each view adds what only it needs (the queue its band and evidence names, the draft its lines
and documents) to these.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TypedDict

from recovery.models.claims import Claim
from recovery.money import from_minor


class ClaimValues(TypedDict):
    id: int
    type: str
    level: int
    reference: str
    invoice_number: str | None
    po_number: str | None
    asin: str | None
    quantity: int | None
    amount: Decimal
    currency: str
    confidence_pct: int
    reason: str
    deadline: date | None


def claim_values(claim: Claim) -> ClaimValues:
    """The claim's own values, as every view of it shows them."""
    assert claim.id is not None
    return ClaimValues(
        id=claim.id,
        type=claim.type,
        level=claim.level,
        reference=claim.reference,
        invoice_number=claim.invoice_number,
        po_number=claim.po_number,
        asin=claim.asin,
        quantity=claim.quantity,
        amount=from_minor(claim.amount_minor, claim.currency),
        currency=claim.currency,
        confidence_pct=claim.confidence_pct,
        reason=claim.reason,
        deadline=claim.deadline,
    )
