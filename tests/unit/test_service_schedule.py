"""The service's scheduling rules: which jobs run, how often, the weekly report's wall-clock
time across daylight saving, and when a job counts as overdue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import SecretStr

from recovery.config import AccountSettings, Settings
from recovery.service.lock import Holder
from recovery.service.schedule import JobId, Weekly, job_specs, next_weekly_run, overdue, spec_for
from recovery.service.scheduler import trigger_for

LA = ZoneInfo("America/Los_Angeles")


def test_intervals_come_from_the_settings_and_grace_is_one_interval() -> None:
    settings = Settings(
        service={"spapi_sync_minutes": 30, "filing_hours": 4, "outcomes_hours": 12},
        accounts=[AccountSettings(vendor_code="ABCDE")],
        spapi={"lwa_app_id": "app"},
        vendor_central={"username": "me@example.com", "password": SecretStr("x")},
    )
    by_id = {spec.id: spec for spec in job_specs(settings)}
    assert by_id[JobId.spapi_sync].every == timedelta(minutes=30)
    assert by_id[JobId.filing].every == timedelta(hours=4)
    assert by_id[JobId.outcomes].every == timedelta(hours=12)
    for spec in by_id.values():
        assert spec.coalesce
        if spec.every is not None:
            # After any outage the latest missed run is less than one interval old: it runs.
            assert spec.misfire_grace == spec.every
    assert by_id[JobId.spapi_sync].per_account and by_id[JobId.filing].per_account
    assert not by_id[JobId.outcomes].per_account


@pytest.mark.parametrize(
    ("update", "enabled"),
    [
        ({}, {JobId.weekly_report}),
        (
            {"accounts": [AccountSettings(vendor_code="ABCDE")]},
            {JobId.weekly_report},  # no SP-API app id: nothing can be pulled
        ),
        (
            {"accounts": [AccountSettings(vendor_code="ABCDE")], "spapi": {"lwa_app_id": "a"}},
            {JobId.weekly_report, JobId.spapi_sync},
        ),
        (
            {"vendor_central": {"username": "me@example.com"}},
            {JobId.weekly_report, JobId.vendor_central, JobId.filing, JobId.outcomes},
        ),
        (
            {"service": {"evidence_inbox": "/srv/inbox"}},
            {JobId.weekly_report, JobId.evidence_watch},
        ),
    ],
)
def test_only_jobs_with_something_to_do_are_enabled(
    update: dict[str, object], enabled: set[JobId]
) -> None:
    specs = job_specs(Settings(**update))  # type: ignore[arg-type]
    assert {s.id for s in specs if s.enabled} == enabled


MONDAY_7 = Weekly("mon", 7, "America/Los_Angeles")


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        # A Saturday: the coming Monday, 07:00 Pacific (PST, UTC-8).
        (datetime(2026, 12, 5, 12, tzinfo=UTC), datetime(2026, 12, 7, 7, tzinfo=LA)),
        # Monday 06:59 local: the same morning.
        (datetime(2026, 12, 7, 6, 59, tzinfo=LA), datetime(2026, 12, 7, 7, tzinfo=LA)),
        # Monday 07:00 exactly: now; a second later: the next week.
        (datetime(2026, 12, 7, 7, 0, tzinfo=LA), datetime(2026, 12, 7, 7, tzinfo=LA)),
        (datetime(2026, 12, 7, 7, 0, 1, tzinfo=LA), datetime(2026, 12, 14, 7, tzinfo=LA)),
        # Monday 15:30 UTC is 07:30 PST: next week.
        (datetime(2026, 12, 7, 15, 30, tzinfo=UTC), datetime(2026, 12, 14, 7, tzinfo=LA)),
        # Across the spring change (8 March 2026): still 07:00 local, now UTC-7.
        (datetime(2026, 3, 3, tzinfo=UTC), datetime(2026, 3, 9, 7, tzinfo=LA)),
        # Across the autumn change (1 November 2026).
        (datetime(2026, 10, 27, tzinfo=UTC), datetime(2026, 11, 2, 7, tzinfo=LA)),
    ],
)
def test_weekly_report_is_monday_seven_in_the_business_timezone(
    after: datetime, expected: datetime
) -> None:
    got = next_weekly_run(MONDAY_7, after)
    assert got == expected
    assert got.astimezone(LA).hour == 7 and got.astimezone(LA).weekday() == 0
    # The scheduler's own trigger for the job agrees, so later weeks follow the same rule.
    spec = spec_for(Settings(), JobId.weekly_report)
    assert trigger_for(spec).get_next_fire_time(None, after) == expected


def test_weekly_report_follows_the_configured_timezone() -> None:
    settings = Settings(
        calendar={"timezone": "Europe/Berlin"}, service={"weekly_report_day": "tue"}
    )
    weekly = spec_for(settings, JobId.weekly_report).weekly
    assert weekly == Weekly("tue", 7, "Europe/Berlin")
    got = next_weekly_run(weekly, datetime(2026, 12, 7, tzinfo=UTC))
    assert got.astimezone(UTC) == datetime(2026, 12, 8, 6, tzinfo=UTC)  # 07:00 CET


NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)
SYNC = spec_for(
    Settings(accounts=[AccountSettings(vendor_code="X")], spapi={"lwa_app_id": "a"}),  # type: ignore[arg-type]
    JobId.spapi_sync,
)


@pytest.mark.parametrize(
    ("last_success", "since", "late"),
    [
        (NOW - timedelta(minutes=50), NOW - timedelta(days=9), False),
        # Hourly, two intervals allowed plus one of grace: late after three hours.
        (NOW - timedelta(hours=2, minutes=59), NOW - timedelta(days=9), False),
        (NOW - timedelta(hours=3, minutes=1), NOW - timedelta(days=9), True),
        # Never succeeded: counted from when the service began recording.
        (None, NOW - timedelta(hours=1), False),
        (None, NOW - timedelta(hours=4), True),
    ],
)
def test_a_job_is_overdue_after_its_allowance(
    last_success: datetime | None, since: datetime, late: bool
) -> None:
    assert overdue(SYNC, last_success, since, NOW, intervals=2.0) is late


def test_a_disabled_job_is_never_overdue() -> None:
    spec = spec_for(Settings(), JobId.spapi_sync)
    assert not spec.enabled
    assert not overdue(spec, None, NOW - timedelta(days=30), NOW, intervals=2.0)


@pytest.mark.parametrize(
    "host", ["vm", "a-very-long-host-name.eu-west-1.compute.internal.example.com"]
)
def test_the_lock_holder_survives_postgres_application_name(host: str) -> None:
    holder = Holder(host, 41234, datetime(2026, 12, 5, 6, 50, 10, tzinfo=UTC))
    name = holder.application_name()
    assert len(name.encode()) <= 63
    back = Holder.from_application_name(name)
    assert back is not None
    assert (back.pid, back.since) == (41234, holder.since)
    assert host.startswith(back.host)
