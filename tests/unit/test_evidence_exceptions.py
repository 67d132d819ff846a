"""Carrier exceptions in the words receivers write on PODs and BOLs (OS&D: over, short, damaged,
refused), and notes the reader cannot count, which must never pass for a clean POD.

Wording from truckingterms.com "OS&D", Denver Express's OS&D documentation checklist and
CloudTrucks' OS&D guide (see recovery/evidence/exceptions.py), and the forms we render.
"""

from __future__ import annotations

import pytest

from recovery.evidence.exceptions import (
    CarrierException,
    ExceptionNote,
    read_exception_note,
    summarise,
)
from recovery.evidence.parse import parse_pages
from recovery.evidence.text import Cell, Line, PageText


def _one(kind: str, count: int, unit: str) -> ExceptionNote:
    return ExceptionNote(exceptions=(CarrierException(kind, count, unit),))


CLEAN = ExceptionNote(clean=True)
UNREAD = ExceptionNote(unreadable=True)

PHRASINGS: list[tuple[str, ExceptionNote | None]] = [
    # short, in cartons / cases / pieces, abbreviated or not
    ("1 carton short", _one("short", 1, "carton")),
    ("SHORT 2 CTNS", _one("short", 2, "carton")),
    ("OS&D: short 2 cs", _one("short", 2, "carton")),
    ("Short 3 pcs", _one("short", 3, "carton")),
    ("2 cases short", _one("short", 2, "carton")),
    ("two cases short", _one("short", 2, "carton")),
    ("short by 4 cartons", _one("short", 4, "carton")),
    ("Shortage: 5 cases", _one("short", 5, "carton")),
    ("shortage of 6 ctns", _one("short", 6, "carton")),
    ("SHRT 1 CTN", _one("short", 1, "carton")),
    ("2 boxes missing", _one("short", 2, "carton")),
    ("missing 3 pkgs", _one("short", 3, "carton")),
    ("short (2) cartons", _one("short", 2, "carton")),
    ("received 9 of 10 cartons", _one("short", 1, "carton")),
    ("rec'd 9/10 ctns", _one("short", 1, "carton")),
    ("Rcvd 46 of 48 cs", _one("short", 2, "carton")),
    ("delivered 38 of 40 plts", _one("short", 2, "pallet")),
    ("only 11 of 12 cases received", _one("short", 1, "carton")),
    ("10 ctns shipped, 8 received", _one("short", 2, "carton")),
    # short in pallets and in units
    ("1 pallet short", _one("short", 1, "pallet")),
    ("SHORT 1 PLT", _one("short", 1, "pallet")),
    ("1 skid short", _one("short", 1, "pallet")),
    ("5 units short", _one("short", 5, "unit")),
    ("SHORT 12 EA", _one("short", 12, "unit")),
    ("short 4 eaches", _one("short", 4, "unit")),
    # damaged
    ("2 plts damaged", _one("damage", 2, "pallet")),
    ("DMG 3 CTNS", _one("damage", 3, "carton")),
    ("3 cs crushed", _one("damage", 3, "carton")),
    ("damaged 2 pcs", _one("damage", 2, "carton")),
    ("1 ctn dmgd", _one("damage", 1, "carton")),
    ("4 units damaged", _one("damage", 4, "unit")),
    ("2 cartons were damaged", _one("damage", 2, "carton")),
    ("damaged carton", _one("damage", 1, "carton")),
    # refused
    ("refused 3 cases", _one("refused", 3, "carton")),
    ("REFUSED 1 PLT", _one("refused", 1, "pallet")),
    ("2 ctns refused", _one("refused", 2, "carton")),
    ("rejected 2 cases", _one("refused", 2, "carton")),
    ("Refused 6 units", _one("refused", 6, "unit")),
    # over
    ("1 carton over", _one("over", 1, "carton")),
    ("overage 2 cs", _one("over", 2, "carton")),
    ("extra pallet not on BOL", _one("over", 1, "pallet")),
    ("received 11 of 10 cartons", _one("over", 1, "carton")),
    # several at once
    (
        "1 pallet short, 1 pallet damaged",
        ExceptionNote(
            exceptions=(
                CarrierException("short", 1, "pallet"),
                CarrierException("damage", 1, "pallet"),
            )
        ),
    ),
    (
        "short 2 cs, 1 ctn crushed",
        ExceptionNote(
            exceptions=(
                CarrierException("short", 2, "carton"),
                CarrierException("damage", 1, "carton"),
            )
        ),
    ),
    # clean PODs
    ("no exceptions", CLEAN),
    ("No exceptions noted", CLEAN),
    ("NONE", CLEAN),
    ("OS&D: none", CLEAN),
    ("Exceptions: N/A", CLEAN),
    ("no OS&D", CLEAN),
    ("clean", CLEAN),
    ("received in good condition", CLEAN),
    ("received 10 of 10 cartons", CLEAN),
    # an exception without a count: a person must read it
    ("DAMAGED", UNREAD),
    ("short - see photos", UNREAD),
    ("OS&D", UNREAD),
    ("pallet leaning, shrink wrap torn", UNREAD),
    (
        "2 cartons crushed, 1 short",
        ExceptionNote(exceptions=(CarrierException("damage", 2, "carton"),), unreadable=True),
    ),
    # words describing an exception already counted add nothing to read
    ("2 cartons crushed, shrink wrap torn", _one("damage", 2, "carton")),
    ("rec'd 46/48 ctns - 2 short", _one("short", 2, "carton")),
    # check-box forms
    ("[ ] OVER [X] SHORT [ ] DAMAGED [ ] REFUSED QTY: 2 CTN", _one("short", 2, "carton")),
    ("[ ] OVER [ ] SHORT [ ] DAMAGED [ ] REFUSED", None),
    ("[ ] OVER [ ] SHORT [X] DAMAGED QTY: 6 EA", _one("damage", 6, "unit")),
    ("[X] REFUSED", UNREAD),
    # not about exceptions at all: printed words of the form
    ("STRAIGHT BILL OF LADING - SHORT FORM", None),
    ("(SHORTAGE / DAMAGE / REFUSED)", None),
    ("EXCEPTIONS (SHORTAGE DAMAGE", None),
    ("Received in good order except as noted.", None),
    ("Total weight: 3,944 LBS", None),
]


