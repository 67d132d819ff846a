"""`recovery demo`: one command that shows the whole product working, on a synthetic vendor."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.status import Status
from rich.table import Table
from sqlalchemy import Engine

from recovery import demo as steps
from recovery.calendar import BusinessCalendar
from recovery.claims.kinds import KINDS
from recovery.claims.queue import QueueRow
from recovery.cli.context import app_context
from recovery.cli.options import parse_day
from recovery.cli.testing_cmd import ScenarioSize
from recovery.config import CalendarSettings, Settings
from recovery.money import format_minor, format_money
from recovery.reports.run_summary import AccountResult
from recovery.sources.importing import ImportResult
from recovery.sources.spapi import SyncProgress
from recovery.testing.scoring import TypeScore

# Remittance kinds grouped the way a finance team talks about them.
_FAMILIES = {
    **{kind: k.label for k in KINDS.values() for kind in k.deduction_kinds},
    "returns": "returns",
    "allowance": "allowance",
    "provision": "provision",
    "provision_reversal": "provision",
    "other": "other (needs a look)",
}


def demo(
    ctx: typer.Context,
    directory: Annotated[
        Path, typer.Option("--dir", help="Workspace for the demo's files and database.")
    ] = Path("recovery-demo"),
    size: Annotated[ScenarioSize, typer.Option("--size", help="How big a vendor.")] = (
        ScenarioSize.small
    ),
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same vendor.")] = 1,
    today: Annotated[
        str | None, typer.Option("--today", help="Pretend today is YYYY-MM-DD.")
    ] = None,
    fresh: Annotated[bool, typer.Option("--fresh", help="Start clean even if resumable.")] = False,
) -> None:
    """Generate a vendor, sync, download from the portal, read evidence, detect and draft, file
    the approved claims, follow Amazon's decisions; then show the result."""
    console = app_context(ctx).console
    as_of = parse_day(today) or BusinessCalendar.from_settings(CalendarSettings()).today()
    workspace = steps.Workspace(steps.DemoOptions(directory, size.value, seed, as_of, fresh), as_of)
    try:
        _run(console, workspace)
    except KeyboardInterrupt:
        console.print("\n[yellow]Interrupted.[/] Run the same command again to resume.")
        raise typer.Exit(130) from None


def _run(console: Console, workspace: steps.Workspace) -> None:
    started = workspace.prepare()
    console.rule("[bold]recovery demo")
    console.print(
        {
            "new": f"Starting a new demo in {workspace.root}",
            "restarted": f"Started clean in {workspace.root} (different options or --fresh)",
            "resumed": f"Resuming the demo in {workspace.root}: finished steps are skipped, "
            "stored data is not imported twice",
        }[started]
    )

    with console.status("Generating a synthetic vendor…"):
        summary = steps.generate(workspace)
    if summary:
        counts = summary.counts
        vendor = steps.scenario_vendor_code(workspace.scenario_dir)
        console.print(
            f"[green]✓[/] Generated a year of vendor {vendor}"
            f" ({workspace.options.size}, seed {workspace.options.seed}): "
            f"{counts.get('purchase_orders', 0):,} POs, {counts.get('invoices', 0):,} invoices, "
            f"{counts.get('deductions', 0):,} deductions, {counts.get('pdfs', 0):,} BOL/POD PDFs "
            f"in {summary.seconds:.1f}s"
        )
    else:
        console.print("[green]✓[/] Scenario already generated")
    settings, engine = steps.open_database(workspace, auto_approve=True)

    with _progress(console) as progress:
        tasks: dict[str, TaskID] = {}

        def on_sync(event: SyncProgress) -> None:
            name = f"Sync {event.feed.value}"
            if name not in tasks:
                tasks[name] = progress.add_task(name, total=event.windows_total)
            progress.update(
                tasks[name],
                completed=event.windows_done,
                description=f"{name} ({event.rows:,} rows, {event.requests} requests,"
                f" {event.throttled} throttled)",
            )

        report = steps.sync_from_fake(workspace, settings, engine, on_sync)
    if not report.ok:
        for failure in report.failures:
            console.print(f"[red]✗ sync: {failure}[/]")
        raise typer.Exit(1)
    requests = sum(f.calls.requests for a in report.accounts for f in a.feeds)
    rows = sum(f.rows for a in report.accounts for f in a.feeds)
    console.print(
        f"[green]✓[/] Synced POs, PO status and shipments from the fake SP-API with "
        f"the real client: {requests} requests, {rows:,} rows in {report.elapsed:.1f}s"
    )

    with (
        console.status("Starting the fake Vendor Central and headless Chromium…") as status,
        steps.vendor_central(workspace, settings) as portal,
    ):
        console.print(f"[green]✓[/] Fake Vendor Central at {portal.fake.url}, {portal.fake.today}")
        _portal_steps(console, status, workspace, settings, engine, portal)


