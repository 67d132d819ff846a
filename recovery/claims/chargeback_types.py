"""Chargeback types by meaning: the words an export uses for an issue and sub-type, mapped to
the types the rules know.

Exports name the same fee in varying words ("ASN / Late ASN", "Accuracy: ASN", "PO On-Time
Accuracy", "Carton content label", ...; DOMAIN.md, "Operational chargebacks"), so a type is
recognised by phrases found in its issue and sub-type text, matched on words regardless of case
and punctuation, the longest phrase winning ("late asn" beats "asn"). Users add phrases in
`[rules.chargeback_synonyms]`. A text no phrase matches has no type: a person must look.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from recovery.errors import ConfigError


class ChargebackType(StrEnum):
    late_asn = "late_asn"
    missing_asn = "missing_asn"
    inaccurate_asn = "inaccurate_asn"
    late_delivery = "late_delivery"  # PO on-time: units delivered after the window
    po_confirmation = "po_confirmation"
    carton_label = "carton_label"  # missing or unreadable carton content label
    shipping_label = "shipping_label"
    prep = "prep"
    packaging = "packaging"
    overweight = "overweight"
    missed_appointment = "missed_appointment"


T = ChargebackType

# Phrases per type, as words (punctuation is ignored on both sides).
DEFAULT_SYNONYMS: Mapping[ChargebackType, tuple[str, ...]] = {
    T.late_asn: ("late asn", "asn late", "asn timeliness", "asn not on time", "late ship notice"),
    T.missing_asn: (
        "missing asn",
        "no asn",
        "asn missing",
        "asn not received",
        "asn not submitted",
        "missing ship notice",
    ),
    T.inaccurate_asn: (
        "inaccurate asn",
        "asn accuracy",
        "accuracy asn",
        "asn inaccurate",
        "asn quantity mismatch",
        "asn discrepancy",
        "incorrect asn",
    ),
    T.late_delivery: (
        "late delivery",
        "po on time",
        "on time delivery",
        "late shipment",
        "delivered late",
        "arrived late",
    ),
    T.po_confirmation: (
        "po confirmation",
        "purchase order confirmation",
        "po acknowledgement",
        "po acknowledgment",
        "late confirmation",
    ),
    T.carton_label: (
        "carton content label",
        "carton contents label",
        "missing carton content label",
        "ccl",
        "carton label",
    ),
    T.shipping_label: ("shipping label", "pallet label", "label missing or unreadable"),
    T.prep: ("prep", "preparation", "poly bag", "bubble wrap"),
    T.packaging: ("packaging", "carton dimensions", "box content"),
    T.overweight: ("overweight", "over weight", "heavy carton", "weight limit"),
    T.missed_appointment: (
        "missed appointment",
        "appointment missed",
        "no show",
        "late for appointment",
        "appointment",
    ),
}


def type_named(name: str, setting: str) -> ChargebackType:
    try:
        return ChargebackType(name.strip().casefold())
    except ValueError:
        known = ", ".join(t.value for t in ChargebackType)
        raise ConfigError(
            f"{setting}: unknown chargeback type {name!r}; choose from {known}"
        ) from None


def words(text: str) -> str:
    """Lower-case words separated by single spaces: "PO On-Time/Accuracy" → "po on time
    accuracy"."""
    return " ".join(re.findall(r"[a-z0-9]+", text.casefold()))


@dataclass(frozen=True)
class SynonymTable:
    phrases: tuple[tuple[str, ChargebackType], ...]  # longest first

    @classmethod
    def build(cls, extra: Mapping[str, Iterable[str]] | None = None) -> SynonymTable:
        """The default phrases plus the user's (`[rules.chargeback_synonyms]`: a type's name →
        more phrases)."""
        pairs: dict[str, ChargebackType] = {}
        for kind, defaults in DEFAULT_SYNONYMS.items():
            for phrase in defaults:
                pairs[words(phrase)] = kind
        for name, added in (extra or {}).items():
            named = type_named(name, "rules.chargeback_synonyms")
            for phrase in added:
                if words(phrase):
                    pairs[words(phrase)] = named  # a user's phrase overrides a default one
        ordered = sorted(pairs.items(), key=lambda item: (-len(item[0]), item[0]))
        return cls(tuple(ordered))

    def classify(self, *texts: str | None) -> ChargebackType | None:
        """The type the issue and sub-type texts name, or None when no phrase matches.

        The sub-type is looked at first: "ASN / Late ASN" is a late ASN, not any ASN fee."""
        for text in reversed([t for t in texts if t]):
            found = self._match(f" {words(text)} ")
            if found is not None:
                return found
        return self._match(f" {words(' '.join(t for t in texts if t))} ")

    def _match(self, padded: str) -> ChargebackType | None:
        for phrase, kind in self.phrases:
            if f" {phrase} " in padded:
                return kind
        return None
