"""The whole product on a generated scenario, through the library: shared by end-to-end tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from recovery.calendar import BusinessCalendar
from recovery.claims.detection import DetectionResult, run_detection
from recovery.claims.queue import contract_record, load_rows
from recovery.config import AccountSettings, Settings
from recovery.evidence.ingest import add_evidence
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
