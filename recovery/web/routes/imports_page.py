"""Imports (upload exports, see what each file did and the row/column of a bad value) and the
job runs recorded so far (the background service that starts them comes later)."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import Response

from recovery.errors import InputError, RecoveryError
from recovery.service.health import service_health
from recovery.sources.importing import ImportResult, import_files
from recovery.store.db import session_scope
from recovery.web import reads
from recovery.web.audit import record_audit
from recovery.web.auth import SpecialistUser, ViewerUser
from recovery.web.context import web_context
from recovery.web.rendering import page

router = APIRouter()


def _imports_page(request: Request, status_code: int = 200, **values: object) -> Response:
    with session_scope(web_context(request).engine) as session:
        batches = reads.recent_imports(session)
    return page(request, "imports.html", status_code=status_code, batches=batches, **values)


@router.get("/imports")
def imports(request: Request, user: ViewerUser) -> Response:
    return _imports_page(request)


@router.post("/imports")
def upload(
    request: Request, user: SpecialistUser, files: Annotated[list[UploadFile], File()]
) -> Response:
    """Each file all-or-nothing, as `recovery import`; the first bad file stops the rest."""
    context = web_context(request)
    results: list[ImportResult] = []
    failure: RecoveryError | None = None
    names = [Path(f.filename or f"upload-{i}").name for i, f in enumerate(files, start=1)]
    with tempfile.TemporaryDirectory(prefix="recovery-import-") as folder:
        paths = []
        for name, upload_file in zip(names, files, strict=True):
            path = Path(folder) / name
            path.write_bytes(upload_file.file.read())
            paths.append(path)
        try:
            import_files(context.engine, context.settings, paths, on_result=results.append)
        except RecoveryError as exc:
            failure = exc
    with session_scope(context.engine) as session:
        detail = "; ".join(f"{r.path.name}: {r.kind} {r.rows_read} rows" for r in results) + (
            f"; failed: {failure}" if failure else ""
        )
        record_audit(session, user.username, "import", ", ".join(names), detail)
    location = None
    if isinstance(failure, InputError):
        location = {
            "file": failure.file,
            "row": failure.row,
            "column": failure.column,
            "detail": failure.detail,
        }
    return _imports_page(
        request,
        status_code=400 if failure else 200,
        results=results,
        failure=str(failure) if failure else "",
        location=location,
    )


@router.get("/jobs")
def job_runs(request: Request, user: ViewerUser) -> Response:
    context = web_context(request)
    with session_scope(context.engine) as session:
        runs = reads.recent_job_runs(session)
        health = service_health(session, context.settings, datetime.now(UTC))
    return page(request, "jobs.html", runs=runs, health=health)