def _portal_steps(
    console: Console,
    status: Status,
    workspace: steps.Workspace,
    settings: Settings,
    engine: Engine,
    portal: steps.DemoPortal,
) -> None:
    imported: list[ImportResult] = []

    def on_import(result: ImportResult) -> None:
        imported.append(result)
        status.update(f"Importing {result.path.name}…")

    status.update("Signing in to the fake Vendor Central and downloading its exports…")
    downloads, _own = steps.download_exports(workspace, engine, portal, on_import)
    console.print(
        f"[green]✓[/] Downloaded {len(downloads.results)} exports from the fake Vendor Central "
        f"(signed in with password and one-time code, {downloads.pages_loaded} pages) "
        f"into {downloads.folder}"
    )
    fresh_files = [r for r in imported if not r.duplicate]
    console.print(
        f"[green]✓[/] Imported {len(fresh_files)} files "
        f"({sum(r.rows_read for r in fresh_files):,} rows; "
        f"{len(imported) - len(fresh_files)} already imported)"
    )
    for result in imported:
        for note in result.needs_look:
            console.print(f"  [yellow]needs a look:[/] {note}")

    status.stop()
    with _progress(console) as progress:
        task = progress.add_task("Reading BOL/POD documents", total=None)

        def on_document(done: int, total: int, _path: Path) -> None:
            progress.update(task, completed=done, total=total)

        evidence = steps.add_documents(workspace, settings, engine, on_document)
    console.print(
        f"[green]✓[/] Evidence: {len(evidence.added)} documents read and stored, "
        f"{len(evidence.duplicates)} already known, {len(evidence.skipped)} skipped; "
        f"{evidence.links.linked} linked to shipments and POs, "
        f"{evidence.links.conflicts} conflicts to review"
    )
    status.start()

    status.update("Reconciling and detecting…")
    account, scores = steps.detect_and_score(
        workspace, settings, engine, progress=lambda message: status.update(message)
    )
    console.print(
        f"[green]✓[/] Detection: {account.created} new claims, {account.updated} "
        f"updated, {account.retired} retired"
    )

    status.update("Filing approved claims in the fake Vendor Central…")
    filing = steps.file_approved(engine, portal)
    filed_claims = sum(len(ids) for _, ids in filing.filed + filing.found_after_crash)
    policy = format_money(steps.AUTO_APPROVE_MAX, portal.fake.portal.data.currency)
    console.print(
        f"[green]✓[/] Filed {len(filing.filed) + len(filing.found_after_crash)} disputes "
        f"({filed_claims} claims approved by the demo's policy: each type up to "
        f"{policy} at {steps.AUTO_APPROVE_MIN_CONFIDENCE}% "
        f"confidence or more) in headless Chromium, {filing.pages_loaded} pages"
        + (f"; {len(filing.refused)} refused" if filing.refused else "")
        + (f"; {len(filing.unknown)} not finished" if filing.unknown else "")
    )
    for ids, message in filing.refused + filing.unknown:
        console.print(f"  [yellow]claims {', '.join(map(str, ids))}:[/] {message}")

    status.update(f"Moving the portal's clock on {steps.ADJUDICATION_DAYS} days…")
    outcomes = steps.adjudicate(workspace, engine, portal)
    decided = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in sorted(outcomes.decided.items()))
    console.print(
        f"[green]✓[/] Moved the portal's clock to {portal.fake.today}: Amazon decided "
        f"({decided or 'nothing new'}; {outcomes.pending} pending) and paid; "
        f"{len(outcomes.ladder.climbed)} next steps drafted, {len(outcomes.ladder.closed)} closed"
    )
    recovered = steps.recovery_score(engine, portal, scores)
    urgent = steps.urgent_claims(workspace, settings, engine)
    status.stop()

    console.print()
    _print_deductions(console, account)
    _print_types(console, account)
    _print_urgent(console, urgent)
    _print_scores(console, scores)
    _print_recovered(console, recovered)
    _print_next(console, workspace)


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def _money(minor: int, currency: str) -> str:
    return format_minor(minor, currency)


