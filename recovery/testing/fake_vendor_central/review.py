"""Amazon's review of one dispute, at the end of its review period: the facts the rules in
`rules.py` need, gathered from the scenario (its truth, its documents) and the dispute."""

from __future__ import annotations

from datetime import date

from recovery.testing.fake_vendor_central.model import Dispute, DisputeLine, DisputeType
from recovery.testing.fake_vendor_central.rules import (
    Decision,
    LineClaim,
    Odds,
    Windows,
    decide,
    last_day,
    roll,
)
from recovery.testing.fake_vendor_central.scenario_source import PortalData, Recoverable

# The document that proves delivery for each freight term: the carrier signs the BOL when the
# vendor's carrier is paid by Amazon (collect); the receiver signs the POD for prepaid freight.
_PROOF_FOR_TERM = {"Collect": {"bol"}, "Prepaid": {"pod"}}


def anchor_date(data: PortalData, dispute: Dispute) -> date:
    """The day a dispute's windows and age count from."""
    number = dispute.invoice_number
    if dispute.type == DisputeType.shortage:
        rows, column = data.shortages, "due_date"
    elif dispute.type == DisputeType.price:
        rows, column = data.invoices, "due_date"
    elif dispute.type == DisputeType.coop:
        rows, column = data.coop_invoices, "invoice_date"
    else:
        found: date = next(r for r in data.chargebacks if r["chargeback_id"] == number)[
            "notified_on"
        ]
        return found
    day: date = next(r for r in rows if r["invoice_number"] == number)[column]
    return day


def truth_of(data: PortalData, dispute: Dispute, line: DisputeLine) -> Recoverable | None:
    """What the answer key says is recoverable for this line; None for a valid deduction."""
    number = dispute.invoice_number
    if dispute.type == DisputeType.shortage:
        return data.shortage_truth.get((number, line.po_number or "", line.asin or ""))
    if dispute.type == DisputeType.price:
        return data.price_truth.get(number)
    if dispute.type == DisputeType.coop:
        return data.coop_truth.get(number)
    return data.chargeback_truth.get(number)


def proven(data: PortalData, dispute: Dispute, po_number: str | None) -> bool:
    """A signed document showing the PO among the attachments; for a shortage, of the kind the
    PO's freight term calls for (either when the term is unknown)."""
    term = data.freight_terms.get(po_number or "", "")
    wanted = _PROOF_FOR_TERM.get(term, {"bol", "pod"})
    for attachment in dispute.attachments:
        document = data.documents.get(attachment.sha256)
        if (
            document is not None
            and document.signed
            and po_number in document.po_numbers
            and (dispute.type != DisputeType.shortage or document.kind in wanted)
        ):
            return True
    return False


def review(
    data: PortalData,
    dispute: Dispute,
    parent: Dispute | None,
    *,
    windows: Windows,
    odds: Odds,
) -> Decision:
    anchor = anchor_date(data, dispute)
    in_window = dispute.created <= last_day(dispute.type, anchor, windows)
    if dispute.type == DisputeType.chargeback and parent is not None:
        in_window = True  # a chargeback re-dispute's own window was checked when it was filed
    before = {} if parent is None else {_key(line): line.approved_minor for line in parent.lines}
    # A price claim's recoverable amount is the invoice's: what one line takes, the next line
    # cannot take again.
    price_taken = sum(before.values())
    claims = []
    for line in dispute.lines:
        truth = truth_of(data, dispute, line)
        taken = before.get(_key(line), 0)
        if truth is not None and dispute.type == DisputeType.price:
            taken = price_taken
            price_taken += min(line.dispute_minor, max(truth.amount_minor - taken, 0))
        claims.append(
            LineClaim(
                dispute_quantity=line.dispute_quantity,
                dispute_minor=line.dispute_minor,
                unit_price_minor=line.unit_price_minor,
                truth=truth,
                already_approved_minor=taken,
                proven=proven(data, dispute, line.po_number),
            )
        )
    age = (dispute.created - anchor).days
    return decide(claims, in_window=in_window, odds=odds.at(age), luck=roll(data.seed, dispute.id))


def _key(line: DisputeLine) -> str:
    return f"{line.reference}/{line.po_number or ''}/{line.asin or ''}"
