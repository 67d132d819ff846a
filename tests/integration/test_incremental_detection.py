"""A detect after new data judges only what changed, and ends exactly where a full run ends.

Each case imports a scenario in two days: the first day's data, a detect, the rest, a second
detect. The second detect must be a scoped run, and a full run right after it must find nothing
to change: the same claims, the same stored findings, the same summary.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session, col

from recovery.config import AccountSettings, Settings
from recovery.evidence.ingest import add_evidence
from recovery.models import (
    Claim,
    ClaimEvidence,
    ClaimLine,
    CoopBackupLine,
    Deduction,
    PurchaseOrder,
    PurchaseOrderItem,
    StoredFinding,
)
from recovery.reports.run_summary import AccountResult, run_detection
from recovery.sources.importing import import_files
from recovery.testing.scenario import generate_scenario

TODAY = date(2026, 11, 23)
NEXT_DAY = date(2026, 11, 24)

Split = Callable[[Path, Path], tuple[list[Path], list[Path]]]


def _csvs(scenario: Path) -> list[Path]:
    return sorted((scenario / "vendor-central").rglob("*.*")) + sorted(
        (scenario / "vendor").glob("*.*")
    )


def _by_name(late: tuple[str, ...]) -> Split:
    """Files whose names start with one of `late` arrive on the second day."""

    def split(scenario: Path, _work: Path) -> tuple[list[Path], list[Path]]:
        files = [*sorted((scenario / "spapi").glob("*.json")), *_csvs(scenario)]
        second = [f for f in files if f.name.startswith(late)]
        return [f for f in files if f not in second], second

    return split


def _a_week_later(scenario: Path, work: Path) -> tuple[list[Path], list[Path]]:
    """The first day is the same vendor's exports a week earlier: the second day's files
    update most rows (every date moves) and add the week's new ones."""
    earlier = work / "earlier"
    generate_scenario(earlier, seed=2, size="tiny", today=date(2026, 11, 16), xlsx=False)
    files = _by_name(())
    return files(earlier, work)[0], files(scenario, work)[0]


def _duplicate_coop_invoice_late(scenario: Path, work: Path) -> tuple[list[Path], list[Path]]:
    """The co-op invoice that bills a period again arrives after the first one was judged."""
    key = json.loads((scenario / "answer_key.json").read_text())
    [late] = [d["reference"] for d in key["deductions"] if d["case"] == "coop_duplicate_period"]
    first, second = _by_name(("coop-invoices", f"coop-backup-{late}"))(scenario, work)
    [listing] = [f for f in second if f.name == "coop-invoices.csv"]
    lines = listing.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    header = next(i for i, line in enumerate(lines) if line.startswith("Invoice"))
    for name, rows, target in (
        ("earlier.csv", [r for r in lines if not r.startswith(late)], first),
        ("late.csv", [*lines[: header + 1], *(r for r in lines if r.startswith(late))], second),
    ):
        (work / f"coop-invoices-{name}").write_text("".join(rows), encoding="utf-8")
        target.append(work / f"coop-invoices-{name}")
    second.remove(listing)
    return first, second


CASES: dict[str, tuple[Split, bool]] = {
    # name: (how the files split, whether evidence comes on the second day)
    "deductions-late": (_by_name(("remittance", "shortages", "price-details")), False),
    "shipments-and-evidence-late": (_by_name(("shipments",)), True),
    "receipts-late": (_by_name(("purchase-orders-status",)), False),
    "coop-costs-chargebacks-late": (
        _by_name(("coop", "costs", "chargebacks")),
        False,
    ),
    "exports-of-a-week-later": (_a_week_later, False),
    "duplicate-coop-invoice-late": (_duplicate_coop_invoice_late, False),
}


def _scenario(tmp_path: Path, settings: Settings, *, seed: int, xlsx: bool = False) -> Path:
    scenario = tmp_path / "scenario"
    generate_scenario(scenario, seed=seed, size="tiny", today=TODAY, xlsx=xlsx)
    meta = json.loads((scenario / "scenario.json").read_text())
    settings.accounts = [AccountSettings(vendor_code=meta["vendor_code"])]
    return scenario


