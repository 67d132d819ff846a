"""Price claims: Amazon paid less per unit than the cost agreed for the PO.

The agreed cost of a PO line is the vendor's cost in force on the PO date (its cost list, when it
has one for the item) and otherwise the PO's net cost. Where the vendor invoiced at or below the
agreed cost and Amazon paid less, (invoiced − paid) × units is claimable; where the vendor
invoiced above it, Amazon was right and the over-invoicing is reported instead. One dispute per
invoice, capped at what the invoice's price debits still hold after reversals.

Without price discrepancy lines the deduction is judged at invoice level (DOMAIN.md, "Price
claims"): each invoice line's cost is compared with the agreed cost; what the vendor invoiced
above it Amazon was entitled to take, the rest of the deduction is claimable. A line without an
agreed cost, or an invoice without lines, leaves the deduction to a person.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from recovery.claims.draft_input import DraftInput
from recovery.claims.findings import Finding, FindingLine, Verdict
from recovery.claims.inputs import DetectionInput, frames_of
from recovery.claims.kinds.common import (
    invoice_deadline,
    money,
    net_deductions,
    rows_for_invoices,
)
from recovery.claims.kinds.kind import ClaimKind, FiledClaim, PortalForm, Window
from recovery.claims.kinds.scope_keys import DEDUCTION_LINKS, INVOICE_LINKS, PoInvoices, Reach
from recovery.frame_values import as_date, as_int, as_str, cell_rows, present, records
from recovery.money import from_minor
from recovery.portal.form_steps import (
    SUBMIT_AND_CONFIRM,
    Choose,
    Fill,
    FormScript,
    Justify,
    Open,
    Press,
    Refusal,
)

PRICE_KINDS = ("price", "price_reversal")


@dataclass(frozen=True)
class _CostHistory:
    """A price list's effective-dated costs for one ASIN."""

    starts: list[date]
    costs: list[tuple[int, date | None]]  # (cost, effective_to)

    def in_force(self, day: date) -> int | None:
        index = bisect_right(self.starts, day) - 1
        if index < 0:
            return None
        cost, effective_to = self.costs[index]
        if effective_to is not None and day > effective_to:
            return None
        return cost


def detect_price_variances(inp: DetectionInput) -> list[Finding]:
    # Price debits and their reversals, per vendor invoice.
    deducted = net_deductions(
        inp.deductions,
        PRICE_KINDS,
        lambda row: as_str(row["invoice_number"]) or str(row["reference"]),
    )
    if not deducted:
        return []
    history = _price_list(inp)
    po_costs = _po_costs(inp)
    lines_by_invoice: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in records(inp.price_lines):
        lines_by_invoice[str(row["invoice_number"])].append(row)
    # Rows made of the debited invoices only: the frames hold every shorted one too.
    billed_by_invoice: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in records(rows_for_invoices(inp.invoice_lines, deducted)):
        billed_by_invoice[str(row["invoice_number"])].append(row)
    invoices = {
        str(r["invoice_number"]): r for r in records(rows_for_invoices(inp.invoices, deducted))
    }
    findings = []
    for invoice_number, net in sorted(deducted.items()):
        net_minor, currency, references, ids = net.minor, net.currency, net.references, net.ids
        if net_minor <= 0:
            continue  # reversed in full: nothing left to claim
        lines = lines_by_invoice.get(invoice_number, [])
        invoice = invoices.get(invoice_number, {})
        base: dict[str, Any] = dict(
            invoice_number=invoice_number,
            po_number=as_str(invoice.get("po_number")),
            base_date=as_date(invoice.get("due_date")),
            deduction_ids=tuple(sorted(ids)),
            reference=sorted(references, key=lambda r: (len(r), r))[0],
            currency=currency,
            facts={"invoice_date": _iso(invoice.get("invoice_date"))},
        )
        billed = billed_by_invoice.get(invoice_number, [])
        if not lines and billed:
            findings.extend(
                _judge_invoice_level(
                    invoice_number, net_minor, billed, history, po_costs, base, references
                )
            )
            continue
        if not lines:
            findings.append(
                Finding(
                    type="price",
                    verdict=Verdict.unexplained,
                    key=f"price:{invoice_number}",
                    amount=from_minor(net_minor, currency),
                    confidence=0,
                    reason=(
                        f"Price variance of {money(net_minor, currency)} on invoice "
                        f"{invoice_number} ({', '.join(sorted(references))}) has neither price "
                        "discrepancy lines nor invoice lines; import either to judge it."
                    ),
                    **base,
                )
            )
            continue
        findings.extend(_judge_invoice(invoice_number, net_minor, lines, history, po_costs, base))
    return findings


