"""Keep a file a specialist attaches to a claim: content-addressed under the evidence directory.

A stand-in for `recovery.evidence.store` (being written separately): same idea, same layout
(`<evidence_dir>/<sha[:2]>/<sha><suffix>`, one row per distinct content), no text extraction.
When the store exists, `store_attachment` becomes a call to it.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from sqlmodel import Session, select

from recovery.errors import InputError
from recovery.models.evidence import DocumentKind, EvidenceDocument

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


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def store_attachment(
    session: Session, path: Path, evidence_dir: Path, *, kind: DocumentKind | None = None
) -> EvidenceDocument:
    """The document for this file's content, stored once however often it is attached."""
    if not path.is_file():
        raise InputError("no such file", file=str(path))
    sha = file_sha256(path)
    existing = session.exec(select(EvidenceDocument).where(EvidenceDocument.sha256 == sha)).first()
    if existing is not None:
        if kind is not None and existing.kind == DocumentKind.unknown:
            existing.kind = kind
            session.add(existing)
            session.flush()
        return existing
    relative = Path(sha[:2]) / f"{sha}{path.suffix.lower()}"
    target = evidence_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        partial = target.with_suffix(target.suffix + ".part")
        shutil.copyfile(path, partial)
        partial.replace(target)  # never a half-written file under the final name
    document = EvidenceDocument(
        sha256=sha,
        original_name=path.name,
        stored_path=relative.as_posix(),
        size_bytes=path.stat().st_size,
        kind=(kind or guess_kind(path.name)).value,
    )
    session.add(document)
    session.flush()
    return document
