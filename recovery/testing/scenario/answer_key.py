"""The truth about every planted deduction, and exactly what a correct detector should claim.

Truths are computed from what was actually posted on remittances, with the rules of DOMAIN.md:
for a shortage line, claimable units = D − (I − P) within [0, D], where I is invoiced, P the
units a signed BOL/POD proves were delivered (shipped less carrier exceptions) and D the net units
deducted; the claimable units go to the latest debits first, so of a duplicated valid debit the
second copy is the recoverable one.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from recovery.money import quantize
from recovery.testing.scenario.evidence import document_entry
from recovery.testing.scenario.world import (
    CURRENCY,
    ZERO,
    DeductionEvent,
    PoLine,
    PurchaseOrder,
    World,
)

# Amazon's last calendar day per type (DOMAIN.md, "Deadlines are Amazon's dates"), written out
# here from the domain notes rather than taken from the product's rules, so that the key checks
# them: shortages and price claims until the invoice is 24 months old, co-op invoices until
# they are two years old, chargebacks 30 calendar days from the notification. Never moved to a
# business day.
DISPUTE_LIMIT_YEARS = 2
CHARGEBACK_DAYS = 30


@cache
def years_after(day: date, years: int) -> str:
    try:
        return day.replace(year=day.year + years).isoformat()
    except ValueError:  # February 29th: its anniversary is the 28th
        return day.replace(year=day.year + years, day=28).isoformat()


def chargeback_deadline(notified_on: date) -> str:
    return (notified_on + timedelta(days=CHARGEBACK_DAYS)).isoformat()


def money(value: Decimal) -> str:
    return f"{value:.2f}"


def _truth(event: DeductionEvent, unproven: bool = False, unread: bool = False) -> None:
    if event.amount < 0:
        event.truth = "reversal"
    elif unread:
        event.truth = "needs_look"
    elif event.recoverable >= event.amount:
        event.truth = "recoverable"
    elif event.recoverable > 0:
        event.truth = "partly_recoverable"
    elif unproven:
        event.truth = "needs_evidence"
    else:
        event.truth = "valid"


def _unread_note(po: PurchaseOrder, line: PoLine) -> str | None:
    """The receiver's note nobody can count on a signed POD of the line's shipments, if any."""
    for shipment in po.shipments:
        if any(loaded is line for loaded, _ in shipment.items):
            for doc in shipment.documents:
                if doc.signed and doc.exception_note:
                    return doc.exception_note
    return None


def _proof(po: PurchaseOrder, line: PoLine) -> tuple[int, int | None, str]:
    """(S shipped per ASN, P proven delivered or None, the documents used)."""
    shipped, proven, used = 0, 0, []
    unproven = False
    for shipment in po.shipments:
        units = sum(u for loaded, u in shipment.items if loaded is line)
        if not units:
            continue
        shipped += units
        signed = [doc for doc in shipment.documents if doc.signed]
        if not signed:
            unproven = True
            continue
        exceptions = max((doc.exception_eaches or 0 for doc in signed), default=0)
        proven += units - exceptions
        used.append(f"{signed[0].kind.upper()} {shipment.bol_number} ({signed[0].file})")
    return shipped, None if unproven else proven, ", ".join(used)


class Key:
    def __init__(self, world: World) -> None:
        self.world = world
        self.claims: list[dict[str, Any]] = []
        self.needs_evidence: list[dict[str, Any]] = []
        self.needs_look: list[dict[str, Any]] = []
        self.over_invoiced: list[dict[str, Any]] = []

    def shortages(self) -> None:
        by_po: dict[str, list[DeductionEvent]] = defaultdict(list)
        for event in self.world.events:
            if event.kind in ("shortage", "shortage_reversal") and event.po is not None:
                by_po[event.po.number].append(event)
        for events in by_po.values():
            self._shortage_po(events)

    def _shortage_po(self, events: list[DeductionEvent]) -> None:
        po = events[0].po
        assert po is not None and po.invoice is not None
        invoice = po.invoice
        debits = sorted(
            (e for e in events if e.kind == "shortage"),
            key=lambda e: e.payment.pay_date if e.payment else date.max,
        )
        credits = [e for e in events if e.kind == "shortage_reversal"]
        unproven_any = unread_any = False
        for line in po.lines:
            if line.shortage <= 0:
                continue
            cost = line.invoice_cost
            deducted = line.shortage * len(debits) - line.reversed_units * len(credits)
            shipped, proven, used = _proof(po, line)
            asin = line.item.asin
            held = {
                "invoice_number": invoice.number,
                "po_number": po.number,
                "asin": asin,
                "quantity": deducted,
                "amount": money(quantize(cost * deducted, CURRENCY)),
                # A finding a person completes is filed by the same date as any claim.
                "deadline": years_after(invoice.invoice_date, DISPUTE_LIMIT_YEARS),
            }
            note = _unread_note(po, line)
            if note is not None:
                unread_any = True
                why = (
                    f"The signed POD for PO {po.number} notes {note!r}: an exception, but not "
                    "how many units; a person must read the document."
                )
                self.needs_look.append({"type": "shortage", **held, "why": why})
                continue
            if proven is None:
                unproven_any = True
                why = (
                    f"Invoiced {line.invoiced}, ASN shows {shipped} shipped, Amazon deducted "
                    f"{deducted}; no signed BOL or POD proves the delivery."
                )
                self.needs_evidence.append({**held, "why": why})
                continue
            entitled = line.invoiced - proven
            claimable = max(0, min(deducted, deducted - entitled))
            left = claimable
            for debit in reversed(debits):
                units = min(left, line.shortage)
                debit.recoverable += quantize(cost * units, CURRENCY)
                left -= units
            if claimable <= 0:
                continue
            exception = proven < shipped
            why = (
                f"Invoiced {line.invoiced} units of {asin} on PO {po.number}; shipped {shipped}"
                f" ({used})"
                + (f", {shipped - proven} noted short by the receiver" if exception else "")
                + f"; Amazon deducted {deducted} net. {claimable} units × ${cost} = "
                f"${quantize(cost * claimable, CURRENCY)} claimable."
            )
            self.claims.append(
                {
                    "type": "shortage",
                    # The debit the money is still held on: a re-raised SCRSC, else the SC.
                    "reference": debits[-1].reference if debits else f"{invoice.number}SC",
                    "invoice_number": invoice.number,
                    "po_number": po.number,
                    "asin": asin,
                    "quantity": claimable,
                    "amount": money(quantize(cost * claimable, CURRENCY)),
                    "deadline": years_after(invoice.invoice_date, DISPUTE_LIMIT_YEARS),
                    "case": po.shortage_case,
                    # The debit notes the claim answers (the ledger's buckets per deduction).
                    "deductions": sorted({d.reference for d in debits}),
                    "why": why,
                }
            )
        reversed_in_full = po.shortage_case == "reraised"
        for event in debits:
            event.deadline = years_after(invoice.invoice_date, DISPUTE_LIMIT_YEARS)
            _truth(event, unproven_any, unread_any)
            if reversed_in_full and event.recoverable == 0 and event is not debits[-1]:
                # Amazon gave this debit back in full (SCR) before raising it again.
                event.truth = "reversed"
            event.why = self._shortage_why(po, event)
        for event in credits:
            _truth(event)
            event.why = f"Amazon reversed part of {invoice.number}SC after matching its receipts."

    @staticmethod
    def _shortage_why(po: PurchaseOrder, event: DeductionEvent) -> str:
        return {
            "recoverable": "The units were shipped and a signed BOL/POD proves delivery.",
            "partly_recoverable": "Part of the deduction is justified (a reversal or a carrier "
            "exception); the rest was delivered as proven.",
            "valid": "The vendor shipped fewer units than it invoiced; Amazon was right.",
            "needs_evidence": "Shipped per the ASN, but no signed BOL/POD proves the delivery.",
            "needs_look": "The POD notes an exception without saying how much: a person looks.",
            "reversed": "Reversed in full by the SCR credit, then raised again as SCRSC.",
        }.get(event.truth, "")

    def prices(self) -> None:
        for event in self.world.events:
            if event.kind != "price" or event.po is None:
                continue
            po = event.po
            assert po.invoice is not None
            event.deadline = years_after(po.invoice.invoice_date, DISPUTE_LIMIT_YEARS)
            lines = [line for line in po.lines if line.invoice_cost > line.paid_cost]
            if po.price_case == "stale_cost":
                event.recoverable = event.amount
                event.truth = "recoverable"
                parts = []
                for line in lines:
                    change = line.item.change_before(po.ordered_at.date())
                    when = change[0].isoformat() if change else "?"
                    parts.append(
                        f"{line.item.asin}: cost ${line.invoice_cost} in force since {when}, "
                        f"Amazon paid ${line.paid_cost}"
                    )
                event.why = "Amazon paid a stale cost on PO " + po.number + ": " + "; ".join(parts)
                self.claims.append(
                    {
                        "type": "price",
                        "reference": event.reference,
                        "invoice_number": po.invoice.number,
                        "po_number": po.number,
                        "asin": None,
                        "quantity": sum(line.invoiced for line in lines),
                        "amount": money(event.amount),
                        "deadline": years_after(po.invoice.invoice_date, DISPUTE_LIMIT_YEARS),
                        "case": "stale_cost",
                        "deductions": [event.reference],
                        "why": event.why,
                    }
                )
            else:
                event.truth = "valid"
                event.why = (
                    "The vendor invoiced above the PO cost in force; Amazon paid the PO cost."
                )
                for line in lines:
                    self.over_invoiced.append(
                        {
                            "invoice_number": po.invoice.number,
                            "po_number": po.number,
                            "asin": line.item.asin,
                            "amount": money(
                                quantize(
                                    (line.invoice_cost - line.net_cost) * line.invoiced, CURRENCY
                                )
                            ),
                            "why": (
                                f"Invoiced ${line.invoice_cost} per unit where the PO and the cost "
                                f"list say ${line.net_cost}, on {line.invoiced} units."
                            ),
                        }
                    )

    def coop(self) -> None:
        for invoice in self.world.coop_invoices:
            event = invoice.event
            if event is None or event.payment is None:
                continue
            event.deadline = years_after(invoice.invoice_date, DISPUTE_LIMIT_YEARS)
            event.recoverable = max(ZERO, invoice.amount - invoice.correct)
            _truth(event)
            event.why = invoice.why
            if event.recoverable > 0:
                self.claims.append(
                    {
                        "type": "coop",
                        "reference": invoice.number,
                        "invoice_number": invoice.number,
                        "po_number": None,
                        "asin": None,
                        "quantity": None,
                        "amount": money(event.recoverable),
                        "deadline": years_after(invoice.invoice_date, DISPUTE_LIMIT_YEARS),
                        "case": invoice.case,
                        "deductions": [event.reference],
                        "why": invoice.why,
                    }
                )

    def chargebacks(self) -> None:
        for chargeback in self.world.chargebacks:
            event = chargeback.event
            if event is None or event.payment is None:
                continue
            event.deadline = chargeback_deadline(chargeback.notified_on)
            event.recoverable = chargeback.amount - chargeback.correct
            _truth(event)
            event.why = chargeback.why
            if event.recoverable > 0:
                self.claims.append(
                    {
                        "type": "chargeback",
                        "reference": chargeback.chargeback_id,
                        "invoice_number": None,
                        "po_number": chargeback.po.number,
                        "asin": chargeback.line.item.asin,
                        "quantity": chargeback.quantity,
                        "amount": money(event.recoverable),
                        "deadline": chargeback_deadline(chargeback.notified_on),
                        "case": chargeback.case,
                        "deductions": [event.reference],
                        "why": chargeback.why,
                    }
                )

    def everyday(self) -> None:
        reasons = {
            "provision": "A temporary hold on an aged receivable, given back by its PRVR reversal.",
            "provision_reversal": "Gives back the provision for the same invoice.",
            "returns": "Customer returns sent back to the vendor at cost, as agreed.",
            "allowance": "The agreed allowance on this invoice.",
            "other": "An adjustment with a description nobody knows: a person must look at it.",
        }
        # A provision is a hold that its PRVR gives back; until the reversal is on a
        # remittance, the money is held and a person watches it (the ledger: unexplained).
        given_back = {
            e.reference.removesuffix("R")
            for e in self.world.events
            if e.kind == "provision_reversal" and e.payment is not None
        }
        for event in self.world.events:
            if event.kind in reasons:
                if event.kind == "other":
                    event.truth = "unexplained"
                else:
                    _truth(event)
                event.why = reasons[event.kind]
                if event.kind == "provision" and event.reference not in given_back:
                    event.truth = "unexplained"
                    event.why = "Held as a provision for an aged receivable; not given back yet."


def build_answer_key(world: World) -> dict[str, Any]:
    key = Key(world)
    key.shortages()
    key.prices()
    key.coop()
    key.chargebacks()
    key.everyday()
    events = sorted(
        world.events,
        key=lambda e: (e.payment.pay_date if e.payment else date.max, e.reference),
    )
    by_type: dict[str, dict[str, Any]] = {}
    for event in events:
        entry = by_type.setdefault(
            event.kind, {"count": 0, "deducted": ZERO, "recoverable": ZERO, "claims": 0}
        )
        entry["count"] += 1
        entry["deducted"] += event.amount
        entry["recoverable"] += event.recoverable
    for claim in key.claims:
        kind = "shortage" if claim["type"] == "shortage" else claim["type"]
        by_type.setdefault(kind, {"count": 0, "deducted": ZERO, "recoverable": ZERO, "claims": 0})[
            "claims"
        ] += 1
    receivables = [
        {
            "invoice_number": invoice.number,
            "amount": money(invoice.amount - invoice.paid - invoice.discount - invoice.short_pay),
            "due_date": invoice.due_date.isoformat(),
        }
        for invoice in world.invoices
        if invoice.due_date < world.today
        and invoice.amount - invoice.paid - invoice.discount - invoice.short_pay > 0
    ]
    short_pays = [
        {
            "invoice_number": invoice.number,
            "amount": money(invoice.short_pay),
            "why": (
                f"Invoice {invoice.number} for ${invoice.amount} was paid ${invoice.paid} with "
                "no deduction line for the difference."
            ),
        }
        for invoice in world.invoices
        if invoice.short_pay > 0 and invoice.posted
    ]
    evidence = [
        document_entry(doc, shipment.shipment_id)
        for shipment in world.shipments
        for doc in shipment.documents
    ]
    evidence.sort(key=lambda entry: str(entry["file"]))
    return {
        "seed": world.seed,
        "size": world.size.name,
        "today": world.today.isoformat(),
        "vendor_code": world.vendor_code,
        "currency": CURRENCY,
        "deductions": [
            {
                "reference": e.reference,
                "payment_number": e.payment.number if e.payment else None,
                "kind": e.kind,
                "invoice_number": e.invoice_number,
                "amount": money(e.amount),
                "case": e.case,
                "truth": e.truth,
                "recoverable": money(e.recoverable),
                "deadline": e.deadline,
                "why": e.why,
            }
            for e in events
        ],
        "claims": key.claims,
        "needs_evidence": key.needs_evidence,
        # Findings a person must look at before anything is claimed (an unreadable POD note).
        "needs_look": key.needs_look,
        "over_invoiced": key.over_invoiced,
        "short_pays": short_pays,
        "receivables": receivables,
        "evidence": evidence,
        "totals": {
            "deducted": money(sum((e.amount for e in events), ZERO)),
            "recoverable": money(sum((e.recoverable for e in events), ZERO)),
            "by_type": {
                kind: {
                    "count": entry["count"],
                    "deducted": money(entry["deducted"]),
                    "recoverable": money(entry["recoverable"]),
                    "claims": entry["claims"],
                }
                for kind, entry in sorted(by_type.items())
            },
        },
    }
