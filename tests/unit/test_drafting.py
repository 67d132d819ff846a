"""Drafting rules that do not need a database: evidence completeness, filing fields, currency
formatting, escaping and vendor template overrides."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest
from test_drafting_snapshots import BOL, POD, chargeback, coop, price, shortage

from recovery.claims.drafting import (
    DocumentFacts,
    LineFacts,
    TemplateError,
    missing_evidence,
    normalise_facts,
    render_draft,
    template_environment,
    template_name,
)
from recovery.resources import templates_dir

ENV = template_environment(None)


@pytest.mark.parametrize(
    ("claim_type", "level", "name"),
    [
        ("shortage", 1, "shortage_dispute.j2"),
        ("shortage", 2, "shortage_redispute.j2"),
        ("shortage", 3, "statement_of_open_items.j2"),
        ("chargeback", 2, "chargeback_redispute.j2"),
    ],
)
def test_template_per_type_and_level(claim_type: str, level: int, name: str) -> None:
    assert template_name(claim_type, level) == name


def test_unknown_type_is_a_clear_error() -> None:
    with pytest.raises(TemplateError, match="'returns'"):
        template_name("returns", 1)


@pytest.mark.parametrize(
    ("documents", "missing"),
    [
        ((BOL, POD), []),
        ((POD,), []),
        ((BOL,), []),  # a carrier-signed BOL is proof for collect freight
        (
            (dataclasses.replace(POD, signed=False),),
            ["a carrier-signed BOL or signed POD for PO 4Q8Z1KXA"],
        ),
        ((), ["a carrier-signed BOL or signed POD for PO 4Q8Z1KXA"]),
        (
            (DocumentFacts(id=1, name="packing.pdf", kind="packing_list"),),
            ["a carrier-signed BOL or signed POD for PO 4Q8Z1KXA"],
        ),
    ],
)
def test_shortage_needs_proof_of_delivery(
    documents: tuple[DocumentFacts, ...], missing: list[str]
) -> None:
    assert missing_evidence(dataclasses.replace(shortage(1), documents=documents)) == missing


def test_other_types_need_their_identifiers_and_late_delivery_needs_a_pod() -> None:
    assert missing_evidence(price(1)) == []
    assert missing_evidence(dataclasses.replace(price(1), dispute_reason=None)) == [
        "the portal's dispute reason"
    ]
    assert missing_evidence(coop(1)) == []
    assert missing_evidence(chargeback(1)) == []
    assert missing_evidence(dataclasses.replace(chargeback(1), documents=())) == [
        "a signed POD showing the delivery date"
    ]
    late_asn = dataclasses.replace(
        chargeback(1), documents=(), facts={"issue_type": "ASN", "sub_type": "Late ASN"}
    )
    assert missing_evidence(late_asn) == []


def test_shortage_filing_is_one_dispute_per_invoice_line_item() -> None:
    data = dataclasses.replace(
        shortage(1),
        quantity=30,
        amount=Decimal("252.00"),
        lines=(
            LineFacts(1, "INV-1001", "4Q8Z1KXA", "B07XJ8C8F5", 24, Decimal("201.60")),
            LineFacts(2, "INV-1001", "4Q8Z1KXA", "B07XJ8C8F5", 6, Decimal("50.40")),
        ),
    )
    draft = render_draft(data, ENV)
    disputes = draft.filing["disputes"]
    assert [(d["disputed_quantity"], d["amount"]) for d in disputes] == [
        (24, "201.60"),
        (6, "50.40"),
    ]
    assert all(d["shipped_date"] == "2026-03-02" for d in disputes)
    assert draft.filing["attachments"] == ["bol-7741.pdf", "pod-7741.pdf"]
    assert "  2. Invoice INV-1001, PO 4Q8Z1KXA, ASIN B07XJ8C8F5: 6 units, $50.40" in draft.text


def test_price_coop_and_chargeback_filing_fields() -> None:
    price_filing = render_draft(price(1), ENV).filing
    assert price_filing["form"] == "price"
    assert price_filing["invoice_number"] == "INV-2002"
    assert price_filing["reason_code"] == "Cost Update Timing"
    assert price_filing["lines"] == [{"asin": "B08PQR1234", "quantity": 100, "amount": "60.00"}]
    coop_filing = render_draft(coop(1), ENV).filing
    assert (coop_filing["coop_invoice_number"], coop_filing["agreement_id"]) == (
        "COOP-884120",
        "AGR-77",
    )
    cb_filing = render_draft(chargeback(2), ENV).filing
    assert cb_filing["chargeback_id"] == "31890017"
    assert cb_filing["sub_type"] == "Late delivery"
    assert cb_filing["previous_case_ids"] == ["DSPT4000001"]
    assert cb_filing["explanation"].startswith("Chargeback second dispute: 31890017")


@pytest.mark.parametrize(
    ("currency", "amount", "shown"),
    [("EUR", Decimal("1234.50"), "€1,234.50"), ("JPY", Decimal("20160"), "¥20,160")],
)
def test_amounts_are_formatted_in_the_claims_currency(
    currency: str, amount: Decimal, shown: str
) -> None:
    data = dataclasses.replace(
        shortage(1),
        currency=currency,
        amount=amount,
        lines=(LineFacts(1, "INV-1001", "4Q8Z1KXA", "B07XJ8C8F5", 24, amount),),
        facts={},
    )
    text = render_draft(data, ENV).text
    assert f"Disputed: 24 units, {shown}" in text
    assert "$" not in text.replace("$201.60", "").replace("$8.40", "")


def test_values_from_files_are_filed_exactly_as_written() -> None:
    """Autoescape is on, yet the filed text carries the characters themselves, not entities."""
    data = dataclasses.replace(
        shortage(1),
        reason='Carrier <R&L> signed for "10" cartons; Amazon\'s count: 96',
    )
    text = render_draft(data, ENV).text
    assert 'Carrier <R&L> signed for "10" cartons; Amazon\'s count: 96.' in text
    assert "&amp;" not in text and "&lt;" not in text and "&#39;" not in text
    assert ENV.autoescape is True


def test_a_vendor_template_overrides_the_shipped_one(tmp_path: Path) -> None:
    (tmp_path / "price_dispute.j2").write_text(
        "Our wording for {{ claim.invoice_number }}: please pay {{ claim.amount | money }}.\n",
        encoding="utf-8",
    )
    env = template_environment(tmp_path)
    assert render_draft(price(1), env).text == "Our wording for INV-2002: please pay $60.00.\n"
    # Types without an override keep the shipped wording.
    assert render_draft(shortage(1), env).text.startswith("Shortage dispute: invoice INV-1001")


def test_a_vendor_can_override_the_shared_parts(tmp_path: Path) -> None:
    shipped = templates_dir() / "claims" / "_parts.j2"
    parts = shipped.read_text(encoding="utf-8").replace("Thank you,", "Kind regards,")
    (tmp_path / "_parts.j2").write_text(parts, encoding="utf-8")
    text = render_draft(coop(1), template_environment(tmp_path)).text
    assert "Kind regards,\nExample Brand US (vendor code ABCDE)\n" in text


def test_a_broken_override_names_the_template(tmp_path: Path) -> None:
    (tmp_path / "coop_dispute.j2").write_text("{{ claim.no_such_field }}\n", encoding="utf-8")
    with pytest.raises(TemplateError, match="coop_dispute.j2.*no_such_field"):
        render_draft(coop(1), template_environment(tmp_path))


def test_a_missing_override_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="templates_dir"):
        template_environment(tmp_path / "nope")


def test_detections_own_fact_names_are_understood() -> None:
    """detect/shortage.py writes lists of BOL/PRO numbers and an exception count; co-op and
    chargeback rules use short names for the amounts."""
    facts = normalise_facts(
        {
            "bol_numbers": ["7741", "7742"],
            "pro_numbers": [],
            "exception_units": 12,
            "billed": "4000.00",
            "correct": "2750.00",
            "rate_percent": "5.5",
            "charged": "96.00",
            "filing": {"form": "shortage"},
        }
    )
    assert facts == {
        "bol_number": "7741, 7742",
        "pro_number": None,
        "exception_units": 12,
        "billed_amount": Decimal("4000.00"),
        "correct_amount": Decimal("2750.00"),
        "agreement_rate_pct": "5.5",
        "fee_charged": Decimal("96.00"),
    }
    data = dataclasses.replace(
        shortage(1),
        facts={"invoiced_units": 120, "deducted_units": 24, "exception_units": 12},
    )
    text = render_draft(data, ENV).text
    assert "We invoiced 120 units. Amazon deducted 24 units as a shortage." in text
    assert "The carrier noted an exception of 12 units at delivery" in text
    assert "without exception" not in text
    assert "every unit beyond the carrier's exception reached" in text