@pytest.mark.parametrize(("text", "expected"), PHRASINGS, ids=[t for t, _ in PHRASINGS])
def test_a_receivers_note_reads_as_its_exceptions(
    text: str, expected: ExceptionNote | None
) -> None:
    assert read_exception_note(text) == expected


def test_the_table_covers_forty_phrasings_of_every_kind_and_unit() -> None:
    assert len(PHRASINGS) >= 40
    seen = {(e.kind, e.unit) for _, note in PHRASINGS if note is not None for e in note.exceptions}
    for kind in ("short", "damage", "refused"):
        for unit in ("carton", "pallet", "unit"):
            assert (kind, unit) in seen, (kind, unit)


@pytest.mark.parametrize(
    ("exceptions", "expected"),
    [
        ((CarrierException("short", 2, "carton"),), ("short", 2, "carton")),
        (
            (CarrierException("short", 1, "pallet"), CarrierException("damage", 1, "pallet")),
            ("short+damage", 2, "pallet"),
        ),
        # An overage beside a shortage takes nothing away from the shortage.
        (
            (CarrierException("over", 1, "carton"), CarrierException("short", 2, "carton")),
            ("short", 2, "carton"),
        ),
        ((CarrierException("over", 1, "carton"),), ("over", 1, "carton")),
        # Pallets and cartons cannot be added without knowing the pallet's cartons.
        ((CarrierException("short", 1, "pallet"), CarrierException("damage", 2, "carton")), None),
        ((), None),
    ],
)
def test_a_documents_exceptions_are_told_in_one_count(
    exceptions: tuple[CarrierException, ...], expected: tuple[str, int, str] | None
) -> None:
    assert summarise(exceptions) == expected


def _page(*rows: list[tuple[str, float]]) -> list[PageText]:
    lines = tuple(
        Line(
            page=1,
            cells=tuple(Cell(text, x, x + 8 * len(text)) for text, x in row),
            top=20.0 * index,
            bottom=20.0 * index + 10,
        )
        for index, row in enumerate(rows)
    )
    return [PageText(1, lines, "text")]


HEADER: list[list[tuple[str, float]]] = [
    [("DELIVERY RECEIPT", 40.0), ("SAIA", 380.0)],
    [("BOL Number: BOL20260402", 40.0)],
    [("Received by: J. Smith", 40.0)],
]


@pytest.mark.parametrize(
    ("rows", "kind", "count", "unit"),
    [
        ([[("Exceptions:", 40.0), ("OS&D: short 2 cs", 120.0)]], "short", 2, "carton"),
        (
            [[("Delivery exceptions:", 40.0)], [("received 9 of 10 cartons", 50.0)]],
            "short",
            1,
            "carton",
        ),
        ([[("Exceptions: no exceptions", 40.0)]], None, None, None),
        ([[("EXCEPTIONS (SHORTAGE / DAMAGE / REFUSED)", 40.0)]], None, None, None),
        # Ink under the exceptions box that no count can be read from: not a clean POD.
        ([[("EXCEPTIONS", 40.0)], [("freight wet, see photos", 50.0)]], "unreadable", None, None),
        ([[("Notes:", 40.0), ("SHORT - SEE PHOTOS", 200.0)]], "unreadable", None, None),
        # A receiver's few words anywhere on the page.
        ([[("DAMAGED", 300.0)]], "unreadable", None, None),
        ([[("1 plt short", 40.0)], [("2 ctns damaged", 40.0)]], "unreadable", None, None),
        ([[("1 ctn short", 40.0)], [("2 ctns damaged", 40.0)]], "short+damage", 3, "carton"),
        # Printed terms about damage claims are not a note.
        (
            [[("Carrier is liable for loss, damage or shortage as provided by law", 40.0)]],
            None,
            None,
            None,
        ),
    ],
)
def test_the_parser_keeps_what_the_receiver_noted(
    rows: list[list[tuple[str, float]]], kind: str | None, count: int | None, unit: str | None
) -> None:
    parsed = parse_pages(_page(*HEADER, *rows))
    assert (parsed.exception_kind, parsed.exception_units, parsed.exception_unit) == (
        kind,
        count,
        unit,
    )
    if kind is not None:
        assert parsed.sources["exception_kind"].text
