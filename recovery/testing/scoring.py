"""How detection scored against a scenario's answer key: recall and precision of dollars.

A claim matches a planted one when they are the same dispute: the same invoice line item for a
shortage, the same invoice for a price claim, the same co-op invoice or chargeback id. Matched
dollars are the smaller of the two amounts, so claiming too much costs precision and too little
costs recall.

Only what can still be filed counts: a planted claim whose deadline (the answer key states
Amazon's date) has passed on the key's `today` is `expired`, shown apart and never part of
recall; a claim detection calls expired claims nothing, and one it calls expired while the
key's deadline has not passed is listed (`expired_too_soon`). Every claim's deadline is
compared with the key's: the planted claim's, else that of the finding the key says a person
must complete (needs evidence, needs a look), else that of the deduction the claim disputes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

# Claims in these statuses do not claim money (yet, or any more).
NOT_CLAIMING = frozenset({"needs_evidence", "needs_look", "retired", "rejected", "expired"})
TYPES = ("shortage", "price", "coop", "chargeback")


@dataclass
class TypeScore:
    type: str
    expected: Decimal = Decimal(0)  # planted recoverable dollars
    claimed: Decimal = Decimal(0)  # dollars detection claimed
    matched: Decimal = Decimal(0)
    expected_count: int = 0
    claimed_count: int = 0
    claims_on_valid: list[str] = field(default_factory=list)
    expired: Decimal = Decimal(0)  # planted recoverable dollars past Amazon's deadline
    # "reference: claimed deadline ≠ key's deadline", for every claim whose deadline is wrong
    wrong_deadlines: list[str] = field(default_factory=list)
    # Claims detection calls expired while the key's deadline (Amazon's) has not passed.
    expired_too_soon: list[str] = field(default_factory=list)
    deadlines_checked: int = 0  # claims whose deadline the key states and was compared

    @property
    def recall(self) -> Decimal:
        return self.matched / self.expected if self.expected else Decimal(1)

    @property
    def precision(self) -> Decimal:
        return self.matched / self.claimed if self.claimed else Decimal(1)


def load_answer_key(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def claim_key(claim_type: str, row: Mapping[str, Any]) -> tuple[str, ...]:
    if claim_type == "shortage":
        return (
            "shortage",
            str(row.get("invoice_number") or ""),
            str(row.get("po_number") or ""),
            str(row.get("asin") or ""),
        )
    if claim_type == "price":
        return ("price", str(row.get("invoice_number") or ""))
    return (claim_type, str(row.get("reference") or ""))


class KeyDeadlines:
    """Amazon's last day for a claim, as the answer key states it."""

    def __init__(self, answer_key: Mapping[str, Any]) -> None:
        self.by_claim: dict[tuple[str, ...], str] = {}
        for planted in answer_key.get("claims", []):
            if Decimal(str(planted["amount"])) > 0 and planted.get("deadline"):
                self.by_claim[claim_key(planted["type"], planted)] = str(planted["deadline"])
        for status in ("needs_evidence", "needs_look"):
            for finding in answer_key.get(status, []):
                kind = str(finding.get("type") or "shortage")
                if finding.get("deadline"):
                    key = claim_key(kind, finding)
                    self.by_claim.setdefault(key, str(finding["deadline"]))
        self.by_reference = {
            str(d["reference"]): str(d["deadline"])
            for d in answer_key.get("deductions", [])
            if d.get("deadline")
        }

    def of(self, claim: Mapping[str, Any]) -> str | None:
        found = self.by_claim.get(claim_key(str(claim["type"]), claim))
        if found is not None:
            return found
        reference = str(claim.get("reference") or "")
        return self.by_reference.get(reference) or self.by_reference.get(f"{reference}VCBSINV")


def score(
    answer_key: Mapping[str, Any], claims: Iterable[Mapping[str, Any]]
) -> dict[str, TypeScore]:
    """`claims` as `recovery claims list --format json` prints them."""
    scores = {t: TypeScore(t) for t in TYPES}
    today = str(answer_key.get("today") or "")
    expected: dict[tuple[str, ...], Decimal] = {}
    for planted in answer_key.get("claims", []):
        amount = Decimal(str(planted["amount"]))
        if amount <= 0:
            continue
        key = claim_key(planted["type"], planted)
        deadline = str(planted.get("deadline") or "")
        if today and deadline and deadline < today:
            scores[planted["type"]].expired += amount
            continue
        expected[key] = expected.get(key, Decimal(0)) + amount
        scores[planted["type"]].expected += amount
        scores[planted["type"]].expected_count += 1
    valid_references = {
        str(d["reference"]) for d in answer_key.get("deductions", []) if d.get("truth") == "valid"
    }
    key_deadlines = KeyDeadlines(answer_key)
    claimed: dict[tuple[str, ...], Decimal] = {}
    for claim in claims:
        type_score = scores[str(claim["type"])]
        planted_deadline = key_deadlines.of(claim)
        if planted_deadline is not None:
            type_score.deadlines_checked += 1
            if claim.get("deadline") != planted_deadline:
                type_score.wrong_deadlines.append(
                    f"{claim.get('reference')}: {claim.get('deadline')} ≠ {planted_deadline}"
                )
        if (
            claim.get("status") == "expired"
            and planted_deadline is not None
            and today
            and planted_deadline >= today
        ):
            type_score.expired_too_soon.append(
                f"{claim.get('reference')}: expired, Amazon accepts it until {planted_deadline}"
            )
        if claim.get("status") in NOT_CLAIMING:
            continue
        amount = Decimal(str(claim["amount"]))
        if amount <= 0:
            continue
        claim_type = str(claim["type"])
        key = claim_key(claim_type, claim)
        claimed[key] = claimed.get(key, Decimal(0)) + amount
        scores[claim_type].claimed += amount
        scores[claim_type].claimed_count += 1
        reference = str(claim.get("reference") or "")
        candidates = {reference, f"{reference}VCBSINV"}
        if candidates & valid_references and key not in expected:
            scores[claim_type].claims_on_valid.append(reference)
    for key, amount in claimed.items():
        if key in expected:
            scores[key[0]].matched += min(amount, expected[key])
    return scores
