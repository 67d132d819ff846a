"""The review queue: which claims to look at first, and the rows `list` and `export` print.

Priority is time first (days left to the deadline, counted in the business timezone, because a
dispute filed late is worth a few percent of one filed early), then expected value (amount ×
confidence). The exported worklist is sorted the way a specialist works through it: by
deadline, then largest amount.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from sqlmodel import Session, col, select

from recovery.calendar import BusinessCalendar
from recovery.claims.claim_view import claim_values
from recovery.claims.deadlines import band_for
from recovery.claims.workflow import PRE_FILING
from recovery.config import RuleSettings
from recovery.errors import RecoveryError
from recovery.exports import XlsxCells, write_csv_records, write_csv_rows, xlsx_workbook
from recovery.models.accounts import VendorAccount
from recovery.models.claims import Claim, ClaimEvidence, ClaimStatus, ClaimType, FilingAttempt
from recovery.models.evidence import EvidenceDocument
from recovery.money import from_minor

# `claims list --format json|csv`: exactly these keys, in this order (ARCHITECTURE.md contract).
CONTRACT_KEYS = (
    "id",
    "type",
    "status",
    "invoice_number",
    "po_number",
    "asin",
    "reference",
    "quantity",
    "amount",
    "currency",
    "deadline",
    "file_by",
    "band",
    "reason",
    "evidence",
)

# What still needs a person (or the filing job): the default worklist.
OPEN_WORK: tuple[ClaimStatus, ...] = (
    ClaimStatus.needs_evidence,
    ClaimStatus.needs_look,
    ClaimStatus.ready,
    ClaimStatus.redispute_ready,
    ClaimStatus.approved,
)

WORKLIST_COLUMNS = (
    "Priority",
    "Claim",
    "Type",
    "Status",
    "Level",
    "Deadline",
    "File by",
    "Days left",
    "Band",
    "Amount",
    "Currency",
    "Confidence %",
    "Invoice",
    "PO",
    "ASIN",
    "Reference",
    "Quantity",
    "To do",
    "Reason",
    "Evidence",
)

_ID_CHUNK = 500  # below every database's bound-parameter limit


class QueueError(RecoveryError):
    """A bad filter or export request."""


@dataclass(frozen=True)
class Filing:
    """What the contract shows once a claim is filed: the portal's dispute id, when, Amazon's
    decision so far, and the money seen back on a remittance."""

    dispute_id: str | None
    filed_at: datetime | None
    outcome: str
    recovered: Decimal


# A filed claim's outcome as the contract names it, by the claim's status.
_OUTCOMES = {
    ClaimStatus.won: "approved",
    ClaimStatus.partially_won: "partially_approved",
    ClaimStatus.denied: "denied",
    ClaimStatus.closed: "denied",
}

# The portal's decision of a claim's latest dispute, in the contract's words.
_DECISIONS = {
    "Approved": "approved",
    "Partially approved": "partially_approved",
    "Denied": "denied",
}


@dataclass(frozen=True)
class QueueRow:
    id: int
    type: str
    status: str
    level: int
    band: str | None
    days_left: int | None
    deadline: date | None
    file_by: date | None
    invoice_number: str | None
    po_number: str | None
    asin: str | None
    reference: str
    quantity: int | None
    amount: Decimal
    currency: str
    confidence_pct: int
    reason: str
    evidence: tuple[str, ...]
    to_do: str = ""
    filing: Filing | None = None  # once filed

    @property
    def expected_value(self) -> Decimal:
        return self.amount * self.confidence_pct / 100


def parse_filter(values: Iterable[str], allowed: Iterable[str], what: str) -> list[str]:
    """`--status ready,approved --status filed` → the statuses, each checked to exist."""
    known = list(allowed)
    chosen: list[str] = []
    for value in values:
        for part in value.split(","):
            item = part.strip().lower()
            if not item:
                continue
            if item not in known:
                raise QueueError(f"unknown {what} {part.strip()!r}; choose from {', '.join(known)}")
            chosen.append(item)
    return chosen


def parse_statuses(values: Iterable[str]) -> list[str]:
    return parse_filter(values, [s.value for s in ClaimStatus], "status")


def parse_types(values: Iterable[str]) -> list[str]:
    return parse_filter(values, [t.value for t in ClaimType], "claim type")


def load_rows(
    session: Session,
    *,
    calendar: BusinessCalendar,
    rules: RuleSettings,
    statuses: Sequence[str] = (),
    types: Sequence[str] = (),
    account: str | None = None,
    now: datetime | None = None,
) -> list[QueueRow]:
    """Claims matching the filters, with days left and band as of `now` (business timezone)."""
    query = select(Claim)
    if statuses:
        query = query.where(col(Claim.status).in_(list(statuses)))
    if types:
        query = query.where(col(Claim.type).in_(list(types)))
    if account:
        found = session.exec(
            select(VendorAccount).where(col(VendorAccount.vendor_code) == account.upper())
        ).first()
        if found is None:
            raise QueueError(f"no vendor account with code {account!r}")
        query = query.where(Claim.account_id == found.id)
    claims = session.exec(query).all()
    evidence = _evidence_names(session, [c.id for c in claims if c.id is not None])
    filed = _filed_attempts(session, [c.id for c in claims if c.id is not None])
    today = calendar.today(now)
    rows = []
    for claim in claims:
        assert claim.id is not None
        days_left = (claim.deadline - today).days if claim.deadline else None
        band = current_band(claim, today, rules)
        rows.append(
            QueueRow(
                **claim_values(claim),
                status=claim.status,
                band=band,
                days_left=days_left,
                file_by=claim.file_by,
                evidence=tuple(evidence.get(claim.id, ())),
                to_do=to_do(claim),
                filing=_filing(claim, filed.get(claim.id)),
            )
        )
    return rows


def _filing(claim: Claim, attempt: FilingAttempt | None) -> Filing | None:
    if attempt is None:
        return None
    return Filing(
        dispute_id=attempt.case_id,
        filed_at=attempt.finished_at,
        # On the ladder (a re-dispute drafted or filed) the last decision still stands.
        outcome=_OUTCOMES.get(ClaimStatus(claim.status))
        or _DECISIONS.get(attempt.decision or "", "pending"),
        recovered=from_minor(claim.recovered_minor, claim.currency),
    )


def _filed_attempts(session: Session, claim_ids: Sequence[int]) -> dict[int, FilingAttempt]:
    """Each claim's latest attempt that the portal confirmed (a DSPT id)."""
    latest: dict[int, FilingAttempt] = {}
    for start in range(0, len(claim_ids), _ID_CHUNK):
        chunk = list(claim_ids[start : start + _ID_CHUNK])
        attempts = session.exec(
            select(FilingAttempt)
            .where(col(FilingAttempt.claim_id).in_(chunk), FilingAttempt.outcome == "filed")
            .order_by(col(FilingAttempt.started_at))
        ).all()
        for attempt in attempts:
            latest[attempt.claim_id] = attempt
    return latest


