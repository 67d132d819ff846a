"""Remittance lines: by description first, invoice-number suffix second, else `other`."""

from __future__ import annotations

import pytest

from recovery.models import RemittanceKind as K
from recovery.sources.classify import classify


@pytest.mark.parametrize(
    ("number", "description", "kind", "base", "unknown"),
    [
        ("INV1", "Payments", K.invoice_payment, "INV1", False),
        ("INV1", "", K.invoice_payment, "INV1", False),
        ("INV1SC", "Quantity shortage", K.shortage, "INV1", False),
        ("INV1SCR", "Quantity shortage reversal", K.shortage_reversal, "INV1", False),
        ("INV1SCRSC", "Quantity shortage", K.shortage, "INV1", False),
        ("INV1PCR", "Price variance", K.price, "INV1", False),
        ("INV1PCRR", "Price variance reversal", K.price_reversal, "INV1", False),
        ("CO-9", "COOP", K.coop, None, False),
        ("CO-9", "COOP - Service agreement", K.coop, None, False),
        ("123VCBSINV", "Vendor compliance chargeback", K.chargeback, None, False),
        ("INV1PRV", "Provision for aged receivable", K.provision, "INV1", False),
        ("INV1PRVR", "Provision for aged receivable reversal", K.provision_reversal, "INV1", False),
        ("RET-5", "Product returns", K.returns, None, False),
        ("INV1AL", "Allowance - Discounts received", K.allowance, "INV1", False),
        # Suffix second: a generic description with a deduction suffix.
        ("INV2SC", "Payments", K.shortage, "INV2", False),
        ("INV2PCR", "", K.price, "INV2", False),
        # Unknown descriptions: the suffix when it says something, else other.
        ("INV3SC", "Shortage claim v2", K.shortage, "INV3", True),
        ("XYZ-1", "Freight adjustment", K.other, None, True),
    ],
)
def test_classification(
    number: str, description: str, kind: K, base: str | None, unknown: bool
) -> None:
    found = classify(number, description)
    assert (found.kind, found.base_invoice_number, found.unknown_description) == (
        kind,
        base,
        unknown,
    )


def test_original_invoice_number_wins_and_transaction_type_speaks_when_description_is_silent() -> (
    None
):
    assert (
        classify("D-77", "Price variance", original_invoice_number="INV9").base_invoice_number
        == "INV9"
    )
    assert classify("D-78", "", transaction_type="Quantity shortage").kind == K.shortage
    assert classify("PAY1", "", transaction_type="Payment").kind == K.payment
