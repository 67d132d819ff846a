"""`recovery claims …`: the specialist's review queue (list, show, approve, reject, edit,
attach, export). Thin: every decision lives in `recovery.claims`."""

from __future__ import annotations

import getpass
import json
import os
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Callable
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlmodel import Session

from recovery.calendar import BusinessCalendar
from recovery.claims import drafting, ladder, queue, workflow
from recovery.claims.evidence_intake import intake_attachment
from recovery.cli.context import AppContext, app_context
from recovery.errors import RecoveryError
from recovery.models.evidence import DocumentKind, EvidenceDocument
from recovery.money import format_minor, format_money
from recovery.store import db

claims_app = typer.Typer(help="Review, approve and export drafted claims.", no_args_is_help=True)


class ListFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class ExportFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"


class AttachKind(StrEnum):
    bol = "bol"
    pod = "pod"
    packing_list = "packing_list"


ActorOption = Annotated[
    str | None, typer.Option("--actor", help="Name recorded in the audit trail (default: you).")
]
StatusOption = Annotated[
    list[str] | None,
    typer.Option("--status", help="Only these statuses (repeat or comma-separate)."),
]
TypeOption = Annotated[
    list[str] | None,
    typer.Option("--type", help="Only these types: shortage, price, coop, chargeback."),
]
AccountOption = Annotated[str | None, typer.Option("--account", help="Only this vendor code.")]


def _actor(actor: str | None) -> str:
    if actor:
        return actor
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry in some containers
        return "cli"


def _calendar(app: AppContext) -> BusinessCalendar:
    return BusinessCalendar.from_settings(app.settings.calendar)


def _rows(
    app: AppContext, statuses: list[str], types: list[str], account: str | None
) -> list[queue.QueueRow]:
    with db.session_scope(app.engine) as session:
        return queue.load_rows(
            session,
            calendar=_calendar(app),
            rules=app.settings.rules,
            statuses=statuses,
            types=types,
            account=account,
        )