def _judge_invoice(
    invoice_number: str,
    net_minor: int,
    lines: list[dict[str, Any]],
    history: dict[str, _CostHistory],
    po_costs: dict[tuple[str, str], tuple[int | None, date | None]],
    base: dict[str, Any],
) -> list[Finding]:
    currency = base["currency"]
    claim_lines: list[FindingLine] = []
    explanations: list[str] = []
    over: list[Finding] = []
    reasons: set[str] = set()
    claim_total = 0
    for row in sorted(lines, key=lambda r: (str(r["asin"]), str(r["po_number"]))):
        asin, po_number = str(row["asin"]), as_str(row["po_number"]) or base["po_number"]
        units = as_int(row["quantity"])
        invoiced = as_int(row["invoice_cost_minor"])
        paid = _paid_cost(row, invoiced, units)
        po_cost, po_date = po_costs.get((po_number or "", asin), (None, None))
        listed = history[asin].in_force(po_date) if asin in history and po_date else None
        agreed = listed if listed is not None else po_cost
        if agreed is None:
            agreed = as_int(row["po_cost_minor"]) or None
        if agreed is None:
            explanations.append(f"ASIN {asin}: no PO cost or cost list entry to compare")
            continue
        source = (
            f"cost list {money(listed, currency)} in force on PO date {po_date}"
            if listed is not None
            else f"PO {po_number} net cost {money(agreed, currency)}"
        )
        if invoiced > agreed:
            over.append(
                _over_invoiced(
                    base,
                    invoice_number,
                    po_number,
                    asin,
                    units,
                    invoiced,
                    agreed,
                    source,
                    currency,
                    confidence=95,
                )
            )
            continue
        if paid >= invoiced:
            continue
        line_minor = (invoiced - paid) * units
        claim_total += line_minor
        claim_lines.append(
            FindingLine(invoice_number, po_number, asin, units, from_minor(line_minor, currency))
        )
        reasons.add(
            "Cost Update Timing"
            if listed is not None and listed != po_cost
            else "Purchase Order Confirmed"
        )
        explanations.append(
            f"ASIN {asin}: invoiced {money(invoiced, currency)} (agreed {source}), Amazon paid "
            f"{money(paid, currency)}; ({money(invoiced, currency)} − {money(paid, currency)}) × "
            f"{units} units = {money(line_minor, currency)}"
        )
    findings = list(over)
    claimable = min(claim_total, net_minor)
    verdict = Verdict.claimable if claimable > 0 else Verdict.valid
    capped = (
        f"; capped at the {money(net_minor, currency)} still deducted"
        if claim_total > net_minor
        else ""
    )
    if claimable > 0:
        reason = (
            f"Invoice {invoice_number}: Amazon deducted {money(net_minor, currency)} for "
            f"price variance. "
            + "; ".join(explanations)
            + f". Claim {money(claimable, currency)}{capped}."
        )
    else:
        reason = (
            f"Invoice {invoice_number}: the price variance of {money(net_minor, currency)} "
            "stands: "
            + ("; ".join(explanations) or "the vendor invoiced above the agreed cost")
            + "."
        )
    findings.append(
        Finding(
            type="price",
            verdict=verdict,
            key=f"price:{invoice_number}",
            amount=from_minor(claimable, currency),
            confidence=95 if claimable else 90,
            reason=reason,
            lines=tuple(claim_lines),
            quantity=sum(line.quantity or 0 for line in claim_lines) or None,
            dispute_reason=(
                "Cost Update Timing"
                if "Cost Update Timing" in reasons
                else "Purchase Order Confirmed"
            )
            if claimable
            else None,
            **base,
        )
    )
    return findings


def _agreed_cost(
    asin: str,
    po_number: str | None,
    history: dict[str, _CostHistory],
    po_costs: dict[tuple[str, str], tuple[int | None, date | None]],
) -> tuple[int | None, int | None, date | None]:
    """(agreed cost, the cost list's entry in force on the PO date, the PO date)."""
    po_cost, po_date = po_costs.get((po_number or "", asin), (None, None))
    listed = history[asin].in_force(po_date) if asin in history and po_date else None
    return (listed if listed is not None else po_cost), listed, po_date


