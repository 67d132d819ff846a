"""The findings of the last detection run, kept so that the next run recomputes only what changed.

Every finding is stored, not only the claims: the summary's valid, unexplained and bucket figures
need all of them. Each is stored with what the summary reads and the POs and invoices of its
lines, which say which later changes reach it; a claim's reason, evidence, lines and facts are
stored beside that and read only for the claims a run rewrites. A fingerprint of the rules'
code and settings says what they were computed with; when it differs, detection starts over.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, Text, cast, delete, insert, select

from recovery.claims.findings import Finding, FindingLine, Verdict
from recovery.config import Settings
from recovery.models import DetectionState, StoredFinding, table_of
from recovery.store.upsert import insert_rows

STORED = table_of(StoredFinding)
STATE = table_of(DetectionState)
_CHUNK = 500

# Code whose change changes the stored findings: the rules, what they read, how scope is drawn
# and what a scoped run combines, and how findings are stored.
_CLAIMS = Path(__file__).parent.parent
_RULE_SOURCES = (
    *sorted((_CLAIMS / "kinds").glob("*.py")),
    *sorted((_CLAIMS / "incremental").glob("*.py")),
    _CLAIMS / "inputs.py",
    _CLAIMS / "reader.py",
    _CLAIMS / "findings.py",
    _CLAIMS.parent / "frame_values.py",
    _CLAIMS.parent / "store" / "changes.py",
    _CLAIMS.parent / "evidence" / "exceptions.py",  # which noted exceptions reduce the proof
)


def fingerprint(settings: Settings) -> str:
    digest = hashlib.sha256(settings.rules.model_dump_json().encode())
    for source in _RULE_SOURCES:
        digest.update(source.read_bytes())
    return digest.hexdigest()


def stored_fingerprint(conn: Connection, account_id: int) -> str | None:
    query = select(STATE.c.fingerprint).where(STATE.c.account_id == account_id)
    value = conn.execute(query).scalar_one_or_none()
    return None if value is None else str(value)


def save_fingerprint(conn: Connection, account_id: int, value: str) -> None:
    conn.execute(delete(STATE).where(STATE.c.account_id == account_id))
    conn.execute(insert(STATE).values(account_id=account_id, fingerprint=value))


def load_findings(conn: Connection, account_id: int) -> list[Finding]:
    """The last run's findings as summarised: what the summary reads and scopes reach, without
    a claim's reason, evidence or facts (`complete_findings` adds them for the few that need
    them). Tens of thousands are read back on every run; those parts were most of the bytes."""
    # Read as text and parsed with orjson: the standard decoder behind the JSON column type
    # took twice as long.
    text = cast(STORED.c.finding, Text)
    query = select(text).where(STORED.c.account_id == account_id).order_by(STORED.c.id)
    return [from_summary(orjson.loads(data)) for data in conn.execute(query).scalars()]


def complete_findings(
    conn: Connection, account_id: int, keys: Collection[str]
) -> dict[str, Finding]:
    """The stored findings with these keys, whole: what a claim is written from."""
    found: dict[str, Finding] = {}
    wanted = sorted(keys)
    summary_text, detail_text = cast(STORED.c.finding, Text), cast(STORED.c.detail, Text)
    for start in range(0, len(wanted), _CHUNK):
        query = select(summary_text, detail_text).where(
            STORED.c.account_id == account_id,
            STORED.c.finding_key.in_(wanted[start : start + _CHUNK]),
        )
        for data, more in conn.execute(query):
            finding = from_summary(orjson.loads(data))
            if more is not None:
                _complete(finding, orjson.loads(more))
            found[finding.key] = finding
    return found


def replace_findings(
    conn: Connection,
    account_id: int,
    stale_keys: Iterable[str] | None,
    findings: Sequence[Finding],
) -> None:
    """Drop the stored findings with `stale_keys` (every one when None) and store `findings`."""
    if stale_keys is None:
        conn.execute(delete(STORED).where(STORED.c.account_id == account_id))
    else:
        keys = sorted(set(stale_keys) | {f.key for f in findings})
        for start in range(0, len(keys), _CHUNK):
            conn.execute(
                delete(STORED).where(
                    STORED.c.account_id == account_id,
                    STORED.c.finding_key.in_(keys[start : start + _CHUNK]),
                )
            )
    rows = [
        {
            "account_id": account_id,
            "finding_key": f.key,
            "finding": summary_json(f),
            "detail": detail_json(f),
        }
        for f in findings
    ]
    insert_rows(conn, STORED, rows)


def detail_json(finding: Finding) -> dict[str, Any] | None:
    """What a claim is written from beyond its summary; None for findings no claim is made of."""
    if not finding.is_claim:
        return None
    return {
        "reason": finding.reason,
        "evidence_ids": list(finding.evidence_ids),
        "lines": [
            [line.invoice_number, line.po_number, line.asin, line.quantity, str(line.amount)]
            for line in finding.lines
        ],
        "dispute_reason": finding.dispute_reason,
        "facts": finding.facts,  # already JSON: claims keep the facts as their draft fields
    }


def _complete(finding: Finding, detail: dict[str, Any]) -> None:
    finding.reason = detail["reason"]
    finding.evidence_ids = tuple(detail["evidence_ids"])
    finding.lines = tuple(
        FindingLine(invoice, po, asin, quantity, Decimal(amount))
        for invoice, po, asin, quantity, amount in detail["lines"]
    )
    finding.dispute_reason = detail["dispute_reason"]
    finding.facts = detail["facts"]


def summary_json(finding: Finding) -> list[Any]:
    """What every finding is kept with: the summary's sums and buckets, its deadline's dates,
    and the POs and invoices of its lines (which changes reach it).

    A list in `from_summary`'s order, not an object: every run reads back tens of thousands,
    and without the names they are half the bytes and parse in half the time."""
    return [
        finding.type,
        finding.verdict.value,
        finding.key,
        finding.reference,
        str(finding.amount),
        finding.currency,
        finding.confidence,
        finding.invoice_number,
        finding.po_number,
        finding.asin,
        finding.quantity,
        finding.base_date.isoformat() if finding.base_date else None,
        list(finding.deduction_ids),
        [[line.invoice_number, line.po_number] for line in finding.lines],
        finding.facts.get("invoice_date"),
    ]


# A dict lookup: calling the enum class for each of tens of thousands of findings costs more.
_VERDICTS = {verdict.value: verdict for verdict in Verdict}
_NOTHING = Decimal(0)


def from_summary(values: list[Any]) -> Finding:
    """A finding as `summary_json` kept it: no reason, evidence or facts but its invoice date,
    and its lines with their invoice and PO only."""
    (
        type_,
        verdict,
        key,
        reference,
        amount,
        currency,
        confidence,
        invoice_number,
        po_number,
        asin,
        quantity,
        base_date,
        deduction_ids,
        lines,
        invoice_date,
    ) = values
    return Finding(
        type=type_,
        verdict=_VERDICTS[verdict],
        key=key,
        reference=reference,
        amount=Decimal(amount),
        currency=currency,
        reason="",
        confidence=confidence,
        invoice_number=invoice_number,
        po_number=po_number,
        asin=asin,
        quantity=quantity,
        base_date=date.fromisoformat(base_date) if base_date else None,
        deduction_ids=tuple(deduction_ids),
        lines=tuple([FindingLine(invoice, po, None, None, _NOTHING) for invoice, po in lines]),
        facts={} if invoice_date is None else {"invoice_date": invoice_date},
    )
