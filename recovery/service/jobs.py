"""The service's jobs. Each takes ids only (a job id, a vendor code), finds settings, database
and clock in the process's runtime, records its run, and is idempotent: running it twice, or
again after a crash, does no harm (imports are keyed by content, filing is exactly once,
detection keeps claims in step)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from sqlmodel import Session, col, select

from recovery.claims import workflow
from recovery.claims.filing import approved_claims, file_claims, group_disputes
from recovery.claims.outcomes import follow_outcomes
from recovery.errors import RecoveryError
from recovery.evidence.ingest import add_evidence
from recovery.models import JobRun, VendorAccount
from recovery.reports.mail import send_weekly
from recovery.reports.run_summary import run_detection
from recovery.reports.weekly import ReportFormat, render, weekly_report
from recovery.service.job_runs import SUCCEEDED, Interrupted, recorded
from recovery.service.runtime import Runtime, current
from recovery.service.schedule import JobId
from recovery.sources.spapi import sync_spapi
from recovery.sources.vendor_central import sync_vendor_central
from recovery.store.db import session_scope

log = logging.getLogger("recovery.service")

# Disputes filed per portal session before the job looks whether it should stop: a shutdown
# waits for at most this many, and the rest are filed by the next run.
FILING_CHUNK = 10


def run_job(job: str, vendor_code: str | None = None) -> None:
    """Run one job (for one account) in this process: the target of the in-process dispatcher
    and of the queue's tasks."""
    runtime = current()
    JOBS[JobId(job)](runtime, vendor_code)


# ---------------------------------------------------------------- per account


def spapi_sync(runtime: Runtime, vendor_code: str | None) -> None:
    """Pull the account's SP-API feeds up to now, then detect what changed."""
    settings, engine = runtime.settings, runtime.engine
    try:
        report = sync_spapi(settings, engine, account=vendor_code, until=runtime.now())
    except RecoveryError:
        # Refused before any feed was pulled (no credentials, unknown account): the source
        # recorded nothing, so this run is recorded here, as failed.
        with recorded(engine, JobId.spapi_sync, None, runtime.clock):
            raise
    # What was stored is judged now, even when some windows failed: those keep their
    # cursors and are pulled again on the next run.
    detect(runtime, vendor_code)
    if not report.ok:
        raise RecoveryError("; ".join(report.failures))


def detect(runtime: Runtime, vendor_code: str | None) -> None:
    """Reconcile and detect (incremental); drafting applies the auto-approval policy."""
    engine = runtime.engine
    with recorded(engine, JobId.detect, _account_id(runtime, vendor_code), runtime.clock) as counts:
        if vendor_code is not None and _account_id(runtime, vendor_code) is None:
            counts["skipped"] = "no data for this account yet"
            return
        result = run_detection(
            engine, runtime.settings, account=vendor_code, today=runtime.business_today()
        )
        for account in result.accounts:
            counts[account.vendor_code] = {
                "created": account.created,
                "updated": account.updated,
                "retired": account.retired,
            }


def filing(runtime: Runtime, vendor_code: str | None) -> None:
    """File the account's approved claims, the nearest file_by first, a few disputes per
    portal session so a shutdown never waits long; then expire what is past its deadline."""
    engine, settings = runtime.engine, runtime.settings
    account_id = _account_id(runtime, vendor_code)
    with recorded(engine, JobId.filing, account_id, runtime.clock) as counts:
        totals = {"filed": 0, "found_after_crash": 0, "refused": 0, "unknown": 0, "busy": 0}
        counts.update(totals)
        for chunk in _filing_chunks(runtime, account_id):
            if runtime.stopping.is_set():
                raise Interrupted
            report = file_claims(engine, settings, claim_ids=chunk, browser=runtime.browser)
            counts["filed"] += len(report.filed)
            counts["found_after_crash"] += len(report.found_after_crash)
            counts["refused"] += len(report.refused)
            counts["unknown"] += len(report.unknown)
            counts["busy"] += len(report.busy)
        with session_scope(engine) as session:
            expired = workflow.expire_overdue(session, runtime.business_today(), now=runtime.now())
        counts["expired"] = len(expired)


def _filing_chunks(runtime: Runtime, account_id: int | None) -> list[list[int]]:
    """Claim ids in disputes' order (nearest plan first), cut between disputes."""
    with Session(runtime.engine) as session:
        claims = [
            c
            for c in approved_claims(session, None)
            if account_id is None or c.account_id == account_id
        ]
        chunks: list[list[int]] = []
        disputes = 0
        for group in group_disputes(claims):
            if not chunks or disputes == FILING_CHUNK:
                chunks.append([])
                disputes = 0
            chunks[-1].extend(c.id for c in group if c.id is not None)
            disputes += 1
    return chunks


