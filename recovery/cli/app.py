"""The `recovery` command: one Typer app, one module per command group."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from recovery import __version__
from recovery.cli.claims_cmd import claims_app
from recovery.cli.context import AppContext
from recovery.cli.demo_cmd import demo
from recovery.cli.detect_cmd import detect
from recovery.cli.evidence_cmd import evidence_app
from recovery.cli.file_cmd import file_command
from recovery.cli.import_cmd import import_command
from recovery.cli.init_cmd import init
from recovery.cli.outcomes_cmd import outcomes
from recovery.cli.sync_cmd import sync
from recovery.cli.testing_cmd import testing_app
from recovery.errors import RecoveryError

app = typer.Typer(
    name="recovery",
    help="Find wrong Amazon Vendor deductions and claim the money back.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"recovery {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option("--config", envvar="RECOVERY_CONFIG", help="Path to config.toml."),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show version.")
    ] = False,
) -> None:
    ctx.obj = AppContext(config_path=config)


app.command("init")(init)
app.command("detect")(detect)
app.command("import")(import_command)
app.command("sync")(sync)
app.command("file")(file_command)
app.command("outcomes")(outcomes)
app.command("demo")(demo)
app.add_typer(claims_app, name="claims")
app.add_typer(evidence_app, name="evidence")
app.add_typer(testing_app, name="testing")


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: user errors become one line and exit code 1.

    Typer's standalone mode already turns usage errors into exit code 2 and Ctrl-C into
    "Aborted!"; what reaches us here is ours.
    """
    try:
        app(args=argv)
    except RecoveryError as exc:
        Console(stderr=True).print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(1)
