"""What the portal's exports and statements show once disputes exist: the shortage export's
dispute columns, the chargeback export's status, and the Statement of Open Items."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from recovery.testing.fake_vendor_central.model import Dispute, DisputeType, Outcome
from recovery.testing.fake_vendor_central.scenario_source import PortalData, Row


def shortage_rows(data: PortalData, disputes: Sequence[Dispute]) -> list[Row]:
    """The shortage export with the columns Amazon fills in once disputed: the first dispute's
    quantity and amount, what all its reviews approved, the last decision."""
    filed: dict[tuple[str, str, str], dict[str, Any]] = {}
    for dispute in disputes:
        if dispute.type != DisputeType.shortage:
            continue
        for line in dispute.lines:
            seen = filed.setdefault(
                (line.invoice_number, line.po_number or "", line.asin or ""),
                {
                    "dispute_quantity": line.dispute_quantity,
                    "dispute_amount": line.dispute_minor,
                    "approved_quantity": None,
                },
            )
            if dispute.outcome is not None:
                approved = (seen["approved_quantity"] or 0) + (line.approved_quantity or 0)
                seen["approved_quantity"] = approved
            seen["decision"] = dispute.outcome.value if dispute.outcome else "Disputed"
    rows = []
    for row in data.shortages:
        key = (row["invoice_number"], row["po_number"] or "", row["asin"])
        # Reversal rows (negative quantities) are Amazon's own; the dispute sits on the debit.
        found = filed.get(key) if (row["shortage_quantity"] or 0) > 0 else None
        rows.append({**row, **found} if found else row)
    return rows


def chargeback_rows(data: PortalData, disputes: Sequence[Dispute]) -> list[Row]:
    """The chargeback list and export: Status follows the latest dispute of each chargeback."""
    latest = {d.invoice_number: d for d in disputes if d.type == DisputeType.chargeback}
    rows = []
    for row in data.chargebacks:
        last = latest.get(row["chargeback_id"])
        if last is None:
            rows.append(row)
        else:
            status = f"Dispute {last.outcome.value.lower()}" if last.outcome else "Disputed"
            rows.append({**row, "status": status})
    return rows


def open_items(data: PortalData, disputes: Sequence[Dispute]) -> list[Row]:
    """The Statement of Open Items: deductions a second denial left open."""
    items = []
    for dispute in disputes:
        if not dispute.is_redispute or dispute.outcome not in (Outcome.denied, Outcome.partial):
            continue
        document_date, due = _document_dates(data, dispute)
        for line in dispute.lines:
            balance = line.dispute_minor - line.approved_minor
            if balance > 0:
                items.append(
                    {
                        "document_number": line.reference,
                        "document_date": document_date,
                        "due_date": due,
                        "amount": line.shortage_minor,
                        "balance": balance,
                        "dispute_id": dispute.id,
                    }
                )
    return items


def _document_dates(data: PortalData, dispute: Dispute) -> tuple[date | None, date | None]:
    number = dispute.invoice_number
    if dispute.type == DisputeType.shortage:
        rows = [r for r in data.shortages if r["invoice_number"] == number]
        return (rows[0]["invoice_date"], rows[0]["due_date"]) if rows else (None, None)
    if dispute.type == DisputeType.price:
        rows = [r for r in data.invoices if r["invoice_number"] == number]
        return (rows[0]["invoice_date"], rows[0]["due_date"]) if rows else (None, None)
    if dispute.type == DisputeType.coop:
        rows = [r for r in data.coop_invoices if r["invoice_number"] == number]
        return (rows[0]["invoice_date"], None) if rows else (None, None)
    rows = [r for r in data.chargebacks if r["chargeback_id"] == number]
    return (rows[0]["notified_on"], None) if rows else (None, None)
