"""The ladder's third rung filed: the Statement of Open Items through a Contact Us case.

A claim still open after its dispute and re-dispute (`level` 3) goes to Amazon as a row of the
"Standard statement of open items" workbook (the portal's columns, `ladder.OPEN_ITEM_COLUMNS`),
attached to a Contact Us case whose description is the drafted text. The open items of one
account and claim type go into one case, as recovery firms advise (several cases of one kind
are merged by Amazon's support team and wait longer):
https://help.supplypike.com/en/articles/7036578-supplypike-guide-to-amazon-settlements .
The case is filed exactly once like a dispute (`claims/filing.py`): the idempotency key is in
its description, and the case log is searched for it before anything is sent again.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import xlsxwriter
from playwright.sync_api import FilePayload

from recovery.claims.forms import DisputeToFile
from recovery.claims.ladder import OPEN_ITEM_COLUMNS, open_items
from recovery.models.claims import Claim
from recovery.portal.session import PortalSession
from recovery.portal.support_case import SETTLEMENT_TOPIC, case_id, fill_case, find_case, send_case

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TYPE_WORDS = {"shortage": "shortage", "price": "price variance", "coop": "co-op"}


@dataclass(frozen=True)
class CaseForm:
    """Like a dispute form (`forms.DisputeForm`), with the case's own confirmation and search."""

    group: Callable[[Claim], str]
    search: Callable[[Claim], str]
    fill: Callable[[PortalSession, DisputeToFile], dict[str, Any]]
    submit: Callable[[PortalSession], None]
    confirmation: Callable[[PortalSession], str | None]
    find: Callable[[PortalSession, str, str], str | None]


def statement_rows(claims: Sequence[Claim]) -> list[dict[str, str]]:
    """One row per claim, as the ladder drafted it (the dates of its invoice), in claim order."""
    rows: list[dict[str, str]] = []
    for claim in sorted(claims, key=lambda c: c.id or 0):
        drafted = claim.draft_fields.get("statement_of_open_items")
        rows.extend(drafted if drafted else open_items(claim, None, None))
    return rows


def statement_workbook(rows: Sequence[dict[str, str]]) -> bytes:
    """The statement as Amazon's template lays it out: the columns in the first row."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("Statement of Open Items")
    sheet.write_row(0, 0, OPEN_ITEM_COLUMNS)
    for number, row in enumerate(rows, start=1):
        sheet.write_row(number, 0, [row.get(column, "") for column in OPEN_ITEM_COLUMNS])
    workbook.close()
    return buffer.getvalue()


def subject_of(claims: Sequence[Claim], rows: Sequence[dict[str, str]]) -> str:
    words = TYPE_WORDS.get(claims[0].type, claims[0].type)
    first = rows[0]["Document Number"] if rows else ""
    more = f" and {len(rows) - 1} more" if len(rows) > 1 else ""
    return f"Settlement of open {words} deductions disputed twice: {first}{more}"


def _fill(portal: PortalSession, dispute: DisputeToFile) -> dict[str, Any]:
    rows = statement_rows(dispute.claims)
    name = f"statement-of-open-items-{dispute.key}.xlsx"
    statement = FilePayload(name=name, mimeType=XLSX, buffer=statement_workbook(rows))
    evidence = [
        FilePayload(name=a.name, mimeType="application/pdf", buffer=a.path.read_bytes())
        for a in dispute.attachments
    ]
    subject = subject_of(dispute.claims, rows)
    fill_case(
        portal,
        topic=SETTLEMENT_TOPIC,
        subject=subject,
        description=dispute.justification,
        files=[statement, *evidence],
    )
    return {
        "topic": SETTLEMENT_TOPIC,
        "subject": subject,
        "statement_file": name,
        "statement_of_open_items": rows,
    }


def _find(portal: PortalSession, _search: str, key: str) -> str | None:
    # The key is in the case's description, and the case log searches a case's text.
    return find_case(portal, key, key)


SETTLEMENT_CASE = CaseForm(
    group=lambda c: f"settlement:{c.account_id}:{c.type}",
    search=lambda c: c.reference or c.invoice_number or "",
    fill=_fill,
    submit=send_case,
    confirmation=case_id,
    find=_find,
)
