"""The scheduler of `recovery run`: APScheduler 3 with its jobs stored in our database, so
their next run times survive a restart and missed runs are caught up once."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from recovery.service.dispatch import InProcess
from recovery.service.jobs import accounts_for, run_job
from recovery.service.runtime import current
from recovery.service.schedule import JobId, JobSpec, job_specs, next_weekly_run

log = logging.getLogger("recovery.service")

JOB_TABLE = "apscheduler_jobs"


def fire(job: str) -> None:
    """What the job store calls (by reference, so it survives pickling): a per-account job goes
    to the dispatcher, the others run here."""
    runtime = current()
    job_id = JobId(job)
    spec = next(s for s in job_specs(runtime.settings) if s.id == job_id)
    if spec.per_account:
        dispatcher = runtime.dispatcher or InProcess(runtime.stopping)
        dispatcher.dispatch(job_id, accounts_for(runtime, job_id))
    else:
        run_job(job_id.value)


def trigger_for(spec: JobSpec) -> BaseTrigger:
    if spec.every is not None:
        return IntervalTrigger(seconds=int(spec.every.total_seconds()), timezone=UTC)
    assert spec.weekly is not None
    return CronTrigger(
        day_of_week=spec.weekly.day,
        hour=spec.weekly.hour,
        minute=0,
        timezone=spec.weekly.timezone,
    )


def start_scheduler(now: datetime | None = None) -> BackgroundScheduler:
    """Start the scheduler on the runtime's database with the jobs the settings ask for."""
    runtime = current()
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=runtime.engine, tablename=JOB_TABLE)},
        # One job at a time: SQLite has one writer, and the portal one signed-in session.
        executors={"default": ThreadPoolExecutor(max_workers=1)},
        timezone=UTC,
    )
    # Paused: the stored jobs are brought in line with the settings before anything runs.
    scheduler.start(paused=True)
    install_jobs(scheduler, job_specs(runtime.settings), now or runtime.now())
    scheduler.resume()
    return scheduler


def install_jobs(scheduler: BackgroundScheduler, specs: list[JobSpec], now: datetime) -> None:
    """Add every enabled job (`replace_existing`), keeping the stored next run time when the
    trigger is unchanged, so a restart neither skips nor repeats a run; a job new to the store
    runs at once (interval jobs) to catch up. Jobs no longer wanted are removed."""
    wanted = {spec.id.value for spec in specs if spec.enabled}
    for job in scheduler.get_jobs():
        if job.id not in wanted:
            scheduler.remove_job(job.id)
    for spec in specs:
        if not spec.enabled:
            continue
        trigger = trigger_for(spec)
        stored = scheduler.get_job(spec.id.value)
        if stored is not None and str(stored.trigger) == str(trigger):
            next_run = stored.next_run_time
        elif spec.weekly is not None:
            next_run = next_weekly_run(spec.weekly, now)
        else:
            next_run = now
        scheduler.add_job(
            fire,
            trigger=trigger,
            args=[spec.id.value],
            id=spec.id.value,
            name=spec.id.value,
            replace_existing=True,
            misfire_grace_time=int(spec.misfire_grace.total_seconds()),
            coalesce=spec.coalesce,
            max_instances=1,
            next_run_time=next_run,
        )
        log.info("job scheduled", extra={"job": spec.id.value, "next_run": str(next_run)})
