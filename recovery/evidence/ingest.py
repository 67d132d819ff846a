"""Adding evidence files: find them, skip known content, read them in parallel, store, link.

The steps, each with one job: collect the PDFs under the given paths; hash each and drop
content already in the database (a duplicate costs one hash, no parsing); extract the rest in a
process pool (text extraction is CPU-bound Python); store each readable file content-addressed
and record its fields; link the new documents. A file that cannot be read is one line in the
result and never stops the batch.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from recovery.config import Settings
from recovery.evidence.extract import Extraction, ExtractOptions, extract_file
from recovery.evidence.link import LinkSummary, link_all
from recovery.evidence.store import EvidenceStore, sha256_of
from recovery.helper_processes import helper_context
from recovery.models import DocumentKind, EvidenceDocument
from recovery.store.db import session_scope

ProgressCallback = Callable[[int, int, Path], None]  # (files done, files in total, file)


@dataclass(frozen=True)
class FileOutcome:
    path: Path
    status: str  # added | duplicate | skipped
    message: str = ""
    document_id: int | None = None


@dataclass
class AddResult:
    outcomes: list[FileOutcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # said once per batch (e.g. no Tesseract)
    links: LinkSummary = field(default_factory=LinkSummary)

    def with_status(self, status: str) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def added(self) -> list[FileOutcome]:
        return self.with_status("added")

    @property
    def duplicates(self) -> list[FileOutcome]:
        return self.with_status("duplicate")

    @property
    def skipped(self) -> list[FileOutcome]:
        return self.with_status("skipped")


def collect_files(
    paths: Iterable[Path], store_root: Path | None = None
) -> tuple[list[Path], list[FileOutcome]]:
    """Files named directly (any type: a non-PDF is reported later) and PDFs under folders.

    The evidence store itself is never walked: adding a folder that contains the data
    directory must not re-add the stored copies.
    """
    files: list[Path] = []
    missing: list[FileOutcome] = []
    store = store_root.resolve() if store_root is not None else None
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file()
                    and p.suffix.lower() == ".pdf"
                    and not p.name.startswith(".")
                    and (store is None or not p.resolve().is_relative_to(store))
                )
            )
        elif path.is_file():
            files.append(path)
        else:
            missing.append(FileOutcome(path, "skipped", "no such file or folder"))
    return files, missing


def extract_options(settings: Settings) -> ExtractOptions:
    marketplace = settings.accounts[0].marketplace if settings.accounts else "US"
    return ExtractOptions(
        ocr=settings.evidence.ocr,
        tesseract_cmd=settings.evidence.tesseract_cmd,
        ocr_language=settings.evidence.ocr_language,
        date_order=settings.imports.date_order_for(marketplace),
    )


def add_evidence(
    engine: Engine,
    settings: Settings,
    paths: Sequence[Path],
    progress: ProgressCallback | None = None,
) -> AddResult:
    result = AddResult()
    files, missing = collect_files(paths, settings.evidence_dir)
    result.outcomes.extend(missing)
    fresh = _new_content(engine, files, result)
    extracted = extract_files(
        [path for path, _ in fresh], extract_options(settings), settings.evidence.workers, progress
    )
    store = EvidenceStore(settings.evidence_dir)
    with session_scope(engine) as session:
        # (path, the document to save, or why the file was skipped), in the files' order.
        recorded: list[tuple[Path, EvidenceDocument | None, str]] = []
        for (path, digest), (extraction, error) in zip(fresh, extracted, strict=True):
            if extraction is None:
                recorded.append((path, None, error or "unreadable"))
                continue
            for note in extraction.notes:
                if note not in result.notes:
                    result.notes.append(note)
            recorded.append((path, _record(store, path, digest, extraction), ""))
        # One flush for the batch: the ORM inserts the documents together, not a round each.
        session.add_all(document for _, document, _ in recorded if document is not None)
        session.flush()
        new_ids: list[int] = []
        for path, document, error in recorded:
            if document is None:
                result.outcomes.append(FileOutcome(path, "skipped", error))
                continue
            assert document.id is not None
            new_ids.append(document.id)
            result.outcomes.append(FileOutcome(path, "added", document_id=document.id))
        if new_ids:
            result.links = link_all(session, new_ids)
    return result


def _new_content(
    engine: Engine, files: Sequence[Path], result: AddResult
) -> list[tuple[Path, str]]:
    """(path, sha256) of files whose content is neither stored already nor earlier in the batch."""
    hashed: list[tuple[Path, str]] = []
    for path in files:
        try:
            hashed.append((path, sha256_of(path)))
        except OSError as exc:
            result.outcomes.append(
                FileOutcome(path, "skipped", f"cannot read: {exc.strerror or exc}")
            )
    with Session(engine) as session:
        digests = [digest for _, digest in hashed]
        known = {
            sha: doc_id
            for sha, doc_id in session.exec(
                select(EvidenceDocument.sha256, EvidenceDocument.id).where(
                    col(EvidenceDocument.sha256).in_(digests)
                )
            ).all()
        }
    fresh: list[tuple[Path, str]] = []
    seen: dict[str, Path] = {}
    for path, digest in hashed:
        if digest in known:
            result.outcomes.append(
                FileOutcome(path, "duplicate", "already added", document_id=known[digest])
            )
        elif digest in seen:
            result.outcomes.append(
                FileOutcome(path, "duplicate", f"same content as {seen[digest].name}")
            )
        else:
            seen[digest] = path
            fresh.append((path, digest))
    return fresh


def _extract_safely(path: Path, options: ExtractOptions) -> tuple[Extraction | None, str | None]:
    """Runs in a worker: every failure comes back as a message (exceptions may not pickle)."""
    from recovery.errors import RecoveryError

    try:
        return extract_file(path, options), None
    except RecoveryError as exc:
        return None, getattr(exc, "detail", str(exc))
    except Exception as exc:  # a bug or a broken file must not end the batch
        return None, f"could not be read ({type(exc).__name__}: {exc})"


def worker_count(configured: int, files: int) -> int:
    available = os.cpu_count() or 1
    wanted = configured if configured > 0 else available
    return max(1, min(wanted, files))


def extract_files(
    paths: Sequence[Path],
    options: ExtractOptions,
    workers: int = 0,
    progress: ProgressCallback | None = None,
) -> list[tuple[Extraction | None, str | None]]:
    """(extraction, None) or (None, reason) per path, in order; `workers` 0 = one per core."""
    results: list[tuple[Extraction | None, str | None]] = [(None, None)] * len(paths)
    count = worker_count(workers, len(paths))
    if count == 1:
        for index, path in enumerate(paths):
            results[index] = _extract_safely(path, options)
            if progress:
                progress(index + 1, len(paths), path)
        return results
    with _pool(count) as pool:
        futures = {pool.submit(_extract_safely, path, options): i for i, path in enumerate(paths)}
        for done, future in enumerate(as_completed(futures), start=1):
            index = futures[future]
            results[index] = future.result()
            if progress:
                progress(done, len(paths), paths[index])
    return results


def _pool(workers: int) -> Executor:
    return ProcessPoolExecutor(max_workers=workers, mp_context=helper_context())


def _record(
    store: EvidenceStore, path: Path, digest: str, extraction: Extraction
) -> EvidenceDocument:
    """The document to save for a readable file, its content already in the store."""
    stored = store.add(path, digest)
    parsed = extraction.document
    readable = extraction.text_source != "none"
    fields = parsed.fields_json()
    return EvidenceDocument(
        sha256=digest,
        original_name=path.name[:500],
        stored_path=stored.relative_path,
        size_bytes=stored.size_bytes,
        pages=extraction.pages,
        kind=parsed.kind if readable else DocumentKind.unknown,
        text_source=extraction.text_source,
        carrier=parsed.carrier[:100] if parsed.carrier else None,
        bol_number=parsed.bol_number,
        pro_number=parsed.pro_number,
        ship_date=parsed.ship_date,
        delivery_date=parsed.delivery_date,
        ship_to=parsed.ship_to,
        cartons=parsed.cartons,
        pallets=parsed.pallets,
        units=parsed.units,
        weight=f"{parsed.weight_lb} lb" if parsed.weight_lb is not None else None,
        signed=parsed.signed if readable else None,
        exception_kind=parsed.exception_kind,
        exception_units=parsed.exception_units,
        exception_unit=parsed.exception_unit,
        po_numbers=list(parsed.po_numbers),
        fields=fields,
    )
