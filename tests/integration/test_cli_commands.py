"""The `recovery` command loads a command's module only when that command runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from recovery.cli.app import COMMANDS, STARTS_HELPERS
from tests.cli_runner import Cli

DATA = Path(__file__).parents[1] / "data" / "imports"

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
    # A misspelt name among the commands that start helpers early would only cost speed.
    assert STARTS_HELPERS.issubset(COMMANDS)
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


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="read-ahead needs two cores")
def test_helpers_run_the_installed_product_whatever_folder_the_command_runs_in(
    tmp_path: Path,
) -> None:
    # Where a vendor runs `recovery` from may hold a folder named `recovery` (the checkout an
    # editable install points at, say): the reader process must not import it instead.
    (tmp_path / "recovery").mkdir()
    env = {
        **os.environ,
        "RECOVERY_DATABASE_URL": f"sqlite:///{tmp_path / 'recovery.db'}",
        "RECOVERY_DATA_DIR": str(tmp_path / "data"),
        "RECOVERY_IMPORTS__READ_AHEAD_MIN_BYTES": "0",  # the reader starts for a small file
    }
    recovery = str(Path(sys.executable).with_name("recovery"))  # the console script, as installed
    for command in (["init"], ["import", str(DATA / "shortages.csv")]):
        run = subprocess.run(
            [recovery, *command], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
        )
        assert run.returncode == 0, run.stderr
    assert "shortages.csv: detected shortages" in run.stdout
