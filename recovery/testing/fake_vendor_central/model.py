"""Disputes as the fake portal stores them, and the words its pages use for them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class DisputeType(StrEnum):
    """The portal's dispute types; the value is what the JSON control API calls them."""

    shortage = "shortage"
    price = "price"
    coop = "coop"
    chargeback = "chargeback"
    returns = "returns"

    @property
    def label(self) -> str:
        return _TYPE_LABELS[self]


_TYPE_LABELS = {
    DisputeType.shortage: "Shortage invoice",
    DisputeType.price: "Price claim",
    DisputeType.coop: "Co-op",
    DisputeType.chargeback: "Chargeback",
    DisputeType.returns: "Vendor returns",
}


class Status(StrEnum):
    """Dispute Management's status buckets."""

    submitted = "Submitted"
    pending_amazon = "Pending Amazon action"
    pending_you = "Pending your action"
    resolved = "Resolved"


class Outcome(StrEnum):
    approved = "Approved"
    partial = "Partially approved"
    denied = "Denied"


# Price discrepancy reasons the portal offers (DOMAIN.md "Price claims").
PRICE_REASONS = (
    "Wrong Purchase Discount",
    "New Model",
    "Cost Update Timing",
    "Deal Buy",
    "Price List Not Supplied",
    "Unit of Measure Discrepancy",
    "Purchase Order Confirmed",
    "Rounding Issue",
    "Other",
)


@dataclass(frozen=True)
class Attachment:
    name: str
    sha256: str
    size: int


@dataclass
class DisputeLine:
    """One line of a dispute: an invoice line's shortage, a price line, a co-op invoice or a
    chargeback. Amounts are minor units of the dispute's currency."""

    reference: str  # <inv>SC, <inv>PCR, the co-op invoice or the chargeback id
    po_number: str | None
    asin: str | None
    external_id: str | None
    unit_price_minor: int | None
    invoice_quantity: int | None
    invoice_minor: int | None
    shortage_quantity: int | None
    shortage_minor: int
    dispute_quantity: int | None
    dispute_minor: int
    approved_quantity: int | None = None
    approved_minor: int = 0
    invoice_number: str = ""  # the vendor invoice (shortage and price lines)
    shipped_on: date | None = None  # shortages: the shipped date the vendor entered


@dataclass
class Dispute:
    id: str
    type: DisputeType
    invoice_number: str  # the vendor invoice, co-op invoice or chargeback id disputed
    lines: list[DisputeLine]
    justification: str
    attachments: list[Attachment]
    created: date  # the portal's (fake clock's) day of filing
    submitted_at: datetime
    currency: str
    status: Status = Status.submitted
    reason: str = ""  # price claims: the reason picked
    outcome: Outcome | None = None
    resolution: str = ""
    resolved_on: date | None = None
    parent_id: str | None = None  # set on a re-dispute
    redispute_id: str | None = None  # set on a dispute once it was re-disputed

    @property
    def amount_minor(self) -> int:
        return sum(line.dispute_minor for line in self.lines)

    @property
    def approved_minor(self) -> int:
        return sum(line.approved_minor for line in self.lines)

    @property
    def is_redispute(self) -> bool:
        return self.parent_id is not None

    def as_json(self, minor_to_text: Any) -> dict[str, Any]:
        """The control API's view (`GET /_fake/disputes`)."""
        return {
            "id": self.id,
            "type": self.type.value,
            "invoice_number": self.invoice_number if self.type != DisputeType.chargeback else None,
            "coop_invoice_number": self.invoice_number if self.type == DisputeType.coop else None,
            "chargeback_id": self.invoice_number if self.type == DisputeType.chargeback else None,
            "lines": [
                {
                    "reference": line.reference,
                    "po_number": line.po_number,
                    "asin": line.asin,
                    "dispute_quantity": line.dispute_quantity,
                    "dispute_amount": minor_to_text(line.dispute_minor),
                    "approved_quantity": line.approved_quantity,
                    "approved_amount": minor_to_text(line.approved_minor),
                    "shipped_date": line.shipped_on.isoformat() if line.shipped_on else None,
                }
                for line in self.lines
            ],
            "amount": minor_to_text(self.amount_minor),
            "approved_amount": minor_to_text(self.approved_minor),
            "currency": self.currency,
            "reason": self.reason or None,
            "justification": self.justification,
            "attachments": [
                {"name": a.name, "sha256": a.sha256, "size": a.size} for a in self.attachments
            ],
            "status": self.status.value,
            "outcome": self.outcome.value if self.outcome else None,
            "resolution": self.resolution or None,
            "created": self.created.isoformat(),
            "submitted_at": self.submitted_at.isoformat(),
            "resolved_on": self.resolved_on.isoformat() if self.resolved_on else None,
            "parent_id": self.parent_id,
            "redispute_id": self.redispute_id,
        }


@dataclass
class Draft:
    """A dispute being filled in (the list's Draft bucket): type and invoices chosen, lines
    offered, nothing submitted."""

    token: str
    type: DisputeType
    invoice_number: str
    lines: list[DisputeLine]
    created: date
