"""What the background service runs and when: one definition per job, read from the settings.

Pure: no scheduler, no database. `recovery.service.scheduler` turns these into APScheduler jobs
and `recovery.service.health` judges from them whether a job is overdue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from recovery.config import Settings

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class JobId(StrEnum):
    """Stable ids: the job store and the job_run table key on them."""

    spapi_sync = "spapi_sync"  # the same name `recovery.sources.spapi` records its runs under
    vendor_central = "vendor_central"
    evidence_watch = "evidence_watch"
    detect = "detect"
    filing = "filing"
    outcomes = "outcomes"
    weekly_report = "weekly_report"


@dataclass(frozen=True)
class Weekly:
    """Once a week at `hour`:00 in `timezone`."""

    day: str  # mon..sun
    hour: int
    timezone: str


@dataclass(frozen=True)
class JobSpec:
    id: JobId
    # Exactly one of the two: a fixed interval, or a weekly wall-clock time.
    every: timedelta | None
    weekly: Weekly | None
    # A run missed by at most this much (the process was down, or busy) still runs on restart.
    misfire_grace: timedelta
    # Several missed runs become one: syncing twice in a row for the same gap helps no one.
    coalesce: bool
    # Run once per vendor account (deferred to workers when PostgreSQL is configured).
    per_account: bool
    # Off when the settings leave the job nothing to do (no accounts, no portal login, no
    # inbox): it is then neither scheduled nor watched by `/healthz`.
    enabled: bool = True

    @property
    def period(self) -> timedelta:
        """How often the job comes round, for `/healthz`'s judgement."""
        return self.every if self.every is not None else timedelta(days=7)


def job_specs(settings: Settings) -> list[JobSpec]:
    """Every job of the service. Detection has no schedule of its own: it runs after each sync
    (its drafting applies the auto-approval policy of `[claims.auto_approve]`)."""
    service = settings.service

    def interval(
        job: JobId, every: timedelta, *, per_account: bool, enabled: bool = True
    ) -> JobSpec:
        # A grace of one whole interval: after any outage the latest missed run is less than
        # one interval old, so exactly one catch-up run happens at restart (coalesced).
        return JobSpec(
            job,
            every=every,
            weekly=None,
            misfire_grace=every,
            coalesce=True,
            per_account=per_account,
            enabled=enabled,
        )

    vendor_central_set_up = bool(settings.vendor_central.username)
    return [
        interval(
            JobId.spapi_sync,
            timedelta(minutes=service.spapi_sync_minutes),
            per_account=True,
            # The app id is not a secret; without it no account can be pulled.
            enabled=bool(settings.accounts) and settings.spapi.lwa_app_id is not None,
        ),
        interval(
            JobId.vendor_central,
            timedelta(hours=service.vendor_central_hours),
            per_account=False,
            enabled=vendor_central_set_up,
        ),
        interval(
            JobId.evidence_watch,
            timedelta(minutes=service.evidence_watch_minutes),
            per_account=False,
            enabled=service.evidence_inbox is not None,
        ),
        interval(
            JobId.filing,
            timedelta(hours=service.filing_hours),
            per_account=True,
            enabled=vendor_central_set_up,
        ),
        interval(
            JobId.outcomes,
            timedelta(hours=service.outcomes_hours),
            per_account=False,
            enabled=vendor_central_set_up,
        ),
        JobSpec(
            JobId.weekly_report,
            every=None,
            weekly=Weekly(
                service.weekly_report_day, service.weekly_report_hour, settings.calendar.timezone
            ),
            # Monday's summary is still worth sending on Tuesday, not the week after.
            misfire_grace=timedelta(days=2),
            coalesce=True,
            per_account=False,
        ),
    ]


def spec_for(settings: Settings, job: JobId) -> JobSpec:
    return next(s for s in job_specs(settings) if s.id == job)


def next_weekly_run(weekly: Weekly, after: datetime) -> datetime:
    """The first `weekly` wall-clock time at or after `after` (aware), in its timezone, as
    APScheduler's cron trigger counts: Monday 07:00 in Los Angeles stays 07:00 across
    daylight-saving changes."""
    zone = ZoneInfo(weekly.timezone)
    local = after.astimezone(zone)
    days_ahead = (WEEKDAYS.index(weekly.day) - local.weekday()) % 7
    candidate = datetime.combine(
        local.date() + timedelta(days=days_ahead), datetime.min.time().replace(hour=weekly.hour)
    ).replace(tzinfo=zone)
    if candidate < local:
        candidate = datetime.combine(
            candidate.date() + timedelta(days=7), candidate.timetz()
        ).replace(tzinfo=zone)
    return candidate


def overdue(
    spec: JobSpec, last_success: datetime | None, since: datetime, now: datetime, intervals: float
) -> bool:
    """An enabled job is overdue when it has not succeeded for `intervals` periods plus its
    grace, counted from its last success or, before its first one, from `since` (when the
    service started recording)."""
    if not spec.enabled:
        return False
    reference = last_success or since
    return now - reference > spec.period * intervals + spec.misfire_grace
