"""What Vendor Central's dispute form of each claim type takes, and how it is filled.

One entry per type in `FORMS`: which claims go into one dispute (Amazon takes a shortage
invoice's lines together and only once; price claims per invoice; co-op per co-op invoice;
chargebacks per id), what Dispute Management finds the dispute by, and the form itself, driven
by label and role only. `fill` stops before the final button, so a dry run can show the filled
form; `submit` presses it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import FilePayload

from recovery.models.claims import Claim, ClaimType
from recovery.money import from_minor
from recovery.portal.session import PortalError, PortalSession

DISPUTE_ID = re.compile(r"(?:Re-)?Dispute Id: (DSPT\d+)")
QUANTITY_LABEL = "Dispute quantity for "


class FilingRefused(PortalError):
    """The portal refused the dispute in its own words (not available, only once, ineligible):
    filing it again unchanged would be refused again."""


@dataclass(frozen=True)
class Attachment:
    name: str
    path: Path


@dataclass
class DisputeToFile:
    """One dispute: its claims (several only for a shortage invoice), text and documents."""

    type: str
    claims: list[Claim]
    key: str
    justification: str
    attachments: list[Attachment] = field(default_factory=list)

    @property
    def first(self) -> Claim:
        return self.claims[0]


@dataclass(frozen=True)
class DisputeForm:
    group: Callable[[Claim], str]
    search: Callable[[Claim], str]
    fill: Callable[[PortalSession, DisputeToFile], dict[str, Any]]
    submit: Callable[[PortalSession], None]


def _files(dispute: DisputeToFile) -> list[FilePayload]:
    return [
        FilePayload(name=a.name, mimeType="application/pdf", buffer=a.path.read_bytes())
        for a in dispute.attachments
    ]


def _refused(portal: PortalSession) -> None:
    message = portal.alert_text()
    if message:
        raise portal.kept_error("refused", message, FilingRefused)


def _justify(portal: PortalSession, dispute: DisputeToFile, files_label: str) -> None:
    page = portal.page
    page.get_by_label("Justification").fill(dispute.justification)
    if dispute.attachments:
        page.get_by_label(files_label).set_input_files(_files(dispute))


def _confirm(portal: PortalSession) -> None:
    page = portal.page
    page.get_by_role("button", name="Submit").click()
    dialog = page.get_by_role("dialog")
    portal.act(lambda: dialog.get_by_role("button", name="Confirm").click())


def _new_dispute(portal: PortalSession, kind_label: str, number: str) -> None:
    page = portal.open("/disputes/new")
    page.get_by_label("Dispute type").select_option(label=kind_label)
    page.get_by_label("Invoice number(s)").fill(number)
    portal.act(lambda: page.get_by_role("button", name="Next").click())
    _refused(portal)


def _fill_shortage(portal: PortalSession, dispute: DisputeToFile) -> dict[str, Any]:
    invoice = dispute.first.invoice_number or ""
    _new_dispute(portal, "Shortage invoice", invoice)
    page = portal.page
    wanted: dict[str, tuple[int, str]] = {}
    for claim in dispute.claims:
        shipped = str(claim.draft_fields.get("shipped_date") or "")
        wanted[claim.asin or ""] = (claim.quantity or 0, shipped)
    typed: list[dict[str, Any]] = []
    # Every line the portal offers is pre-filled with its whole shortage: lines that are not
    # ours are set to 0, or they would be disputed too (and the invoice takes one dispute only).
    for box in page.get_by_label(re.compile("^" + QUANTITY_LABEL)).all():
        label = str(box.evaluate("e => e.labels[0].textContent")).strip()
        asin = label.removeprefix(QUANTITY_LABEL).strip()
        quantity, shipped = wanted.pop(asin, (0, ""))
        box.fill(str(quantity))
        if quantity:
            # Amazon prices the line at the invoiced unit cost from the quantity.
            page.get_by_label(f"Dispute amount for {asin}", exact=True).fill("")
            page.get_by_label(f"Shipped date for {asin}", exact=True).fill(shipped)
            typed.append({"asin": asin, "quantity": quantity, "shipped_date": shipped})
    if wanted:
        raise portal.kept_error(
            "lines",
            f"invoice {invoice} offers no line for {', '.join(sorted(wanted))}",
            FilingRefused,
        )
    portal.act(lambda: page.get_by_role("button", name="Continue").click())
    _refused(portal)
    _justify(portal, dispute, "Attachments")
    return {"invoice_number": invoice, "lines": typed}


def _fill_price(portal: PortalSession, dispute: DisputeToFile) -> dict[str, Any]:
    invoice = dispute.first.invoice_number or ""
    page = portal.open("/invoices")
    page.get_by_label("Invoice number").fill(invoice)
    portal.act(lambda: page.get_by_role("button", name="Search").click())
    link = page.get_by_role("link", name=f"Dispute a Price Discrepancy for invoice {invoice}")
    if not link.count():
        raise portal.kept_error(
            "price", f"invoice {invoice} has no price discrepancy to dispute", FilingRefused
        )
    portal.act(lambda: link.click())
    reason = dispute.first.dispute_reason or "Other"
    page.get_by_label("Reason").select_option(reason)
    _justify(portal, dispute, "Attachments")
    return {"invoice_number": invoice, "reason": reason}


def _fill_coop(portal: PortalSession, dispute: DisputeToFile) -> dict[str, Any]:
    number = dispute.first.reference
    _new_dispute(portal, "Co-op", number)
    amount = str(dispute.first.draft_fields.get("filing", {}).get("amount") or "")
    if not amount:
        amount = str(from_minor(dispute.first.amount_minor, dispute.first.currency))
    portal.page.get_by_label(f"Dispute amount for {number}", exact=True).fill(amount)
    portal.act(lambda: portal.page.get_by_role("button", name="Continue").click())
    _refused(portal)
    _justify(portal, dispute, "Attachments")
    return {"coop_invoice_number": number, "amount": amount}


def _fill_chargeback(portal: PortalSession, dispute: DisputeToFile) -> dict[str, Any]:
    chargeback = dispute.first.reference
    page = portal.open(f"/operational-performance/chargebacks/{chargeback}")
    opener = page.get_by_role("button", name="Dispute Chargeback")
    if not opener.count():
        raise portal.kept_error(
            "chargeback", f"chargeback {chargeback} cannot be disputed", FilingRefused
        )
    opener.click()
    page.get_by_label("Dispute summary").fill(dispute.justification)
    if dispute.attachments:
        page.get_by_label("Add Attachments").set_input_files(_files(dispute))
    return {"chargeback_id": chargeback}


def _submit_chargeback(portal: PortalSession) -> None:
    page = portal.page
    portal.act(lambda: page.get_by_role("button", name="Submit Dispute").click())


FORMS: dict[str, DisputeForm] = {
    ClaimType.shortage: DisputeForm(
        group=lambda c: f"shortage:{c.account_id}:{c.invoice_number}",
        search=lambda c: c.invoice_number or "",
        fill=_fill_shortage,
        submit=_confirm,
    ),
    ClaimType.price: DisputeForm(
        group=lambda c: f"price:{c.id}",
        search=lambda c: c.invoice_number or "",
        fill=_fill_price,
        submit=_confirm,
    ),
    ClaimType.coop: DisputeForm(
        group=lambda c: f"coop:{c.id}",
        search=lambda c: c.reference,
        fill=_fill_coop,
        submit=_confirm,
    ),
    ClaimType.chargeback: DisputeForm(
        group=lambda c: f"chargeback:{c.id}",
        search=lambda c: c.reference,
        fill=_fill_chargeback,
        submit=_submit_chargeback,
    ),
}


def _fill_redispute(portal: PortalSession, dispute: DisputeToFile) -> dict[str, Any]:
    parent = dispute.first.case_id or ""
    portal.open(f"/disputes/{parent}/redispute")
    _refused(portal)  # not decided yet, re-disputed already, or its window closed
    _justify(portal, dispute, "Attachments")
    return {"redispute_of": parent}


# A second dispute of a decided one (the ladder's level 2): the portal's Re-dispute page of the
# first dispute, whatever its type; the claims of one first dispute go into one re-dispute.
REDISPUTE = DisputeForm(
    group=lambda c: f"redispute:{c.account_id}:{c.case_id}",
    search=lambda c: FORMS[c.type].search(c),
    fill=_fill_redispute,
    submit=_confirm,
)


def form_for(claim: Claim) -> DisputeForm:
    return REDISPUTE if claim.level >= 2 else FORMS[claim.type]


def confirmation_id(portal: PortalSession) -> str | None:
    """The DSPT id on the confirmation, if the page is one."""
    status = portal.page.get_by_role("status")
    if not status.count():
        return None
    found = DISPUTE_ID.search(status.first.inner_text())
    return found.group(1) if found else None
