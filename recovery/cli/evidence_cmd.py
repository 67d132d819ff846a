"""`recovery evidence add|list|show|link`: BOL and POD documents, their fields and links."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from sqlmodel import Session, col, select

from recovery.cli.context import app_context
from recovery.errors import InputError
from recovery.evidence.ingest import add_evidence
from recovery.evidence.link import link_all
from recovery.models import EvidenceConflict, EvidenceDocument, EvidenceLink
from recovery.store.db import session_scope

evidence_app = typer.Typer(help="BOL and POD documents: add, list, show.", no_args_is_help=True)

LIST_FORMATS = ("table", "json")
PROGRESS_MIN_FILES = 5


@evidence_app.command("add")
def add(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="PDF files or folders (searched deeply).")],
) -> None:
    """Read BOL/POD PDFs, store them, extract their fields and link them to shipments and POs."""
    app = app_context(ctx)
    engine = app.engine
    with Progress(
        TextColumn("Reading documents"),
        BarColumn(),
        MofNCompleteColumn(),
        console=app.err,
        transient=True,
        disable=not app.err.is_terminal,
    ) as bar:
        task = bar.add_task("read", total=None)

        def progress(done: int, total: int, _path: Path) -> None:
            if total >= PROGRESS_MIN_FILES:
                bar.update(task, completed=done, total=total)

        result = add_evidence(engine, app.settings, paths, progress)
    for outcome in result.skipped:
        app.err.print(f"skipped {outcome.path}: {outcome.message}", highlight=False)
    for note in result.notes:
        app.err.print(f"note: {note}", highlight=False)
    links = result.links
    app.console.print(
        f"Added {len(result.added)} document(s), {len(result.duplicates)} already known, "
        f"{len(result.skipped)} skipped; {links.linked} linked, "
        f"{len(links.unlinked_ids)} unlinked, {links.conflicts} conflict(s)",
        highlight=False,
    )
    if result.skipped:
        # The rest of the batch was added; the exit code still tells scripts a file was bad.
        raise typer.Exit(1)


@evidence_app.command("link")
def link(ctx: typer.Context) -> None:
    """Link every document again (after shipments or POs arrived)."""
    app = app_context(ctx)
    with session_scope(app.engine) as session:
        summary = link_all(session)
    app.console.print(
        f"{summary.documents} document(s): {summary.linked} linked, "
        f"{len(summary.unlinked_ids)} unlinked, {summary.conflicts} conflict(s)",
        highlight=False,
    )


@evidence_app.command("list")
def list_documents(
    ctx: typer.Context,
    unlinked: Annotated[bool, typer.Option("--unlinked", help="Only unlinked documents.")] = False,
    output: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """The stored documents with their main fields and how many links each has."""
    if output not in LIST_FORMATS:
        raise InputError(f"--format must be one of {', '.join(LIST_FORMATS)}, not {output!r}")
    app = app_context(ctx)
    with Session(app.engine) as session:
        rows = [_summary(session, doc) for doc in _documents(session)]
    if unlinked:
        rows = [row for row in rows if row["links"] == 0]
    if output == "json":
        typer.echo(json.dumps(rows, indent=2))
        return
    # Fits 80 columns: identifiers are never wrapped (people copy them), names fold; the
    # PRO number, dates and all PO numbers are in `show` and `--format json`.
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for header, whole in (
        ("id", True),
        ("name", False),
        ("kind", True),
        ("BOL", True),
        ("POs", True),
        ("signed", True),
        ("links", True),
    ):
        table.add_column(header, no_wrap=whole, overflow="fold")
    for row in rows:
        pos = row["po_numbers"]
        table.add_row(
            str(row["id"]),
            row["original_name"],
            row["kind"],
            row["bol_number"] or "",
            (pos[0] + (f" +{len(pos) - 1}" if len(pos) > 1 else "")) if pos else "",
            {True: "yes", False: "no", None: "?"}[row["signed"]],
            str(row["links"]),
        )
    app.console.print(table)


@evidence_app.command("show")
def show(
    ctx: typer.Context,
    document_id: Annotated[int, typer.Argument(metavar="ID", help="Document id (see list).")],
) -> None:
    """One document: every extracted field with the page and text it was read from."""
    app = app_context(ctx)
    with Session(app.engine) as session:
        document = session.get(EvidenceDocument, document_id)
        if document is None:
            raise InputError(f"no evidence document with id {document_id}")
        links = session.exec(
            select(EvidenceLink).where(col(EvidenceLink.document_id) == document_id)
        ).all()
        conflicts = session.exec(
            select(EvidenceConflict).where(col(EvidenceConflict.document_id) == document_id)
        ).all()
    console = app.console
    console.print(
        f"Document {document.id}: {document.original_name} ({document.kind}, "
        f"{document.pages} page(s), text from {document.text_source})",
        highlight=False,
    )
    console.print(f"Stored as {app.settings.evidence_dir / document.stored_path}", highlight=False)
    table = Table()
    for header in ("field", "value", "page", "source text"):
        table.add_column(header, overflow="fold")
    for name, entry in document.fields.items():
        table.add_row(name, _display(entry.get("value")), str(entry.get("page")), entry["text"])
    console.print(table)
    if not links:
        console.print("Links: none (not matched to any shipment or PO yet)")
    for item in links:
        target = f"shipment {item.shipment_id}" if item.shipment_id else "no shipment"
        console.print(
            f"Link: PO {item.po_number or '-'}, {target}, matched by {item.matched_by}",
            highlight=False,
        )
    for conflict in conflicts:
        console.print(f"Conflict ({conflict.field}): {conflict.message}", highlight=False)


def _documents(session: Session) -> list[EvidenceDocument]:
    return list(session.exec(select(EvidenceDocument).order_by(col(EvidenceDocument.id))).all())


def _summary(session: Session, document: EvidenceDocument) -> dict[str, Any]:
    links = session.exec(
        select(EvidenceLink).where(col(EvidenceLink.document_id) == document.id)
    ).all()
    conflicts = session.exec(
        select(EvidenceConflict).where(col(EvidenceConflict.document_id) == document.id)
    ).all()
    return {
        "id": document.id,
        "original_name": document.original_name,
        "sha256": document.sha256,
        "kind": document.kind,
        "carrier": document.carrier,
        "bol_number": document.bol_number,
        "pro_number": document.pro_number,
        "po_numbers": list(document.po_numbers),
        "ship_date": document.ship_date.isoformat() if document.ship_date else None,
        "delivery_date": document.delivery_date.isoformat() if document.delivery_date else None,
        "ship_to": document.ship_to,
        "cartons": document.cartons,
        "signed": document.signed,
        "exception_kind": document.exception_kind,
        "exception_units": document.exception_units,
        "links": len(links),
        "shipment_ids": sorted({link.shipment_id for link in links if link.shipment_id}),
        "conflicts": [c.message for c in conflicts],
    }


def _display(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)
