"""The Statement of Open Items workbook: what we attach to the Contact Us case is what the
portal reads back, in the template's columns; anything else is not a statement."""

from __future__ import annotations

import io

import xlsxwriter

from recovery.claims.ladder import OPEN_ITEM_COLUMNS
from recovery.claims.settlement_case import statement_workbook
from recovery.testing.fake_vendor_central.support_cases import STATEMENT_COLUMNS, statement_rows

ROWS = [
    {
        "Document Number": "3451002SC",
        "Document Date": "2026-01-12",
        "Document Due Date": "2026-03-13",
        "Document Amount": "$10,468.48",
        "Item Balance": "$10,244.10",
    },
    {
        "Document Number": "2971305",
        "Document Date": "2026-02-02",
        "Document Due Date": "",
        "Document Amount": "$742.30",
        "Item Balance": "$742.30",
    },
]


def test_the_statement_we_attach_reads_back_row_for_row() -> None:
    assert OPEN_ITEM_COLUMNS == STATEMENT_COLUMNS  # the template's columns, on both sides
    assert statement_rows(statement_workbook(ROWS)) == ROWS


def test_a_workbook_without_the_templates_columns_or_not_a_workbook_is_no_statement() -> None:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["Invoice Number", "Amount"])
    sheet.write_row(1, 0, ["3451002SC", "10468.48"])
    workbook.close()
    assert statement_rows(buffer.getvalue()) is None
    assert statement_rows(b"%PDF-1.7 not a workbook") is None
    assert statement_rows(statement_workbook([])) == []
