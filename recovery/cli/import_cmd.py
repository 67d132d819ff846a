"""`recovery import FILE...`: Vendor Central exports, SP-API JSON, cost lists, bank statements."""

from __future__ import annotations

from enum import StrEnum
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
    TimeRemainingColumn,
)
from rich.table import Table

from recovery.cli.context import app_context
from recovery.errors import RecoveryError
from recovery.sources.importers.base import ProgressCallback
from recovery.sources.importing import ImportResult, import_files
from recovery.sources.layouts import KINDS

# The kinds as a choice Typer can offer (and check); the list lives in recovery.sources.
FileKind = StrEnum("FileKind", {kind: kind for kind in KINDS})  # type: ignore[misc]


def import_command(
    ctx: typer.Context,
    files: Annotated[
        list[Path], typer.Argument(help="Files (CSV, XLSX, JSON) or folders to import.")
    ],
    kind: Annotated[
        FileKind | None,
        typer.Option("--kind", help="Skip detection: read every file as this kind."),
    ] = None,
    account: Annotated[
        str | None,
        typer.Option("--account", help="Vendor code the rows belong to (default: from the file)."),
    ] = None,
) -> None:
    """Import files; each file is all-or-nothing, and re-importing the same file does nothing."""
    app = app_context(ctx)
    settings = app.settings
    engine = app.engine
    console = app.console
    results: list[ImportResult] = []
    bars = _ProgressBars(console, settings.imports.progress_min_rows)

    def finished(result: ImportResult) -> None:
        bars.done()
        results.append(result)
        _announce(console, result)

    try:
        import_files(
            engine,
            settings,
            files,
            kind=kind.value if kind is not None else None,
            account=account,
            progress=bars.for_file,
            on_result=finished,
        )
    except RecoveryError:
        bars.done()
        if results:
            console.print(summary_table(results))
        # Each file is all or nothing: say where the run stopped, for whoever runs it again.
        stored = [r.path.name for r in results if not r.duplicate]
        console.print(
            "Stopped at a bad file, of which nothing was stored. Stored before it: "
            f"{', '.join(stored) if stored else 'none'}. Files after it were not read.",
            highlight=False,
        )
        raise
    console.print(summary_table(results))
    for result in results:
        for item in result.needs_look:
            console.print(f"[yellow]needs a look[/] {result.path.name}: {item}", highlight=False)


def _announce(console: Console, result: ImportResult) -> None:
    name = result.path.name
    if result.duplicate_of is not None:
        when = result.duplicate_of.strftime("%Y-%m-%d %H:%M UTC")
        console.print(f"{name}: already imported on {when} (same content); nothing to do")
        return
    how = "detected" if result.detected else "read as"
    console.print(f"{name}: {how} {result.kind}", highlight=False)
    if result.account_created:
        console.print(f"{name}: created vendor account {result.account}", highlight=False)
    for warning in result.warnings:
        console.print(f"[yellow]warning[/] {warning}", highlight=False)


def summary_table(results: list[ImportResult]) -> Table:
    table = Table(title="Import summary")
    for column in ("file", "kind", "account", "rows read", "inserted", "updated", "skipped"):
        table.add_column(column, justify="right" if column[0] in "riusw" else "left")
    table.add_column("warnings", justify="right")
    for r in results:
        table.add_row(
            r.path.name,
            r.kind,
            r.account or "",
            "same file, skipped" if r.duplicate else str(r.rows_read),
            str(r.inserted),
            str(r.updated),
            str(r.skipped),
            str(len(r.warnings) + len(r.needs_look)),
        )
    return table


class _ProgressBars:
    """A rich progress bar, shown only for files big enough to make someone wait."""

    def __init__(self, console: Console, min_rows: int) -> None:
        self.console = console
        self.min_rows = min_rows
        self.progress: Progress | None = None

    def for_file(self, path: Path) -> ProgressCallback:
        task: list[TaskID] = []

        def update(done: int, total: int | None) -> None:
            if self.progress is None:
                if total is None or total < self.min_rows:
                    return
                self.progress = Progress(
                    TextColumn("{task.description}"),
                    BarColumn(),
                    MofNCompleteColumn(),
                    TimeRemainingColumn(),
                    console=self.console,
                    transient=True,
                )
                self.progress.start()
            if not task:
                task.append(self.progress.add_task(path.name, total=total))
            self.progress.update(task[0], completed=done, total=max(total or done, done))

        return update

    def done(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None
