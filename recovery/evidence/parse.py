"""Fields of a BOL, POD or packing list, read from its lines, each with where it was found.

Values are looked for in the three places forms put them: after the label in the same cell
("BOL #: 123"), in the next cell of the same row ("Bill of lading:    123"), or under the label
(boxed forms and tables). Among all candidates for a field the most specific label wins, then
the earliest on the page; a candidate that does not read as the field's kind of value is dropped.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

from recovery.evidence import fields as read
from recovery.evidence.exceptions import (
    UNREADABLE,
    CarrierException,
    looks_like_a_note,
    read_exception_note,
    summarise,
)
from recovery.evidence.labels import IGNORED, match_label
from recovery.evidence.text import Cell, Line, PageText

# How far under a label its value may sit (boxes and table rows), in lines.
# A signature line holds its own value: under it is other ink (an exception note).
LINES_BELOW = {"ship_to": 3, "po_numbers": 12, "receiver": 0, "carrier_signature": 0}
MAX_LINE_GAP = 40.0  # points: farther than this is another part of the form

_KIND_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("pod", re.compile(r"proof of delivery|delivery receipt|consignee copy|\bpod\b", re.I)),
    ("packing_list", re.compile(r"packing (?:list|slip)", re.I)),
    ("bol", re.compile(r"bill of lading|shipping order|\bbol\b|\bb/l\b", re.I)),
)
# Words printed on forms next to their title that are not a company's name.
_FORM_WORDS = re.compile(r"short form|long form|original|not negotiable|\bcopy\b|\bpage\b", re.I)
# Labels under or after which a receiver writes exceptions.
_EXCEPTION_LABEL = re.compile(
    r"^\W*(?:(?:delivery )?exceptions?|os\s?&\s?d|osd|notes?|remarks?|comments?)\b", re.I
)


@dataclass(frozen=True)
class Source:
    """Where a value was read: the page (1-based) and the line(s) of text it came from."""

    page: int
    text: str


@dataclass
class ParsedDocument:
    kind: str = "unknown"
    carrier: str | None = None
    bol_number: str | None = None
    pro_number: str | None = None
    ship_date: date | None = None
    delivery_date: date | None = None
    po_numbers: list[str] = field(default_factory=list)
    ship_to: str | None = None
    cartons: int | None = None
    pallets: int | None = None
    units: int | None = None
    weight_lb: int | None = None
    signed: bool = False
    receiver: str | None = None
    # short, damage, refused, over, several joined by "+", or "unreadable" (a person must look)
    exception_kind: str | None = None
    exception_units: int | None = None
    exception_unit: str | None = None  # the word the receiver used: carton, unit, pallet
    sources: dict[str, Source] = field(default_factory=dict)

    def fields_json(self) -> dict[str, Any]:
        """{"field": {"value", "page", "text"}} for every field that was found."""
        out: dict[str, Any] = {}
        for name in (f.name for f in fields(self) if f.name in self.sources):
            source = self.sources[name]
            value = getattr(self, name)
            if isinstance(value, date):
                value = value.isoformat()
            out[name] = {"value": value, "page": source.page, "text": source.text}
        return out


@dataclass(frozen=True)
class _Candidate:
    priority: int
    order: int
    value: Any
    source: Source


_READERS: dict[str, Callable[[str, str], Any]] = {
    "bol_number": lambda text, _order: read.parse_reference(text, min_digits=3),
    "pro_number": lambda text, _order: read.parse_reference(text, min_digits=4),
    "ship_date": read.parse_date,
    "delivery_date": read.parse_date,
    "ship_to": lambda text, _order: read.parse_fc_code(text),
    "carrier": lambda text, _order: _carrier_name(text),
    "cartons": lambda text, _order: read.parse_count(text),
    "pallets": lambda text, _order: read.parse_count(text),
    "units": lambda text, _order: read.parse_count(text),
    "weight_lb": lambda text, _order: read.parse_count(text),
    "receiver": lambda text, _order: read.parse_signer(text),
    "carrier_signature": lambda text, _order: read.parse_signer(text),
}


def parse_pages(pages: Sequence[PageText], *, date_order: str = "MDY") -> ParsedDocument:
    lines = [line for page in pages for line in page.lines]
    candidates: dict[str, list[_Candidate]] = {}
    po_numbers: list[str] = []
    po_sources: list[Source] = []
    for index, line in enumerate(lines):
        for position, cell in enumerate(line.cells):
            label = match_label(cell.text)
            if label is None or label.field == IGNORED:
                continue
            order = index * 100 + position
            if label.field == "po_numbers":
                found = _po_numbers(lines, index, position, label.rest)
                for number in found:
                    if number not in po_numbers:
                        po_numbers.append(number)
                if found:
                    po_sources.append(Source(line.page, _snippet(lines, index, found)))
                continue
            for text, source in _values(lines, index, position, label.rest, label.field):
                value = _READERS[label.field](text, date_order)
                if value is not None:
                    candidates.setdefault(label.field, []).append(
                        _Candidate(label.priority, order, value, source)
                    )
                    break
    parsed = ParsedDocument()
    for name, found_for_field in candidates.items():
        best = min(found_for_field, key=lambda c: (c.priority, c.order))
        if name == "carrier_signature":
            parsed.signed = True
            parsed.sources["signed"] = best.source
            continue
        setattr(parsed, name, best.value)
        parsed.sources[name] = best.source
    if parsed.receiver is not None:
        parsed.signed = True
        parsed.sources["signed"] = parsed.sources["receiver"]
    if po_numbers:
        parsed.po_numbers = po_numbers
        parsed.sources["po_numbers"] = Source(
            po_sources[0].page, " | ".join(s.text for s in po_sources)
        )
    _read_kind(parsed, lines)
    _read_exception(parsed, lines)
    if parsed.carrier is None:
        _read_letterhead(parsed, lines)
    if parsed.ship_to is None:
        _read_amazon_address(parsed, lines)
    return parsed


def _read_amazon_address(parsed: ParsedDocument, lines: Sequence[Line]) -> None:
    """No labelled ship-to was readable: the FC code near Amazon's name or address will do."""
    for index, line in enumerate(lines):
        if "amazon" not in line.text.lower():
            continue
        for near in lines[index : index + 3]:
            code = read.parse_fc_code(near.text)
            if code:
                parsed.ship_to = code
                parsed.sources["ship_to"] = Source(near.page, near.text)
                return


