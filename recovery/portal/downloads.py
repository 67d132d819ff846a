"""Vendor Central's exports, saved as files our importers read."""

from __future__ import annotations

from pathlib import Path

from recovery.portal.session import PortalSession


def download_export(portal: PortalSession, path: str, link: str, into: Path) -> Path:
    """Open a members' page and save what its export link (by its exact name) downloads."""
    page = portal.open(path)
    into.mkdir(parents=True, exist_ok=True)
    with page.expect_download() as info:
        page.get_by_role("link", name=link, exact=True).click()
    target = into / info.value.suggested_filename
    info.value.save_as(target)
    return target


def download_remittance(portal: PortalSession, into: Path) -> Path:
    """Payments › Remittance: every payment and its lines, credits for won disputes included."""
    return download_export(portal, "/remittance", "Export", into)
