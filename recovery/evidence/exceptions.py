"""Carrier exceptions (OS&D: over, short, damaged, refused) read from a receiver's note.

Receivers write exceptions on the BOL or delivery receipt in their own words: "1 carton short",
"OS&D: short 2 cs", "received 9 of 10 cartons", "2 plts damaged", "refused 3 cases",
"extra pallet not on BOL", or "no exceptions" for a clean POD. Counts are in freight pieces
(cartons, cases, pieces, boxes), pallets (skids, handling units) or units (eaches), written as
digits or words. A note that speaks of an exception but cannot be read as counts is returned as
unreadable: the shortage rule then asks a person to look, never taking it for a clean POD.
Sources for the wording: truckingterms.com "OS&D" ("1 pallet short, 1 pallet damaged", "clean
POD"), Denver Express's OS&D checklist ("2 cartons crushed", "received 1 extra pallet / 6 extra
cases") and CloudTrucks' OS&D guide ("two cases short", "extra pallet not on BOL").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Kinds that take units away from what the documents prove was delivered; "over" does not.
REDUCING_KINDS = ("short", "damage", "refused")
UNREADABLE = "unreadable"

_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
_COUNT = r"\(?(\d{1,5}|" + "|".join(_NUMBER_WORDS) + r")\)?"
# Freight pieces are cartons to the shortage rule (it converts them with units per carton).
_UNIT_WORDS: tuple[tuple[str, str], ...] = (
    ("pallet", r"pallets?|plts?|pllts?|skids?|handling units?|hu"),
    ("unit", r"units?|eaches|each|ea|pcs? ?units?|eas"),
    (
        "carton",
        # "pes": Tesseract's reading of a scanned "pcs"
        r"cartons?|ctns?|cartn?s?|cases?|cs|cse|pieces?|pcs?|pes|pkgs?|packages?|boxe?s?|bx|pc",
    ),
)
_UNIT = "(" + "|".join(pattern for _, pattern in _UNIT_WORDS) + r")\.?"
_UNIT_KIND = [(kind, re.compile(rf"^(?:{pattern})$")) for kind, pattern in _UNIT_WORDS]
_KIND_WORDS: tuple[tuple[str, str], ...] = (
    ("short", r"short(?:age)?|shrt|shy|missing|not received|lost"),
    ("over", r"over(?:age)?|extra|excess"),
    (
        "damage",
        r"damaged?|dmg'?d?|dmgd|damg|crushed|broken|torn|wet|punctured|leaking|destroyed",
    ),
    ("refused", r"refused|refusal|rejected|rej|returned to shipper|rts"),
)
_KIND = "(" + "|".join(pattern for _, pattern in _KIND_WORDS) + ")"
_KIND_OF = [(kind, re.compile(rf"^(?:{pattern})$")) for kind, pattern in _KIND_WORDS]

# "short 2 cs", "SHORT: 3 CTNS", "damaged (2) pallets", "short by 2 cartons", "overage of 1 plt"
_KIND_FIRST = re.compile(
    rf"\b{_KIND}\b[\s:=\-]{{0,3}}(?:by |of |qty\W{{0,2}})?{_COUNT}\s*{_UNIT}(?!\w)"
)
# "1 carton short", "2 plts damaged", "3 cs were refused", "1 pallet extra", "2 cases missing"
_COUNT_FIRST = re.compile(
    rf"(?<![\w/]){_COUNT}\s*{_UNIT}\s+(?:(?:were|was|are|is|arrived|found|received|rec'?d)\s+)?"
    rf"{_KIND}\b"
)
# "extra pallet not on BOL", "damaged carton", "refused pallet": one piece, no count written
_KIND_UNIT = re.compile(rf"\b{_KIND}\s+{_UNIT}(?!\w)")
# "received 9 of 10 cartons", "rec'd 9/10 ctns", "delivered 38 of 40 plts"
_OF_TOTAL = re.compile(
    rf"\b(?:received|rec'?v?d|rcvd|delivered|dlvd|counted|only)\W{{0,3}}(?:only\s+)?"
    rf"(\d{{1,5}})\s*(?:{_UNIT}\s+)?(?:of|/|out of)\s*(\d{{1,5}})\s*{_UNIT}(?!\w)"
)
# "10 cartons shipped, 9 received"
_SHIPPED_RECEIVED = re.compile(
    rf"\b(\d{{1,5}})\s*{_UNIT}\s+(?:shipped|on bol|billed)\W+(\d{{1,5}})\s*(?:{_UNIT}\s+)?"
    r"(?:received|rec'?d|delivered)\b"
)
# Words that mean the receiver found nothing wrong.
_CLEAN = re.compile(
    r"^\W*(?:no (?:exceptions?|osd|os&d|shortages?|damages?|discrepanc(?:y|ies))"
    r"(?: noted| found)?|none(?: noted)?|n/?a|clean(?: pod| delivery)?|ok|okay|"
    r"received in good (?:order|condition)|all (?:freight )?received(?: in good (?:order|"
    r"condition))?|good condition|nil)\W*$"
)
# Words that say an exception happened, used to tell an unread exception from other ink.
_SPEAKS_OF_EXCEPTION = re.compile(rf"\b(?:{_KIND}|os\W?&\W?d|osd|exceptions?)\b(?! form)")
_KIND_WORD = re.compile(rf"\b{_KIND}\b(?! form)")
_UNTICKED = re.compile(rf"\[\s*\]\s*{_KIND}\b")
_TICK = re.compile(r"\[\s*[x✓✔]\s*\]")
_KINDS_ONLY = re.compile(rf"^[\W]*(?:{_KIND}[\s/,()&|]*)+$")
# The words of a receiver's note, as opposed to a form's printed prose about exceptions.
_STRONG_WORD = re.compile(
    r"\b(?:short(?:age)?|shrt|dmg'?d?|dmgd|damaged|crushed|refused|os\W?&\W?d)\b(?! form)"
)


@dataclass(frozen=True)
class CarrierException:
    kind: str  # short | over | damage | refused
    count: int
    unit: str  # carton | pallet | unit


@dataclass(frozen=True)
class ExceptionNote:
    """What a note says: its exceptions, or that it says an exception we cannot count."""

    exceptions: tuple[CarrierException, ...] = ()
    clean: bool = False
    unreadable: bool = False


def read_exception_note(text: str) -> ExceptionNote | None:
    """The exceptions in a receiver's note; None when the text is not about exceptions."""
    note = _ticked(" ".join(text.lower().replace("’", "'").split()))
    if not note:
        return None
    if _CLEAN.match(_without_prefix(note)):
        return ExceptionNote(clean=True)
    if _is_heading(re.sub(r"^\W*(?:delivery )?exceptions?\b", "", note)):
        return None
    found: list[tuple[int, CarrierException]] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, exception: CarrierException) -> None:
        if any(start < e and s < end for s, e in taken):
            return
        taken.append((start, end))
        found.append((start, exception))

    for match in _OF_TOTAL.finditer(note):
        received, total = int(match[1]), int(match[3])
        if total > received:
            add(
                match.start(),
                match.end(),
                CarrierException("short", total - received, _unit(match[4])),
            )
        elif received > total:
            add(
                match.start(),
                match.end(),
                CarrierException("over", received - total, _unit(match[4])),
            )
        else:
            add(match.start(), match.end(), CarrierException("short", 0, _unit(match[4])))
    for match in _SHIPPED_RECEIVED.finditer(note):
        shipped, received = int(match[1]), int(match[3])
        kind = "short" if shipped >= received else "over"
        add(
            match.start(),
            match.end(),
            CarrierException(kind, abs(shipped - received), _unit(match[2])),
        )
    for match in _COUNT_FIRST.finditer(note):
        add(
            match.start(),
            match.end(),
            CarrierException(_kind(match[3]), _count(match[1]), _unit(match[2])),
        )
    for match in _KIND_FIRST.finditer(note):
        add(
            match.start(),
            match.end(),
            CarrierException(_kind(match[1]), _count(match[2]), _unit(match[3])),
        )
    for match in _KIND_UNIT.finditer(note):
        add(match.start(), match.end(), CarrierException(_kind(match[1]), 1, _unit(match[2])))
    exceptions = tuple(e for _, e in sorted(found, key=lambda pair: pair[0]) if e.count > 0)
    leftover = note
    for start, end in sorted(taken, reverse=True):
        leftover = leftover[:start] + " " + leftover[end:]
    # Words of an exception no count goes with: alone ("DAMAGED"), or beside counts of other
    # kinds ("2 ctns short, 1 crushed"). Words of a kind already counted describe it ("2 ctns
    # crushed, shrink wrap torn").
    counted = {e.kind for e in exceptions}
    left = _without_prefix(leftover)
    if (not exceptions and _SPEAKS_OF_EXCEPTION.search(left)) or any(
        _kind(word) not in counted for word in _KIND_WORD.findall(left)
    ):
        return ExceptionNote(exceptions=exceptions, unreadable=True)
    if exceptions:
        return ExceptionNote(exceptions=exceptions)
    if taken:  # "received 10 of 10 cartons"
        return ExceptionNote(clean=True)
    return None


