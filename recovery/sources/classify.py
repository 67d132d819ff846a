"""What a remittance line is: a vendor invoice being paid, or a deduction of some kind.

By the line's description first (Amazon's wording, see docs/data-conventions.md), by the
invoice-number suffix second. An unknown description is `other`: a person has to look at it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from recovery.models import RemittanceKind

K = RemittanceKind


@lru_cache(maxsize=1024)
def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


# Descriptions that say what the line is, normalised (lowercase, punctuation to spaces).
_DESCRIPTIONS: dict[str, RemittanceKind] = {
    "quantity shortage": K.shortage,
    "shortage": K.shortage,
    "shortage claim": K.shortage,
    "quantity shortage reversal": K.shortage_reversal,
    "shortage reversal": K.shortage_reversal,
    "price variance": K.price,
    "price discrepancy": K.price,
    "price variance reversal": K.price_reversal,
    "price discrepancy reversal": K.price_reversal,
    "coop": K.coop,
    "co op": K.coop,
    "coop service agreement": K.coop,
    "co op service agreement": K.coop,
    "coop reversal": K.coop_reversal,
    "vendor compliance chargeback": K.chargeback,
    "chargeback": K.chargeback,
    "vendor compliance chargeback reversal": K.chargeback_reversal,
    "chargeback reversal": K.chargeback_reversal,
    "product returns": K.returns,
    "returns": K.returns,
    "allowance discounts received": K.allowance,
    "allowance": K.allowance,
    "provision for aged receivable": K.provision,
    "provision for receivables": K.provision,
    "provision for aged receivable reversal": K.provision_reversal,
    "provision for receivables reversal": K.provision_reversal,
}

# Descriptions (and transaction types) of plain invoice lines: they say nothing about
# deductions, so the suffix decides.
_GENERIC = {"", "payments", "payment", "invoice", "invoices", "invoice payment", "standard"}

# Longest first: SCRSC before SCR before SC.
_SUFFIXES: tuple[tuple[str, RemittanceKind], ...] = (
    ("VCBSINV", K.chargeback),
    ("SCRSC", K.shortage),
    ("PCRR", K.price_reversal),
    ("PRVR", K.provision_reversal),
    ("SCR", K.shortage_reversal),
    ("PCR", K.price),
    ("PRV", K.provision),
    ("SC", K.shortage),
)

# Which suffix to strip to find the vendor invoice a deduction refers to.
_BASE_SUFFIXES: dict[RemittanceKind, tuple[str, ...]] = {
    K.shortage: ("SCRSC", "SC"),
    K.shortage_reversal: ("SCR",),
    K.price: ("PCR",),
    K.price_reversal: ("PCRR",),
    K.provision: ("PRV",),
    K.provision_reversal: ("PRVR",),
    K.allowance: ("AL",),
}
# Their own numbers, not a vendor invoice's.
_NO_BASE = {K.coop, K.coop_reversal, K.chargeback, K.chargeback_reversal, K.returns}


@dataclass(frozen=True, slots=True)
class Classification:
    kind: RemittanceKind
    base_invoice_number: str | None
    # The description was not one we know (even if the suffix then told the kind).
    unknown_description: bool = False


def kind_by_suffix(reference: str) -> RemittanceKind | None:
    upper = reference.strip().upper()
    for suffix, kind in _SUFFIXES:
        if upper.endswith(suffix) and len(upper) > len(suffix):
            return kind
    return None


def base_invoice(reference: str, kind: RemittanceKind) -> str | None:
    if kind in _NO_BASE:
        return None
    if kind in (K.invoice_payment, K.payment):
        return reference
    upper = reference.upper()
    for suffix in _BASE_SUFFIXES.get(kind, ()):
        if upper.endswith(suffix) and len(upper) > len(suffix):
            return reference[: -len(suffix)]
    return None


def classify(
    invoice_number: str,
    description: str,
    *,
    transaction_type: str | None = None,
    original_invoice_number: str | None = None,
) -> Classification:
    """Kind of a remittance line and the vendor invoice it refers to."""
    # The transaction type speaks only when the description is silent.
    text = _norm(description) or _norm(transaction_type or "")
    kind = _DESCRIPTIONS.get(text)
    unknown = False
    if kind is None and text not in _GENERIC:
        kind = kind_by_suffix(invoice_number) or K.other
        unknown = True
    if kind is None:
        kind = kind_by_suffix(invoice_number)
    if kind is None:
        kind = K.payment if _norm(transaction_type or "") == "payment" else K.invoice_payment
    base = original_invoice_number or base_invoice(invoice_number, kind)
    return Classification(kind, base, unknown)
