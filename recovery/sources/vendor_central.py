"""Vendor Central's exports downloaded through the portal and fed to the importers: the
`vendor-central` source of `recovery sync`.

The files are kept under `<data_dir>/portal/downloads/<time>/` so a person can see what was
imported. A run that finds nothing new changes nothing: an export identical to one imported
before is skipped by its hash, and an overlapping one updates rows by their natural keys.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from playwright.sync_api import Browser
from sqlalchemy import Engine

from recovery.config import Settings
from recovery.portal.downloads import download_exports
from recovery.portal.session import PortalCredentialsMissing, PortalSession
from recovery.sources.importing import ImportResult, import_files


@dataclass
class VendorCentralReport:
    folder: Path  # where the exports were saved
    results: list[ImportResult]
    pages_loaded: int


def require_credentials(settings: Settings) -> None:
    """Name every missing sign-in setting before a browser is started."""
    vc = settings.vendor_central
    missing = [
        name
        for name, value in (
            ("vendor_central.username", vc.username),
            ("RECOVERY_VENDOR_CENTRAL__PASSWORD", vc.password),
            ("RECOVERY_VENDOR_CENTRAL__TOTP_SECRET", vc.totp_secret),
        )
        if not value
    ]
    if missing:
        raise PortalCredentialsMissing(
            "Vendor Central sync needs a sign-in; set " + ", ".join(missing)
        )


def sync_vendor_central(
    engine: Engine,
    settings: Settings,
    *,
    browser: Browser | None = None,
    on_result: Callable[[ImportResult], None] | None = None,
) -> VendorCentralReport:
    """Download every export in one portal session, then import them all (each file its own
    transaction: a bad file stops the run, the files before it stay imported)."""
    require_credentials(settings)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = settings.portal_dir / "downloads" / stamp
    with PortalSession(settings, browser=browser) as portal:
        download_exports(portal, folder)
        pages = portal.pages_loaded
    # The folder's order (as `recovery import` reads it), the backups after their invoices.
    backups = folder / "coop-backup"
    paths = [folder, backups] if backups.is_dir() else [folder]
    results = import_files(engine, settings, paths, on_result=on_result)
    return VendorCentralReport(folder, results, pages)