def _judge_invoice_level(
    invoice_number: str,
    net_minor: int,
    billed: list[dict[str, Any]],
    history: dict[str, _CostHistory],
    po_costs: dict[tuple[str, str], tuple[int | None, date | None]],
    base: dict[str, Any],
    references: set[str],
) -> list[Finding]:
    currency = base["currency"]
    notes = ", ".join(sorted(references))
    head = (
        f"Invoice {invoice_number}: Amazon deducted {money(net_minor, currency)} for price "
        f"variance ({notes}); no price discrepancy lines, so judged from the invoice lines"
    )
    explanations: list[str] = []
    over: list[Finding] = []
    unknown: list[str] = []
    entitled = 0  # what the vendor invoiced above the agreed cost
    billed_minor = 0
    cost_update = False
    for row in sorted(billed, key=lambda r: (as_int(r["line_no"]), str(r["asin"]))):
        asin = str(row["asin"])
        po_number = as_str(row["po_number"]) or base["po_number"]
        units = as_int(row["quantity"])
        invoiced = as_int(row["unit_cost_minor"])
        billed_minor += invoiced * units
        agreed, listed, po_date = _agreed_cost(asin, po_number, history, po_costs)
        if agreed is None:
            unknown.append(asin)
            continue
        po_cost = po_costs.get((po_number or "", asin), (None, None))[0]
        cost_update = cost_update or (listed is not None and listed != po_cost)
        source = (
            f"cost list {money(listed, currency)} in force on PO date {po_date}"
            if listed is not None
            else f"PO {po_number} net cost {money(agreed, currency)}"
        )
        if invoiced > agreed:
            excess = (invoiced - agreed) * units
            entitled += excess
            explanations.append(
                f"ASIN {asin}: invoiced {money(invoiced, currency)} above the agreed {source} "
                f"on {units} units ({money(excess, currency)} Amazon may keep)"
            )
            over.append(
                _over_invoiced(
                    base,
                    invoice_number,
                    po_number,
                    asin,
                    units,
                    invoiced,
                    agreed,
                    source,
                    currency,
                    confidence=90,
                )
            )
        else:
            explanations.append(
                f"ASIN {asin}: invoiced {money(invoiced, currency)} × {units} units, at or "
                f"below the agreed {source}"
            )
    if unknown:
        return [
            *over,
            Finding(
                type="price",
                verdict=Verdict.unexplained,
                key=f"price:{invoice_number}",
                amount=from_minor(net_minor, currency),
                confidence=0,
                reason=(
                    f"{head}; no PO cost or cost list entry for ASIN "
                    f"{', '.join(sorted(set(unknown)))}, so the variance cannot be judged: a "
                    "person must look."
                ),
                **base,
            ),
        ]
    claimable = max(0, min(net_minor - entitled, billed_minor))
    if claimable > 0:
        kept = f" less the {money(entitled, currency)} over-invoiced" if entitled else ""
        reason = (
            f"{head}: "
            + "; ".join(explanations)
            + f". Amazon paid less than invoiced at the agreed cost: claim "
            f"{money(net_minor, currency)}{kept} = {money(claimable, currency)}."
        )
    else:
        reason = (
            f"{head}: "
            + "; ".join(explanations)
            + ". The over-invoicing covers the deduction: it stands."
        )
    quantity = sum(as_int(r["quantity"]) for r in billed)
    return [
        *over,
        Finding(
            type="price",
            verdict=Verdict.claimable if claimable > 0 else Verdict.valid,
            key=f"price:{invoice_number}",
            amount=from_minor(claimable, currency),
            # Judged without Amazon's own per-line figures: a little less sure.
            confidence=85 if claimable else 90,
            reason=reason,
            quantity=quantity if claimable else None,
            lines=(
                FindingLine(
                    invoice_number,
                    base["po_number"],
                    None,
                    quantity,
                    from_minor(claimable, currency),
                ),
            )
            if claimable
            else (),
            dispute_reason=(
                ("Cost Update Timing" if cost_update else "Purchase Order Confirmed")
                if claimable
                else None
            ),
            **base,
        ),
    ]


def _iso(value: Any) -> str | None:
    day = as_date(value)
    return day.isoformat() if day else None


