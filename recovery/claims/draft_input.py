"""What a claim's draft is made from (`DraftInput`): the claim's data, lines, documents and
history as plain values. Rendering and each kind's evidence and form rules read only these."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class DocumentFacts:
    id: int
    name: str
    kind: str
    carrier: str | None = None
    bol_number: str | None = None
    pro_number: str | None = None
    ship_date: date | None = None
    delivery_date: date | None = None
    ship_to: str | None = None
    cartons: int | None = None
    pallets: int | None = None
    units: int | None = None
    signed: bool | None = None
    exception_kind: str | None = None
    exception_units: int | None = None
    po_numbers: tuple[str, ...] = ()


@dataclass(frozen=True)
class LineFacts:
    line_no: int
    invoice_number: str | None
    po_number: str | None
    asin: str | None
    quantity: int | None
    amount: Decimal


@dataclass(frozen=True)
class PriorDecision:
    status: str
    on: date
    note: str


@dataclass(frozen=True)
class DraftInput:
    """Everything a draft depends on; `render_draft` reads nothing else."""

    id: int | None
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
    dispute_reason: str | None
    vendor_code: str = ""
    vendor_name: str = ""
    case_id: str | None = None
    recovered: Decimal = Decimal(0)
    lines: tuple[LineFacts, ...] = ()
    documents: tuple[DocumentFacts, ...] = ()
    facts: Mapping[str, Any] = field(default_factory=dict)
    previous_cases: tuple[str, ...] = ()
    decisions: tuple[PriorDecision, ...] = ()

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.recovered
