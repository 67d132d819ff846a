"""Filing throughput against the fake Vendor Central: disputes per hour and pages per dispute.

Files every approved claim of a generated scenario (pace 0, `--contexts` browser contexts side
by side, each in its own thread and Chromium) and checks the fake's store holds exactly one
dispute per dispute filed. The issue's target is 10,000 disputes/hour on this 2-core machine.

    .venv/bin/python bench/bench_filing.py                           # the tiny scenario
    .venv/bin/python bench/bench_filing.py --contexts 4              # four contexts
    .venv/bin/python bench/bench_filing.py --size small --contexts 4 # more disputes
    # prepare once, then file on a fresh copy each run (A/B runs, interleaved, on a shared box):
    .venv/bin/python bench/bench_filing.py --size small --workspace /tmp/bench-filing-small

Headless, the filer runs Debian's `chromium-headless-shell` when installed (about a third less
CPU per page than the full `chromium`; `vendor_central.headless_shell_path`): the browser it
used is printed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path

from pydantic import SecretStr

from recovery.claims.filing import file_claims
from recovery.config import VendorCentralSettings, load_settings
from recovery.filing_workspace import prepare_filing_workspace
from recovery.portal.session import chromium_executable
from recovery.store import db
from recovery.testing.fake_vendor_central import (
    DEFAULT_EMAIL,
    DEFAULT_PASSWORD,
    DEFAULT_TOTP_SECRET,
    AuthSettings,
    FakeVendorCentral,
    Odds,
)
from recovery.testing.fake_vendor_central.scenario_source import load_portal_data

TODAY = date(2026, 11, 30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="tiny")
    parser.add_argument("--contexts", type=int, default=1, help="browser contexts side by side")
    parser.add_argument(
        "--workspace",
        type=Path,
        help="a prepared workspace to reuse (prepared there when missing); filed on a copy",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-filing-") as tmp:
        if args.workspace is None:
            root = prepare_filing_workspace(Path(tmp) / "ws", TODAY, size=args.size)
            scenario = root / "scenario"
        else:
            if not (args.workspace / "recovery.db").exists():
                prepare_filing_workspace(args.workspace, TODAY, size=args.size)
            scenario = args.workspace / "scenario"
            root = Path(tmp) / "ws"
            shutil.copytree(args.workspace, root, ignore=shutil.ignore_patterns("scenario"))
            (root / "config.toml").write_text(
                f'database_url = "sqlite:///{root / "recovery.db"}"\n'
                f'data_dir = "{root / "data"}"\n',
                encoding="utf-8",
            )
        data = load_portal_data(scenario)
        # A person's page budget would throttle a bench on purpose; measure the bot instead.
        auth = AuthSettings(page_rate=1000.0, page_burst=1000)
        with FakeVendorCentral(data, odds=Odds.certain(), auth=auth) as fake:
            settings = load_settings(root / "config.toml").model_copy(
                update={
                    "vendor_central": VendorCentralSettings(
                        url=fake.url,
                        username=DEFAULT_EMAIL,
                        password=SecretStr(DEFAULT_PASSWORD),
                        totp_secret=SecretStr(DEFAULT_TOTP_SECRET),
                        pace_seconds=0.0,
                        filing_contexts=args.contexts,
                    )
                }
            )
            engine = db.engine_from_settings(settings)
            began = time.perf_counter()
            report = file_claims(engine, settings)
            seconds = time.perf_counter() - began
            stored = len(fake.disputes)
        filed = len(report.filed)
        print(f"{filed} disputes filed in {seconds:.1f} s (browser start and sign-in included)")
        print(f"{filed / seconds * 3600:,.0f} disputes/hour, {args.contexts} browser context(s)")
        print(f"{report.pages_loaded / max(filed, 1):.1f} pages per dispute")
        print(f"the fake holds {stored} disputes for {filed} filed: duplicates {stored - filed}")
        print(
            f"browser {chromium_executable(settings.vendor_central)}; "
            f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
        )


if __name__ == "__main__":
    main()
