"""Filing through several browser contexts side by side (`vendor_central.filing_contexts`).

Playwright's sync API belongs to the thread that started it, so each context is a thread with
its own Playwright, Chromium and `PortalSession`. The first signs in, resumes the attempts a
crashed run left and plans the disputes; only then do the others start, loading the browser
state it saved (one sign-in, not N). All of them take disputes from one queue; each dispute is
still taken atomically in the database (`Filer.file_new`), so no two contexts file the same
one. Fresh threads also keep Playwright clear of an asyncio loop the caller may have running.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Sequence
from dataclasses import fields

from sqlalchemy import Engine

from recovery.claims.filing import Filer, FilingReport
from recovery.config import Settings
from recovery.models.claims import Claim
from recovery.portal.session import PortalSession


def merge_reports(reports: Sequence[FilingReport]) -> FilingReport:
    merged = FilingReport()
    for report in reports:
        for item in fields(FilingReport):
            mine = getattr(merged, item.name)
            if isinstance(mine, list):
                mine.extend(getattr(report, item.name))
        merged.pages_loaded += report.pages_loaded
    return merged


def file_in_contexts(
    engine: Engine,
    settings: Settings,
    *,
    limit: int | None = None,
    claim_ids: Sequence[int] | None = None,
) -> FilingReport:
    contexts = settings.vendor_central.filing_contexts
    disputes: queue.Queue[list[Claim]] = queue.Queue()
    planned = threading.Event()
    reports: list[FilingReport] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def drain(filer: Filer) -> None:
        while not errors:
            try:
                group = disputes.get_nowait()
            except queue.Empty:
                return
            filer.file_new(group)

    def context(first: bool) -> None:
        try:
            if not first:
                planned.wait()
                if errors:
                    return
            with PortalSession(settings) as portal:
                filer = Filer(engine, settings, portal)
                if first:
                    # Signed in before any claim is taken (missing credentials stop here).
                    portal.open("/home")
                    filer.resume_unfinished()
                    for group in filer.plan(limit=limit, claim_ids=claim_ids):
                        disputes.put(group)
                    planned.set()
                drain(filer)
                filer.report.pages_loaded = portal.pages_loaded
            with lock:
                reports.append(filer.report)
        except BaseException as error:  # handed to the caller's thread below
            with lock:
                errors.append(error)
        finally:
            planned.set()

    threads = [
        threading.Thread(target=context, args=(n == 0,), name=f"filing-context-{n}")
        for n in range(contexts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return merge_reports(reports)
