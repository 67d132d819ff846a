"""How big a scenario is: the knobs each size turns."""

from __future__ import annotations

from dataclasses import dataclass

from recovery.errors import InputError


@dataclass(frozen=True)
class SizeProfile:
    name: str
    purchase_orders: int
    items: int
    lines_min: int  # lines per PO
    lines_max: int
    categories: int
    # Evidence PDFs: None renders every document; otherwise at most this many (a sample).
    document_cap: int | None
    scanned_cap: int
    # Large scenarios write CSV only unless XLSX is asked for explicitly.
    xlsx_by_default: bool


SIZES: dict[str, SizeProfile] = {
    "tiny": SizeProfile("tiny", 16, 10, 1, 3, 3, None, 1, True),
    "small": SizeProfile("small", 400, 60, 2, 10, 4, None, 3, True),
    "medium": SizeProfile("medium", 5_000, 400, 4, 30, 8, 4_000, 8, True),
    "large": SizeProfile("large", 50_000, 2_000, 20, 60, 20, 6_000, 12, False),
}


def size_profile(name: str) -> SizeProfile:
    try:
        return SIZES[name]
    except KeyError:
        raise InputError(
            f"unknown scenario size {name!r}; choose one of {', '.join(SIZES)}"
        ) from None
