"""Writes the hostile workbooks of this folder (run it again only to change them).

Each is a few KB, hand-made XML: a chargebacks header at A1 and one cell far away, which
makes an XLSX reader allocate the whole used range.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
_PKG = "http://schemas.openxmlformats.org/package/2006"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_SML = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_MIME = "application/vnd.openxmlformats"
_TYPES = (
    f'{_XML}<Types xmlns="{_PKG}/content-types">'
    f'<Default Extension="rels" ContentType="{_MIME}-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    f'ContentType="{_MIME}-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    f'ContentType="{_MIME}-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    f'{_XML}<Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{_DOC}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    f'{_XML}<workbook xmlns="{_SML}" xmlns:r="{_DOC}">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    f'{_XML}<Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{_DOC}/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)
_HEADER = ["Chargeback ID", "Charge Amount", "Currency"]


def sheet_xml(far_row: int, far_cell: str, dimension: str) -> str:
    header = "".join(
        f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{text}</t></is></c>'
        for i, text in enumerate(_HEADER)
    )
    return (
        f'{_XML}<worksheet xmlns="{_SML}">'
        f'<dimension ref="{dimension}"/><sheetData><row r="1">{header}</row>'
        f'<row r="{far_row}"><c r="{far_cell}"><v>1</v></c></row></sheetData></worksheet>'
    )


def write(path: Path, sheet: str) -> None:
    parts = {
        "[Content_Types].xml": _TYPES,
        "_rels/.rels": _RELS,
        "xl/workbook.xml": _WORKBOOK,
        "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": sheet,
    }
    with zipfile.ZipFile(path, "w") as book:
        for name, text in parts.items():
            # A fixed time: the same bytes on every run.
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            book.writestr(info, text, compress_type=zipfile.ZIP_DEFLATED)


if __name__ == "__main__":
    here = Path(__file__).parent
    # The file: its used range reaches XFD1048576 (17 billion cells, 512 GiB).
    write(here / "xlsx-bomb-used-range.xlsx", sheet_xml(1048576, "XFD1048576", "A1:XFD1048576"))
    # Columns and rows each within bounds, a billion cells together; the dimension lies.
    write(here / "xlsx-bomb-cells.xlsx", sheet_xml(1048576, "ALL1048576", "A1:C1"))
    # A row past Excel's last one, with a cell that names no row of its own.
    write(
        here / "xlsx-bomb-rows.xlsx",
        sheet_xml(1048576, "A1", "A1:C1").replace(
            '<row r="1048576"><c r="A1">', '<row r="99999999"><c>'
        ),
    )
