"""Where per-account jobs run: here, one after another (SQLite: one process holds the
database), or on `recovery worker` processes through the PostgreSQL queue."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

import procrastinate
from procrastinate.exceptions import AlreadyEnqueued

from recovery.service.jobs import run_job
from recovery.service.schedule import JobId
from recovery.service.worker import TASK

log = logging.getLogger("recovery.service")


class InProcess:
    def __init__(self, stopping: threading.Event) -> None:
        self.stopping = stopping

    def dispatch(self, job: JobId, vendor_codes: Sequence[str]) -> None:
        for code in vendor_codes:
            if self.stopping.is_set():
                return
            try:
                run_job(job.value, code)
            except Exception:  # recorded and logged by the job; the next account still runs
                continue


class Queued:
    """Each (job, account) is queued at most once and run by one worker at a time: the lock
    keeps two workers from filing the same account at once, the queueing lock keeps a backlog
    from piling up while no worker runs."""

    def __init__(self, app: procrastinate.App) -> None:
        self.app = app

    def dispatch(self, job: JobId, vendor_codes: Sequence[str]) -> None:
        task = self.app.tasks[TASK]
        for code in vendor_codes:
            key = f"{job.value}:{code}"
            try:
                task.configure(lock=key, queueing_lock=key).defer(job=job.value, vendor_code=code)
            except AlreadyEnqueued:
                log.info("already queued", extra={"job": job.value, "account": code})