def _detected_once(engine: Engine, settings: Settings, tmp_path: Path, *, seed: int) -> None:
    """A tiny scenario's exports (no evidence) imported and detected once."""
    scenario = _scenario(tmp_path, settings, seed=seed)
    import_files(engine, settings, _by_name(())(scenario, tmp_path)[0])
    run_detection(engine, settings, today=TODAY, draft=False)


def _summary(result: AccountResult) -> dict[str, Any]:
    return {
        "types": {name: vars(t) for name, t in result.types.items()},
        "buckets": result.buckets,
        "deducted": result.deducted,
        "short_paid": [vars(b) for b in result.short_paid],
        "deductions_by_kind": result.deductions_by_kind,
    }


def _claims(engine: Engine) -> list[tuple[Any, ...]]:
    with Session(engine) as session:
        rows = session.exec(
            select(
                Claim.finding_key,
                Claim.status,
                Claim.amount_minor,
                Claim.quantity,
                Claim.reason,
                Claim.deadline,
                Claim.band,
            ).order_by(Claim.finding_key)
        ).all()
    return [tuple(row) for row in rows]


def _stored(engine: Engine) -> dict[str, Any]:
    with Session(engine) as session:
        rows = session.exec(
            select(StoredFinding.finding_key, StoredFinding.finding, StoredFinding.detail)
        ).all()
    return {key: json.dumps([value, detail], sort_keys=True) for key, value, detail in rows}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_detect_after_new_data_ends_where_a_full_run_ends(
    engine: Engine, settings: Settings, tmp_path: Path, case: str
) -> None:
    split, evidence_late = CASES[case]
    scenario = _scenario(tmp_path, settings, seed=2, xlsx=True)
    work = tmp_path / "split"
    work.mkdir()
    first, second = split(scenario, work)
    assert first and second

    import_files(engine, settings, first)
    if not evidence_late:
        add_evidence(engine, settings, [scenario / "evidence"])
    run_detection(engine, settings, today=TODAY)

    import_files(engine, settings, second)
    if evidence_late:
        add_evidence(engine, settings, [scenario / "evidence"])
    [incremental] = run_detection(engine, settings, today=NEXT_DAY).accounts
    assert incremental.scope.startswith("changes only"), incremental.scope
    claims, stored = _claims(engine), _stored(engine)

    [full] = run_detection(engine, settings, today=NEXT_DAY, full=True).accounts
    assert full.scope.startswith("full run")
    assert (full.created, full.updated, full.retired) == (0, 0, 0)
    assert _claims(engine) == claims
    assert _stored(engine) == stored
    assert _summary(full) == _summary(incremental)


