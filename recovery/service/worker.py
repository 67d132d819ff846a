"""The PostgreSQL task queue (procrastinate) that carries per-account jobs from the scheduler
to `recovery worker` processes on any machine."""

from __future__ import annotations

import asyncio
import logging

import procrastinate
import psycopg
from procrastinate.schema import SchemaManager
from sqlalchemy.engine import make_url

from recovery.service.jobs import run_job

log = logging.getLogger("recovery.service")

QUEUE = "recovery"
TASK = "recovery.account_job"
# Any fixed number: the schema is applied by one process at a time.
SCHEMA_LOCK_KEY = 0x7265636F  # "reco"


def libpq_url(database_url: str) -> str:
    """procrastinate speaks to psycopg directly: the URL without SQLAlchemy's driver name."""
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def account_job(job: str, vendor_code: str) -> None:
    run_job(job, vendor_code)


def queue_app(database_url: str) -> procrastinate.App:
    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=libpq_url(database_url))
    )
    # No retry: the scheduler queues the job again at its next run, and a retry loop would
    # hammer Amazon while it is down.
    app.task(name=TASK, queue=QUEUE, retry=False)(account_job)
    return app


def ensure_queue_schema(database_url: str) -> None:
    """Create procrastinate's tables once; scheduler and workers may start at the same time."""
    with psycopg.connect(libpq_url(database_url), autocommit=True) as connection:
        connection.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK_KEY,))
        try:
            present = connection.execute(
                "SELECT to_regclass('procrastinate_jobs') IS NOT NULL"
            ).fetchone()
            if present is None or not present[0]:
                connection.execute(SchemaManager.get_schema())
        finally:
            connection.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK_KEY,))


def run_worker(database_url: str, *, concurrency: int, stalled_seconds: float) -> None:
    """Run jobs until SIGTERM/SIGINT; running jobs finish first. Jobs of workers that stopped
    sending heartbeats (killed) are queued again, so nothing is lost."""
    ensure_queue_schema(database_url)
    app = queue_app(database_url)
    asyncio.run(_serve(app, concurrency=concurrency, stalled_seconds=stalled_seconds))


async def _serve(app: procrastinate.App, *, concurrency: int, stalled_seconds: float) -> None:
    async with app.open_async():
        requeue = asyncio.create_task(_requeue_stalled(app, stalled_seconds))
        try:
            await app.run_worker_async(
                queues=[QUEUE],
                concurrency=concurrency,
                wait=True,
                install_signal_handlers=True,
                update_heartbeat_interval=stalled_seconds / 3,
                stalled_worker_timeout=stalled_seconds,
            )
        finally:
            requeue.cancel()


async def _requeue_stalled(app: procrastinate.App, stalled_seconds: float) -> None:
    while True:
        await asyncio.sleep(stalled_seconds / 3)
        try:
            stalled = await app.job_manager.get_stalled_jobs(
                queue=QUEUE, seconds_since_heartbeat=stalled_seconds
            )
            for job in stalled:
                log.warning(
                    "requeued the job of a silent worker",
                    extra={"queue_job": job.id, "task_args": job.task_kwargs},
                )
                await app.job_manager.retry_job(job)
        except Exception:  # a database blip must not stop the worker; next round tries again
            log.exception("could not requeue stalled jobs")
