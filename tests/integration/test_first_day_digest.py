"""A first day (SP-API JSON, the CSV exports, evidence, detection with drafting) leaves the
same rows and findings as the reviewed snapshot, on SQLite and on PostgreSQL alike.

The snapshot is one hash of every stored row, link and finding (`store_digest`), so a change
meant only to make a step faster is proven to store the same things. A change that means to
store something else updates it deliberately: `UPDATE_SNAPSHOTS=1 pytest
tests/integration/test_first_day_digest.py`, then say in the commit why the rows changed.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from recovery.config import AccountSettings, Settings
from recovery.reports.run_summary import run_detection
from recovery.sources.importing import import_files
from recovery.store import db
from recovery.testing.answer_key_evidence import record_evidence
from recovery.testing.scenario import generate_scenario
from recovery.testing.store_digest import store_digest, table_digests

TODAY = date(2026, 11, 23)
SNAPSHOT = Path(__file__).resolve().parents[1] / "snapshots" / "first_day" / "small.json"


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("small")
    generate_scenario(out, seed=1, size="small", today=TODAY, xlsx=False, pdfs=False)
    return out


def test_a_first_day_stores_the_snapshot_rows_and_findings(
    small: Path, db_url: str, tmp_path: Path
) -> None:
    meta = json.loads((small / "scenario.json").read_text())
    settings = Settings(
        database_url=db_url,
        data_dir=tmp_path / "data",
        accounts=[AccountSettings(vendor_code=meta["vendor_code"])],
    )
    engine = db.make_engine(db_url)
    try:
        files = [
            *sorted((small / "spapi").glob("*.json")),
            small / "vendor-central",
            small / "vendor-central" / "coop-backup",
            small / "vendor",
        ]
        import_files(engine, settings, files)
        links = record_evidence(engine, json.loads((small / "answer_key.json").read_text()))
        run_detection(engine, settings, today=TODAY, draft=True)
        found = {"digest": store_digest(engine), "tables": table_digests(engine)}
    finally:
        engine.dispose()
    assert links.linked > 0
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(json.dumps(found, indent=2, sort_keys=True) + "\n")
    expected = json.loads(SNAPSHOT.read_text())
    # Per table first: a failure names the tables whose rows changed.
    changed = sorted(
        name
        for name in expected["tables"].keys() | found["tables"].keys()
        if expected["tables"].get(name) != found["tables"].get(name)
    )
    assert changed == []
    assert found["digest"] == expected["digest"]
