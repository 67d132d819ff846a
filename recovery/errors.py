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

    def __reduce__(self) -> tuple[object, ...]:
        # Pickled with its parts, not its message: a reader process sends it to the importer
        # (`recovery.sources.read_ahead`), which may still add the file name.
        return (_input_error, (type(self), self.detail, self.file, self.row, self.column))


def _input_error(
    kind: type[InputError], detail: str, file: str | None, row: int | None, column: str | None
) -> InputError:
    error = kind.__new__(kind)
    InputError.__init__(error, detail, file=file, row=row, column=column)
    return error
