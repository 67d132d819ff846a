"""Running the `recovery` command inside a test: the `cli` fixture (tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from recovery.cli.app import main

# cli(args) → (exit code, stdout, stderr)
Cli = Callable[[list[str]], tuple[int, str, str]]


def cli_runner(capsys: pytest.CaptureFixture[str]) -> Cli:
    def run(args: list[str]) -> tuple[int, str, str]:
        with pytest.raises(SystemExit) as exited:
            main(args)
        out, err = capsys.readouterr()
        code = exited.value.code
        return (code if isinstance(code, int) else 1), out, err

    return run
