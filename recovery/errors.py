"""Typed errors that say what went wrong; the CLI and UI turn them into one clear line."""

from __future__ import annotations


class RecoveryError(Exception):
    """Base of every error a user can cause and fix (bad file, bad setting, bad argument)."""


class ConfigError(RecoveryError):
    """The configuration is invalid or unsafe (for example a secret written in config.toml)."""


class MoneyError(RecoveryError, ValueError):
    """An amount or currency cannot be read or represented exactly."""


class InputError(RecoveryError):
    """A file cannot be imported; the message names the file, row and column."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.file = file
        self.row = row
        self.column = column
        self.detail = message
        where = [
            part
            for part in (
                file,
                f"row {row}" if row is not None else None,
                f"column {column!r}" if column is not None else None,
            )
            if part
        ]
        super().__init__(f"{': '.join([', '.join(where), message]) if where else message}")
