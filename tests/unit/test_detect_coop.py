"""The co-op rule (DOMAIN.md, "Co-op")."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from recovery.claims.findings import Verdict
from recovery.claims.inputs import detection_input
from recovery.claims.kinds.coop import _divide_half_even, detect_coop

RATE_PPM = 75_000  # 7.5 %


def line(
    n: int,
    base: int,
    *,
    rate_ppm: int = RATE_PPM,
    day: date = date(2026, 5, 10),
    revised: bool = False,
    invoice: str = "CO1",
    quantity: int = 10,
) -> dict[str, Any]:
    rebate = (Decimal(base) * rate_ppm / 1_000_000).quantize(Decimal(1))
    return {
        "coop_invoice_number": invoice,
        "revised": revised,
        "receive_date": day,
        "quantity": quantity,
        "net_sales_minor": base,
        "rebate_minor": int(rebate),
        "po_number": f"PO{n}",
        "asin": f"B00{n}",
        "transaction_type": "Receipt",
    }


def build(
    lines: list[dict[str, Any]],
    *,
    amount: int | None = None,
    agreement: dict[str, Any] | None = None,
    invoices: list[dict[str, Any]] | None = None,
    deducted: dict[str, int] | None = None,
) -> Any:
    invoices = invoices or [
        {
            "invoice_number": "CO1",
            "agreement_id": "AG1",
            "vendor_code": "ABCDE",
            "period_start": date(2026, 4, 1),
            "period_end": date(2026, 6, 30),
            "invoice_date": date(2026, 7, 5),
            "amount_minor": amount if amount is not None else sum(x["rebate_minor"] for x in lines),
            "currency": "USD",
        }
    ]
    deducted = deducted or {i["invoice_number"]: i["amount_minor"] for i in invoices}
    return detection_input(
        deductions=[
            {
                "id": n,
                "kind": "coop",
                "reference": number,
                "amount_minor": value,
                "currency": "USD",
                "payment_number": "P1",
            }
            for n, (number, value) in enumerate(deducted.items(), start=1)
        ],
        coop_invoices=invoices,
        coop_lines=lines,
        coop_agreements=[
            {
                "agreement_id": "AG1",
                "title": "Base co-op",
                "vendor_code": "ABCDE",
                "rate_ppm": RATE_PPM,
                "start_date": date(2026, 1, 1),
                "end_date": date(2026, 12, 31),
                "status": "active",
                **(agreement or {}),
            }
        ],
    )


LINES = [line(1, 100_000), line(2, 200_000), line(3, 50_000)]  # rebates 75 + 150 + 37.50


@pytest.mark.parametrize(
    ("name", "inp", "verdict", "claim", "problem"),
    [
        ("billed right", build(LINES), Verdict.valid, "0.00", None),
        (
            "wrong rate",
            build([line(1, 100_000, rate_ppm=100_000), line(2, 200_000, rate_ppm=100_000)]),
            Verdict.claimable,
            "75.00",
            "rebates add up to $300.00 where 7.5% of the lines' base",
        ),
        (
            "lines outside the agreement period",
            build([*LINES, line(4, 100_000, day=date(2025, 12, 20))]),
            Verdict.claimable,
            "75.00",
            "1 backup lines fall outside the agreement period",
        ),
        (
            "waived agreement",
            build(LINES, agreement={"status": "waived"}),
            Verdict.claimable,
            "262.50",
            "waived in full",
        ),
        (
            "waiver for part of the year",
            build(
                LINES, agreement={"waived_from": date(2026, 5, 1), "waived_to": date(2026, 5, 31)}
            ),
            Verdict.claimable,
            "262.50",
            "waived 2026-05-01 to 2026-05-31",
        ),
        (
            "invoice total above its backup",
            build(LINES, amount=30_000),
            Verdict.claimable,
            "37.50",
            "invoice total $300.00 differs",
        ),
        (
            "wrong vendor code",
            build(LINES, agreement={"vendor_code": "OTHER"}),
            Verdict.claimable,
            "262.50",
            "charges vendor code ABCDE",
        ),
        (
            "more units than received",
            # The PO received 5 of the 10 units the line bills for.
            build([{**line(1, 100_000, quantity=10), "received_eaches": 5}]),
            Verdict.claimable,
            "37.50",
            "more units than the PO received",
        ),
        (
            "revised sheet replaces the original",
            build([line(1, 100_000), line(1, 60_000, revised=True)], amount=4_500),
            Verdict.valid,
            "0.00",
            None,
        ),
    ],
)
def test_coop_rule(name: str, inp: Any, verdict: Verdict, claim: str, problem: str | None) -> None:
    [finding] = detect_coop(inp)
    assert finding.verdict == verdict, finding.reason
    assert finding.amount == Decimal(claim), finding.reason
    if problem:
        assert problem in finding.reason
    assert finding.base_date == date(2026, 7, 5)


def test_same_period_billed_twice_claims_the_second_invoice() -> None:
    first = {
        "invoice_number": "CO1",
        "agreement_id": "AG1",
        "vendor_code": "ABCDE",
        "period_start": date(2026, 4, 1),
        "period_end": date(2026, 6, 30),
        "invoice_date": date(2026, 7, 5),
        "amount_minor": 26_250,
        "currency": "USD",
    }
    second = {**first, "invoice_number": "CO2", "invoice_date": date(2026, 8, 5)}
    lines = LINES + [{**x, "coop_invoice_number": "CO2"} for x in LINES]
    findings = {f.reference: f for f in detect_coop(build(lines, invoices=[first, second]))}
    assert findings["CO1"].verdict == Verdict.valid
    assert findings["CO2"].verdict == Verdict.claimable
    assert findings["CO2"].amount == Decimal("262.50")
    assert "already billed on co-op invoice CO1" in findings["CO2"].reason


@pytest.mark.parametrize(
    ("first_billing", "copy"),
    [
        # the later invoice date is the copy, whatever its number
        (("CO7", date(2026, 7, 5)), ("CO2", date(2026, 8, 5))),
        # on the same date, the higher number, read as a number
        (("CO-9", date(2026, 7, 5)), ("CO-10", date(2026, 7, 5))),
        (("2971305", date(2026, 7, 5)), ("2971306", date(2026, 7, 5))),
    ],
)
def test_of_two_billings_of_a_period_the_later_is_the_claim(
    first_billing: tuple[str, date], copy: tuple[str, date]
) -> None:
    billings = []
    for number, day in (copy, first_billing):  # listed in the wrong order on purpose
        billings.append(
            {
                "invoice_number": number,
                "agreement_id": "AG1",
                "vendor_code": "ABCDE",
                "period_start": date(2026, 4, 1),
                "period_end": date(2026, 6, 30),
                "invoice_date": day,
                "amount_minor": 26_250,
                "currency": "USD",
            }
        )
    lines = [{**x, "coop_invoice_number": n} for n, _ in (first_billing, copy) for x in LINES]
    findings = {f.reference: f for f in detect_coop(build(lines, invoices=billings))}
    assert findings[first_billing[0]].verdict == Verdict.valid
    assert findings[copy[0]].verdict == Verdict.claimable
    assert findings[copy[0]].amount == Decimal("262.50")
    assert f"already billed on co-op invoice {first_billing[0]}" in findings[copy[0]].reason


def test_duplicate_lines_on_a_later_invoice_are_claimed() -> None:
    first = {
        "invoice_number": "CO1",
        "agreement_id": "AG1",
        "vendor_code": "ABCDE",
        "period_start": date(2026, 4, 1),
        "period_end": date(2026, 4, 30),
        "invoice_date": date(2026, 5, 5),
        "amount_minor": 7_500,
        "currency": "USD",
    }
    second = {
        **first,
        "invoice_number": "CO2",
        "period_start": date(2026, 5, 1),
        "period_end": date(2026, 5, 31),
        "invoice_date": date(2026, 6, 5),
        "amount_minor": 22_500,
    }
    lines = [
        line(1, 100_000),
        {**line(1, 100_000), "coop_invoice_number": "CO2"},
        line(2, 200_000, invoice="CO2"),
    ]
    findings = {f.reference: f for f in detect_coop(build(lines, invoices=[first, second]))}
    assert findings["CO2"].amount == Decimal("75.00")
    assert "1 lines were already billed" in findings["CO2"].reason


def test_missing_backup_or_agreement_needs_a_person() -> None:
    [finding] = detect_coop(build([], amount=10_000))
    assert finding.verdict == Verdict.unexplained and "no backup report" in finding.reason
    inp = build(LINES)
    inp.coop_agreements = inp.coop_agreements.iloc[0:0]
    [finding] = detect_coop(inp)
    assert finding.verdict == Verdict.unexplained and "signed agreement AG1" in finding.reason


@pytest.mark.parametrize(
    ("numerator", "denominator", "rounded"),
    [
        (5, 2, 2),  # 2.5 → 2: halves go to the even neighbour
        (7, 2, 4),  # 3.5 → 4
        (-5, 2, -2),
        (-7, 2, -4),
        (2_500_000, 1_000_000, 2),
        (2_500_001, 1_000_000, 3),
        (10, 3, 3),
        (-10, 3, -3),
        (0, 7, 0),
    ],
)
def test_rebates_round_half_to_even_exactly(numerator: int, denominator: int, rounded: int) -> None:
    assert _divide_half_even(numerator, denominator) == rounded