def _values(
    lines: Sequence[Line], index: int, position: int, rest: str, field_name: str
) -> list[tuple[str, Source]]:
    """Texts that may hold the label's value, nearest first."""
    line = lines[index]
    out: list[tuple[str, Source]] = []
    if rest:
        out.append((rest, Source(line.page, line.text)))
    elif position + 1 < len(line.cells):
        following = line.cells[position + 1]
        if match_label(following.text) is None:
            out.append((following.text, Source(line.page, line.text)))
    label_cell = line.cells[position]
    for below in _lines_below(lines, index, LINES_BELOW.get(field_name, 1)):
        for cell in below.cells:
            if cell.overlaps(label_cell) and match_label(cell.text) is None:
                out.append((cell.text, Source(line.page, f"{line.text} / {below.text}")))
    return out


def _lines_below(lines: Sequence[Line], index: int, count: int) -> list[Line]:
    out: list[Line] = []
    previous = lines[index]
    for line in lines[index + 1 : index + 1 + count]:
        if line.page != previous.page or line.top - previous.bottom > MAX_LINE_GAP:
            break
        out.append(line)
        previous = line
    return out


def _po_numbers(lines: Sequence[Line], index: int, position: int, rest: str) -> list[str]:
    """PO numbers after the label, in the next cell, and on the lines that continue the list."""
    line = lines[index]
    found: list[str] = []
    inline = [rest] if rest else []
    # A list may run over several cells when the separators are far apart or lost by OCR.
    for cell in line.cells[position + 1 :]:
        if _is_label(cell):
            break
        inline.append(cell.text)
    for text in inline:
        found.extend(read.parse_po_numbers(text) or [])
    for below in _lines_below(lines, index, LINES_BELOW["po_numbers"]):
        if any(_is_label(cell) for cell in below.cells):
            break
        row = [n for cell in below.cells for n in (read.parse_po_numbers(cell.text) or [])]
        if not row:
            break
        found.extend(row)
    return found


def _is_label(cell: Cell) -> bool:
    return match_label(cell.text) is not None


