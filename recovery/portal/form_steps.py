"""A Vendor Central dispute form as data: the steps a claim type's form declares (in its
module of `recovery.claims.kinds`) and `recovery.portal.dispute_form` performs, by label and
role only. No Playwright here, so a kind's declaration stays pure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Open:
    path: str


@dataclass(frozen=True)
class Fill:
    label: str
    value: str
    exact: bool = False


@dataclass(frozen=True)
class Choose:
    """A select box's option, by its value or (`by_label`) by the text it shows."""

    label: str
    option: str
    by_label: bool = False


@dataclass(frozen=True)
class Refusal:
    """How a step says the portal will not take the dispute (the page kept under `tag`)."""

    tag: str
    message: str


@dataclass(frozen=True)
class Press:
    """A button or link, by role and name. `paced`: a page load follows, taken at a person's
    pace; `missing`: the portal refuses the dispute when the control is not offered;
    `within`: the role of the part of the page that holds it (a dialog)."""

    name: str
    role: str = "button"
    paced: bool = True
    missing: Refusal | None = None
    within: str | None = None


@dataclass(frozen=True)
class CheckRefused:
    """The portal's alert, if the page shows one: the dispute refused in the portal's words."""


@dataclass(frozen=True)
class Justify:
    """The dispute's text and its documents."""

    text_label: str = "Justification"
    files_label: str = "Attachments"


@dataclass(frozen=True)
class DisputedLine:
    asin: str
    quantity: int
    shipped_date: str


@dataclass(frozen=True)
class Quantities:
    """A form that offers every line of the invoice, each pre-filled: ours get their quantity
    (and shipped date, the amount left for the portal to price), every other line 0. A line of
    ours the portal does not offer refuses the dispute ("<not_offered> <asins>")."""

    lines: tuple[DisputedLine, ...]
    not_offered: str
    quantity_label: str = "Dispute quantity for "
    amount_label: str = "Dispute amount for "
    date_label: str = "Shipped date for "


Step = Open | Fill | Choose | Press | CheckRefused | Justify | Quantities


@dataclass(frozen=True)
class FormScript:
    """One dispute's form: its steps, and the fields as typed (kept with the receipt; the
    lines a `Quantities` step typed are added as `lines`)."""

    steps: tuple[Step, ...]
    typed: dict[str, Any] = field(default_factory=dict)


def new_dispute(dispute_type: str, number: str) -> tuple[Step, ...]:
    """Dispute Management's "Create dispute" page, for the invoice or co-op invoice `number`."""
    return (
        Open("/disputes/new"),
        Choose("Dispute type", dispute_type, by_label=True),
        Fill("Invoice number(s)", number),
        Press("Next"),
        CheckRefused(),
    )


# Dispute Management's forms end on Submit and a dialog's Confirm.
SUBMIT_AND_CONFIRM: tuple[Step, ...] = (
    Press("Submit", paced=False),
    Press("Confirm", within="dialog"),
)
