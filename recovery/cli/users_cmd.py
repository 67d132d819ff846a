"""`recovery users add EMAIL --role R`: people who may sign in to the review UI."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from recovery.cli.context import app_context
from recovery.errors import RecoveryError
from recovery.models.accounts import Role
from recovery.store import db

users_app = typer.Typer(help="People who may sign in to the review UI.", no_args_is_help=True)

RoleChoice = StrEnum("RoleChoice", {role.value: role.value for role in Role})  # type: ignore[misc]


def _read_password() -> str:
    """From the terminal (asked twice, not echoed) or, when piped, the first line of stdin."""
    if sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        return str(password)
    line = sys.stdin.readline()
    if not line:
        raise RecoveryError("no password on standard input")
    return line.rstrip("\r\n")


@users_app.command("add")
def add(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(metavar="EMAIL", help="The user's e-mail address.")],
    role: Annotated[RoleChoice, typer.Option("--role", help="admin, specialist or viewer.")],
) -> None:
    """Add a user (or reset an existing user's role and password)."""
    from recovery.users import add_user  # argon2 is loaded only by the commands that hash

    app = app_context(ctx)
    password = _read_password()
    with db.session_scope(app.engine) as session:
        user, created = add_user(session, email, Role(role.value), password)
        name, granted = user.username, user.role
    verb = "added" if created else "updated"
    app.console.print(f"user {name} {verb} with role {granted}", highlight=False)
