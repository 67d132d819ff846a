"""Which importer reads a tabular file, and which vendor code its rows carry: from the first
rows of its sheets."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from recovery.config import Settings
from recovery.errors import InputError
from recovery.sources.files import Sheet
from recovery.sources.importers import TABULAR
from recovery.sources.importers.base import HEADER_SEARCH_ROWS
from recovery.sources.layouts import normalize_header


def detect_kind(
    path: Path, sheets: Sequence[Sheet], settings: Settings, forced: str | None
) -> tuple[str, str | None]:
    """(kind, vendor code the rows carry) from the first header any sheet has; `forced` is
    the kind the user named. The sheets still yield the rows looked at."""
    heads = [sheet.peek(HEADER_SEARCH_ROWS) for sheet in sheets]
    candidates = [TABULAR[forced]] if forced else list(TABULAR.values())
    for head in heads:
        for index, (_, cells) in enumerate(head):
            if sum(1 for c in cells if c.strip()) < 2:
                continue
            for importer in candidates:
                if importer.can_read(cells, settings):
                    return importer.kind, _vendor_code(cells, head[index + 1 :])
    if forced:
        raise InputError(
            f"no {forced} header found in the first {HEADER_SEARCH_ROWS} rows", file=path.name
        )
    raise InputError(
        f"cannot tell what kind of file this is: no known header in the first "
        f"{HEADER_SEARCH_ROWS} rows (pass --kind, or map your column names in config)",
        file=path.name,
    )


_VENDOR_HEADERS = {"vendorcode", "payeecode"}


def _vendor_code(header: list[str], rows: list[tuple[int, list[str]]]) -> str | None:
    """The vendor code most rows under the header carry, if the file has such a column."""
    positions = [i for i, cell in enumerate(header) if normalize_header(cell) in _VENDOR_HEADERS]
    if not positions:
        return None
    counts: dict[str, int] = {}
    for _, cells in rows:
        if positions[0] < len(cells):
            code = cells[positions[0]].strip()
            if code and len(code) <= 32 and normalize_header(code):
                counts[code] = counts.get(code, 0) + 1
    return max(counts, key=lambda c: counts[c]) if counts else None
