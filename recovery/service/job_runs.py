"""The job_run table from the service's side: a run is recorded when it starts (so a crash
leaves a visible `running` row) and closed with its outcome, counts and error."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from recovery.models import JobRun
from recovery.store.db import session_scope

log = logging.getLogger("recovery.service")

RUNNING = "running"
SUCCEEDED = "succeeded"
FAILED = "failed"
INTERRUPTED = "interrupted"  # stopped by SIGTERM between units of work; picked up next run


class Interrupted(Exception):
    """Raised by a job that stopped early because the process is shutting down."""


@contextmanager
def recorded(
    engine: Engine, job: str, account_id: int | None, clock: Callable[[], datetime]
) -> Iterator[dict[str, Any]]:
    """Record one run; the body fills the yielded dict with its counts."""
    with session_scope(engine) as session:
        run = JobRun(job=job, account_id=account_id, started_at=clock())
        session.add(run)
        session.flush()
        run_id = run.id
    counts: dict[str, Any] = {}
    log.info("job started", extra={"job": job, "account_id": account_id, "run_id": run_id})
    try:
        yield counts
    except Interrupted:
        _finish(engine, clock, run_id, INTERRUPTED, counts, "stopped by shutdown")
        log.warning("job interrupted", extra={"job": job, "run_id": run_id, "counts": counts})
        raise
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}".splitlines()[0][:2000]
        _finish(engine, clock, run_id, FAILED, counts, error)
        log.exception("job failed", extra={"job": job, "run_id": run_id, "error": error})
        raise
    _finish(engine, clock, run_id, SUCCEEDED, counts, None)
    log.info("job succeeded", extra={"job": job, "run_id": run_id, "counts": counts})


def _finish(
    engine: Engine,
    clock: Callable[[], datetime],
    run_id: int | None,
    status: str,
    counts: dict[str, Any],
    error: str | None,
) -> None:
    with session_scope(engine) as session:
        run = session.get(JobRun, run_id)
        assert run is not None
        run.status = status
        run.finished_at = clock()
        run.detail = counts
        run.error = error
        session.add(run)


def last_successes(session: Session) -> dict[str, datetime]:
    """Per job name, when its latest successful run finished."""
    rows = session.exec(
        select(JobRun.job, func.max(JobRun.finished_at))
        .where(JobRun.status == SUCCEEDED)
        .group_by(col(JobRun.job))
    ).all()
    return {job: finished for job, finished in rows if finished is not None}


def first_run(session: Session) -> datetime | None:
    """When the service first recorded anything: before a job's first success, its
    overdue-ness counts from here."""
    return session.exec(select(func.min(JobRun.started_at))).one()


def runs_of(session: Session, job: str) -> list[JobRun]:
    return list(
        session.exec(select(JobRun).where(JobRun.job == job).order_by(col(JobRun.id))).all()
    )
