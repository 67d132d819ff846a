"""The whole product on a generated scenario, through the library: shared by end-to-end tests."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from recovery.calendar import BusinessCalendar
from recovery.claims.detection import run_detection
from recovery.claims.queue import contract_record, load_rows
from recovery.claims.run_summary import DetectionResult
from recovery.config import AccountSettings, Settings
from recovery.evidence.ingest import add_evidence
from recovery.ledger import BUCKETS
from recovery.sources.importing import import_files
from recovery.testing.scenario import generate_scenario

TODAY = date(2026, 11, 23)


@dataclass
class PipelineRun:
    scenario: Path
    answer_key: dict[str, Any]
    detection: DetectionResult
    claims: list[dict[str, Any]]


def run_pipeline(
    engine: Engine, settings: Settings, out: Path, *, seed: int, size: str
) -> PipelineRun:
    scenario = out / "scenario"
    generate_scenario(scenario, seed=seed, size=size, today=TODAY, xlsx=False)
    meta = json.loads((scenario / "scenario.json").read_text())
    settings.accounts = [AccountSettings(vendor_code=meta["vendor_code"])]
    import_files(
        engine,
        settings,
        [
            *sorted((scenario / "spapi").glob("*.json")),
            scenario / "vendor-central",
            scenario / "vendor-central" / "coop-backup",
            scenario / "vendor",
        ],
    )
    add_evidence(engine, settings, [scenario / "evidence"])
    detection = run_detection(engine, settings, today=TODAY)
    calendar = BusinessCalendar.from_settings(settings.calendar)
    with Session(engine) as session:
        claims = [
            contract_record(row)
            for row in load_rows(session, calendar=calendar, rules=settings.rules)
        ]
    answer_key = json.loads((scenario / "answer_key.json").read_text())
    return PipelineRun(scenario, answer_key, detection, claims)


def expected_buckets(
    answer_key: dict[str, Any], invoice_of: dict[str, str | None]
) -> dict[str, dict[str, int]]:
    """Per invoice (or deduction reference, for those without one), the cents of its debits in
    each bucket, from the key's truth of every deduction: reversals recovered, the recoverable
    part claimable, what needs evidence or a person unexplained, the rest valid."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(BUCKETS, 0))
    gross: dict[str, int] = defaultdict(int)
    for deduction in answer_key["deductions"]:
        reference = deduction["reference"]
        anchor = invoice_of.get(reference, deduction["invoice_number"]) or reference
        amount = cents(deduction["amount"])
        buckets = out[anchor]
        if amount < 0:
            buckets["recovered"] += -amount
            continue
        gross[anchor] += amount
        recoverable = cents(deduction["recoverable"])
        buckets["claimable"] += recoverable
        if deduction["truth"] in ("needs_evidence", "unexplained"):
            buckets["unexplained"] += amount - recoverable
    for anchor, buckets in out.items():
        buckets["valid"] = gross[anchor] - sum(buckets.values())
    return out


def cents(amount: str) -> int:
    return int(Decimal(amount) * 100)
