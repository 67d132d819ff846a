"""A workspace ready for filing against the fake Vendor Central: the demo's pipeline (the tiny
scenario synced, imported, detected) and every ready claim approved. Tests and
`bench/bench_filing_crashes.py` copy it for each trial. It runs the product, so it lives beside
the demo, not among the fakes of `recovery.testing`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlmodel import Session, select

from recovery import demo
from recovery.claims import workflow
from recovery.models.claims import Claim, ClaimStatus
from recovery.reports.run_summary import run_detection

# Our deadlines are a plan and the fake judges windows itself: keep every claim fileable.
FILEABLE_RULES = {
    "shortage_deadline_days": 700,
    "price_deadline_days": 700,
    "coop_deadline_days": 700,
    "chargeback_deadline_days": 700,
}


def prepare_filing_workspace(root: Path, today: date, size: str = "tiny") -> Path:
    """`root/scenario` (the fake's data), `root/recovery.db` and `root/data` (evidence)."""
    workspace = demo.Workspace(demo.DemoOptions(directory=root, size=size, today=today), today)
    workspace.prepare()
    demo.generate(workspace)
    settings, engine = demo.open_database(workspace)
    settings = settings.model_copy(
        update={"rules": settings.rules.model_copy(update=FILEABLE_RULES)}
    )
    if not demo.sync_from_fake(workspace, settings, engine, None).ok:
        raise RuntimeError("the fake SP-API sync failed")
    demo.import_exports(workspace, settings, engine)
    demo.add_documents(workspace, settings, engine, None)
    run_detection(engine, settings, today=today)
    with Session(engine) as session:
        ready = session.exec(select(Claim).where(Claim.status == ClaimStatus.ready)).all()
        for claim in ready:
            workflow.approve(session, claim.id or 0, actor="specialist")
        session.commit()
    engine.dispose()
    return root
