"""`recovery claims …` as a specialist uses it, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import stat
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from claims_factory import shortage_claim
from cli_runner import Cli
from openpyxl import load_workbook
from sqlalchemy import Engine
from sqlmodel import Session, select

from recovery.calendar import BusinessCalendar
from recovery.claims import drafting
from recovery.config import Settings
from recovery.models import Claim, ClaimEvent, EvidenceDocument
from recovery.store import db
from recovery.testing.documents import LAYOUTS, DocumentTruth, render_document

CONTRACT_KEYS = {
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
}


@pytest.fixture
def cli_env(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RECOVERY_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("RECOVERY_DATA_DIR", str(settings.data_dir))
    return settings


def today() -> date:
    return BusinessCalendar().today()


def seed(engine: Engine, settings: Settings) -> dict[str, int]:
    """Three drafted claims: one due soon, one later and larger, one without proof. Their bands
    count from the invoice due date (`age_from`): 100 days old is mature, 40 optimal."""
    with db.session_scope(engine) as session:
        soon = shortage_claim(
            session,
            key="soon",
            deadline=today() + timedelta(days=3),
            age_from=today() - timedelta(days=100),
            file_by=today() + timedelta(days=1),
        )
        later = shortage_claim(
            session,
            key="later",
            deadline=today() + timedelta(days=30),
            age_from=today() - timedelta(days=40),
            amount_minor=99000,
            reference="INV-1002SC",
            invoice_number="INV-1002",
        )
        bare = shortage_claim(
            session,
            key="bare",
            with_pod=False,
            deadline=today() + timedelta(days=10),
            reference="INV-1003SC",
            invoice_number="INV-1003",
        )
        drafting.draft_claims(session, [soon, later, bare], settings)
        assert soon.id and later.id and bare.id
        return {"soon": soon.id, "later": later.id, "bare": bare.id}


def test_list_json_has_exactly_the_contract_keys_in_priority_order(
    engine: Engine, cli_env: Settings, cli: Cli
) -> None:
    ids = seed(engine, cli_env)
    code, out, _ = cli(["claims", "list", "--format", "json"])
    assert code == 0
    claims = json.loads(out)
    assert [c["id"] for c in claims] == [ids["soon"], ids["bare"], ids["later"]]
    assert all(set(c) == CONTRACT_KEYS for c in claims)
    first = claims[0]
    assert first["type"] == "shortage" and first["status"] == "ready"
    assert first["amount"] == "201.60" and first["currency"] == "USD"
    assert first["deadline"] == (today() + timedelta(days=3)).isoformat()
    assert first["file_by"] == (today() + timedelta(days=1)).isoformat()
    assert first["band"] == "mature"
    assert first["evidence"] == ["pod-soon.pdf"]
    assert first["reference"] == "INV-1001SC" and first["quantity"] == 24

    code, out, _ = cli(["claims", "list", "--format", "json", "--status", "needs_evidence"])
    assert [c["id"] for c in json.loads(out)] == [ids["bare"]]

    code, out, _ = cli(["claims", "list", "--format", "csv", "--type", "shortage"])
    rows = list(csv.DictReader(io.StringIO(out)))
    assert set(rows[0]) == CONTRACT_KEYS and len(rows) == 3


def test_list_table_shows_band_and_days_left(
    engine: Engine,
    cli_env: Settings,
    cli: Cli,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seed(engine, cli_env)
    monkeypatch.setenv("COLUMNS", "160")  # a terminal wide enough for the whole table
    code, out, _ = cli(["claims", "list"])
    assert code == 0
    assert "Band" in out and "Days left" in out
    assert "mature" in out and "optimal" in out  # 100 days after the due date vs 40
    assert "3 claims, $1,393.20" in out


def test_bad_filters_are_one_line_errors(engine: Engine, cli_env: Settings, cli: Cli) -> None:
    code, _, err = cli(["claims", "list", "--status", "pending"])
    assert code == 1 and "unknown status 'pending'" in err and "Traceback" not in err
    code, _, err = cli(["claims", "show", "4242"])
    assert code == 1 and "claim 4242: no such claim" in err


def test_show_prints_the_claim_as_it_will_be_filed(
    engine: Engine, cli_env: Settings, cli: Cli
) -> None:
    ids = seed(engine, cli_env)
    code, out, _ = cli(["claims", "show", str(ids["soon"])])
    assert code == 0
    assert f"Claim {ids['soon']} · shortage · ready · level 1" in out
    assert "Shortage dispute: invoice INV-1001, PO 4Q8Z1KXA, ASIN B07XJ8C8F5" in out
    assert '"disputed_quantity": 24' in out  # the filing form's fields
    assert "pod-soon.pdf (pod)" in out and "BOL 7741" in out and "signed yes" in out
    assert "drafting  draft → ready  evidence complete" in out
    code, out, _ = cli(["claims", "show", str(ids["bare"])])
    assert "Missing evidence: a carrier-signed BOL or signed POD for PO 4Q8Z1KXA" in out


def test_approve_and_reject_several_claims(engine: Engine, cli_env: Settings, cli: Cli) -> None:
    ids = seed(engine, cli_env)
    code, out, err = cli(
        ["claims", "approve", str(ids["soon"]), str(ids["bare"]), "--actor", "maria"]
    )
    assert code == 1  # the claim without proof cannot be approved, the other one is
    assert f"claim {ids['soon']}: approved" in out
    assert f"claim {ids['bare']}: cannot move from needs_evidence to approved" in err
    code, _, err = cli(["claims", "reject", str(ids["later"])])
    assert code == 2 and "--reason" in err
    code, out, _ = cli(
        [
            "claims",
            "reject",
            str(ids["later"]),
            "--reason",
            "vendor short-shipped",
            "--actor",
            "li",
        ]
    )
    assert code == 0 and "rejected" in out
    with Session(engine) as session:
        statuses = {c.id: c.status for c in session.exec(select(Claim)).all()}
        note = session.exec(
            select(ClaimEvent).where(
                ClaimEvent.claim_id == ids["later"], ClaimEvent.to_status == "rejected"
            )
        ).one()
    assert statuses == {
        ids["soon"]: "approved",
        ids["later"]: "rejected",
        ids["bare"]: "needs_evidence",
    }
    assert (note.actor, note.note) == ("li", "vendor short-shipped")


def test_edit_with_a_text_file_and_with_the_editor(
    engine: Engine,
    cli_env: Settings,
    cli: Cli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ids = seed(engine, cli_env)
    claim_id = str(ids["soon"])
    new_text = tmp_path / "new.txt"
    new_text.write_text("Dear team, please reverse INV-1001SC.\n", encoding="utf-8")
    code, out, _ = cli(["claims", "edit", claim_id, "--text-file", str(new_text)])
    assert code == 0 and "text saved" in out

    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys, pathlib\n"
        "p = pathlib.Path(sys.argv[1])\n"
        "p.write_text(p.read_text().replace('Dear team', 'Hello'))\n",
        encoding="utf-8",
    )
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    code, out, _ = cli(["claims", "edit", claim_id, "--actor", "maria"])
    assert code == 0 and "text saved" in out
    with Session(engine) as session:
        claim = session.get(Claim, ids["soon"])
        assert claim is not None
        assert claim.draft_text == "Hello, please reverse INV-1001SC.\n"
        edits = session.exec(
            select(ClaimEvent).where(
                ClaimEvent.claim_id == ids["soon"], ClaimEvent.action == "edit"
            )
        ).all()
    assert [e.previous_text for e in edits][-1] == "Dear team, please reverse INV-1001SC.\n"
    assert edits[0].previous_text is not None and edits[0].previous_text.startswith(
        "Shortage dispute"
    )

    monkeypatch.setenv("EDITOR", "false")
    code, _, err = cli(["claims", "edit", claim_id])
    assert code == 1 and "exited with status 1; nothing changed" in err
    monkeypatch.delenv("EDITOR")
    code, _, err = cli(["claims", "edit", claim_id])
    assert code == 1 and "set $EDITOR" in err


def test_attach_stores_the_file_once_and_completes_the_claim(
    engine: Engine, cli_env: Settings, cli: Cli, tmp_path: Path
) -> None:
    ids = seed(engine, cli_env)
    pod = tmp_path / "POD 7741 signed.pdf"
    pod.write_bytes(
        render_document(
            DocumentTruth(
                kind="pod",
                layout=LAYOUTS[0],
                carrier="Estes Express",
                bol_number="7741",
                pro_number="99812",
                ship_date=date(2026, 3, 2),
                delivery_date=date(2026, 3, 5),
                po_numbers=["4Q8Z1KXA"],
                ship_to="DFW7",
                shipper="Example Brand",
                cartons=10,
                pallets=1,
                units=120,
                weight_lb=240,
                signed=True,
                receiver="J. Smith",
                exception_kind=None,
                exception_units=None,
            )
        )
    )
    code, out, _ = cli(["claims", "attach", str(ids["bare"]), str(pod), "--actor", "maria"])
    assert code == 0
    assert "attached" in out and "(pod)" in out and "status ready" in out
    code, out, _ = cli(["claims", "attach", str(ids["soon"]), str(pod)])
    assert code == 0
    with Session(engine) as session:
        documents = session.exec(
            select(EvidenceDocument).where(EvidenceDocument.original_name == pod.name)
        ).all()
        claim = session.get(Claim, ids["bare"])
    assert len(documents) == 1  # content-addressed: one stored copy
    stored = cli_env.evidence_dir / documents[0].stored_path
    assert stored.read_bytes() == pod.read_bytes()
    assert documents[0].sha256 in stored.name
    assert claim is not None and "POD 7741 signed.pdf (proof of delivery)" in claim.draft_text
    code, _, err = cli(["claims", "attach", str(ids["bare"]), str(tmp_path / "nope.pdf")])
    assert code == 1 and "nope.pdf" in err and "no such file" in err
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 not really")
    code, _, err = cli(["claims", "attach", str(ids["bare"]), str(broken)])
    assert code == 1 and "broken.pdf" in err and "Traceback" not in err


def test_export_the_worklist_by_deadline_then_amount(
    engine: Engine, cli_env: Settings, cli: Cli, tmp_path: Path
) -> None:
    ids = seed(engine, cli_env)
    with db.session_scope(engine) as session:
        # Same deadline as "soon", larger amount: it must come first among equals.
        big = shortage_claim(
            session,
            key="big",
            deadline=today() + timedelta(days=3),
            amount_minor=50000,
            age_from=today() - timedelta(days=100),
        )
        drafting.draft_claims(session, [big], cli_env)
        big_id = big.id
    out_csv = tmp_path / "work.csv"
    code, out, _ = cli(["claims", "export", "--format", "csv", "--out", str(out_csv)])
    assert code == 0 and "Wrote 4 claims" in out
    rows = list(csv.DictReader(out_csv.open(encoding="utf-8")))
    assert [int(r["Claim"]) for r in rows] == [big_id, ids["soon"], ids["bare"], ids["later"]]
    assert rows[0]["Amount"] == "500.00" and rows[0]["Band"] == "mature"
    assert rows[0]["Days left"] == "3"

    out_xlsx = tmp_path / "work.xlsx"
    code, _, _ = cli(["claims", "export", "--format", "xlsx", "--out", str(out_xlsx)])
    assert code == 0
    sheet = load_workbook(out_xlsx).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:4] == ("Priority", "Claim", "Type", "Status")
    assert [v[1] for v in values[1:]] == [big_id, ids["soon"], ids["bare"], ids["later"]]
    assert values[1][9] == 500

    code, _, _ = cli(["claims", "export"])
    assert code == 0
    assert (tmp_path / f"claims-worklist-{today().isoformat()}.csv").exists()
