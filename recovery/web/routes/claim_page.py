"""One claim: its reason, the text that will be filed (editable by specialists, each edit
audited), its evidence beside the fields read from it, its dates and its filing history."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, Response

from recovery.claims import drafting, workflow
from recovery.claims.evidence_intake import intake_attachment
from recovery.errors import RecoveryError
from recovery.evidence.preview import first_page_png
from recovery.evidence.store import EvidenceStore
from recovery.models.evidence import DocumentKind
from recovery.store.db import session_scope
from recovery.web import reads
from recovery.web.audit import record_audit
from recovery.web.auth import SpecialistUser, ViewerUser
from recovery.web.context import web_context
from recovery.web.rendering import go, page

router = APIRouter()

ATTACH_KINDS = {
    "": "Guess from the name",
    "pod": "POD",
    "bol": "BOL",
    "packing_list": "Packing list",
}


@router.get("/claims/{claim_id}")
def claim(request: Request, claim_id: int, user: ViewerUser) -> Response:
    context = web_context(request)
    with session_scope(context.engine) as session:
        view = reads.claim_view(session, claim_id, context.calendar.today(), context.settings.rules)
    return page(request, "claim.html", view=view, attach_kinds=ATTACH_KINDS)


def _document_file(request: Request, claim_id: int, document_id: int) -> tuple[Path, str]:
    """The stored file of a document linked to this claim, and its original name."""
    context = web_context(request)
    with session_scope(context.engine) as session:
        document = reads.claim_document(session, claim_id, document_id)
    if document is None:
        raise RecoveryError(f"claim {claim_id}: no document {document_id} is linked to it")
    path = EvidenceStore(context.settings.evidence_dir).path_of(document.stored_path)
    if not path.is_file():
        raise RecoveryError(
            f"document {document_id} ({document.original_name}): its file is missing from the "
            f"evidence store ({path}); add it again with `recovery evidence add`"
        )
    return path, document.original_name


@router.get("/claims/{claim_id}/documents/{document_id}")
def claim_document(request: Request, claim_id: int, document_id: int, user: ViewerUser) -> Response:
    path, name = _document_file(request, claim_id, document_id)
    media = "application/pdf" if path.suffix.lower() == ".pdf" else None
    return FileResponse(path, media_type=media, filename=name, content_disposition_type="inline")


@router.get("/claims/{claim_id}/documents/{document_id}/preview.png")
def document_preview(
    request: Request, claim_id: int, document_id: int, user: ViewerUser
) -> Response:
    path, _ = _document_file(request, claim_id, document_id)
    if path.suffix.lower() != ".pdf":
        return FileResponse(path)  # an image a reviewer attached is its own preview
    return Response(first_page_png(path), media_type="image/png")


@router.post("/claims/{claim_id}/text")
def edit_text(
    request: Request, claim_id: int, user: SpecialistUser, text: Annotated[str, Form()]
) -> Response:
    context = web_context(request)
    # Browsers send form text with CRLF line ends; the drafts are stored with LF.
    new_text = text.replace("\r\n", "\n")
    with session_scope(context.engine) as session:
        changed = workflow.edit_text(session, claim_id, new_text, actor=user.username)
        if changed:
            record_audit(session, user.username, "edit-text", f"claim {claim_id}")
    return go(request, f"/claims/{claim_id}", notice="Text saved" if changed else "No change")


@router.post("/claims/{claim_id}/approve")
def approve(
    request: Request, claim_id: int, user: SpecialistUser, note: Annotated[str, Form()] = ""
) -> Response:
    with session_scope(web_context(request).engine) as session:
        workflow.approve(session, claim_id, actor=user.username, note=note)
        record_audit(session, user.username, "approve", f"claim {claim_id}", note)
    return go(request, f"/claims/{claim_id}", notice="Approved")


@router.post("/claims/{claim_id}/reject")
def reject(
    request: Request, claim_id: int, user: SpecialistUser, reason: Annotated[str, Form()] = ""
) -> Response:
    with session_scope(web_context(request).engine) as session:
        workflow.reject(session, claim_id, actor=user.username, reason=reason)
        record_audit(session, user.username, "reject", f"claim {claim_id}", reason)
    return go(request, f"/claims/{claim_id}", notice="Rejected")


@router.post("/claims/{claim_id}/evidence")
def attach(
    request: Request,
    claim_id: int,
    user: SpecialistUser,
    file: Annotated[UploadFile, File()],
    kind: Annotated[str, Form()] = "",
) -> Response:
    """Store the BOL/POD, read it, link it to the claim and re-judge the claim's draft."""
    if kind not in ATTACH_KINDS:
        raise RecoveryError(f"unknown document kind {kind!r}")
    context = web_context(request)
    with session_scope(context.engine) as session:
        workflow.get_claim(session, claim_id)  # a wrong id fails before anything is stored
    name = Path(file.filename or "upload.pdf").name
    with tempfile.TemporaryDirectory(prefix="recovery-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(file.file.read())
        document_id = intake_attachment(
            context.engine, context.settings, path, kind=DocumentKind(kind) if kind else None
        )
    with session_scope(context.engine) as session:
        linked = drafting.attach_document(
            session, claim_id, document_id, context.settings, actor=user.username
        )
        status = workflow.get_claim(session, claim_id).status
        record_audit(session, user.username, "attach", f"claim {claim_id}", name)
    verb = "attached" if linked else "was already attached"
    return go(request, f"/claims/{claim_id}", notice=f"{name} {verb}; status {status}")
