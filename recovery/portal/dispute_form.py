"""Filling a dispute form in Vendor Central from its declared steps (`form_steps`).

`fill` stops before the final button, so a dry run can show the filled form; `submit`
performs the form's final steps. Which form a claim type takes, its labels and values, is
declared by the type (`recovery.claims.kinds`); this module only drives the browser.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import FilePayload

from recovery.portal.form_steps import (
    CheckRefused,
    Choose,
    Fill,
    FormScript,
    Justify,
    Open,
    Press,
    Quantities,
    Step,
)
from recovery.portal.session import PortalError, PortalSession

DISPUTE_ID = re.compile(r"(?:Re-)?Dispute Id: (DSPT\d+)")


class FilingRefused(PortalError):
    """The portal refused the dispute in its own words (not available, only once, ineligible):
    filing it again unchanged would be refused again."""


@dataclass(frozen=True)
class Attachment:
    name: str
    path: Path


def fill(
    portal: PortalSession,
    script: FormScript,
    justification: str,
    attachments: Sequence[Attachment],
) -> dict[str, Any]:
    """Perform the form's steps; the fields as typed."""
    typed = dict(script.typed)
    for step in script.steps:
        if isinstance(step, Quantities):
            typed["lines"] = _quantities(portal, step)
        else:
            _perform(portal, step, justification, attachments)
    return typed


def submit(portal: PortalSession, steps: Sequence[Step]) -> None:
    for step in steps:
        _perform(portal, step, "", ())


def confirmation_id(portal: PortalSession) -> str | None:
    """The DSPT id on the confirmation, if the page is one."""
    return id_on_confirmation(portal, DISPUTE_ID)


def id_on_confirmation(portal: PortalSession, pattern: re.Pattern[str]) -> str | None:
    """The id `pattern` captures in the page's status message, if the page has one."""
    status = portal.page.get_by_role("status")
    if not status.count():
        return None
    found = pattern.search(status.first.inner_text())
    return found.group(1) if found else None


def _perform(
    portal: PortalSession, step: Step, justification: str, attachments: Sequence[Attachment]
) -> None:
    page = portal.page
    if isinstance(step, Open):
        portal.open(step.path)
    elif isinstance(step, Fill):
        page.get_by_label(step.label, exact=step.exact).fill(step.value)
    elif isinstance(step, Choose):
        box = page.get_by_label(step.label)
        if step.by_label:
            box.select_option(label=step.option)
        else:
            box.select_option(step.option)
    elif isinstance(step, Press):
        within = page.get_by_role(step.within) if step.within else page  # type: ignore[arg-type]
        control = within.get_by_role(step.role, name=step.name)  # type: ignore[arg-type]
        if step.missing is not None and not control.count():
            raise portal.kept_error(step.missing.tag, step.missing.message, FilingRefused)
        if step.paced:
            portal.act(lambda: control.click())
        else:
            control.click()
    elif isinstance(step, CheckRefused):
        message = portal.alert_text()
        if message:
            raise portal.kept_error("refused", message, FilingRefused)
    elif isinstance(step, Justify):
        page.get_by_label(step.text_label).fill(justification)
        if attachments:
            page.get_by_label(step.files_label).set_input_files(_files(attachments))
    else:
        raise TypeError(f"not a step of a dispute form: {step!r}")


def _quantities(portal: PortalSession, step: Quantities) -> list[dict[str, Any]]:
    page = portal.page
    wanted = {line.asin: line for line in step.lines}
    typed: list[dict[str, Any]] = []
    # Every line the portal offers is pre-filled with its whole shortage: lines that are not
    # ours are set to 0, or they would be disputed too (and the invoice takes one dispute only).
    for box in page.get_by_label(re.compile("^" + step.quantity_label)).all():
        label = str(box.evaluate("e => e.labels[0].textContent")).strip()
        asin = label.removeprefix(step.quantity_label).strip()
        line = wanted.pop(asin, None)
        quantity, shipped = (line.quantity, line.shipped_date) if line else (0, "")
        box.fill(str(quantity))
        if quantity:
            # Amazon prices the line at the invoiced unit cost from the quantity.
            page.get_by_label(f"{step.amount_label}{asin}", exact=True).fill("")
            page.get_by_label(f"{step.date_label}{asin}", exact=True).fill(shipped)
            typed.append({"asin": asin, "quantity": quantity, "shipped_date": shipped})
    if wanted:
        raise portal.kept_error(
            "lines", f"{step.not_offered} {', '.join(sorted(wanted))}", FilingRefused
        )
    return typed


def _files(attachments: Sequence[Attachment]) -> list[FilePayload]:
    return [
        FilePayload(name=a.name, mimeType="application/pdf", buffer=a.path.read_bytes())
        for a in attachments
    ]
