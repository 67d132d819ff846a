"""Is the service keeping up? Per job: its last success, and whether that is too long ago."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from recovery.config import Settings
from recovery.service.job_runs import first_run, last_successes
from recovery.service.schedule import job_specs, overdue


@dataclass(frozen=True)
class JobHealth:
    job: str
    last_success: datetime | None
    overdue: bool

    def as_json(self) -> dict[str, object]:
        return {
            "last_success": self.last_success.isoformat() if self.last_success else None,
            "overdue": self.overdue,
        }


@dataclass(frozen=True)
class Health:
    jobs: list[JobHealth]
    # False until the service has recorded a run: a bare `recovery serve` is not unhealthy.
    service_seen: bool

    @property
    def ok(self) -> bool:
        return not any(j.overdue for j in self.jobs)


def service_health(session: Session, settings: Settings, now: datetime) -> Health:
    since = first_run(session)
    successes = last_successes(session)
    jobs = []
    for spec in job_specs(settings):
        if not spec.enabled:
            continue
        last = successes.get(spec.id.value)
        late = since is not None and overdue(
            spec, last, since, now, settings.service.overdue_intervals
        )
        jobs.append(JobHealth(spec.id.value, last, late))
    return Health(jobs, since is not None)
