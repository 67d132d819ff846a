"""Contact Us: a support case, the way the Statement of Open Items reaches Amazon.

After a dispute and its re-dispute are denied, what is still open goes to Amazon's
reconciliation team as a Contact Us case with the "Standard statement of open items" workbook
attached (DOMAIN.md; https://www.amalytix.com/glossar/standard-statement-of-open-items). The
form: "Topic", "Subject", "Description", "Attachments", "Send"; the confirmation names the
"Case ID"; the case log searches by case id or text. Found by label and role only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from playwright.sync_api import FilePayload

from recovery.portal.dispute_form import id_on_confirmation
from recovery.portal.session import PortalSession

CONTACT_US = "/contact-us"
SETTLEMENT_TOPIC = "Accounting: Dispute settlement (Statement of Open Items)"
CASE_ID = re.compile(r"Case ID: (\d+)")
CASE_LINK = re.compile(r"^\d+$")


def fill_case(
    portal: PortalSession,
    *,
    topic: str,
    subject: str,
    description: str,
    files: Sequence[FilePayload],
) -> None:
    """Open the case form and fill it; `send_case` sends it (a dry run stops before)."""
    page = portal.open(f"{CONTACT_US}/case/new")
    page.get_by_label("Topic").select_option(label=topic)
    page.get_by_label("Subject").fill(subject)
    page.get_by_label("Description").fill(description)
    if files:
        page.get_by_label("Attachments").set_input_files(list(files))


def send_case(portal: PortalSession) -> None:
    portal.act(lambda: portal.page.get_by_role("button", name="Send").click())


def case_id(portal: PortalSession) -> str | None:
    """The case id on the confirmation, if the page is one."""
    return id_on_confirmation(portal, CASE_ID)


def find_case(portal: PortalSession, search: str, key: str) -> str | None:
    """The case whose description carries our idempotency key, if the portal has one: the
    case log searched by `search` (words of the case), then each case's own page."""
    page = portal.open(f"{CONTACT_US}/cases")
    page.get_by_label("Case ID or text").fill(search)
    portal.act(lambda: page.get_by_role("button", name="Search").click())
    table = page.get_by_role("table", name="Cases")
    listed = [link.inner_text().strip() for link in table.get_by_role("link", name=CASE_LINK).all()]
    for found in listed:
        case_page = portal.open(f"{CONTACT_US}/cases/{found}")
        if key in case_page.locator("main").inner_text():
            return found
    return None
