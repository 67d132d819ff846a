"""Vendor Central's exports, saved as files our importers read.

Each export is found on its page by the link's name, then fetched with the browser's own
cookies rather than clicked: Chromium blocks a page's automatic downloads after about ten
("download multiple files"), and a fetch shows the throttling page's 503 and an expired
session's redirect plainly instead of as a download that never starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

from playwright.sync_api import APIResponse, Locator
from playwright.sync_api import Error as PlaywrightError

from recovery.portal.session import PortalSession

FEES = "/operational-performance"
BACKUP_LINK = re.compile(r"^Download backup report for invoice ")
DISPOSITION_NAME = re.compile(r'filename="?([^";]+)"?')
THROTTLED = 503


@dataclass(frozen=True)
class Export:
    """One export link on a members' page, by the link's exact name."""

    page: str
    link: str


# Each page's exports, in the order a person would take them (one page load per page).
EXPORTS: tuple[Export, ...] = (
    Export("/remittance", "Export"),
    Export("/invoices", "Export invoices"),
    Export("/invoices", "Export shortage details"),
    Export("/invoices", "Export price discrepancies"),
    Export("/coop", "Export"),
    Export(f"{FEES}/chargebacks", "Export"),
)


def download_export(portal: PortalSession, path: str, link: str, into: Path) -> Path:
    """Open a members' page and save what its export link (by its exact name) downloads."""
    page = portal.open(path)
    return save_link(portal, path, page.get_by_role("link", name=link, exact=True), into)


def download_remittance(portal: PortalSession, into: Path) -> Path:
    """Payments › Remittance: every payment and its lines, credits for won disputes included."""
    return download_export(portal, "/remittance", "Export", into)


def download_exports(portal: PortalSession, into: Path) -> list[Path]:
    """Every export the importers read: remittances, invoices, shortage details, price
    discrepancies, co-op invoices, chargebacks, and each co-op backup report under
    `into/coop-backup/`.

    The portal's exports take no date range: each is the account's whole history, which the
    importers make cheap (an unchanged file is skipped by its hash, known rows are upserted).
    """
    saved: list[Path] = []
    opened: str | None = None
    for export in EXPORTS:
        if export.page != opened:
            portal.open(export.page)
            opened = export.page
        link = portal.page.get_by_role("link", name=export.link, exact=True)
        saved.append(save_link(portal, export.page, link, into))
    saved.extend(download_coop_backups(portal, into / "coop-backup"))
    return saved


def download_coop_backups(portal: PortalSession, into: Path) -> list[Path]:
    """Co-op › Invoices: the backup report of every co-op invoice that has one."""
    page = portal.open("/coop")
    return [
        save_link(portal, "/coop", link, into)
        for link in page.get_by_role("link", name=BACKUP_LINK).all()
    ]


def save_link(portal: PortalSession, path: str, link: Locator, into: Path) -> Path:
    """Fetch the file behind a link of the members' page `path` (open) and save it in `into`,
    under the name the portal gives it. Throttling is waited out with a doubling backoff; an
    expired session is signed in again once."""
    try:
        name = link.get_attribute("aria-label") or link.inner_text().strip()
        url = urljoin(portal.page.url, link.get_attribute("href") or "")
    except PlaywrightError as exc:
        raise portal.kept_error("download", f"no export link on {path}: {exc}") from exc
    backoff = portal.vc.throttle_backoff_seconds
    signed_in_again = False
    for _ in range(portal.vc.throttle_retries + 1):
        portal.wait_turn()
        response = portal.page.request.get(url)
        found = _attachment_name(response)
        if found is not None:
            into.mkdir(parents=True, exist_ok=True)
            target = into / Path(found).name  # never a folder the server chose
            target.write_bytes(response.body())
            return target
        if response.status == THROTTLED:
            portal.sleep(backoff)
            backoff *= 2
        elif not signed_in_again and "/signin" in response.url:
            portal.open(path)  # signs in and comes back to the page
            signed_in_again = True
        else:
            break
    raise portal.kept_error(
        "download", f"{name!r} gave no file (HTTP {response.status} from {response.url})"
    )


def _attachment_name(response: APIResponse) -> str | None:
    if not response.ok:
        return None
    found = DISPOSITION_NAME.search(response.headers.get("content-disposition", ""))
    return found.group(1) if found else None
