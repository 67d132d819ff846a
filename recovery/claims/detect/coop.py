"""Co-op claims: recompute each co-op invoice from the signed agreement and its backup lines.

The correct amount is Σ over the backup's lines (the "Revised" lines when there are any) of
base × the agreement's rate, counting nothing for lines outside the agreement period, inside a
waiver, already billed on an earlier co-op invoice, or charged to another vendor code, and
scaling a line down when it claims more units than the PO received. Claim = billed − correct.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from recovery.claims.detect.common import (
    as_date,
    as_int,
    as_str,
    money,
    net_deductions,
    present,
    records,
)
from recovery.claims.findings import Finding, Verdict
from recovery.claims.frames import DetectionInput
from recovery.models import PPM_PER_PERCENT
from recovery.money import from_minor

COOP_KINDS = ("coop", "coop_reversal")
PPM = 1_000_000


def detect_coop(inp: DetectionInput) -> list[Finding]:
    deducted = net_deductions(inp.deductions, COOP_KINDS, lambda row: str(row["reference"]))
    if not deducted:
        return []
    invoices = {str(r["invoice_number"]): r for r in records(inp.coop_invoices)}
    agreements = {str(r["agreement_id"]): r for r in records(inp.coop_agreements)}
    lines = _backup_lines(inp)
    first_billing = _first_billing(invoices, lines)
    findings = []
    for number, net in sorted(deducted.items()):
        billed, currency, ids = net.minor, net.currency, net.ids
        if billed <= 0:
            continue
        base: dict[str, Any] = dict(
            type="coop",
            key=f"coop:{number}",
            reference=number,
            currency=currency,
            deduction_ids=tuple(sorted(ids)),
        )
        invoice = invoices.get(number)
        agreement = agreements.get(str(invoice["agreement_id"])) if invoice else None
        if invoice is None or agreement is None:
            missing = (
                "co-op invoice list entry"
                if invoice is None
                else (f"signed agreement {invoice['agreement_id']}")
            )
            findings.append(
                Finding(
                    verdict=Verdict.unexplained,
                    amount=from_minor(billed, currency),
                    confidence=0,
                    reason=(
                        f"Co-op invoice {number} took {money(billed, currency)}, but its "
                        f"{missing} is not on file; import it to check the charge."
                    ),
                    base_date=as_date(invoice["invoice_date"]) if invoice else None,
                    **base,
                )
            )
            continue
        findings.append(
            _judge(
                number,
                billed,
                invoice,
                agreement,
                lines.get(number, []),
                first_billing,
                base,
            )
        )
    return findings


def _judge(
    number: str,
    billed: int,
    invoice: dict[str, Any],
    agreement: dict[str, Any],
    lines: list[dict[str, Any]],
    first_billing: dict[Any, str],
    base: dict[str, Any],
) -> Finding:
    currency = base["currency"]
    rate_ppm = as_int(agreement["rate_ppm"])
    rate_text = f"{_percent(rate_ppm)}%"
    problems: list[str] = []
    period_key = (
        "period",
        str(invoice["agreement_id"]),
        as_date(invoice["period_start"]),
        as_date(invoice["period_end"]),
    )
    invoice_code, agreement_code = as_str(invoice["vendor_code"]), as_str(agreement["vendor_code"])
    correct = 0
    billed_lines = 0
    if invoice_code and agreement_code and invoice_code.upper() != agreement_code.upper():
        problems.append(
            f"it charges vendor code {invoice_code} but agreement "
            f"{agreement['agreement_id']} is with {agreement_code}"
        )
    elif first_billing.get(period_key, number) != number:
        problems.append(
            f"the same agreement period {period_key[2]} to {period_key[3]} was "
            f"already billed on co-op invoice {first_billing[period_key]}"
        )
    elif not lines:
        return Finding(
            verdict=Verdict.unexplained,
            amount=from_minor(billed, currency),
            confidence=0,
            reason=(
                f"Co-op invoice {number} took {money(billed, currency)} under agreement "
                f"{agreement['agreement_id']} ({rate_text}) but no backup report is on "
                "file; import it to check the lines."
            ),
            base_date=as_date(invoice["invoice_date"]),
            **base,
        )
    else:
        outside = waived = duplicated = over_received = 0
        for line in lines:
            billed_lines += as_int(line["rebate_minor"])
            day = as_date(line["receive_date"]) or as_date(line["order_date"])
            line_base = as_int(line["net_sales_minor"])
            if day is not None and not _in_period(day, agreement):
                outside += 1
                continue
            if day is not None and _waived(day, agreement):
                waived += 1
                continue
            if first_billing.get(_line_key(invoice, line), number) != number:
                duplicated += 1
                continue
            quantity = as_int(line["quantity"])
            got = as_int(line["received_eaches"]) if present(line["received_eaches"]) else None
            if got is not None and quantity > got > 0:
                over_received += 1
                line_base = _scale(line_base, got, quantity)
            correct += _rebate(line_base, rate_ppm)
        if outside:
            problems.append(
                f"{outside} backup lines fall outside the agreement period "
                f"{agreement['start_date']} to {agreement['end_date'] or 'open'}"
            )
        if waived:
            problems.append(
                f"{waived} lines fall inside the agreement's waiver ({_waiver_text(agreement)})"
            )
        if duplicated:
            problems.append(f"{duplicated} lines were already billed on an earlier co-op invoice")
        if over_received:
            problems.append(f"{over_received} lines claim more units than the PO received")
        rebate_at_rate = sum(_rebate(as_int(line["net_sales_minor"]), rate_ppm) for line in lines)
        if rebate_at_rate != billed_lines:
            problems.append(
                f"the backup's rebates add up to {money(billed_lines, currency)} "
                f"where {rate_text} of the lines' base is "
                f"{money(rebate_at_rate, currency)}"
            )
        invoice_amount = as_int(invoice["amount_minor"])
        if invoice_amount and invoice_amount != billed_lines:
            problems.append(
                f"the invoice total {money(invoice_amount, currency)} differs from "
                f"its backup lines' {money(billed_lines, currency)}"
            )
    claim = billed - correct
    head = (
        f"Co-op invoice {number} ({agreement['title'] or agreement['agreement_id']}, "
        f"agreement {agreement['agreement_id']} at {rate_text}) took "
        f"{money(billed, currency)}"
    )
    if claim > 0 and problems:
        verdict, confidence = Verdict.claimable, 90
        reason = (
            f"{head}; {'; '.join(problems)}. Recomputed from the agreement the charge "
            f"should be {money(correct, currency)}: claim {money(billed, currency)} − "
            f"{money(correct, currency)} = {money(claim, currency)}."
        )
    elif claim > 0:
        verdict, confidence = Verdict.claimable, 80
        reason = (
            f"{head}; recomputed from the agreement and the backup lines it should be "
            f"{money(correct, currency)}: claim {money(claim, currency)}."
        )
    else:
        verdict, confidence, claim = Verdict.valid, 90, 0
        reason = (
            f"{head}; recomputed from the agreement and its {len(lines)} backup lines "
            f"it comes to {money(correct, currency)}: the charge stands."
        )
    return Finding(
        verdict=verdict,
        amount=from_minor(claim, currency),
        confidence=confidence,
        reason=reason,
        base_date=as_date(invoice["invoice_date"]),
        facts={
            "agreement_id": str(agreement["agreement_id"]),
            "rate_percent": rate_text,
            "billed": str(from_minor(billed, currency)),
            "correct": str(from_minor(correct, currency)),
            "problems": problems,
        },
        **base,
    )


def _percent(rate_ppm: int) -> str:
    text = str(Decimal(rate_ppm) / PPM_PER_PERCENT)
    return text.rstrip("0").rstrip(".") if "." in text else text


def _rebate(base_minor: int, rate_ppm: int) -> int:
    return _divide_half_even(base_minor * rate_ppm, PPM)


def _scale(base_minor: int, received: int, quantity: int) -> int:
    return _divide_half_even(base_minor * received, quantity)


def _divide_half_even(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half to even, in integers: exact like Decimal, and
    cheap enough to run twice on each of hundreds of thousands of backup lines."""
    quotient, remainder = divmod(numerator, denominator)  # floor: remainder ≥ 0
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and quotient % 2):
        return quotient + 1
    return quotient


