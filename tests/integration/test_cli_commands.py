"""The `recovery` command loads a command's module only when that command runs."""

from __future__ import annotations

import subprocess
import sys

from recovery.cli.app import COMMANDS
from tests.cli_runner import Cli

# What other commands need (PDF, charts, the browser, the web app): seconds of imports that a
# command not using them must not wait for, nor the helper processes that import the main
# module again.
_OTHER_COMMANDS_LIBRARIES = ("weasyprint", "matplotlib", "playwright", "fastapi")


def test_importing_files_does_not_load_what_other_commands_need() -> None:
    probe = (
        "import sys\n"
        "from recovery.cli.app import main\n"
        "try:\n"
        "    main(['import', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(sorted(m for m in {_OTHER_COMMANDS_LIBRARIES!r} if m in sys.modules))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert "Import files" in run.stdout
    assert run.stdout.strip().splitlines()[-1] == "[]"


def test_every_command_is_listed_and_runs(cli: Cli) -> None:
    code, out, _ = cli(["--help"])
    assert code == 0
    for name in COMMANDS:
        assert f" {name} " in out
        code, out_of_command, err = cli([name, "--help"])
        assert code == 0, err
        assert f" {name} [OPTIONS]" in out_of_command


def test_a_mistyped_command_is_named_with_the_nearest_one(cli: Cli) -> None:
    code, _, err = cli(["claim"])
    assert code == 2
    assert "No such command 'claim'" in err
    assert "Did you mean 'claims'?" in err
