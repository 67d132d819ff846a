"""Contact Us cases: how the fake portal takes a support case and the Statement of Open Items
attached to it.

After a dispute and its re-dispute are denied, Amazon settles what is still open through a
Contact Us case with its "Standard statement of open items" spreadsheet attached (an Excel
template; columns Document Number, Document Date, Document Due Date, Document Amount, Item
Balance), answered by its reconciliation team in 8-10 business days. Sources:
- https://www.amalytix.com/glossar/standard-statement-of-open-items
- https://intercom.help/commerceiq-1/en/articles/
  11049640-create-and-submit-an-open-statement-for-amazon
The fake takes and lists cases; it does not answer them.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime

from python_calamine import CalamineError, CalamineWorkbook, XmlError, ZipError

from recovery.testing.fake_vendor_central.model import Attachment

SETTLEMENT = "Accounting: Dispute settlement (Statement of Open Items)"
TOPICS = (
    SETTLEMENT,
    "Accounting: Remittance or payment question",
    "Accounting: Invoice status",
)
STATEMENT_COLUMNS = (
    "Document Number",
    "Document Date",
    "Document Due Date",
    "Document Amount",
    "Item Balance",
)
WORK_IN_PROGRESS = "Work in progress"
# The portal's own words when a case cannot be sent.
CASE_INCOMPLETE = "Choose a topic and enter a subject and a description."
STATEMENT_MISSING = (
    "Attach the Statement of Open Items (.xlsx) with the columns "
    + ", ".join(STATEMENT_COLUMNS)
    + "."
)


@dataclass
class SupportCase:
    id: str  # digits, as Amazon's case ids
    topic: str
    subject: str
    description: str
    attachments: list[Attachment]
    created: date
    submitted_at: datetime
    open_items: list[dict[str, str]] = field(default_factory=list)  # the statement's rows
    status: str = WORK_IN_PROGRESS


def statement_rows(body: bytes) -> list[dict[str, str]] | None:
    """The rows of an attached statement workbook, or None when it is not one (no sheet with
    the template's columns in its first row)."""
    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(body)).get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=True)
    except (CalamineError, ZipError, XmlError, ValueError, IndexError):
        return None
    if not rows:
        return None
    header = tuple(str(cell).strip() for cell in rows[0])
    if header[: len(STATEMENT_COLUMNS)] != STATEMENT_COLUMNS:
        return None
    return [
        {name: str(cell).strip() for name, cell in zip(STATEMENT_COLUMNS, row, strict=False)}
        for row in rows[1:]
        if any(str(cell).strip() for cell in row)
    ]
