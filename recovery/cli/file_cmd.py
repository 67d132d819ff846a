"""`recovery file`: file approved claims in Vendor Central, exactly once. Thin: the filing
itself lives in `recovery.claims.filing`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer

from recovery.claims.filing import FilingReport, file_claims
from recovery.cli.context import app_context


def file_command(
    ctx: typer.Context,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Fill the forms and keep screenshots; submit nothing, change nothing."
        ),
    ] = False,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="File at most this many disputes.")
    ] = None,
    claim: Annotated[
        list[int] | None, typer.Option("--claim", help="Only these claim ids (repeat).")
    ] = None,
) -> None:
    """File approved claims, the nearest deadline first; one dispute per what the portal takes."""
    app = app_context(ctx)
    with app.err.status("filing in Vendor Central…"):
        report = file_claims(
            app.engine, app.settings, dry_run=dry_run, limit=limit, claim_ids=claim or None
        )
    _print(app.console.print, report)
    if report.refused or report.unknown:
        raise typer.Exit(1)


def _print(say: Callable[..., Any], report: FilingReport) -> None:
    def claims(ids: list[int]) -> str:
        return (
            "claim " + ", ".join(map(str, ids))
            if len(ids) == 1
            else ("claims " + ", ".join(map(str, ids)))
        )

    for dispute_id, ids in report.filed:
        say(f"filed {dispute_id}: {claims(ids)}")
    for dispute_id, ids in report.found_after_crash:
        say(f"found {dispute_id} filed by an interrupted run: {claims(ids)}")
    for ids, png in report.previews:
        say(f"dry run, not submitted: {claims(ids)}; the filled form: {png}")
    for ids, message in report.refused:
        say(f"refused: {claims(ids)}: {message}")
    for ids, message in report.unknown:
        say(f"not finished: {claims(ids)}: {message} (checked again on the next run)")
    if report.busy:
        say(f"left to another filer (or a recent run's unfinished attempt): {claims(report.busy)}")
    for note in report.left_out:
        say(f"note: {note}")
    if not (
        report.filed
        or report.found_after_crash
        or report.previews
        or report.refused
        or report.unknown
    ):
        say("Nothing to file: no approved claims.")
    say(f"{report.pages_loaded} pages loaded")
