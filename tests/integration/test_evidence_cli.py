"""`recovery evidence add|list|show|link` as a user runs them, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from cli_runner import Cli
from sqlmodel import Session

from recovery.models import PurchaseOrder, Shipment, ShipmentItem, VendorAccount
from recovery.store import db
from recovery.testing.documents import DocumentTruth, render_document

HARD = Path(__file__).resolve().parents[1] / "data" / "evidence"

BOL = DocumentTruth(
    kind="bol",
    layout="ltl_bol",
    carrier="XPO Logistics",
    bol_number="BOL31415926",
    pro_number="PRO27182818",
    ship_date=date(2026, 6, 1),
    delivery_date=None,
    po_numbers=["PPPP1111", "QQQQ2222"],
    ship_to="BFI4",
    shipper="Blue Harbor Toys Co.",
    cartons=64,
    pallets=3,
    units=None,
    weight_lb=1480,
    signed=True,
    receiver=None,
    exception_kind=None,
    exception_units=None,
)


@pytest.fixture
def workspace(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RECOVERY_DATABASE_URL", db_url)
    monkeypatch.setenv("RECOVERY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("RECOVERY_EVIDENCE__WORKERS", "1")
    docs = tmp_path / "inbox" / "march"
    docs.mkdir(parents=True)
    (docs / "bol.pdf").write_bytes(render_document(BOL))
    shutil.copy(HARD / "handmade_pod.pdf", tmp_path / "inbox" / "pod.PDF")
    (tmp_path / "inbox" / "readme.txt").write_text("not evidence")  # folders: PDFs only
    return tmp_path


def test_add_stores_by_content_and_reports_bad_files_one_line_each(
    workspace: Path, cli: Cli
) -> None:
    bad = [HARD / "encrypted.pdf", HARD / "corrupt.pdf", HARD / "not_a_pdf.pdf"]
    code, out, err = cli(["evidence", "add", "inbox", *map(str, bad)])
    assert code == 1  # the batch went on, but a file was bad
    assert "Added 2 document(s)" in out and "3 skipped" in out
    lines = err.strip().splitlines()
    assert len(lines) == 3 and "Traceback" not in err
    assert "encrypted.pdf" in lines[0] and "encrypted PDF" in lines[0]
    assert "corrupt.pdf" in lines[1] and "corrupt" in lines[1]
    assert "not_a_pdf.pdf" in lines[2] and "not a PDF" in lines[2]

    content = (workspace / "inbox" / "march" / "bol.pdf").read_bytes()
    digest = hashlib.sha256(content).hexdigest()
    stored = workspace / "data" / "evidence" / digest[:2] / f"{digest}.pdf"
    assert stored.read_bytes() == content

    # The same content again, under another name too: nothing new.
    shutil.copy(workspace / "inbox" / "march" / "bol.pdf", workspace / "copy-of-bol.pdf")
    code, out, _ = cli(["evidence", "add", "inbox", "copy-of-bol.pdf", "."])
    assert code == 0
    assert "Added 0 document(s)" in out
    assert len(list((workspace / "data" / "evidence").rglob("*.pdf"))) == 2


def test_list_show_and_relink_after_shipments_arrive(
    workspace: Path, db_url: str, cli: Cli
) -> None:
    assert cli(["evidence", "add", "inbox"])[0] == 0

    code, out, _ = cli(["evidence", "list", "--format", "json"])
    assert code == 0
    rows = {row["original_name"]: row for row in json.loads(out)}
    assert set(rows) == {"bol.pdf", "pod.PDF"}
    assert rows["bol.pdf"]["bol_number"] == "BOL31415926"
    assert rows["bol.pdf"]["po_numbers"] == ["PPPP1111", "QQQQ2222"]
    assert rows["pod.PDF"]["kind"] == "pod" and rows["pod.PDF"]["exception_kind"] == "damage"
    assert all(row["links"] == 0 for row in rows.values())

    code, out, _ = cli(["evidence", "list"])
    assert code == 0 and "BOL31415926" in out and "pod.PDF" in out

    bol_id = rows["bol.pdf"]["id"]
    code, out, _ = cli(["evidence", "show", str(bol_id)])
    assert code == 0
    assert "bol.pdf" in out and "B/L No.: BOL31415926" in out
    assert "Total Pieces: 64" in out and "Links: none" in out

    _seed_shipment(db_url)
    code, out, _ = cli(["evidence", "link"])
    assert code == 0 and "2 document(s): 1 linked, 1 unlinked" in out
    code, out, _ = cli(["evidence", "list", "--unlinked", "--format", "json"])
    assert [row["original_name"] for row in json.loads(out)] == ["pod.PDF"]
    code, out, _ = cli(["evidence", "show", str(bol_id)])
    assert "Link: PO PPPP1111" in out and "matched by bol_number+pro_number" in out
    assert "Conflict (cartons)" in out and "shows 64 cartons" in out


def test_user_errors_are_one_line_and_exit_code_1(workspace: Path, cli: Cli) -> None:
    code, _, err = cli(["evidence", "show", "999"])
    assert code == 1 and "no evidence document with id 999" in err
    assert len(err.strip().splitlines()) == 1
    code, _, err = cli(["evidence", "list", "--format", "xml"])
    assert code == 1 and "--format" in err
    code, _, err = cli(["evidence", "add", "nowhere"])
    assert code == 1 and "nowhere: no such file or folder" in err
    code, _, _ = cli(["evidence", "show", "not-a-number"])
    assert code == 2


def _seed_shipment(db_url: str) -> None:
    engine = db.make_engine(db_url)
    with Session(engine) as session:
        account = VendorAccount(vendor_code="BHT01")
        session.add(account)
        session.flush()
        assert account.id is not None
        for po in BOL.po_numbers:
            session.add(PurchaseOrder(account_id=account.id, po_number=po))
        shipment = Shipment(
            account_id=account.id,
            shipment_id="ASN-77",
            bol_number=BOL.bol_number,
            pro_number=BOL.pro_number,
            ship_to="BFI4",
            shipped_at=datetime(2026, 6, 1, 18, tzinfo=UTC),
            carton_count=66,
        )
        session.add(shipment)
        session.flush()
        assert shipment.id is not None
        for line_no, po in enumerate(BOL.po_numbers, start=1):
            session.add(
                ShipmentItem(
                    shipment_id=shipment.id,
                    line_no=line_no,
                    po_number=po,
                    shipped_quantity=100,
                    shipped_eaches=100,
                )
            )
        session.commit()
    engine.dispose()
