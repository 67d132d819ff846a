"""Per-field precision and recall of extracted documents against the renderer's truth.

Shared by the evidence tests and `bench/bench_evidence.py` so both report the same figures.
A field counts as a true positive when the extracted value equals the truth, a false positive
when a value was extracted but is wrong, and a false negative when the truth has a value that
was not extracted correctly. PO numbers count one per number.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from recovery.evidence.parse import ParsedDocument
from recovery.testing.documents import LAYOUTS, DocumentTruth

SCORED_FIELDS: tuple[str, ...] = (
    "kind",
    "carrier",
    "bol_number",
    "pro_number",
    "ship_date",
    "delivery_date",
    "po_numbers",
    "ship_to",
    "cartons",
    "pallets",
    "units",
    "weight_lb",
    "signed",
    "receiver",
    "exception_kind",
    "exception_units",
    "exception_unit",
)


@dataclass
class FieldScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class Scorecard:
    fields: dict[str, FieldScore] = field(
        default_factory=lambda: {name: FieldScore() for name in SCORED_FIELDS}
    )
    misses: list[str] = field(default_factory=list)  # "doc: field expected X got Y"

    def add(self, name: str, truth: DocumentTruth, parsed: ParsedDocument) -> None:
        for field_name in SCORED_FIELDS:
            expected = _truth_value(truth, field_name)
            got = _normalize(field_name, getattr(parsed, field_name))
            if field_name == "po_numbers":
                self._score_set(name, field_name, set(expected), set(got))
                continue
            score = self.fields[field_name]
            if got is not None and got == expected:
                score.tp += 1
                continue
            if got is None and expected is None:
                continue
            if got is not None:
                score.fp += 1
            if expected is not None:
                score.fn += 1
            self.misses.append(f"{name}: {field_name} expected {expected!r}, got {got!r}")

    def _score_set(self, name: str, field_name: str, expected: set[str], got: set[str]) -> None:
        score = self.fields[field_name]
        score.tp += len(expected & got)
        score.fp += len(got - expected)
        score.fn += len(expected - got)
        if expected != got:
            self.misses.append(
                f"{name}: {field_name} expected {sorted(expected)}, got {sorted(got)}"
            )

    def worst(self) -> float:
        return min(min(s.precision, s.recall) for s in self.fields.values())

    def table(self) -> str:
        rows = [f"{'field':<16} {'precision':>9} {'recall':>7} {'tp':>5} {'fp':>4} {'fn':>4}"]
        for name, s in self.fields.items():
            rows.append(
                f"{name:<16} {s.precision:>9.1%} {s.recall:>7.1%} {s.tp:>5} {s.fp:>4} {s.fn:>4}"
            )
        return "\n".join(rows)


def _truth_value(truth: DocumentTruth, name: str) -> Any:
    if name == "exception_unit" and truth.exception_kind in (None, "unreadable"):
        return None  # the unit of an exception nobody wrote, or nobody can read
    value = getattr(truth, name)
    return _normalize(name, value)


def _normalize(name: str, value: Any) -> Any:
    if name == "po_numbers":
        return [str(v).upper() for v in value or []]
    if isinstance(value, str):
        return " ".join(value.split()).casefold()
    return value


_CARRIERS = ("Estes Express", "UPS Freight", "XPO Logistics", "Old Dominion Freight Line", "SAIA")
_FCS = ("ABE2", "PHX6", "ONT8", "MDW2", "TPA1", "BFI4", "SDF8", "LGB8")
_SHIPPERS = ("Acme Home Goods Inc.", "Northwind Kitchenware LLC", "Blue Harbor Toys Co.")
_RECEIVERS = ("J. Smith", "Maria Lopez", "D. Okafor", "K. Chen", "Sam Patel")
_PO_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def random_truths(count: int, seed: int = 7) -> list[DocumentTruth]:
    """Varied truths over every layout and kind, deterministic for the seed."""
    rng = random.Random(seed)
    truths: list[DocumentTruth] = []
    for index in range(count):
        layout = LAYOUTS[index % len(LAYOUTS)]
        kind = "pod" if (index // len(LAYOUTS)) % 2 else "bol"
        ship = date(2026, 1, 5) + timedelta(days=rng.randrange(300))
        cartons = rng.randrange(1, 400)
        exception = (
            rng.choice((None, None, "short", "damage", "refused")) if kind == "pod" else None
        )
        signed = rng.random() < 0.85
        truths.append(
            DocumentTruth(
                kind=kind,
                layout=layout,
                carrier=rng.choice(_CARRIERS),
                bol_number=f"BOL{rng.randrange(10**8):08d}",
                pro_number=None if rng.random() < 0.1 else f"PRO{rng.randrange(10**8):08d}",
                ship_date=ship,
                delivery_date=ship + timedelta(days=rng.randrange(1, 6)) if kind == "pod" else None,
                po_numbers=[
                    "".join(rng.choice(_PO_ALPHABET) for _ in range(8))
                    for _ in range(rng.choice((1, 1, 1, 2, 3, 5)))
                ],
                ship_to=rng.choice(_FCS),
                shipper=rng.choice(_SHIPPERS),
                cartons=cartons,
                pallets=max(1, cartons // 40),
                units=cartons * rng.choice((6, 12, 24)) if rng.random() < 0.6 else None,
                weight_lb=cartons * rng.randrange(8, 40),
                signed=signed,
                receiver=rng.choice(_RECEIVERS) if kind == "pod" and signed else None,
                exception_kind=exception,
                exception_units=rng.randrange(1, 6) if exception else None,
                exception_unit=rng.choice(("carton", "carton", "unit", "pallet")),
            )
        )
    return truths


def score(pairs: Iterable[tuple[str, DocumentTruth, ParsedDocument]]) -> Scorecard:
    card = Scorecard()
    for name, truth, parsed in pairs:
        card.add(name, truth, parsed)
    return card