def _print_deductions(console: Console, account: AccountResult) -> None:
    counts: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    for kind, (count, amount) in account.deductions_by_kind.items():
        family = _FAMILIES.get(kind, kind)
        counts[family] += count
        totals[family] += amount
    table = Table(title="Deductions on the remittances (net of reversals)", title_justify="left")
    table.add_column("type")
    table.add_column("lines", justify="right")
    table.add_column("amount", justify="right")
    for family in sorted(totals, key=lambda f: -totals[f]):
        table.add_row(family, f"{counts[family]:,}", _money(totals[family], account.currency))
    table.add_row(
        "[bold]total",
        f"[bold]{sum(counts.values()):,}",
        f"[bold]{_money(sum(totals.values()), account.currency)}",
    )
    console.print(table)


def _print_types(console: Console, account: AccountResult) -> None:
    table = Table(title="What detection found", title_justify="left")
    for name in ("type", "claims", "recoverable", "valid", "needs evidence", "expired"):
        table.add_column(name, justify="left" if name == "type" else "right")
    currency = account.currency
    for summary in account.types.values():
        table.add_row(
            summary.type,
            f"{summary.claims:,}",
            _money(summary.recoverable, currency),
            _money(summary.valid, currency),
            _money(summary.needs_evidence, currency),
            _money(summary.expired, currency),
        )
    console.print(table)


def _print_urgent(console: Console, urgent: list[QueueRow]) -> None:
    if not urgent:
        console.print("No claim is open for filing right now.")
        return
    table = Table(title="The five most urgent claims", title_justify="left", show_lines=True)
    for name in ("id", "deadline", "type", "amount", "reason"):
        table.add_column(name, overflow="fold")
    for row in urgent:
        left = f"{row.deadline} ({row.days_left} days, {row.band})" if row.deadline else "—"
        table.add_row(
            str(row.id), left, row.type, format_money(row.amount, row.currency), row.reason
        )
    console.print(table)


def _print_scores(console: Console, scores: dict[str, TypeScore]) -> None:
    table = Table(title="Scored against the scenario's answer key (dollars)", title_justify="left")
    for name in (
        "type",
        "planted recoverable",
        "claimed",
        "recall",
        "precision",
        "claims on valid deductions",
        "wrong deadlines",
        "expired (not scored)",
    ):
        table.add_column(name, justify="left" if name == "type" else "right")
    for kind, s in scores.items():
        table.add_row(
            kind,
            f"${s.expected:,.2f}",
            f"${s.claimed:,.2f}",
            _percent(s.recall),
            _percent(s.precision),
            str(len(s.claims_on_valid)),
            str(len(s.wrong_deadlines)),
            f"${s.expired:,.2f}",
        )
    console.print(table)


def _percent(value: Decimal) -> str:
    return f"{value * 100:.1f}%"


def _print_recovered(console: Console, result: steps.RecoveryScore) -> None:
    table = Table(
        title="Filed through the portal and recovered, beside the answer key (dollars)",
        title_justify="left",
    )
    for name in (
        "type",
        "planted recoverable",
        "claims filed",
        "claimed",
        "disputes",
        "Amazon approved",
        "recovered",
        "left for a person",
    ):
        table.add_column(name, justify="left" if name == "type" else "right")
    rows = list(result.by_type.values())
    for row in rows:
        table.add_row(
            row.type,
            f"${row.planted:,.2f}",
            str(row.filed_claims),
            f"${row.claimed:,.2f}",
            str(row.disputes),
            f"${row.amazon_approved:,.2f}",
            f"${row.recovered:,.2f}",
            str(row.left_for_a_person),
        )
    table.add_row(
        "[bold]total",
        f"[bold]${sum(r.planted for r in rows):,.2f}",
        f"[bold]{sum(r.filed_claims for r in rows)}",
        f"[bold]${sum(r.claimed for r in rows):,.2f}",
        f"[bold]{sum(r.disputes for r in rows)}",
        f"[bold]${sum(r.amazon_approved for r in rows):,.2f}",
        f"[bold]${sum(r.recovered for r in rows):,.2f}",
        f"[bold]{sum(r.left_for_a_person for r in rows)}",
    )
    console.print(table)
    console.print(
        "(recovered is money seen: credit lines on the portal's later remittances, matched to "
        "the claims they pay back; Amazon approves less than asked when the evidence or the "
        "window falls short)"
    )


def _print_next(console: Console, workspace: steps.Workspace) -> None:
    console.print()
    console.print("[bold]Next:[/] the workspace keeps its config and database, so you can go on:")
    console.print(f"  cd {workspace.root}")
    console.print("  recovery claims list                # the queue, most urgent first")
    console.print("  recovery claims show <id>           # the draft exactly as it will be filed")
    console.print("  recovery claims approve <id>        # or: claims reject <id> --reason …")
    console.print("  recovery claims export --format xlsx --out worklist.xlsx")
    console.print("  recovery ledger                     # each invoice's balance and buckets")
    console.print("  recovery serve                      # the review UI")
