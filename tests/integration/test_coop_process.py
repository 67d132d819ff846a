"""A full run that judges co-op invoices in a second process finds exactly what one process
finds; a co-op process that fails stops the run with its traceback."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pytest
from pipeline import TODAY, run_pipeline
from sqlalchemy import Engine

from recovery.claims.fast_run import CoopProcess
from recovery.claims.findings import Finding
from recovery.config import DetectSettings, Settings
from recovery.reports.run_summary import run_detection
from recovery.store.db import make_engine


def test_coop_judged_in_a_second_process_gives_the_same_claims_and_summary(
    engine: Engine, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_pipeline(engine, settings, tmp_path, seed=6, size="tiny")
    alone = run_detection(engine, settings, today=TODAY, full=True).accounts
    judged: list[Finding] = []
    judge = CoopProcess.judge

    def spy(self: CoopProcess, inp: object) -> list[Finding]:
        findings = judge(self, inp)  # type: ignore[arg-type]
        judged.extend(findings)
        return findings

    monkeypatch.setattr(CoopProcess, "judge", spy)
    settings.detect = DetectSettings(coop_process_min_lines=0)

    beside = run_detection(engine, settings, today=TODAY, full=True).accounts

    assert any(f.type == "coop" and f.is_claim for f in judged)
    [first], [second] = alone, beside
    # Same findings: every claim of the first run is left as it is.
    assert (second.created, second.updated, second.retired) == (0, 0, 0)
    assert second.unchanged == first.unchanged + first.created + first.updated > 0
    assert asdict(second) == asdict(first)


def test_a_coop_process_that_fails_stops_the_run_with_its_traceback(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'never-set-up.db'}")
    process = CoopProcess(engine, account_id=1)
    try:
        with pytest.raises(RuntimeError, match="the co-op process failed") as caught:
            process.wait_until_reading()
        assert "no such table" in str(caught.value)
    finally:
        process.close()