def test_nothing_changed_means_nothing_is_judged_again(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    scenario = _scenario(tmp_path, settings, seed=3)
    files = _by_name(())(scenario, tmp_path)[0]
    import_files(engine, settings, files)
    add_evidence(engine, settings, [scenario / "evidence"])
    [first] = run_detection(engine, settings, today=TODAY).accounts
    assert first.scope == "full run (first run)"
    [again] = run_detection(engine, settings, today=NEXT_DAY).accounts
    assert again.scope == "changes only: 0 POs, 0 invoices, 0 references"
    assert _summary(again)["buckets"] == _summary(first)["buckets"]
    # Importing the same files again changes nothing and queues nothing.
    import_files(engine, settings, files)
    [third] = run_detection(engine, settings, today=NEXT_DAY).accounts
    assert third.scope == again.scope


def test_claims_rewritten_from_the_last_runs_findings_are_written_whole(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    """Weeks later nothing new arrived, but deadlines moved: the claims are rewritten from the
    stored findings, which a run reads summarised and completes for those claims only."""
    scenario = _scenario(tmp_path, settings, seed=3)
    import_files(engine, settings, _by_name(())(scenario, tmp_path)[0])
    add_evidence(engine, settings, [scenario / "evidence"])
    run_detection(engine, settings, today=TODAY)
    later = date(2026, 12, 28)
    [incremental] = run_detection(engine, settings, today=later).accounts
    assert incremental.scope == "changes only: 0 POs, 0 invoices, 0 references"
    assert incremental.updated > 0
    claims, lines = _claims(engine), _claim_lines(engine)
    assert all(reason for *_, reason, _deadline, _band in claims)
    [full] = run_detection(engine, settings, today=later, full=True).accounts
    assert (full.created, full.updated, full.retired) == (0, 0, 0)
    assert (_claims(engine), _claim_lines(engine)) == (claims, lines)


def _claim_lines(engine: Engine) -> list[tuple[Any, ...]]:
    with Session(engine) as session:
        rows = session.exec(
            select(
                Claim.finding_key,
                ClaimLine.asin,
                ClaimLine.quantity,
                ClaimLine.amount_minor,
            )
            .join(ClaimLine, col(ClaimLine.claim_id) == col(Claim.id))
            .order_by(Claim.finding_key, ClaimLine.line_no)
        ).all()
        evidence = session.exec(
            select(Claim.finding_key, ClaimEvidence.document_id)
            .join(ClaimEvidence, col(ClaimEvidence.claim_id) == col(Claim.id))
            .order_by(Claim.finding_key, ClaimEvidence.document_id)
        ).all()
    return [tuple(row) for row in [*rows, *evidence]]


def test_other_rule_settings_mean_a_full_run(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    _detected_once(engine, settings, tmp_path, seed=3)
    settings.rules.bank_match_days += 1
    [changed] = run_detection(engine, settings, today=TODAY, draft=False).accounts
    assert changed.scope == "full run (the rules or their settings changed)"


def test_fewer_units_received_reach_the_coop_invoices_billing_them(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    _detected_once(engine, settings, tmp_path, seed=2)
    with Session(engine) as session:
        # A receipt line of a co-op invoice Amazon deducted, and the PO item it received.
        line = (
            session.exec(
                select(CoopBackupLine)
                .join(
                    Deduction, col(Deduction.reference) == col(CoopBackupLine.coop_invoice_number)
                )
                .where(col(CoopBackupLine.quantity) > 1, col(CoopBackupLine.po_number).is_not(None))
            )
            .scalars()
            .first()
        )
        assert line is not None
        coop_invoice = line.coop_invoice_number
        item = session.exec(
            select(PurchaseOrderItem)
            .join(PurchaseOrder)
            .where(PurchaseOrder.po_number == line.po_number, PurchaseOrderItem.asin == line.asin)
        ).scalar_one()
        item.received_eaches = 1
        session.add(item)
        session.commit()
    [incremental] = run_detection(engine, settings, today=TODAY, draft=False).accounts
    assert incremental.scope.startswith("changes only"), incremental.scope
    stored = _stored(engine)
    assert "more units than the PO received" in stored[f"coop:{coop_invoice}"]
    [full] = run_detection(engine, settings, today=TODAY, draft=False, full=True).accounts
    assert (full.created, full.updated, full.retired) == (0, 0, 0)
    assert _stored(engine) == stored


def test_many_changes_mean_a_full_run(
    engine: Engine, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from recovery.claims.incremental import plan as incremental

    scenario = _scenario(tmp_path, settings, seed=3)
    first, second = _by_name(("remittance",))(scenario, tmp_path)
    import_files(engine, settings, first)
    run_detection(engine, settings, today=TODAY, draft=False)
    import_files(engine, settings, second)
    monkeypatch.setattr(incremental, "MAX_SCOPED_KEYS", 3)
    [run] = run_detection(engine, settings, today=TODAY, draft=False).accounts
    assert run.scope.startswith("full run (") and run.scope.endswith(" changed keys)")
    # The queue was read whole, so nothing is left for the next run.
    [after] = run_detection(engine, settings, today=TODAY, draft=False).accounts
    assert after.scope == "changes only: 0 POs, 0 invoices, 0 references"
