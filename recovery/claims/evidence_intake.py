"""Files a specialist attaches to a claim: into the evidence store, read and linked like any.

PDFs go through `recovery.evidence.ingest.add_evidence` (stored by content, fields extracted,
linked to shipments and POs). Anything else a reviewer may need to send (a photo of a signed
receipt, an e-mail) is stored by content too, with its kind from `--kind` or its name.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select

from recovery.config import Settings
from recovery.errors import InputError
from recovery.evidence.ingest import add_evidence
from recovery.evidence.store import EvidenceStore, sha256_of
from recovery.models.evidence import DocumentKind, EvidenceDocument
from recovery.store.db import session_scope

_NAME_HINTS = (
    ("packing", DocumentKind.packing_list),
    ("pod", DocumentKind.pod),
    ("delivery", DocumentKind.pod),
    ("bol", DocumentKind.bol),
    ("lading", DocumentKind.bol),
)


def guess_kind(name: str) -> DocumentKind:
    lowered = name.lower()
    for hint, kind in _NAME_HINTS:
        if hint in lowered:
            return kind
    return DocumentKind.unknown


def intake_attachment(
    engine: Engine, settings: Settings, path: Path, *, kind: DocumentKind | None = None
) -> int:
    """The id of the evidence document holding this file's content, added if new."""
    if not path.is_file():
        raise InputError("no such file", file=str(path))
    if path.suffix.lower() == ".pdf":
        outcome = add_evidence(engine, settings, [path]).outcomes[0]
        if outcome.status == "skipped":
            raise InputError(outcome.message, file=str(path))
        with session_scope(engine) as session:
            document = _by_sha(session, sha256_of(path))
            if kind is not None and document.kind == DocumentKind.unknown:
                document.kind = kind.value
                session.add(document)
            assert document.id is not None
            return document.id
    digest = sha256_of(path)
    with session_scope(engine) as session:
        existing = session.exec(
            select(EvidenceDocument).where(EvidenceDocument.sha256 == digest)
        ).first()
        if existing is not None:
            assert existing.id is not None
            return existing.id
        stored = EvidenceStore(settings.evidence_dir).add(path, digest)
        document = EvidenceDocument(
            sha256=digest,
            original_name=path.name[:500],
            stored_path=stored.relative_path,
            size_bytes=stored.size_bytes,
            kind=(kind or guess_kind(path.name)).value,
        )
        session.add(document)
        session.flush()
        assert document.id is not None
        return document.id


def _by_sha(session: Session, digest: str) -> EvidenceDocument:
    document = session.exec(
        select(EvidenceDocument).where(EvidenceDocument.sha256 == digest)
    ).first()
    assert document is not None, "add_evidence stored it"
    return document