@claims_app.command("list")
def list_claims(
    ctx: typer.Context,
    status: StatusOption = None,
    type_: TypeOption = None,
    account: AccountOption = None,
    fmt: Annotated[ListFormat, typer.Option("--format", help="table, json or csv.")] = (
        ListFormat.table
    ),
) -> None:
    """Claims in priority order: fewest days left first, then amount × confidence."""
    app = app_context(ctx)
    rows = queue.prioritise(
        _rows(app, queue.parse_statuses(status or []), queue.parse_types(type_ or []), account)
    )
    if fmt == ListFormat.json:
        typer.echo(
            json.dumps([queue.contract_record(r) for r in rows], indent=2, ensure_ascii=False)
        )
        return
    if fmt == ListFormat.csv:
        queue.write_contract_csv(rows, sys.stdout)
        return
    if not rows:
        app.console.print("No claims match.")
        return
    # Deadline and identifiers only when the terminal has room; days left and band always.
    wide = app.console.width >= 120
    columns: list[tuple[str, str]] = [
        ("ID", "right"),
        ("Type", "left"),
        ("Status", "left"),
        ("Band", "left"),
        ("Days left", "right"),
        ("Amount", "right"),
        ("Conf.", "right"),
        ("Reference", "left"),
    ]
    if wide:
        columns += [
            ("Deadline", "left"),
            ("File by", "left"),
            ("Invoice", "left"),
            ("PO", "left"),
            ("ASIN", "left"),
        ]
    table = Table(show_lines=False)
    for column, justify in columns:
        table.add_column(column, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for row in rows:
        cells = [
            str(row.id),
            row.type,
            row.status,
            row.band or "",
            "" if row.days_left is None else str(row.days_left),
            format_money(row.amount, row.currency),
            f"{row.confidence_pct}%",
            row.reference,
        ]
        if wide:
            cells += [
                row.deadline.isoformat() if row.deadline else "",
                row.file_by.isoformat() if row.file_by else "",
                row.invoice_number or "",
                row.po_number or "",
                row.asin or "",
            ]
        table.add_row(*cells)
    app.console.print(table)
    total = sum((r.amount for r in rows), start=Decimal(0))
    currencies = {r.currency for r in rows}
    summary = format_money(total, rows[0].currency) if len(currencies) == 1 else "mixed currencies"
    app.console.print(f"{len(rows)} claim{'' if len(rows) == 1 else 's'}, {summary}")


@claims_app.command("show")
def show(ctx: typer.Context, claim_id: Annotated[int, typer.Argument(metavar="ID")]) -> None:
    """The claim exactly as it will be filed: text, form fields, evidence and audit trail."""
    app = app_context(ctx)
    with db.session_scope(app.engine) as session:
        claim = workflow.get_claim(session, claim_id)
        data = drafting.load_draft_input(session, claim)
        events = workflow.audit_trail(session, claim_id)
        disputes = ladder.history(session, [claim_id])
        fields = dict(claim.draft_fields)
        text = claim.draft_text
    out = app.console
    days = ""
    if data.deadline:
        calendar = _calendar(app)
        left = calendar.days_left(data.deadline)
        band = queue.current_band(claim, calendar.today(), app.settings.rules)
        days = f" ({left} days left{', ' + band if band else ''})"
        if claim.file_by:
            days += f" · file by {claim.file_by}"
    out.print(
        f"[bold]Claim {claim_id}[/] · {data.type} · {claim.status} · level {data.level}",
        highlight=False,
    )
    ids = [
        ("Reference", data.reference),
        ("Invoice", data.invoice_number),
        ("PO", data.po_number),
        ("ASIN", data.asin),
        ("Case", claim.case_id),
    ]
    out.print("  ".join(f"{k} {v}" for k, v in ids if v), highlight=False)
    quantity = f" ({data.quantity} units)" if data.quantity is not None else ""
    out.print(
        f"Amount {format_money(data.amount, data.currency)}{quantity} · confidence "
        f"{data.confidence_pct}% · deadline {data.deadline or 'none'}{days}",
        highlight=False,
    )
    if data.dispute_reason:
        out.print(f"Dispute reason: {data.dispute_reason}", highlight=False)
    out.print(f"Why: {data.reason}", highlight=False, markup=False)
    missing = fields.get("missing_evidence") or []
    if missing:
        out.print(f"[bold yellow]Missing evidence:[/] {'; '.join(missing)}", highlight=False)
    if fields.get("text_edited_by"):
        out.print(f"Text edited by {fields['text_edited_by']}", highlight=False)
    out.rule("Draft (as it will be filed)")
    out.print(text or "(not drafted yet)", markup=False, highlight=False)
    filing = {k: v for k, v in (fields.get("filing") or {}).items() if k != "explanation"}
    if filing:
        out.rule("Filing form fields")
        out.print(json.dumps(filing, indent=2, ensure_ascii=False), markup=False, highlight=False)
    out.rule("Evidence")
    if not data.documents:
        out.print("none linked")
    for doc in data.documents:
        out.print(f"#{doc.id} {doc.name} ({doc.kind})", markup=False, highlight=False)
        facts = [
            ("BOL", doc.bol_number),
            ("PRO", doc.pro_number),
            ("carrier", doc.carrier),
            ("shipped", doc.ship_date),
            ("delivered", doc.delivery_date),
            ("ship-to", doc.ship_to),
            ("cartons", doc.cartons),
            ("pallets", doc.pallets),
            ("units", doc.units),
            (
                "signed",
                {True: "yes", False: "no"}.get(doc.signed) if doc.signed is not None else None,
            ),
            (
                "exception",
                f"{doc.exception_kind} {doc.exception_units or ''}".strip()
                if doc.exception_kind
                else ("none" if doc.kind == DocumentKind.pod else None),
            ),
            ("POs", ", ".join(doc.po_numbers) if doc.po_numbers else None),
        ]
        shown = [f"{k} {v}" for k, v in facts if v is not None and v != ""]
        if shown:
            out.print("    " + " · ".join(shown), markup=False, highlight=False)
    if disputes or fields.get("statement_of_open_items"):
        out.rule("Disputes (the ladder)")
        for number, attempt in enumerate(disputes, start=1):
            approved = format_minor(attempt.approved_minor or 0, claim.currency)
            on = f" on {attempt.resolved_on}" if attempt.resolved_on else ""
            decided = f" · {attempt.decision}, {approved} approved{on}" if attempt.decision else ""
            filed = attempt.finished_at or attempt.started_at
            # The statement of open items went as a Contact Us case (its fields name the file).
            sent = attempt.case_id
            if "statement_file" in (attempt.fields or {}):
                sent = f"Contact Us case {sent} (statement of open items)"
            out.print(
                f"{number}. {sent} filed {filed:%Y-%m-%d}{decided or ' · pending'}",
                markup=False,
                highlight=False,
            )
        for item in fields.get("statement_of_open_items") or []:
            out.print(
                "Statement of Open Items: " + " · ".join(f"{k} {v}" for k, v in item.items()),
                markup=False,
                highlight=False,
            )
    out.rule("Audit trail")
    for event in events:
        move = (
            f"{event.from_status} → {event.to_status}"
            if event.action == "transition"
            else event.action
        )
        note = f"  {event.note}" if event.note else ""
        out.print(
            f"{event.at:%Y-%m-%d %H:%M} UTC  {event.actor}  {move}{note}",
            markup=False,
            highlight=False,
        )


def _each(app: AppContext, claim_ids: list[int], act: Callable[[Session, int], str]) -> None:
    """Run `act` per claim, each in its own transaction, so one bad id does not block the rest."""
    failed = 0
    for claim_id in claim_ids:
        try:
            with db.session_scope(app.engine) as session:
                message = act(session, claim_id)
        except RecoveryError as exc:
            failed += 1
            app.err.print(f"[bold red]error:[/] {exc}", highlight=False)
            continue
        app.console.print(message, highlight=False)
    if failed:
        raise typer.Exit(1)


@claims_app.command("approve")
def approve(
    ctx: typer.Context,
    claim_ids: Annotated[list[int], typer.Argument(metavar="ID...")],
    actor: ActorOption = None,
    note: Annotated[str, typer.Option("--note", help="Kept in the audit trail.")] = "",
) -> None:
    """Approve claims for filing."""
    app = app_context(ctx)
    who = _actor(actor)

    def act(session: Session, claim_id: int) -> str:
        workflow.approve(session, claim_id, actor=who, note=note)
        return f"claim {claim_id}: approved"

    _each(app, claim_ids, act)


@claims_app.command("reject")
def reject(
    ctx: typer.Context,
    claim_ids: Annotated[list[int], typer.Argument(metavar="ID...")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the audit trail).")],
    actor: ActorOption = None,
) -> None:
    """Reject claims; they will not be filed."""
    app = app_context(ctx)
    who = _actor(actor)

    def act(session: Session, claim_id: int) -> str:
        workflow.reject(session, claim_id, actor=who, reason=reason)
        return f"claim {claim_id}: rejected"

    _each(app, claim_ids, act)


@claims_app.command("edit")
def edit(
    ctx: typer.Context,
    claim_id: Annotated[int, typer.Argument(metavar="ID")],
    text_file: Annotated[
        Path | None,
        typer.Option("--text-file", help="Take the new text from this file instead of $EDITOR."),
    ] = None,
    actor: ActorOption = None,
) -> None:
    """Change the text that will be filed (opens $EDITOR unless --text-file is given)."""
    app = app_context(ctx)
    with db.session_scope(app.engine) as session:
        current = workflow.get_claim(session, claim_id).draft_text
    if text_file is not None:
        try:
            new_text = text_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise RecoveryError(f"{text_file}: cannot read the new text: {exc}") from exc
    else:
        new_text = _run_editor(current, claim_id)
    with db.session_scope(app.engine) as session:
        claim = workflow.get_claim(session, claim_id)
        if claim.draft_text != current:
            raise workflow.ClaimChanged(claim_id, claim.status, claim.status)
        changed = workflow.edit_text(session, claim_id, new_text, actor=_actor(actor))
        status = claim.status
    if changed:
        app.console.print(f"claim {claim_id}: text saved (status {status})", highlight=False)
    else:
        app.console.print(f"claim {claim_id}: no change", highlight=False)


def _run_editor(text: str, claim_id: int) -> str:
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        raise RecoveryError("no editor: set $EDITOR, or pass the new text with --text-file")
    with tempfile.TemporaryDirectory(prefix="recovery-claim-") as tmp:
        path = Path(tmp) / f"claim-{claim_id}.txt"
        path.write_text(text, encoding="utf-8")
        try:
            result = subprocess.run([*shlex.split(editor), str(path)], check=False)
        except OSError as exc:
            raise RecoveryError(f"cannot start the editor {editor!r}: {exc}") from exc
        if result.returncode != 0:
            raise RecoveryError(
                f"the editor {editor!r} exited with status {result.returncode}; nothing changed"
            )
        return path.read_text(encoding="utf-8")


@claims_app.command("attach")
def attach(
    ctx: typer.Context,
    claim_id: Annotated[int, typer.Argument(metavar="ID")],
    file: Annotated[Path, typer.Argument(metavar="FILE")],
    kind: Annotated[
        AttachKind | None,
        typer.Option("--kind", help="What the file is (default: guessed from its name)."),
    ] = None,
    actor: ActorOption = None,
) -> None:
    """Add a file to the evidence store and link it to a claim; the draft is updated."""
    app = app_context(ctx)
    with db.session_scope(app.engine) as session:
        workflow.get_claim(session, claim_id)  # a wrong id fails before anything is stored
    document_id = intake_attachment(
        app.engine, app.settings, file, kind=DocumentKind(kind.value) if kind else None
    )
    with db.session_scope(app.engine) as session:
        linked = drafting.attach_document(
            session, claim_id, document_id, app.settings, actor=_actor(actor)
        )
        status = workflow.get_claim(session, claim_id).status
        document = session.get(EvidenceDocument, document_id)
        assert document is not None
    verb = "attached" if linked else "was already attached"
    app.console.print(
        f"claim {claim_id}: {file.name} {verb} as document #{document.id} "
        f"({document.kind}); status {status}",
        highlight=False,
    )


@claims_app.command("export")
def export(
    ctx: typer.Context,
    fmt: Annotated[ExportFormat, typer.Option("--format", help="csv or xlsx.")] = ExportFormat.csv,
    out: Annotated[Path | None, typer.Option("--out", help="File to write.")] = None,
    status: StatusOption = None,
    type_: TypeOption = None,
    account: AccountOption = None,
) -> None:
    """Write the worklist (open claims by deadline, then amount) as CSV or XLSX."""
    app = app_context(ctx)
    statuses = queue.parse_statuses(status or []) or [s.value for s in queue.OPEN_WORK]
    rows = _rows(app, statuses, queue.parse_types(type_ or []), account)
    path = out or Path(f"claims-worklist-{_calendar(app).today().isoformat()}.{fmt.value}")
    count = queue.export_worklist(rows, fmt.value, path)
    app.console.print(f"Wrote {count} claims to {path}", highlight=False)
