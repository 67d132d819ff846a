"""The `recovery` command: one Typer app, one module per command group."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from sqlalchemy.exc import InterfaceError, OperationalError

from recovery import __version__
from recovery.cli.claims_cmd import claims_app
from recovery.cli.context import AppContext, database_problem
from recovery.cli.demo_cmd import demo
from recovery.cli.detect_cmd import detect
from recovery.cli.evidence_cmd import evidence_app
from recovery.cli.file_cmd import file_command
from recovery.cli.import_cmd import import_command
from recovery.cli.init_cmd import init
from recovery.cli.ledger_cmd import ledger
from recovery.cli.outcomes_cmd import outcomes
from recovery.cli.report_cmd import report_app
from recovery.cli.run_cmd import run
from recovery.cli.serve_cmd import serve
from recovery.cli.sync_cmd import sync
from recovery.cli.testing_cmd import testing_app
from recovery.cli.users_cmd import users_app
from recovery.cli.worker_cmd import worker
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
app.command("ledger")(ledger)
app.command("serve")(serve)
app.command("run")(run)
app.command("worker")(worker)
app.add_typer(claims_app, name="claims")
app.add_typer(evidence_app, name="evidence")
app.add_typer(report_app, name="report")
app.add_typer(testing_app, name="testing")
app.add_typer(users_app, name="users")


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: user errors become one line and exit code 1.

    Typer's standalone mode already turns usage errors into exit code 2 and Ctrl-C into
    "Aborted!"; what reaches us here is ours.
    """
    try:
        app(args=argv)
    except RecoveryError as exc:
        _fail(str(exc))
    except (OperationalError, InterfaceError) as exc:
        problem = database_problem(exc)
        if problem is None:
            raise
        _fail(problem)


def _fail(message: str) -> NoReturn:
    Console(stderr=True).print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    sys.exit(1)
