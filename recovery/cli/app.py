"""The `recovery` command: one Typer app, one module per command group."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
import typer.main
from rich.console import Console
from sqlalchemy.exc import InterfaceError, OperationalError
from typer.core import TyperCommand, TyperGroup

from recovery import __version__
from recovery.cli.context import AppContext, database_problem
from recovery.errors import RecoveryError
from recovery.helper_processes import helpers_import_the_installed_product, start_server_now

# Each command's module, loaded only when the command runs (or help lists it): together they
# import the whole product (PDF, charts, the browser, the web app), seconds a one-line command
# waited for, and so did every helper process, which starts by importing the main module.
COMMANDS: dict[str, str] = {
    "init": "recovery.cli.init_cmd:init",
    "detect": "recovery.cli.detect_cmd:detect",
    "import": "recovery.cli.import_cmd:import_command",
    "sync": "recovery.cli.sync_cmd:sync",
    "file": "recovery.cli.file_cmd:file_command",
    "outcomes": "recovery.cli.outcomes_cmd:outcomes",
    "demo": "recovery.cli.demo_cmd:demo",
    "ledger": "recovery.cli.ledger_cmd:ledger",
    "serve": "recovery.cli.serve_cmd:serve",
    "run": "recovery.cli.run_cmd:run",
    "worker": "recovery.cli.worker_cmd:worker",
    "claims": "recovery.cli.claims_cmd:claims_app",
    "evidence": "recovery.cli.evidence_cmd:evidence_app",
    "report": "recovery.cli.report_cmd:report_app",
    "testing": "recovery.cli.testing_cmd:testing_app",
    "users": "recovery.cli.users_cmd:users_app",
}


class _Commands(Mapping[str, TyperCommand | TyperGroup]):
    """The commands by name, each built from its module the first time it is asked for."""

    def __init__(self, where: Mapping[str, str]) -> None:
        self._where = where
        self._loaded: dict[str, TyperCommand | TyperGroup] = {}

    def __getitem__(self, name: str) -> TyperCommand | TyperGroup:
        if name not in self._loaded:
            self._loaded[name] = _load(name, self._where[name])
        return self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)


def _load(name: str, where: str) -> TyperCommand | TyperGroup:
    module, _, attribute = where.partition(":")
    found = getattr(importlib.import_module(module), attribute)
    if isinstance(found, typer.Typer):
        group = typer.main.get_group(found)
        group.name = name  # (help lists a command by its own name)
        return group
    holder = typer.Typer(add_completion=False)
    holder.command(name)(found)
    command = typer.main.get_command(holder)
    assert isinstance(command, TyperCommand)
    return command


# Commands whose work starts helper processes (`recovery.helper_processes`): the helpers'
# server starts before the command's module is imported, and the two import at once.
STARTS_HELPERS = frozenset({"import", "detect", "sync", "evidence", "demo", "run", "worker"})


class _LazyGroup(TyperGroup):
    """The `recovery` group, its commands loaded on demand (`COMMANDS`)."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = _Commands(COMMANDS)  # type: ignore[assignment]

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        # (Only a command about to run is resolved; help lists commands without this.)
        if args and args[0] in STARTS_HELPERS and not ctx.resilient_parsing:
            start_server_now()
        return super().resolve_command(ctx, args)


app = typer.Typer(
    name="recovery",
    cls=_LazyGroup,
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


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: user errors become one line and exit code 1.

    Typer's standalone mode already turns usage errors into exit code 2 and Ctrl-C into
    "Aborted!"; what reaches us here is ours.
    """
    helpers_import_the_installed_product()
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
