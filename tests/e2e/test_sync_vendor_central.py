"""`recovery sync --source vendor-central` against the fake Vendor Central: the exports
downloaded through the portal leave the same rows behind as the scenario's files imported
directly, and a second sync changes nothing."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from pydantic import SecretStr
from sqlalchemy import Engine

from recovery import demo
from recovery.config import Settings, VendorCentralSettings, load_settings
from recovery.sources.importing import import_files
from recovery.sources.vendor_central import sync_vendor_central
from recovery.store import db
from recovery.testing.fake_vendor_central import (
    DEFAULT_EMAIL,
    DEFAULT_PASSWORD,
    DEFAULT_TOTP_SECRET,
    AuthSettings,
    FakeVendorCentral,
    Faults,
    Odds,
)
from recovery.testing.fake_vendor_central.scenario_source import load_portal_data
from recovery.testing.store_digest import table_digests

TODAY = date(2026, 11, 30)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace after the SP-API sync: purchase orders and shipments, no export yet."""
    root = tmp_path_factory.mktemp("vc-sync") / "ws"
    workspace = demo.Workspace(demo.DemoOptions(directory=root, size="tiny", today=TODAY), TODAY)
    workspace.prepare()
    demo.generate(workspace)
    settings, engine = demo.open_database(workspace)
    assert demo.sync_from_fake(workspace, settings, engine, None).ok
    engine.dispose()
    return root


@dataclass
class Copy:
    settings: Settings
    engine: Engine


@pytest.fixture
def copies(base: Path, tmp_path: Path) -> Iterator[dict[str, Copy]]:
    opened: dict[str, Copy] = {}
    for name in ("direct", "portal"):
        root = tmp_path / name
        shutil.copytree(base, root, ignore=shutil.ignore_patterns("scenario"))
        config = root / "config.toml"
        config.write_text(
            f'database_url = "sqlite:///{root / "recovery.db"}"\ndata_dir = "{root / "data"}"\n',
            encoding="utf-8",
        )
        settings = load_settings(config)
        opened[name] = Copy(settings, db.engine_from_settings(settings))
    yield opened
    for copy in opened.values():
        copy.engine.dispose()


def signed_in_at(settings: Settings, fake: FakeVendorCentral) -> Settings:
    return settings.model_copy(
        update={
            "vendor_central": VendorCentralSettings(
                url=fake.url,
                username=DEFAULT_EMAIL,
                password=SecretStr(DEFAULT_PASSWORD),
                totp_secret=SecretStr(DEFAULT_TOTP_SECRET),
                pace_seconds=0.0,
                throttle_backoff_seconds=0.2,
                timeout_ms=15_000,
            )
        }
    )


def test_the_portals_exports_import_like_the_files_and_a_second_sync_changes_nothing(
    base: Path, copies: dict[str, Copy], browser: Browser
) -> None:
    scenario = base / "scenario"
    exports = scenario / "vendor-central"
    direct, portal = copies["direct"], copies["portal"]
    before = table_digests(portal.engine)
    import_files(direct.engine, direct.settings, [exports, exports / "coop-backup"])

    with FakeVendorCentral(load_portal_data(scenario), odds=Odds.certain()) as fake:
        settings = signed_in_at(portal.settings, fake)
        first = sync_vendor_central(portal.engine, settings, browser=browser)
        synced = table_digests(portal.engine)
        second = sync_vendor_central(portal.engine, settings, browser=browser)

    # Every export and every backup report came down and was imported.
    backups = sorted(p.name for p in (exports / "coop-backup").iterdir())
    assert sorted(p.name for p in (first.folder / "coop-backup").iterdir()) == backups
    assert {r.kind for r in first.results} >= {
        "remittance",
        "invoices",
        "shortages",
        "price-details",
        "coop-invoices",
        "chargebacks",
    }
    assert len(first.results) == 6 + len(backups)
    assert all(r.rows_read > 0 for r in first.results)
    assert first.pages_loaded == 2 + 5 + 6 + len(backups)  # sign-in, pages, one fetch a file

    changed = {t for t, d in synced.items() if before[t] != d}
    assert {"remittance_line", "invoice", "chargeback"} <= changed
    assert synced == table_digests(direct.engine)

    # The same exports again: nothing inserted or updated, the store as it was.
    assert [(r.inserted, r.updated) for r in second.results if not r.duplicate] == [
        (0, 0) for r in second.results if not r.duplicate
    ]
    assert table_digests(portal.engine) == synced


@pytest.mark.parametrize(
    ("impatient", "faults"),
    [
        # Faster than a person: a burst of 6 requests, then 4 a second.
        pytest.param(AuthSettings(page_rate=4.0, page_burst=6), Faults(), id="throttled"),
        # Sessions that end in the middle of the downloads (counted in pages: a 2-second
        # session outlived a whole run on a fast day).
        pytest.param(AuthSettings(), Faults(expire_every_pages=12), id="expiring"),
    ],
)
def test_throttling_or_an_expired_session_during_the_downloads_is_survived(
    base: Path, copies: dict[str, Copy], browser: Browser, impatient: AuthSettings, faults: Faults
) -> None:
    scenario = base / "scenario"
    exports = scenario / "vendor-central"
    direct, portal = copies["direct"], copies["portal"]
    import_files(direct.engine, direct.settings, [exports, exports / "coop-backup"])
    data = load_portal_data(scenario)
    with FakeVendorCentral(data, odds=Odds.certain(), auth=impatient, faults=faults) as fake:
        settings = signed_in_at(portal.settings, fake)
        report = sync_vendor_central(portal.engine, settings, browser=browser)
    backups = len(list((exports / "coop-backup").iterdir()))
    assert len(report.results) == 6 + backups
    assert table_digests(portal.engine) == table_digests(direct.engine)
    # Undisturbed, the run takes 2 sign-in steps, 5 page loads and one fetch per file: the
    # trouble did strike (requests were repeated or sign-ins redone) and was got over.
    assert report.pages_loaded > 2 + 5 + 6 + backups