def to_do(claim: Claim) -> str:
    """What a person does next with the claim, in the worklist's words."""
    status = ClaimStatus(claim.status)
    facts = claim.draft_fields or {}
    if status == ClaimStatus.needs_evidence:
        shipments = [str(s) for s in facts.get("shipments") or []]
        where = f"PO {claim.po_number or '?'}, ASIN {claim.asin or '?'}"
        if shipments:
            return (
                f"Upload the signed POD or BOL for ASN {', '.join(shipments)} ({where}): "
                "recovery evidence add FILE"
            )
        return f"Find the shipment (ASN) and its signed POD or BOL for {where}"
    if status == ClaimStatus.needs_look:
        return (
            "Look at it: the rules could not judge it (see Reason); add the missing data and "
            "run detect, or reject it with a reason"
        )
    if status == ClaimStatus.ready:
        return "Review the draft, then approve or reject it"
    if status == ClaimStatus.redispute_ready:
        return "Review the re-dispute, then approve or reject it"
    if status == ClaimStatus.approved:
        planned = f" by {claim.file_by.isoformat()}" if claim.file_by else ""
        return f"File it{planned}: recovery file"
    if status == ClaimStatus.waiting:
        return "Wait: Amazon is still matching receipts"
    return ""


def current_band(claim: Claim, today: date, rules: RuleSettings) -> str | None:
    """The stored band is from the last detection run; before filing it moves with the clock."""
    return band_now(
        claim.type, claim.status, claim.band, claim.age_from, claim.deadline, today, rules
    )


def band_now(
    claim_type: str,
    status: str,
    stored: str | None,
    age_from: date | None,
    deadline: date | None,
    today: date,
    rules: RuleSettings,
) -> str | None:
    """`current_band` from a claim's columns (for pages that read rows, not claims)."""
    if deadline is not None and age_from is not None and ClaimStatus(status) in PRE_FILING:
        return band_for(claim_type, age_from, deadline, today, rules).value
    return stored


