"""Benchmark: one step under two versions of the code at the same time, one on each core.

This shared machine's speed swings by up to 2× within minutes, so two versions timed one after
the other can differ by more than any change between them. Run side by side, both see the same
machine. Each round runs the pair once, and the figures are the per-round times and the median
ratio. The pair is not perfectly fair either: comparing a clean tree with `--base HEAD` shows
the noise left, about ±3 % a round on this machine, so take several rounds.

Code that uses the second core itself (the import's reader process, detection's co-op process)
is not measured fairly side by side: `--one-at-a-time` runs the two one after the other, the
base first in odd rounds and second in even ones. Every process of the base run, those helpers
too, imports the built revision (a `sitecustomize` on its PYTHONPATH sets the working tree's
editable install aside, and each run starts outside the checkout).

The base version is built from git (`git archive REV`, then `pip install --target`); the other
is the working tree as installed. Steps:

    python bench/bench_compare.py --base REV import FILE_OR_FOLDER...  # into fresh databases
    python bench/bench_compare.py --base REV detect DATABASE [--full]  # on copies of one
    python bench/bench_compare.py --base REV link DATABASE  # relink every evidence document
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 23)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="git revision to compare against")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("step", choices=["import", "detect", "link"])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--full", action="store_true", help="detect: a full run")
    parser.add_argument(
        "--one-at-a-time",
        action="store_true",
        help="run the two versions one after the other, not at once (for code using 2 cores)",
    )
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be 1 or more")
    missing = [p for p in args.paths if not p.exists()]
    if missing:
        parser.error(f"no such file or folder: {', '.join(map(str, missing))}")
    if args.step in ("detect", "link") and len(args.paths) != 1:
        parser.error(f"{args.step} takes one database file")
    with tempfile.TemporaryDirectory(prefix="bench-compare-") as work:
        site = _build(args.base, Path(work))
        step_args = [str(p.resolve()) for p in args.paths] + (["--full"] if args.full else [])
        ratios = []
        for number in range(1, args.rounds + 1):
            order = ("base", "current") if number % 2 else ("current", "base")
            run = _one_at_a_time(order) if args.one_at_a_time else _pair
            base, current = run(Path(work), site, args.step, step_args)
            ratios.append(current["seconds"] / base["seconds"])
            print(
                f"round {number}: {args.base} {base['seconds']:.2f} s (cpu {base['cpu']:.2f}), "
                f"working tree {current['seconds']:.2f} s (cpu {current['cpu']:.2f}), "
                f"ratio {ratios[-1]:.3f}",
                flush=True,
            )
    print(f"median ratio (working tree / {args.base}): {statistics.median(ratios):.3f}")


def _build(revision: str, work: Path) -> Path:
    source, site = work / "source", work / "site"
    source.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", revision], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(source)], input=archive, check=True)
    print(f"building {revision} ...", flush=True)
    command = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site)]
    built = subprocess.run([*command, str(source)], capture_output=True, text=True)
    if built.returncode != 0:
        raise SystemExit(f"building {revision} failed:\n{built.stdout}{built.stderr}")
    # With the site first on PYTHONPATH, every interpreter of the base run (the import's reader
    # too) imports the built revision: the working tree's editable install has a finder that
    # answers for `recovery` before sys.path is searched, and this sets it aside.
    (site / "sitecustomize.py").write_text(
        "import sys\n"
        "sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f).lower()]\n"
    )
    return site


Figures = dict[str, Any]
Pair = Callable[[Path, Path, str, list[str]], tuple[Figures, Figures]]


def _pair(work: Path, site: Path, step: str, step_args: list[str]) -> tuple[Figures, Figures]:
    """Both versions at once; each in a directory of its own."""
    runs = [_start(work, site, name, step, step_args) for name in ("base", "current")]
    base, current = (_result(run, step) for run in runs)
    return _checked(base, site), current


def _one_at_a_time(order: tuple[str, str]) -> Pair:
    def run(work: Path, site: Path, step: str, step_args: list[str]) -> tuple[Figures, Figures]:
        results = {name: _result(_start(work, site, name, step, step_args), step) for name in order}
        return _checked(results["base"], site), results["current"]

    return run


def _start(
    work: Path, site: Path, name: str, step: str, step_args: list[str]
) -> subprocess.Popen[str]:
    folder = work / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    env = dict(os.environ)
    if name == "base":
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), env.get("PYTHONPATH")]))
    command = [sys.executable, __file__, "--child", str(folder), step, *step_args]
    # Each run starts in its own folder: a helper process's forkserver (Python 3.11 ignores the
    # sys.path it is handed) puts its working directory first on its path, and started in the
    # checkout it imported the working tree's code into the base run's reader.
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env, cwd=folder)


def _result(run: subprocess.Popen[str], step: str) -> Figures:
    output, _ = run.communicate()
    if run.returncode != 0:
        raise SystemExit(f"a {step} run failed (exit {run.returncode})")
    figures: Figures = json.loads(output.strip().splitlines()[-1])
    return figures


def _checked(base: Figures, site: Path) -> Figures:
    for code in (base["code"], base.get("helpers")):
        if code is not None and not code.startswith(str(site)):
            # Comparing the working tree with itself would report "no difference" and mislead.
            raise SystemExit(f"the base run imported {code}, not the built revision")
    return base


def _child(folder: str, argv: list[str]) -> None:
    step, paths = argv[0], [Path(a) for a in argv[1:] if a != "--full"]
    work = Path(folder)
    if step == "import":
        figures = _import(work, paths)
    elif step == "link":
        figures = _link(work, paths[0])
    else:
        figures = _detect(work, paths[0], full="--full" in argv)
    import recovery

    print(json.dumps({**figures, "code": recovery.__file__, "helpers": _helpers_code()}))


def _helpers_code() -> str | None:
    """Where this run's helper processes import the product from (None for a base from before
    they started from one forkserver)."""
    try:
        from recovery.helper_processes import helper_context
    except ImportError:
        return None
    with helper_context().Pool(1) as pool:
        code: str = pool.apply(_code_of, ("recovery.sources.read_ahead",))
    return code


def _code_of(module: str) -> str:
    import importlib

    return str(importlib.import_module(module).__file__)


def _timed(run: Callable[[], object]) -> dict[str, float]:
    began, cpu = time.perf_counter(), time.process_time()
    run()
    return {"seconds": time.perf_counter() - began, "cpu": time.process_time() - cpu}


def _import(work: Path, paths: list[Path]) -> dict[str, float]:
    from recovery.config import Settings
    from recovery.sources.importing import import_files
    from recovery.store import db

    settings = Settings(database_url=f"sqlite:///{work / 'compare.db'}", data_dir=work / "data")
    engine = db.make_engine(settings.database_url)
    db.upgrade(engine)
    return _timed(lambda: import_files(engine, settings, paths))


def _copy(work: Path, database: Path) -> Path:
    copy = work / "compare.db"
    for suffix in ("", "-wal"):  # an uncheckpointed WAL holds part of the database
        if Path(f"{database}{suffix}").exists():
            shutil.copyfile(f"{database}{suffix}", f"{copy}{suffix}")
    # The copy goes to disk before the clock starts: else the run's first checkpoint syncs the
    # whole copy (2 s of a 13 s full run on the large database), which a database in use, not
    # just copied, never pays.
    os.sync()
    return copy


def _link(work: Path, database: Path) -> dict[str, float]:
    from sqlmodel import Session

    from recovery.evidence.link import link_all
    from recovery.store import db

    engine = db.make_engine(f"sqlite:///{_copy(work, database)}")

    def relink() -> None:
        with Session(engine) as session:
            link_all(session)
            session.commit()

    return _timed(relink)


def _detect(work: Path, database: Path, *, full: bool) -> dict[str, float]:
    try:
        from recovery.reports.run_summary import run_detection
    except ImportError:  # a base from before the run's summary moved to reports/
        from recovery.claims.detection import run_detection  # type: ignore[attr-defined,no-redef]
    from recovery.config import Settings
    from recovery.store import db

    copy = _copy(work, database)
    settings = Settings(database_url=f"sqlite:///{copy}", data_dir=work / "data")
    engine = db.make_engine(settings.database_url)
    db.upgrade(engine)
    return _timed(lambda: run_detection(engine, settings, today=TODAY, draft=False, full=full))


if __name__ == "__main__":
    main()
