"""A vendor written by hand (tests/data/handwritten-vendor), in shapes the scenario generator
does not write: it imports, and detection scores against its hand-made answer key."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from cli_runner import Cli
from sqlalchemy import Engine

from recovery.config import Settings
from recovery.testing.scoring import score

DATA = Path(__file__).parent.parent / "data" / "handwritten-vendor"
FILES = (
    "purchase-orders.json",
    "shipments.json",
    "invoices.csv",
    "remittance.csv",
    "remittance-payments.csv",
    "coop-agreements.csv",
    "coop-invoices.csv",
    "coop-backup-CO-7001.csv",
    "coop-backup-CO-7002.csv",
    "shortages.csv",
    "chargebacks.csv",
)


def test_the_handwritten_vendor_imports_and_scores(
    engine: Engine,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    cli: Cli,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RECOVERY_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("RECOVERY_DATA_DIR", str(settings.data_dir))
    key = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))
    for args in (
        ["import", "--account", key["vendor_code"], *(str(DATA / f) for f in FILES)],
        ["detect", "--today", key["today"], "--no-draft"],
    ):
        code, _, err = cli(args)
        assert code == 0, err
    code, out, err = cli(["claims", "list", "--format", "json"])
    assert code == 0, err
    claims = json.loads(out)

    scores = score(key, claims)
    for kind, s in scores.items():
        assert s.recall == 1 and s.precision == 1, (kind, claims)
        assert s.claims_on_valid == [] and s.wrong_deadlines == [], kind
    # The price claim past Amazon's 24 months is shown apart, never as recall.
    assert scores["price"].expired == Decimal("8.00")
    assert scores["price"].expected == Decimal("60.00")

    by_reference = {c["reference"]: c for c in claims}
    price = by_reference["INV-5002PCR"]
    assert (price["status"], price["amount"], price["file_by"]) == (
        "draft",
        "60.00",
        "2028-07-28",  # Tuesday 2028-08-01 less 2 business days, over the weekend
    )
    assert by_reference["INV-5003PCR"]["status"] == "expired"
    # A chargeback's deadline on a Sunday stays that Sunday; the plan is the Wednesday before.
    fee = by_reference["6100001"]
    assert (fee["deadline"], fee["file_by"], fee["amount"]) == ("2026-12-20", "2026-12-16", "15.00")
    assert "5 cartons (ASN ACME-ASN-1 5; 8 cartons were charged)" in fee["reason"]
    # The shortage detail names a UPC: the claim is the SC debit note's, and waits for proof.
    [shortage] = [c for c in claims if c["type"] == "shortage"]
    assert (shortage["reference"], shortage["status"]) == ("INV-5001SC", "needs_evidence")
    assert shortage["band"] == "mature"  # a year old: still fileable, never expired
    for person in key["needs_look"]:
        assert by_reference[person["reference"]]["status"] == "needs_look"
    assert "INV-5004PCR" not in by_reference  # over-invoiced: Amazon was right
    # Of two billings of one co-op period the later is the claim; its deadline, two years from
    # Veterans Day 2026, is a Saturday and stays one; the plan skips the Friday observed.
    coop = by_reference["CO-7002"]
    assert (coop["amount"], coop["deadline"], coop["file_by"]) == (
        "25.00",
        "2028-11-11",
        "2028-11-07",
    )
    assert "CO-7001" not in by_reference  # the first billing is valid
