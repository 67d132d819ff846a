"""`recovery detect` against a real database: claims written once, kept in step, retired."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from recovery.cli.app import main
from recovery.config import Settings
from recovery.models import (
    Claim,
    ClaimEvent,
    ClaimLine,
    Deduction,
    EvidenceDocument,
    EvidenceLink,
    Invoice,
    InvoiceLine,
    Shipment,
    ShipmentItem,
    ShortageLine,
    VendorAccount,
)
from recovery.reports.run_summary import run_detection

DUE = date(2026, 9, 1)


def seed(engine: Engine, *, with_pod: bool = True) -> int:
    with Session(engine) as session:
        account = VendorAccount(vendor_code="ABCDE", name="Test Brand")
        session.add(account)
        session.flush()
        assert account.id is not None
        invoice = Invoice(
            account_id=account.id,
            invoice_number="INV1",
            po_number="PO1",
            amount_minor=100_800,
            currency="USD",
            due_date=DUE,
            invoice_date=date(2026, 7, 3),
        )
        session.add(invoice)
        session.flush()
        assert invoice.id is not None
        session.add(
            InvoiceLine(
                invoice_id=invoice.id,
                line_no=1,
                asin="B0001",
                quantity=120,
                unit_cost_minor=840,
                amount_minor=100_800,
                currency="USD",
            )
        )
        session.add(
            Deduction(
                account_id=account.id,
                kind="shortage",
                reference="INV1SC",
                payment_number="PAY1",
                invoice_number="INV1",
                amount_minor=20_160,
                currency="USD",
            )
        )
        session.add(
            ShortageLine(
                account_id=account.id,
                invoice_number="INV1",
                external_id="INV1SC",
                po_number="PO1",
                asin="B0001",
                unit_price_minor=840,
                invoiced_quantity=120,
                shortage_quantity=24,
                shortage_minor=20_160,
                currency="USD",
            )
        )
        shipment = Shipment(
            account_id=account.id,
            shipment_id="ASN1",
            bol_number="BOL77",
            shipped_at=datetime(2026, 7, 1, tzinfo=UTC),
        )
        session.add(shipment)
        session.flush()
        assert shipment.id is not None
        session.add(
            ShipmentItem(
                shipment_id=shipment.id,
                line_no=1,
                po_number="PO1",
                asin="B0001",
                shipped_quantity=120,
                shipped_eaches=120,
            )
        )
        if with_pod:
            document = EvidenceDocument(
                sha256="a" * 64,
                original_name="pod.pdf",
                stored_path="aa/pod.pdf",
                kind="pod",
                signed=True,
                bol_number="BOL77",
                cartons=10,
                po_numbers=["PO1"],
            )
            session.add(document)
            session.flush()
            assert document.id is not None
            session.add(
                EvidenceLink(
                    document_id=document.id,
                    shipment_id=shipment.id,
                    account_id=account.id,
                    po_number="PO1",
                    matched_by="bol_number",
                )
            )
        session.commit()
        return account.id


def claims(engine: Engine) -> list[Claim]:
    with Session(engine) as session:
        return list(session.exec(select(Claim).order_by(Claim.id)).all())


def test_detection_writes_one_claim_and_running_again_changes_nothing(
    engine: Engine, settings: Settings
) -> None:
    seed(engine)
    first = run_detection(engine, settings, today=date(2026, 10, 10), draft=False)
    [claim] = claims(engine)
    assert (claim.type, claim.status, claim.amount_minor, claim.quantity) == (
        "shortage",
        "draft",
        20_160,
        24,
    )
    # Amazon's date: 24 months after the invoice date (2026-07-03), a Monday; the plan is
    # two business days before it.
    assert (claim.deadline, claim.file_by) == (date(2028, 7, 3), date(2028, 6, 29))
    # 39 days after the due date: matching is over, the odds are still the best.
    assert claim.band == "optimal"
    assert "24 units × $8.40 = $201.60" in claim.reason
    assert first.accounts[0].created == 1
    summary = first.accounts[0].types["shortage"]
    assert (summary.claims, summary.recoverable) == (1, 20_160)

    again = run_detection(engine, settings, today=date(2026, 10, 10), draft=False)
    assert (again.accounts[0].created, again.accounts[0].updated) == (0, 0)
    assert len(claims(engine)) == 1
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(ClaimLine)).one() == 1
    buckets = again.accounts[0].buckets
    assert buckets["claimable"] == 20_160 and sum(buckets.values()) == 20_160


def test_a_reversed_deduction_retires_its_claim(engine: Engine, settings: Settings) -> None:
    account_id = seed(engine)
    run_detection(engine, settings, today=date(2026, 10, 10), draft=False)
    with Session(engine) as session:
        session.add(
            Deduction(
                account_id=account_id,
                kind="shortage_reversal",
                reference="INV1SCR",
                payment_number="PAY2",
                invoice_number="INV1",
                amount_minor=-20_160,
                currency="USD",
            )
        )
        session.add(
            ShortageLine(
                account_id=account_id,
                invoice_number="INV1",
                external_id="INV1SCR",
                po_number="PO1",
                asin="B0001",
                unit_price_minor=840,
                invoiced_quantity=120,
                shortage_quantity=-24,
                shortage_minor=-20_160,
                currency="USD",
            )
        )
        session.commit()
    result = run_detection(engine, settings, today=date(2026, 10, 11), draft=False)
    [claim] = claims(engine)
    assert claim.status == "retired"
    assert result.accounts[0].retired == 1
    assert result.accounts[0].buckets["recovered"] == 20_160
    with Session(engine) as session:
        events = session.exec(select(ClaimEvent).where(ClaimEvent.claim_id == claim.id)).all()
    assert [e.to_status for e in events] == ["draft", "retired"]


@pytest.mark.parametrize(
    ("today", "status"),
    [
        (date(2026, 9, 20), "waiting"),
        (date(2026, 10, 10), "draft"),
        # a year later the shortage is mature, and still fileable
        (date(2027, 9, 1), "draft"),
        (date(2028, 7, 3), "draft"),
        (date(2028, 7, 4), "expired"),
    ],
)
def test_timing_decides_the_first_status(
    engine: Engine, settings: Settings, today: date, status: str
) -> None:
    seed(engine)
    run_detection(engine, settings, today=today, draft=False)
    assert claims(engine)[0].status == status


def test_waiting_claims_become_drafts_when_matching_ends(
    engine: Engine, settings: Settings
) -> None:
    seed(engine)
    run_detection(engine, settings, today=date(2026, 9, 20), draft=False)
    run_detection(engine, settings, today=date(2026, 10, 7), draft=False)
    assert claims(engine)[0].status == "draft"


def test_without_proof_of_delivery_the_claim_needs_evidence(
    engine: Engine, settings: Settings
) -> None:
    seed(engine, with_pod=False)
    result = run_detection(engine, settings, today=date(2026, 10, 10), draft=False)
    [claim] = claims(engine)
    assert claim.status == "needs_evidence"
    assert "no signed BOL or POD" in claim.reason
    assert result.accounts[0].types["shortage"].needs_evidence == 20_160
    assert result.accounts[0].types["shortage"].claims == 0


def test_drafting_runs_after_detection(engine: Engine, settings: Settings) -> None:
    seed(engine)
    run_detection(engine, settings, today=date(2026, 10, 10))
    [claim] = claims(engine)
    assert claim.status in ("ready", "needs_evidence")
    assert "INV1" in claim.draft_text and "B0001" in claim.draft_text


def test_claims_found_without_drafting_are_drafted_by_the_next_run(
    engine: Engine, settings: Settings
) -> None:
    seed(engine)
    run_detection(engine, settings, today=date(2026, 10, 10), draft=False)
    [claim] = claims(engine)
    assert (claim.status, claim.draft_text) == ("draft", "")
    again = run_detection(engine, settings, today=date(2026, 10, 10))
    assert (again.accounts[0].created, again.accounts[0].updated) == (0, 0)
    [claim] = claims(engine)
    assert claim.status in ("ready", "needs_evidence")
    assert "INV1" in claim.draft_text


# And with the co-op process on every full run, as the CLI starts it.
@pytest.mark.parametrize("coop_process_min_lines", ["100000", "0"])
def test_detect_command_prints_the_summary(
    engine: Engine,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: object,
    coop_process_min_lines: str,
) -> None:
    seed(engine)
    monkeypatch.setenv("RECOVERY_DATABASE_URL", db_url)
    monkeypatch.setenv("RECOVERY_DETECT__COOP_PROCESS_MIN_LINES", coop_process_min_lines)
    monkeypatch.chdir(str(tmp_path))
    with pytest.raises(SystemExit) as exited:
        main(["detect", "--today", "2026-10-10"])
    out = capsys.readouterr().out
    assert exited.value.code == 0
    assert "Detection for ABCDE" in out and "$201.60" in out
    assert "Judged: full run (first run)." in " ".join(out.split())
    with pytest.raises(SystemExit) as exited:
        main(["detect", "--today", "2026-10-10"])
    assert "Judged: changes only: 0 POs, 0 invoices, 0 references." in " ".join(
        capsys.readouterr().out.split()
    )
    with pytest.raises(SystemExit) as exited:
        main(["detect", "--today", "2026-10-10", "--full"])
    assert "Judged: full run (asked for)." in " ".join(capsys.readouterr().out.split())
    with pytest.raises(SystemExit) as exited:
        main(["detect", "--today", "yesterday"])
    assert exited.value.code == 1
    assert "not a date" in capsys.readouterr().err


def test_a_change_queued_during_a_run_waits_for_the_next(
    engine: Engine, settings: Settings
) -> None:
    from recovery.claims.incremental.scope import QUEUE, clear_queue, read_queue

    account_id = seed(engine)
    run_detection(engine, settings, today=date(2026, 10, 10), draft=False)
    with Session(engine) as session:
        session.add(
            Deduction(
                account_id=account_id,
                kind="shortage",
                reference="INV1SC2",
                payment_number="PAY3",
                invoice_number="INV1",
                amount_minor=840,
                currency="USD",
            )
        )
        session.commit()
    with engine.begin() as conn:
        queue = read_queue(conn, account_id)
        assert queue.keys == {"ref": {"INV1SC2"}, "invoice": {"INV1"}}
    # A write lands while the run is judging what it read...
    with Session(engine) as session:
        deduction = session.exec(select(Deduction).where(Deduction.reference == "INV1SC2")).one()
        deduction.invoice_number = "INV2"
        session.add(deduction)
        session.commit()
    with engine.begin() as conn:
        # ...and one with a lower id commits late (PostgreSQL hands ids out before commit).
        first_read = queue.id_runs[0][0]
        conn.execute(
            QUEUE.insert().values(id=first_read - 1, account_id=account_id, kind="po", key="PO9")
        )
    with engine.begin() as conn:
        clear_queue(conn, account_id, queue)
        left = conn.execute(select(QUEUE.c.kind, QUEUE.c.key)).all()
    # Both stay queued: the edit under its old and its new invoice.
    assert sorted(left) == [
        ("invoice", "INV1"),
        ("invoice", "INV2"),
        ("po", "PO9"),
        ("ref", "INV1SC2"),
    ]


def test_writes_before_the_first_run_queue_one_row_and_a_late_one_makes_the_next_run_full(
    engine: Engine, settings: Settings
) -> None:
    """An account never detected queues one `all` row per write, not the keys: a large first
    import touches hundreds of thousands. On PostgreSQL a first run can commit while such an
    import is still writing, unseen by it: the row it leaves makes the next run judge
    everything, so the import's rows are not left to a run that looks at changes only."""
    from recovery.claims.incremental.scope import QUEUE
    from recovery.claims.incremental.stored_findings import fingerprint, save_fingerprint

    account_id = seed(engine)
    with engine.begin() as conn:
        assert set(conn.execute(select(QUEUE.c.kind, QUEUE.c.key)).all()) == {("all", "*")}
        # What a first run that read before `seed` committed leaves: its state, no findings.
        save_fingerprint(conn, account_id, fingerprint(settings))
    summary = run_detection(engine, settings, today=date(2026, 10, 10), draft=False)
    assert summary.accounts[0].scope == "full run (changes queued before the first run)"
    assert [c.reference for c in claims(engine)] == ["INV1SC"]
    with engine.begin() as conn:
        assert conn.execute(select(func.count()).select_from(QUEUE)).scalar_one() == 0
    # Detected now: a write queues its keys.
    with Session(engine) as session:
        line = session.exec(select(ShortageLine)).one()
        line.shortage_quantity = 10
        session.add(line)
        session.commit()
    with engine.begin() as conn:
        queued = set(conn.execute(select(QUEUE.c.kind, QUEUE.c.key)).all())
    assert ("invoice", "INV1") in queued
    assert ("all", "*") not in queued