def _in_period(day: date, agreement: dict[str, Any]) -> bool:
    start, end = as_date(agreement["start_date"]), as_date(agreement["end_date"])
    return (start is None or day >= start) and (end is None or day <= end)


def _waived(day: date, agreement: dict[str, Any]) -> bool:
    if str(agreement["status"]) != "waived" and not present(agreement["waived_from"]):
        return False
    start, end = as_date(agreement["waived_from"]), as_date(agreement["waived_to"])
    return (start is None or day >= start) and (end is None or day <= end)


def _waiver_text(agreement: dict[str, Any]) -> str:
    start, end = as_date(agreement["waived_from"]), as_date(agreement["waived_to"])
    if start is None and end is None:
        return "waived in full"
    return f"waived {start or 'from the start'} to {end or 'the end'}"


def _line_key(invoice: dict[str, Any], line: dict[str, Any]) -> tuple[Any, ...]:
    return (
        "line",
        str(invoice["agreement_id"]),
        str(line["po_number"]),
        str(line["asin"]),
        as_date(line["receive_date"]),
        as_int(line["quantity"]),
        str(line["transaction_type"]),
    )


def _first_billing(
    invoices: dict[str, dict[str, Any]], lines: dict[str, list[dict[str, Any]]]
) -> dict[Any, str]:
    """Which co-op invoice billed each period and each backup line first."""
    first: dict[Any, str] = {}
    ordered = sorted(
        invoices.values(),
        key=lambda i: (as_date(i["invoice_date"]) or date.min, str(i["invoice_number"])),
    )
    for invoice in ordered:
        number = str(invoice["invoice_number"])
        period = (
            "period",
            str(invoice["agreement_id"]),
            as_date(invoice["period_start"]),
            as_date(invoice["period_end"]),
        )
        first.setdefault(period, number)
        for line in lines.get(number, []):
            first.setdefault(_line_key(invoice, line), number)
    return first


def _backup_lines(inp: DetectionInput) -> dict[str, list[dict[str, Any]]]:
    original: dict[str, list[dict[str, Any]]] = defaultdict(list)
    revised: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in records(inp.coop_lines):
        target = revised if bool(row["revised"]) else original
        target[str(row["coop_invoice_number"])].append(row)
    # A "Revised" sheet replaces the original lines of its invoice.
    return {
        number: revised.get(number) or original.get(number, [])
        for number in original.keys() | revised.keys()
    }