def _snippet(lines: Sequence[Line], index: int, numbers: Sequence[str]) -> str:
    texts = [lines[index].text]
    for line in lines[index + 1 : index + 1 + LINES_BELOW["po_numbers"]]:
        if not any(number in line.text for number in numbers):
            break
        texts.append(line.text)
    return " / ".join(texts)


def _carrier_name(text: str) -> str | None:
    name = read.normalize_text(text)
    if len(name) < 2 or not any(c.isalpha() for c in name) or "_" in name:
        return None
    return name


def _read_kind(parsed: ParsedDocument, lines: Sequence[Line]) -> None:
    # The title says what the document is; the body of a POD also says "bill of lading".
    for scope in (lines[:4], lines):
        for kind, pattern in _KIND_WORDS:
            for line in scope:
                if pattern.search(line.text):
                    parsed.kind = kind
                    parsed.sources["kind"] = Source(line.page, line.text)
                    return
    if parsed.delivery_date is not None and parsed.receiver is not None:
        parsed.kind = "pod"


def _read_exception(parsed: ParsedDocument, lines: Sequence[Line]) -> None:
    """Every exception the receiver noted, told as one count; a note that speaks of an
    exception the reader cannot count is kept as "unreadable" so that a person looks at it."""
    counted: list[CarrierException] = []
    unread: Source | None = None
    first: Source | None = None
    in_box = _exception_box(lines)
    for index, line in enumerate(lines):
        for position, cell in enumerate(line.cells):
            label = match_label(cell.text)
            text = cell.text if label is None else label.rest
            owners = in_box.get((index, position), set())
            # Written in another label's exceptions box, "OS&D" or "OS&D noted" is the
            # receiver's mark that something went wrong, not a printed label: the whole cell
            # is the note (and counts nothing, so a person must look).
            if (
                label is not None
                and owners - {(index, position)}
                and _EXCEPTION_LABEL.match(cell.text)
            ):
                text = cell.text
            note = read_exception_note(text) if text else None
            if note is None:
                continue
            source = Source(line.page, line.text)
            if note.exceptions:
                counted.extend(note.exceptions)
                first = first or source
            if note.unreadable and ((index, position) in in_box or looks_like_a_note(text)):
                unread = unread or source
    summary = summarise(tuple(counted))
    if unread is None and counted and summary is None:
        unread = first  # exceptions in several units ("1 plt short, 2 ctns damaged")
    if unread is not None:
        parsed.exception_kind = UNREADABLE
        parsed.sources["exception_kind"] = unread
        return
    if summary is None or first is None:
        return
    parsed.exception_kind, parsed.exception_units, parsed.exception_unit = summary
    for name in ("exception_kind", "exception_units", "exception_unit"):
        parsed.sources[name] = first


def _exception_box(lines: Sequence[Line]) -> dict[tuple[int, int], set[tuple[int, int]]]:
    """(line, cell) positions of what is written for an exceptions label (the label itself,
    the rest of its line and the two lines under it, up to the next label), each with the
    positions of the labels whose box it is in."""
    inside: dict[tuple[int, int], set[tuple[int, int]]] = defaultdict(set)
    for index, line in enumerate(lines):
        for position, cell in enumerate(line.cells):
            if not _EXCEPTION_LABEL.match(cell.text):
                continue
            owner = (index, position)
            for p in range(position, len(line.cells)):
                inside[(index, p)].add(owner)
            for offset, below in enumerate(_lines_below(lines, index, 2), start=1):
                # Another label ends the box; "OS&D noted" written in it does not.
                if any(_is_label(c) and not _EXCEPTION_LABEL.match(c.text) for c in below.cells):
                    break
                for p in range(len(below.cells)):
                    inside[(index + offset, p)].add(owner)
    return inside


def _read_letterhead(parsed: ParsedDocument, lines: Sequence[Line]) -> None:
    """Carrier forms often name the carrier only in the letterhead: the first line's text."""
    if not lines:
        return
    first = lines[0]
    for cell in first.cells:
        if (
            any(pattern.search(cell.text) for _, pattern in _KIND_WORDS)
            or _FORM_WORDS.search(cell.text)
            or _is_label(cell)
        ):
            continue
        name = _carrier_name(cell.text)
        if name:
            parsed.carrier = name
            parsed.sources["carrier"] = Source(first.page, first.text)
            return
