"""Which Vendor Central form a claim is filed through, and the dispute it goes into.

A first dispute takes its claim type's form, declared in the kind's module
(`ClaimKind.portal_form`): which claims go into one dispute (Amazon takes a shortage invoice's
lines together and only once; price claims per invoice; co-op per co-op invoice; chargebacks
per id), what Dispute Management finds the dispute by, and the form's steps. A second dispute
(the ladder's level 2) is the first dispute's Re-dispute page, whatever its type. The browser
is driven by `recovery.portal.dispute_form`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from recovery.claims.kinds import kind_of
from recovery.claims.kinds.kind import FiledClaim, PortalForm
from recovery.models.claims import Claim
from recovery.portal import dispute_form
from recovery.portal.dispute_form import Attachment
from recovery.portal.form_steps import (
    SUBMIT_AND_CONFIRM,
    CheckRefused,
    FormScript,
    Justify,
    Open,
)
from recovery.portal.session import PortalSession


@dataclass
class DisputeToFile:
    """One dispute: its claims (several only for a shortage invoice), text and documents."""

    type: str
    claims: list[Claim]
    key: str
    justification: str
    attachments: list[Attachment] = field(default_factory=list)

    @property
    def first(self) -> Claim:
        return self.claims[0]


@dataclass(frozen=True)
class DisputeForm:
    """A declared form, bound to the browser."""

    declared: PortalForm

    def group(self, claim: Claim) -> str:
        return self.declared.group(claim)

    def search(self, claim: Claim) -> str:
        return self.declared.search(claim)

    def fill(self, portal: PortalSession, dispute: DisputeToFile) -> dict[str, Any]:
        script = self.declared.fill(dispute.claims)
        return dispute_form.fill(portal, script, dispute.justification, dispute.attachments)

    def submit(self, portal: PortalSession) -> None:
        dispute_form.submit(portal, self.declared.submit)


def _redispute(claims: Sequence[FiledClaim]) -> FormScript:
    parent = claims[0].case_id or ""
    return FormScript(
        (
            Open(f"/disputes/{parent}/redispute"),
            CheckRefused(),  # not decided yet, re-disputed already, or its window closed
            Justify(),
        ),
        typed={"redispute_of": parent},
    )


# The claims of one first dispute go into one re-dispute.
REDISPUTE = DisputeForm(
    PortalForm(
        group=lambda c: f"redispute:{c.account_id}:{c.case_id}",
        search=lambda c: kind_of(c.type).portal_form.search(c),
        fill=_redispute,
        submit=SUBMIT_AND_CONFIRM,
    )
)


def form_for(claim: Claim) -> DisputeForm:
    return REDISPUTE if claim.level >= 2 else DisputeForm(kind_of(claim.type).portal_form)
