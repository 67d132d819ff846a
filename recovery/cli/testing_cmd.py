"""`recovery testing ...`: the synthetic world tests and the demo run against."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from recovery.cli.context import app_context
from recovery.cli.fake_spapi_cmd import fake_spapi
from recovery.cli.fake_vc_cmd import fake_vc
from recovery.cli.options import parse_day

testing_app = typer.Typer(
    help="Synthetic scenarios and fake Amazon services for tests and demos.",
    no_args_is_help=True,
)


class ScenarioSize(StrEnum):
    tiny = "tiny"
    small = "small"
    medium = "medium"
    large = "large"


@testing_app.command("scenario")
def scenario(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="Directory to write the scenario into.")],
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same files.")] = 1,
    size: Annotated[ScenarioSize, typer.Option("--size", help="How many POs.")] = (
        ScenarioSize.small
    ),
    today: Annotated[
        str | None,
        typer.Option("--today", help="The scenario's today (YYYY-MM-DD); default: today."),
    ] = None,
    months: Annotated[int, typer.Option("--months", min=1, help="Months ending today.")] = 12,
    xlsx: Annotated[
        bool | None,
        typer.Option("--xlsx/--no-xlsx", help="Also write XLSX copies (default: not for large)."),
    ] = None,
    pdfs: Annotated[bool, typer.Option("--pdfs/--no-pdfs", help="Render BOL/POD PDFs.")] = True,
    varied: Annotated[
        bool,
        typer.Option(
            "--varied/--plain",
            help="Write files the way real exports vary (header spellings and order, "
            "preambles, either remittance layout) and plant the cases only that has.",
        ),
    ] = False,
) -> None:
    """Generate a synthetic vendor with planted discrepancies and its answer key."""
    from recovery.testing.scenario import generate_scenario

    console = app_context(ctx).console
    summary = generate_scenario(
        out,
        seed=seed,
        size=size.value,
        today=parse_day(today),
        months=months,
        xlsx=xlsx,
        pdfs=pdfs,
        varied=varied,
    )
    counts = summary.counts
    console.print(
        f"Scenario {summary.size} (seed {summary.seed}), {summary.start} to {summary.today}: "
        f"{counts['purchase_orders']:,} POs, {counts['invoice_lines']:,} invoice lines, "
        f"{counts['deductions']:,} deductions, {counts['claims']:,} expected claims, "
        f"{counts['pdfs']:,} PDFs in {summary.seconds:.1f} s"
    )
    console.print(f"Written to {summary.out_dir.resolve()} (answer key: answer_key.json)")


testing_app.command("fake-spapi")(fake_spapi)
testing_app.command("fake-vc")(fake_vc)