def _paid_cost(row: dict[str, Any], invoiced: int, units: int) -> int:
    adjusted = row.get("adjusted_cost_minor")
    if present(adjusted) and as_int(adjusted):
        return as_int(adjusted)
    variance = as_int(row.get("variance_minor"))
    return invoiced - (variance // units if units else 0)


def _price_list(inp: DetectionInput) -> dict[str, _CostHistory]:
    costs = inp.costs
    listed = costs[costs["source"] == "price_list"]
    by_asin: dict[str, list[tuple[date, int, date | None]]] = defaultdict(list)
    for row in records(listed):
        start = as_date(row["effective_from"])
        if start is not None and as_str(row["asin"]):
            by_asin[str(row["asin"])].append(
                (start, as_int(row["cost_minor"]), as_date(row["effective_to"]))
            )
    return {
        asin: _CostHistory([e[0] for e in sorted(entries)], [(e[1], e[2]) for e in sorted(entries)])
        for asin, entries in by_asin.items()
    }


def _po_costs(inp: DetectionInput) -> dict[tuple[str, str], tuple[int | None, date | None]]:
    return {
        (str(po_number), str(asin)): (as_int(cost) if present(cost) else None, as_date(ordered))
        for po_number, asin, cost, ordered in cell_rows(
            inp.po_items, "po_number", "asin", "net_cost_minor", "ordered_at"
        )
    }


def _over_invoiced(
    base: dict[str, Any],
    invoice_number: str,
    po_number: str | None,
    asin: str,
    units: int,
    invoiced: int,
    agreed: int,
    source: str,
    currency: str,
    *,
    confidence: int,
) -> Finding:
    """The vendor invoiced above the agreed cost: Amazon was right, and the report says so."""
    excess = (invoiced - agreed) * units
    return Finding(
        type="price",
        verdict=Verdict.over_invoiced,
        key=f"price-over:{invoice_number}:{po_number or ''}:{asin}",
        amount=from_minor(excess, currency),
        confidence=confidence,
        asin=asin,
        quantity=units,
        reason=(
            f"Invoice {invoice_number} ASIN {asin}: invoiced "
            f"{money(invoiced, currency)} per unit above the agreed {source}; "
            f"Amazon was right to pay less. The vendor over-invoiced {units} units "
            f"by {money(invoiced - agreed, currency)} = {money(excess, currency)}."
        ),
        **{**base, "po_number": po_number},
    )


# --- the rest of what a price claim is --------------------------------------------------------


def price_evidence(data: DraftInput) -> list[str]:
    missing: list[str] = []
    if not data.invoice_number:
        missing.append("the invoice number")
    if not data.po_number:
        missing.append("the PO number")
    if not data.dispute_reason:
        missing.append("the portal's dispute reason")
    return missing


def price_form(data: DraftInput) -> dict[str, Any]:
    return {
        "form": "price",
        "invoice_number": data.invoice_number,
        "po_number": data.po_number,
        "reason_code": data.dispute_reason,
        "lines": [
            {"asin": line.asin, "quantity": line.quantity, "amount": str(line.amount)}
            for line in data.lines
        ],
    }


def price_portal_form(claims: Sequence[FiledClaim]) -> FormScript:
    """The invoice's "Dispute a Price Discrepancy", found from the invoice search."""
    invoice = claims[0].invoice_number or ""
    reason = claims[0].dispute_reason or "Other"
    missing = Refusal("price", f"invoice {invoice} has no price discrepancy to dispute")
    return FormScript(
        (
            Open("/invoices"),
            Fill("Invoice number", invoice),
            Press("Search"),
            Press(
                f"Dispute a Price Discrepancy for invoice {invoice}", role="link", missing=missing
            ),
            Choose("Reason", reason),
            Justify(),
        ),
        typed={"invoice_number": invoice, "reason": reason},
    )


PRICE = ClaimKind(
    type="price",
    label="price",
    deduction_kinds=PRICE_KINDS,
    reads=frames_of(
        {"deductions", "invoices", "invoice_lines", "price_lines", "po_items", "costs"}
    ),
    # A cost list's ASIN reaches the price lines of that ASIN.
    scope=(
        *DEDUCTION_LINKS,
        *INVOICE_LINKS,
        Reach(
            "price_variance_line", by="asin", keys="asin", invoice="invoice_number", po="po_number"
        ),
        PoInvoices("price_variance_line"),
    ),
    judge=lambda inp, _rules: detect_price_variances(inp),
    window=Window(
        deadline=invoice_deadline,
        matching_days=lambda rules: rules.price_matching_days,
        aged_bands=lambda rules: (rules.price_optimal_days, rules.price_maturing_days),
    ),
    max_level=3,
    missing_evidence=price_evidence,
    form_fields=price_form,
    portal_form=PortalForm(
        group=lambda c: f"price:{c.id}",
        search=lambda c: c.invoice_number or "",
        fill=price_portal_form,
        submit=SUBMIT_AND_CONFIRM,
    ),
    templates=("price_dispute.j2", "price_redispute.j2"),
)