def test_a_run_full_anyway_reads_only_which_queued_rows_to_clear(engine: Engine) -> None:
    from recovery.claims.incremental.scope import QUEUE, read_queue

    account_id = seed(engine)
    with engine.begin() as conn:
        conn.execute(QUEUE.delete())
        conn.execute(
            QUEUE.insert(),
            [
                {"id": row_id, "account_id": account_id, "kind": "po", "key": f"PO{row_id}"}
                for row_id in (5, 6, 7, 10, 11, 13)
            ],
        )
    with engine.begin() as conn:
        ids_only, whole = read_queue(conn, account_id, keys=False), read_queue(conn, account_id)
    assert ids_only.id_runs == whole.id_runs == [(5, 7), (10, 11), (13, 13)]
    assert ids_only.keys == {}


def test_a_shortage_with_a_product_id_is_claimed_under_its_debit_note(
    engine: Engine, settings: Settings
) -> None:
    """`External ID` is the product's id (a UPC here): the claim's reference is still the
    deduction's own id, the invoice's SC debit note."""
    seed(engine)
    with Session(engine) as session:
        line = session.exec(select(ShortageLine)).one()
        line.external_id = "012345678905"
        session.add(line)
        session.commit()
    run_detection(engine, settings, today=date(2026, 10, 10), draft=False)
    [claim] = claims(engine)
    assert (claim.reference, claim.amount_minor, claim.status) == ("INV1SC", 20_160, "draft")


