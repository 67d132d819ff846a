"""Dispute Management: find the disputes already filed, and read one dispute's decision."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from recovery.portal.session import PortalSession

DISPUTE_ID = re.compile(r"\bDSPT\d+\b")


@dataclass(frozen=True)
class DisputeLine:
    po_number: str
    asin: str
    reference: str
    approved_amount: Decimal | None


@dataclass(frozen=True)
class DisputeDecision:
    dispute_id: str
    status: str  # Submitted, Pending Amazon action, Pending your action, Resolved
    outcome: str | None  # Approved, Partially approved, Denied once resolved
    amount: Decimal
    approved_amount: Decimal | None
    lines: tuple[DisputeLine, ...]
    resolved_on: date | None = None


def listed_ids(portal: PortalSession, search: str) -> list[str]:
    """The ids Dispute Management lists for a dispute id or invoice number."""
    page = portal.open("/disputes")
    page.get_by_label("Dispute ID or invoice number").fill(search)
    portal.act(lambda: page.get_by_role("button", name="Search").click())
    table = page.get_by_role("table", name="Disputes")
    return DISPUTE_ID.findall(table.inner_text())


def find_filed(portal: PortalSession, search: str, key: str) -> str | None:
    """The dispute whose justification carries our idempotency key, if the portal has one.

    The list searches by invoice only; the key is in each dispute's own page.
    """
    for dispute_id in listed_ids(portal, search):
        page = portal.open(f"/disputes/{dispute_id}")
        if key in page.locator("main").inner_text():
            return dispute_id
    return None


def read_decision(portal: PortalSession, dispute_id: str) -> DisputeDecision:
    page = portal.open(f"/disputes/{dispute_id}")
    facts = _definitions(page.locator("dl").first.inner_text())
    status, _, outcome = facts.get("Status", "").partition(": ")
    approved = facts.get("Approved amount")
    table = page.get_by_role("table", name="Dispute lines")
    headers = [h.strip() for h in table.get_by_role("columnheader").all_inner_texts()]
    lines = []
    for row in table.locator("tbody tr").all():
        cells = dict(
            zip(
                headers,
                (c.strip() for c in row.get_by_role("cell").all_inner_texts()),
                strict=False,
            )
        )
        lines.append(
            DisputeLine(
                po_number=cells.get("PO Number", ""),
                asin=cells.get("ASIN", ""),
                reference=cells.get("Reference", ""),
                approved_amount=parse_money(cells.get("Approved Amount", "")),
            )
        )
    return DisputeDecision(
        dispute_id=dispute_id,
        status=status.strip(),
        outcome=outcome.strip() or None,
        amount=parse_money(facts.get("Amount", "")) or Decimal(0),
        approved_amount=parse_money(approved) if approved else None,
        lines=tuple(lines),
        resolved_on=_resolution_day(facts.get("Resolution", "")),
    )


def _resolution_day(text: str) -> date | None:
    """`Approved in full (12/14/2026)` → 2026-12-14: the portal prints US dates."""
    found = re.search(r"\((\d{2}/\d{2}/\d{4})\)\s*$", text)
    return datetime.strptime(found.group(1), "%m/%d/%Y").date() if found else None


def _definitions(text: str) -> dict[str, str]:
    """A `<dl>`'s text (term and definition on alternate lines) as a mapping."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return dict(zip(lines[::2], lines[1::2], strict=False))


def parse_money(text: str) -> Decimal | None:
    """`$1,234.56` → Decimal('1234.56'); blank → None."""
    cleaned = re.sub(r"[^\d.\-]", "", text)
    if not cleaned:
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None
