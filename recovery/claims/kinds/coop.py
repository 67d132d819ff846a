"""Co-op claims: recompute each co-op invoice from the signed agreement and its backup lines.

The correct amount is Σ over the backup's lines (the "Revised" lines when there are any) of
base × the agreement's rate, counting nothing for lines outside the agreement period, inside a
waiver, already billed on an earlier co-op invoice, or charged to another vendor code, and
scaling a line down when it claims more units than the PO received. Claim = billed − correct.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from recovery.claims.draft_input import DraftInput
from recovery.claims.findings import Finding, Verdict
from recovery.claims.inputs import DetectionInput, frames_of
from recovery.claims.kinds.common import add_months, money, net_deductions
from recovery.claims.kinds.kind import ClaimKind, FiledClaim, PortalForm, Window
from recovery.claims.kinds.scope_keys import DEDUCTION_LINKS, JudgedTogether, Names, SameRows
from recovery.frame_values import as_date, as_int, as_str, column_values, present, records
from recovery.models import PPM_PER_PERCENT
from recovery.money import from_minor
from recovery.portal.form_steps import (
    SUBMIT_AND_CONFIRM,
    CheckRefused,
    Fill,
    FormScript,
    Justify,
    Press,
    new_dispute,
)

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
    lines: list[_BackupLine],
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
        in_period, in_waiver = _period_test(agreement), _waiver_test(agreement)
        agreement_id = str(invoice["agreement_id"])
        for line in lines:
            billed_lines += line.rebate_minor
            day = line.day
            line_base = line.net_sales_minor
            if day is not None and not in_period(day):
                outside += 1
                continue
            if day is not None and in_waiver(day):
                waived += 1
                continue
            if first_billing.get(_line_key(agreement_id, line), number) != number:
                duplicated += 1
                continue
            quantity, got = line.quantity, line.received_eaches
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
        rebate_at_rate = sum(_rebate(line.net_sales_minor, rate_ppm) for line in lines)
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


def _period_test(agreement: dict[str, Any]) -> Callable[[date], bool]:
    return _between(as_date(agreement["start_date"]), as_date(agreement["end_date"]))


def _waiver_test(agreement: dict[str, Any]) -> Callable[[date], bool]:
    if str(agreement["status"]) != "waived" and not present(agreement["waived_from"]):
        return lambda day: False
    return _between(as_date(agreement["waived_from"]), as_date(agreement["waived_to"]))


def _between(start: date | None, end: date | None) -> Callable[[date], bool]:
    """Whether a day falls from `start` to `end`, both included; None leaves that side open."""
    return lambda day: (start is None or day >= start) and (end is None or day <= end)


def _waiver_text(agreement: dict[str, Any]) -> str:
    start, end = as_date(agreement["waived_from"]), as_date(agreement["waived_to"])
    if start is None and end is None:
        return "waived in full"
    return f"waived {start or 'from the start'} to {end or 'the end'}"


def _line_key(agreement_id: str, line: _BackupLine) -> tuple[Any, ...]:
    return (
        "line",
        agreement_id,
        line.po_number,
        line.asin,
        line.receive_date,
        line.quantity,
        line.transaction_type,
    )


def _first_billing(
    invoices: dict[str, dict[str, Any]], lines: dict[str, list[_BackupLine]]
) -> dict[Any, str]:
    """Which co-op invoice billed each period and each backup line first: the earlier invoice
    date, and on the same date the lower invoice number, read as a number where it is one
    (CO-9 before CO-10). The first billing is the valid one, a later copy the claim
    (DOMAIN.md, "Co-op")."""
    first: dict[Any, str] = {}
    ordered = sorted(
        invoices.values(),
        key=lambda i: (as_date(i["invoice_date"]) or date.min, _natural(str(i["invoice_number"]))),
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
        agreement_id = str(invoice["agreement_id"])
        for line in lines.get(number, []):
            first.setdefault(_line_key(agreement_id, line), number)
    return first


def _natural(number: str) -> tuple[tuple[int, int | str], ...]:
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part)
        for part in re.split(r"(\d+)", number.upper())
        if part
    )


class _BackupLine(NamedTuple):
    """One backup line, its cells already read into plain values (hundreds of thousands of
    lines are judged; reading a cell once per use was most of the rule's time)."""

    day: date | None  # received, else ordered
    receive_date: date | None
    po_number: str | None
    asin: str | None
    quantity: int
    transaction_type: str | None
    net_sales_minor: int
    rebate_minor: int
    received_eaches: int | None  # what the PO received of the ASIN, when known


def _backup_lines(inp: DetectionInput) -> dict[str, list[_BackupLine]]:
    frame = inp.coop_lines
    received = column_values(frame, "receive_date", as_date)
    ordered = column_values(frame, "order_date", as_date)
    read = zip(
        [r or o for r, o in zip(received, ordered, strict=True)],
        received,
        column_values(frame, "po_number", as_str),
        column_values(frame, "asin", as_str),
        column_values(frame, "quantity", as_int),
        column_values(frame, "transaction_type", as_str),
        column_values(frame, "net_sales_minor", as_int),
        column_values(frame, "rebate_minor", as_int),
        column_values(frame, "received_eaches", lambda v: as_int(v) if present(v) else None),
        strict=True,
    )
    original: dict[str, list[_BackupLine]] = defaultdict(list)
    revised: dict[str, list[_BackupLine]] = defaultdict(list)
    # tuple.__new__ straight from the zipped cells: the named tuple's own constructor takes
    # its fields as arguments, which cost more than reading them.
    new_line = tuple.__new__
    numbers = frame["coop_invoice_number"].tolist()
    for number, is_revised, cells in zip(numbers, frame["revised"].tolist(), read, strict=True):
        target = revised if bool(is_revised) else original
        target[str(number)].append(new_line(_BackupLine, cells))
    # A "Revised" sheet replaces the original lines of its invoice.
    return {
        number: revised.get(number) or original.get(number, [])
        for number in original.keys() | revised.keys()
    }


# --- the rest of what a co-op claim is --------------------------------------------------------


def coop_evidence(data: DraftInput) -> list[str]:
    return [] if data.reference else ["the co-op invoice number"]


def coop_form(data: DraftInput) -> dict[str, Any]:
    return {
        "form": "coop",
        "coop_invoice_number": data.reference,
        "agreement_id": data.facts.get("agreement_id"),
    }


def coop_portal_form(claims: Sequence[FiledClaim]) -> FormScript:
    """A co-op invoice's dispute, for the amount the draft claims."""
    claim = claims[0]
    number = claim.reference
    amount = str(claim.draft_fields.get("filing", {}).get("amount") or "")
    if not amount:
        amount = str(from_minor(claim.amount_minor, claim.currency))
    return FormScript(
        (
            *new_dispute("Co-op", number),
            Fill(f"Dispute amount for {number}", amount, exact=True),
            Press("Continue"),
            CheckRefused(),
            Justify(),
        ),
        typed={"coop_invoice_number": number, "amount": amount},
    )


COOP = ClaimKind(
    type="coop",
    label="co-op",
    deduction_kinds=COOP_KINDS,
    reads=frames_of({"deductions", "coop_invoices", "coop_lines", "coop_agreements"}),
    scope=(
        *DEDUCTION_LINKS,
        # Co-op invoices with lines on a PO whose receipts changed; an agreement's terms apply
        # to all its co-op invoices.
        Names("coop_backup_line", ref="coop_invoice_number", by="po_number", keys="receipts"),
        Names("coop_invoice", ref="invoice_number", by="agreement_id", keys="agreement"),
        # A co-op invoice is judged against the others billing the same period (any
        # agreement's: an invoice moved to another agreement leaves the old one's judged
        # against it) or the same receipt (the first one billed it).
        JudgedTogether(
            "coop_invoice",
            key="invoice_number",
            ties=(
                SameRows("coop_invoice", "invoice_number", ("period_start", "period_end")),
                SameRows(
                    "coop_backup_line",
                    "coop_invoice_number",
                    ("receive_date", "quantity", "transaction_type"),
                    indexed=("po_number", "asin"),
                ),
            ),
        ),
    ),
    judge=lambda inp, _rules: detect_coop(inp),
    # Two years from the co-op invoice's date (DOMAIN.md); no matching period.
    window=Window(
        deadline=lambda base, rules, _invoice_date: add_months(
            base, rules.coop_dispute_limit_months
        ),
        matching_days=lambda _rules: 0,
        aged_bands=lambda rules: (rules.coop_optimal_days, rules.coop_maturing_days),
    ),
    max_level=3,
    missing_evidence=coop_evidence,
    form_fields=coop_form,
    portal_form=PortalForm(
        group=lambda c: f"coop:{c.id}",
        search=lambda c: c.reference,
        fill=coop_portal_form,
        submit=SUBMIT_AND_CONFIRM,
    ),
    templates=("coop_dispute.j2", "coop_redispute.j2"),
)