# ---------------------------------------------------------------- whole installation


def vendor_central(runtime: Runtime, _vendor_code: str | None = None) -> None:
    """Download the portal's exports, import them, then detect what changed."""
    engine = runtime.engine
    with recorded(engine, JobId.vendor_central, None, runtime.clock) as counts:
        report = sync_vendor_central(engine, runtime.settings, browser=runtime.browser)
        counts["files"] = len(report.results)
        counts["rows_inserted"] = sum(r.inserted for r in report.results)
        counts["pages_loaded"] = report.pages_loaded
    detect(runtime, None)


def evidence_watch(runtime: Runtime, _vendor_code: str | None = None) -> None:
    """Take in the PDFs dropped into the inbox (each stored once, by content)."""
    inbox = runtime.settings.service.evidence_inbox
    engine = runtime.engine
    with recorded(engine, JobId.evidence_watch, None, runtime.clock) as counts:
        if inbox is None or not Path(inbox).is_dir():
            counts["skipped"] = "no evidence inbox" if inbox is None else f"{inbox} not found"
            return
        result = add_evidence(engine, runtime.settings, [Path(inbox)], None)
        counts["added"] = len(result.added)
        counts["duplicates"] = len(result.duplicates)
        counts["skipped"] = len(result.skipped)
    if counts["added"]:
        detect(runtime, None)


def outcomes(runtime: Runtime, _vendor_code: str | None = None) -> None:
    """Amazon's decisions on filed disputes and the credits paid for them."""
    engine = runtime.engine
    with recorded(engine, JobId.outcomes, None, runtime.clock) as counts:
        report = follow_outcomes(engine, runtime.settings, browser=runtime.browser)
        counts["decided"] = dict(report.decided)
        counts["pending"] = report.pending
        counts["recovered_minor"] = dict(report.recovered_minor)


def weekly_report_job(runtime: Runtime, _vendor_code: str | None = None) -> None:
    """Write last week's summary under data_dir/reports and mail it once to the recipients."""
    engine, settings = runtime.engine, runtime.settings
    with recorded(engine, JobId.weekly_report, None, runtime.clock) as counts:
        report = weekly_report(engine, settings, today=runtime.business_today())
        label = report.calendar.week.label.removeprefix("Week ")
        folder = settings.data_dir / "reports"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"recovery-weekly-{label}.html"
        path.write_bytes(render(report, ReportFormat.html))
        counts["week"] = label
        counts["path"] = str(path)
        recipients = settings.reports.recipients
        counts["mailed"] = False
        if recipients and settings.smtp.host and not _already_mailed(runtime, label):
            send_weekly(report, settings.smtp, recipients)
            counts["mailed"] = True


def _already_mailed(runtime: Runtime, label: str) -> bool:
    """A run repeated after a crash or a restart must not mail the same week twice."""
    with Session(runtime.engine) as session:
        runs = session.exec(
            select(JobRun).where(
                JobRun.job == JobId.weekly_report.value, JobRun.status == SUCCEEDED
            )
        ).all()
    return any(r.detail.get("week") == label and r.detail.get("mailed") for r in runs)


JOBS: dict[JobId, Callable[[Runtime, str | None], None]] = {
    JobId.spapi_sync: spapi_sync,
    JobId.detect: detect,
    JobId.filing: filing,
    JobId.vendor_central: vendor_central,
    JobId.evidence_watch: evidence_watch,
    JobId.outcomes: outcomes,
    JobId.weekly_report: weekly_report_job,
}


# ---------------------------------------------------------------- accounts


def accounts_for(runtime: Runtime, job: JobId) -> list[str]:
    """The vendor codes a per-account job runs for: the SP-API pulls configured accounts;
    filing serves every account with data."""
    configured = [a.vendor_code.upper() for a in runtime.settings.accounts]
    if job == JobId.spapi_sync:
        return configured
    with Session(runtime.engine) as session:
        stored = session.exec(select(VendorAccount.vendor_code)).all()
    return sorted(set(configured) | {code.upper() for code in stored})


def _account_id(runtime: Runtime, vendor_code: str | None) -> int | None:
    if vendor_code is None:
        return None
    with Session(runtime.engine) as session:
        return session.exec(
            select(VendorAccount.id).where(col(VendorAccount.vendor_code) == vendor_code.upper())
        ).first()