def test_old_windows_expired_claims_come_back_when_amazon_still_accepts_them(
    engine: Engine, settings: Settings
) -> None:
    seed(engine)
    run_detection(engine, settings, today=date(2026, 10, 10), draft=False)
    with Session(engine) as session:
        # What the old windows (due date + 40 days, on a business day) left in databases.
        claim = session.exec(select(Claim)).one()
        claim.status, claim.deadline, claim.band = "expired", date(2026, 10, 13), "expired"
        session.add(claim)
        session.commit()
    run_detection(engine, settings, today=date(2027, 9, 1), draft=False)
    [claim] = claims(engine)
    assert (claim.status, claim.band, claim.deadline) == ("draft", "mature", date(2028, 7, 3))
    with Session(engine) as session:
        events = session.exec(select(ClaimEvent).where(ClaimEvent.claim_id == claim.id)).all()
    assert [e.to_status for e in events][-2:] == ["draft", "draft"]
    assert "Amazon's deadline is 2028-07-03" in events[-2].note


def test_a_debit_the_rules_cannot_judge_is_a_claim_a_person_can_reject(
    engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch, db_url: str,
    tmp_path: object, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    account_id = seed(engine)
    with Session(engine) as session:
        # A second shortage debit on an invoice with no shortage detail at all.
        session.add(
            Invoice(
                account_id=account_id,
                invoice_number="INV9",
                po_number="PO9",
                amount_minor=50_000,
                currency="USD",
                due_date=DUE,
                invoice_date=date(2026, 7, 3),
            )
        )
        session.add(
            Deduction(
                account_id=account_id,
                kind="shortage",
                reference="INV9SC",
                payment_number="PAY1",
                invoice_number="INV9",
                amount_minor=5_000,
                currency="USD",
            )
        )
        session.commit()
    run_detection(engine, settings, today=date(2026, 10, 10), draft=False)
    by_reference = {c.reference: c for c in claims(engine)}
    looked = by_reference["INV9SC"]
    assert (looked.status, looked.amount_minor) == ("needs_look", 5_000)
    assert "import the shortage dispute details" in looked.reason
    monkeypatch.setenv("RECOVERY_DATABASE_URL", db_url)
    monkeypatch.chdir(str(tmp_path))
    with pytest.raises(SystemExit):
        main(["claims", "list", "--format", "json", "--status", "needs_look"])
    listed = json.loads(capsys.readouterr().out)
    assert [c["reference"] for c in listed] == ["INV9SC"]
    # Amazon's date for the invoice of 2026-07-03; the band moves with today's clock.
    assert (listed[0]["deadline"], listed[0]["file_by"]) == ("2028-07-03", "2028-06-29")
    with pytest.raises(SystemExit) as exited:
        main(["claims", "reject", str(looked.id), "--reason", "valid: we shipped short"])
    assert exited.value.code == 0
    capsys.readouterr()
    # Detection leaves a person's decision alone.
    run_detection(engine, settings, today=date(2026, 10, 11), draft=False)
    assert {c.reference: c.status for c in claims(engine)}["INV9SC"] == "rejected"
