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
from recovery.claims.queue import contract_record, load_rows
from recovery.config import AccountSettings, Settings
from recovery.evidence.ingest import add_evidence
from recovery.ledger import BUCKETS
from recovery.reports.run_summary import DetectionResult, run_detection
from recovery.sources.importing import import_files
from recovery.testing.scenario import generate_scenario
from recovery.testing.scoring import TypeScore, score

TODAY = date(2026, 11, 23)


@dataclass
class PipelineRun:
    scenario: Path
    answer_key: dict[str, Any]
    detection: DetectionResult
    claims: list[dict[str, Any]]


def run_pipeline(
    engine: Engine, settings: Settings, out: Path, *, seed: int, size: str, varied: bool = False
) -> PipelineRun:
    scenario = out / "scenario"
    generate_scenario(scenario, seed=seed, size=size, today=TODAY, xlsx=False, varied=varied)
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


def assert_scores(run: PipelineRun, title: str) -> dict[str, TypeScore]:
    """The answer key's bar: per type recall of what can still be filed ≥ 99 % and precision
    ≥ 99.5 %, no claim on a valid deduction, Amazon's deadlines, nothing called expired that
    Amazon still accepts; every deducted cent in a bucket, and every cent the key planted."""
    scores = score(run.answer_key, run.claims)
    print(f"\n{title}: type       expected    claimed    recall  precision   expired (not scored)")
    for kind, s in scores.items():
        print(
            f"  {kind:<11}{s.expected:>12}{s.claimed:>11}{s.recall:>9.3f}{s.precision:>10.3f}"
            f"{s.expired:>12}"
        )
    for kind, s in scores.items():
        assert s.recall >= Decimal("0.99"), f"{kind} recall {s.recall:.3f}"
        assert s.precision >= Decimal("0.995"), f"{kind} precision {s.precision:.3f}"
        assert s.claims_on_valid == [], f"{kind} claimed planted valid deductions"
        assert s.wrong_deadlines == [], f"{kind} deadlines differ from Amazon's"
        assert s.expired_too_soon == [], f"{kind} called expired while Amazon accepts them"
    [account] = run.detection.accounts
    assert sum(account.buckets.values()) == account.deducted
    planted = sum(
        cents(d["amount"]) for d in run.answer_key["deductions"] if Decimal(d["amount"]) > 0
    )
    assert account.deducted == planted
    return scores


def buckets_against_key(
    engine: Engine, settings: Settings, answer_key: dict[str, Any]
) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
    """(buckets per invoice as the ledger splits the deducted cents, the key's), anchored on
    the invoice, or on the debit note's reference where the import could not tell the invoice
    (an unknown suffix)."""
    from recovery.claims.detection import find_all
    from recovery.claims.kinds import KINDS
    from recovery.claims.reader import load_detection_input
    from recovery.frame_values import as_str
    from recovery.ledger import bucket_deductions

    with engine.connect() as conn:
        inp = load_detection_input(conn, 1)
    groups = bucket_deductions(inp, find_all(inp, settings), judged_families=KINDS)
    reference_of = dict(zip(inp.deductions["id"], inp.deductions["reference"], strict=True))
    actual: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(BUCKETS, 0))
    for group in groups:
        assert all(value >= 0 for value in group.buckets.values())
        assert group.total == group.gross
        kind, anchor = group.key.split(":", 1)
        if kind == "judged":
            anchor = str(reference_of[int(anchor)])
        for bucket, minor in group.buckets.items():
            actual[group.invoice_number or anchor][bucket] += minor
    invoice_of = {
        str(reference): as_str(number)
        for reference, number in zip(
            inp.deductions["reference"], inp.deductions["invoice_number"], strict=True
        )
    }
    return dict(actual), expected_buckets(answer_key, invoice_of)


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
        if deduction["truth"] in ("needs_evidence", "needs_look", "unexplained"):
            buckets["unexplained"] += amount - recoverable
    for anchor, buckets in out.items():
        buckets["valid"] = gross[anchor] - sum(buckets.values())
    return out


def cents(amount: str) -> int:
    return int(Decimal(amount) * 100)
