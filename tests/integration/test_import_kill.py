"""An import killed while a reader process reads ahead leaves nothing behind: no reader, no
forkserver, no resource tracker, and its spool folder is removed by the next run."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from test_import_blocks import HEAD, lines

from recovery.config import Settings
from recovery.sources.importing import import_files
from recovery.store import db

_CLI = [sys.executable, "-c", "from recovery.cli.app import main; main()"]


def _children() -> dict[int, list[int]]:
    """Every process's children, from /proc."""
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # gone meanwhile
            continue
        # The command name may hold spaces and parentheses: fields follow its last ")".
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(parent, []).append(int(entry.name))
    return tree


def _descendants(pid: int) -> set[int]:
    tree, found, todo = _children(), set(), [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; only its parent's wait is missing


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="read-ahead needs two cores")
def test_a_killed_import_leaves_no_process_and_no_spool_folder(
    tmp_path: Path,
    sqlite_template: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    database = tmp_path / "recovery.db"
    shutil.copy(sqlite_template, database)
    # A short path: the forkserver's socket lives there, and a socket's path has a limit
    # (108 bytes) that pytest's temporary folders can pass.
    temp = Path(tempfile.mkdtemp(prefix="rk-"))
    request.addfinalizer(lambda: shutil.rmtree(temp, ignore_errors=True))
    folder = tmp_path / "exports"
    folder.mkdir()
    for number in range(3):
        rows = lines(100_000, start=number * 100_000)
        (folder / f"invoices-{number}.csv").write_text(HEAD + "".join(rows))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("RECOVERY_")},
        "RECOVERY_DATABASE_URL": f"sqlite:///{database}",
        "RECOVERY_IMPORTS__READ_AHEAD_MIN_BYTES": "0",
        "TMPDIR": str(temp),
    }
    errors = (tmp_path / "stderr.txt").open("w")
    importer = subprocess.Popen(
        [*_CLI, "import", str(folder)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=errors,
    )
    family: set[int] = set()
    try:
        # Wait until the reader (the forkserver's child) is reading into its spool.
        deadline = time.monotonic() + 120
        while True:
            family = _descendants(importer.pid)
            spools = list(temp.glob("recovery-read-*/*.spool"))
            if len(family) >= 3 and spools:
                break
            assert importer.poll() is None, (tmp_path / "stderr.txt").read_text()
            assert time.monotonic() < deadline, "no reader process started"
            time.sleep(0.05)
        importer.send_signal(signal.SIGKILL)
        importer.wait()

        deadline = time.monotonic() + 30
        while any(_alive(pid) for pid in family) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [pid for pid in family if _alive(pid)] == []
    finally:
        if importer.poll() is None:
            importer.kill()
            importer.wait()
        for pid in _descendants(importer.pid) | family:  # leave no orphan when this fails
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        errors.close()

    # The killed run could not remove its spool folder; the next run does (in this process:
    # a second command would only add its start-up time).
    assert list(temp.glob(f"recovery-read-{importer.pid}-*"))
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    small = tmp_path / "small.csv"
    small.write_text(HEAD + "".join(lines(3)))
    engine = db.make_engine(f"sqlite:///{database}")
    try:
        settings = Settings(database_url=f"sqlite:///{database}", data_dir=tmp_path / "data")
        [result] = import_files(engine, settings, [small])
    finally:
        engine.dispose()
    assert result.rows_read == 3
    assert list(temp.glob("recovery-read-*")) == []