def _evidence_names(session: Session, claim_ids: Sequence[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = defaultdict(list)
    for start in range(0, len(claim_ids), _ID_CHUNK):
        chunk = list(claim_ids[start : start + _ID_CHUNK])
        pairs = session.exec(
            select(ClaimEvidence.claim_id, EvidenceDocument.original_name)
            .join(EvidenceDocument, col(EvidenceDocument.id) == col(ClaimEvidence.document_id))
            .where(col(ClaimEvidence.claim_id).in_(chunk))
            .order_by(col(ClaimEvidence.claim_id), col(EvidenceDocument.original_name))
        ).all()
        for claim_id, name in pairs:
            names[claim_id].append(name)
    return names


def prioritise(rows: Iterable[QueueRow]) -> list[QueueRow]:
    """Fewest days left first (no deadline last), then the largest amount × confidence."""
    return sorted(
        rows,
        key=lambda r: (r.days_left is None, r.days_left or 0, -r.expected_value, r.id),
    )


def worklist_order(rows: Iterable[QueueRow]) -> list[QueueRow]:
    """Earliest deadline first (no deadline last), then the largest amount."""
    return sorted(rows, key=lambda r: (r.deadline is None, r.deadline or date.max, -r.amount, r.id))


def contract_record(row: QueueRow) -> dict[str, Any]:
    """One claim as `claims list --format json` prints it (and, once filed, its dispute)."""
    record: dict[str, Any] = {
        "id": row.id,
        "type": row.type,
        "status": row.status,
        "invoice_number": row.invoice_number,
        "po_number": row.po_number,
        "asin": row.asin,
        "reference": row.reference,
        "quantity": row.quantity,
        "amount": str(row.amount),
        "currency": row.currency,
        "deadline": row.deadline.isoformat() if row.deadline else None,
        "file_by": row.file_by.isoformat() if row.file_by else None,
        "band": row.band,
        "reason": row.reason,
        "evidence": list(row.evidence),
    }
    if row.filing is not None:
        record["dispute_id"] = row.filing.dispute_id
        record["filed_at"] = row.filing.filed_at.isoformat() if row.filing.filed_at else None
        record["outcome"] = row.filing.outcome
        record["recovered"] = str(row.filing.recovered)
    return record


def write_contract_csv(rows: Iterable[QueueRow], stream: IO[str]) -> None:
    write_csv_records(stream, CONTRACT_KEYS, map(_csv_record, rows), product_made=("amount",))


def _csv_record(row: QueueRow) -> dict[str, Any]:
    record = contract_record(row)
    record["evidence"] = "; ".join(record["evidence"])
    return record


def worklist_values(position: int, row: QueueRow) -> list[Any]:
    return [
        position,
        row.id,
        row.type,
        row.status,
        row.level,
        row.deadline.isoformat() if row.deadline else "",
        row.file_by.isoformat() if row.file_by else "",
        "" if row.days_left is None else row.days_left,
        row.band or "",
        row.amount,
        row.currency,
        row.confidence_pct,
        row.invoice_number or "",
        row.po_number or "",
        row.asin or "",
        row.reference,
        "" if row.quantity is None else row.quantity,
        row.to_do,
        row.reason,
        "; ".join(row.evidence),
    ]


def export_worklist(rows: Iterable[QueueRow], fmt: str, out: Path) -> int:
    """Write the specialist's worklist (sorted by deadline, then amount); returns the row count."""
    ordered = worklist_order(rows)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        with out.open("w", encoding="utf-8", newline="") as handle:
            write_csv_rows(
                handle,
                [WORKLIST_COLUMNS, *(worklist_values(p, r) for p, r in enumerate(ordered, 1))],
            )
    elif fmt == "xlsx":
        _write_xlsx(ordered, out)
    else:
        raise QueueError(f"unknown export format {fmt!r}; use csv or xlsx")
    return len(ordered)


def _write_xlsx(rows: Sequence[QueueRow], out: Path) -> None:
    workbook = xlsx_workbook(str(out))
    try:
        sheet = workbook.add_worksheet("Worklist")
        cells = XlsxCells(workbook, sheet)
        bold = workbook.add_format({"bold": True})
        money = workbook.add_format({"num_format": "#,##0.00"})
        cells.write_row(0, WORKLIST_COLUMNS, bold)
        amount_col = WORKLIST_COLUMNS.index("Amount")
        for index, row in enumerate(rows, start=1):
            for column, value in enumerate(worklist_values(index, row)):
                # The amount cell holds the exact decimal text; Excel reads it as a number.
                cells.write(index, column, value, money if column == amount_col else None)
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(len(rows), 1), len(WORKLIST_COLUMNS) - 1)
        widths = {"Reason": 80, "To do": 50, "Evidence": 40, "Reference": 18, "Invoice": 14}
        for column, name in enumerate(WORKLIST_COLUMNS):
            sheet.set_column(column, column, widths.get(name, 11))
    finally:
        workbook.close()