def looks_like_a_note(text: str) -> bool:
    """A few words naming an exception ("DAMAGED", "short - see photos"): a receiver's ink,
    not a form's printed terms, which run longer."""
    words = text.split()
    return len(words) <= 6 and _STRONG_WORD.search(text.lower()) is not None


def _ticked(note: str) -> str:
    """Check-box forms ("[ ] OVER [X] SHORT [ ] DAMAGED  QTY: 2 CTN"): the ticked word stays,
    an unticked box and its word go."""
    note = _UNTICKED.sub(" ", note)
    return " ".join(_TICK.sub(" ", note).split())


def _is_heading(note: str) -> bool:
    """A form's printed list of exception kinds ("(SHORTAGE / DAMAGE / REFUSED)", split by
    OCR into "(SHORTAGE DAMAGE" and "REFUSED)"): words of kinds only, in brackets or several."""
    if not _KINDS_ONLY.match(note):
        return False
    return any(c in note for c in "()/") or len(_KIND_WORD.findall(note)) >= 2


def _without_prefix(note: str) -> str:
    """The note without its label ("OS&D:", "Exceptions:", "Notes:"), which says nothing."""
    return re.sub(
        r"^\W*(?:os\W?&\W?d|osd|(?:delivery )?exceptions?|notes?|remarks?|comments?)\s*[:\-]\s*",
        "",
        note,
    )


def _kind(word: str) -> str:
    for kind, pattern in _KIND_OF:
        if pattern.match(word):
            return kind
    raise ValueError(f"not an exception word: {word!r}")


def _unit(word: str) -> str:
    word = word.rstrip(".")
    for kind, pattern in _UNIT_KIND:
        if pattern.match(word):
            return kind
    raise ValueError(f"not a count unit: {word!r}")


def _count(text: str) -> int:
    text = text.strip("()")
    return int(text) if text.isdigit() else _NUMBER_WORDS[text]


def summarise(exceptions: tuple[CarrierException, ...]) -> tuple[str, int, str] | None:
    """One (kind, count, unit) for the document's columns; None when the exceptions cannot be
    told in one count (different units), which leaves them for a person."""
    reducing = [e for e in exceptions if e.kind in REDUCING_KINDS]
    counted = reducing or [e for e in exceptions if e.kind == "over"]
    if not counted:
        return None
    units = {e.unit for e in counted}
    if len(units) != 1:
        return None
    kinds = list(dict.fromkeys(e.kind for e in counted))
    return "+".join(kinds), sum(e.count for e in counted), units.pop()
