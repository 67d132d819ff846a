"""What a claim type is made of (`ClaimKind`): everything detection, the incremental scope,
deadlines, drafting, filing, the workflow and the summaries need to know about one type, held
in that type's own module.

A kind is pure: its rule takes frames and gives findings, its scope keys and portal form are
data; it imports no SQL and no browser, and touches no database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from recovery.claims.draft_input import DraftInput
from recovery.claims.findings import Finding
from recovery.claims.inputs import DetectionInput
from recovery.claims.kinds.scope_keys import ScopeLink
from recovery.config import RuleSettings
from recovery.portal.form_steps import FormScript, Step


@dataclass(frozen=True)
class Window:
    """When a claim of the kind must be filed, and how its odds age (see
    `recovery.claims.deadlines`)."""

    # Amazon's last day: from the base date (due date, co-op invoice date, notification) and
    # the vendor invoice's own date where the kind counts from it.
    deadline: Callable[[date, RuleSettings, date | None], date]
    # Amazon's own matching period after the base date, before it takes a dispute (0: none).
    matching_days: Callable[[RuleSettings], int]
    # (optimal, maturing) days of age for kinds whose odds fall with the invoice's age; None
    # for kinds whose band counts the days left to the deadline.
    aged_bands: Callable[[RuleSettings], tuple[int, int]] | None


class FiledClaim(Protocol):
    """What a portal form reads of a claim (a `recovery.models.claims.Claim`)."""

    @property
    def id(self) -> int | None: ...
    @property
    def type(self) -> str: ...
    @property
    def account_id(self) -> int: ...
    @property
    def reference(self) -> str: ...
    @property
    def invoice_number(self) -> str | None: ...
    @property
    def asin(self) -> str | None: ...
    @property
    def quantity(self) -> int | None: ...
    @property
    def amount_minor(self) -> int: ...
    @property
    def currency(self) -> str: ...
    @property
    def dispute_reason(self) -> str | None: ...
    @property
    def draft_fields(self) -> dict[str, Any]: ...
    @property
    def case_id(self) -> str | None: ...


@dataclass(frozen=True)
class PortalForm:
    """The kind's dispute form in Vendor Central, as data (performed by
    `recovery.portal.dispute_form`)."""

    # The claims that go into one dispute share this key.
    group: Callable[[FiledClaim], str]
    # What Dispute Management finds the dispute by (an invoice, co-op invoice or chargeback id).
    search: Callable[[FiledClaim], str]
    # The form's steps for one dispute's claims, up to (not including) the final button.
    fill: Callable[[Sequence[FiledClaim]], FormScript]
    submit: tuple[Step, ...]  # the final button(s)


@dataclass(frozen=True)
class ClaimKind:
    type: str  # the ClaimType value
    label: str  # as a finance team says it
    deduction_kinds: tuple[str, ...]  # the remittance kinds the rule judges (debits, reversals)
    reads: frozenset[str]  # the `DetectionInput` frames the rule reads
    # How queued changes reach the kind's findings, for incremental runs (`scope_keys`).
    scope: tuple[ScopeLink, ...]
    judge: Callable[[DetectionInput, RuleSettings], list[Finding]]
    window: Window
    # Amazon's dispute levels: a dispute, a re-dispute, then a statement of open items.
    max_level: int
    missing_evidence: Callable[[DraftInput], list[str]]
    # The portal form's own fields as the draft records them (beside the level, text,
    # attachments and amount every form takes).
    form_fields: Callable[[DraftInput], dict[str, Any]]
    portal_form: PortalForm  # how the form is found and filled in Vendor Central
    templates: tuple[str, str]  # the dispute's and the re-dispute's template (templates/claims/)
