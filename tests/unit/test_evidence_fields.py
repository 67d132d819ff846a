"""Reading single values and labels off freight forms."""

from __future__ import annotations

from datetime import date

import pytest

from recovery.evidence import fields
from recovery.evidence.labels import IGNORED, match_label
from recovery.evidence.text import Word, page_from_words


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("2026-03-14", "MDY", date(2026, 3, 14)),
        ("03/14/2026", "MDY", date(2026, 3, 14)),
        ("04/03/2026", "DMY", date(2026, 3, 4)),
        ("02/27/26", "MDY", date(2026, 2, 27)),
        ("Mar 16, 2026 at 10:42 AM", "MDY", date(2026, 3, 16)),
        ("September 3, 2026", "MDY", date(2026, 9, 3)),
        ("17-MAR-26", "MDY", date(2026, 3, 17)),
        ("Delivered: 2026-03-17 09:40", "MDY", date(2026, 3, 17)),
        ("13/14/2026", "MDY", None),
        ("N/A", "MDY", None),
    ],
)
def test_dates_in_the_formats_carriers_write(text: str, order: str, expected: date | None) -> None:
    assert fields.parse_date(text, order) == expected


@pytest.mark.parametrize(
    ("text", "min_digits", "expected"),
    [
        ("BOL00000042", 3, "BOL00000042"),
        ("4471-2209-88", 3, "4471-2209-88"),
        ("bol59491 792", 3, "BOL59491792"),  # OCR split the number
        ("N/A", 4, None),
        ("not assigned", 4, None),
        ("PRO12", 4, None),
        ("0458821937  Freight", 4, "0458821937"),
    ],
)
def test_reference_numbers(text: str, min_digits: int, expected: str | None) -> None:
    assert fields.parse_reference(text, min_digits=min_digits) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3XK9QW2L, 7PL2MN8R", ["3XK9QW2L", "7PL2MN8R"]),
        ("ABCDEFGH / 2K4BXQ7Z", ["ABCDEFGH", "2K4BXQ7Z"]),
        ("GRAND TOTAL", None),
        ("Amazon PO", None),
        ("21", None),
    ],
)
def test_po_number_lists(text: str, expected: list[str] | None) -> None:
    assert fields.parse_po_numbers(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("J. Smith", "J. Smith"),
        ("R. Driver   03/14/2026", "R. Driver"),
        ("T. Nguyen (Estes Express)", "T. Nguyen"),
        ("______________________", None),
        ("(no signature)", None),
        ("", None),
    ],
)
def test_signature_lines(text: str, expected: str | None) -> None:
    assert fields.parse_signer(text) == expected


@pytest.mark.parametrize(
    ("cell", "field", "rest"),
    [
        ("Handling units: 3 PLT", "pallets", "3 PLT"),
        ("Units: 504", "units", "504"),
        ("Date received: 03/17/2026", "delivery_date", "03/17/2026"),
        ("Date: 03/14/2026", "ship_date", "03/14/2026"),
        ("Delivered to: Amazon SDF8", "ship_to", "Amazon SDF8"),
        ("Delivered: 2026-03-17", "delivery_date", "2026-03-17"),
        ("CARRIER SIGNATURE / PICKUP DATE", IGNORED, ""),
        ("Carrier signature: R. Driver", "carrier_signature", "R. Driver"),
        ("P.O. #'s: 8HJK2LMN", "po_numbers", "8HJK2LMN"),
        ("Tracking / PRO number:", "pro_number", ""),
    ],
)
def test_the_longest_label_claims_a_cell(cell: str, field: str, rest: str) -> None:
    found = match_label(cell)
    assert found is not None
    assert (found.field, found.rest) == (field, rest)


@pytest.mark.parametrize("cell", ["Proof of Delivery", "POD", "Received in good order", "Bill to"])
def test_words_that_only_look_like_labels(cell: str) -> None:
    found = match_label(cell)
    assert found is None or found.field == IGNORED


def test_fc_codes_and_a_slightly_rotated_row_stays_one_line() -> None:
    assert fields.parse_fc_code("AMAZON FC ONT8") == "ONT8"
    assert fields.parse_fc_code("BOL77300120") is None
    # A scan rotated a fraction of a degree: the value drifts 1.5 points below its label.
    words = [
        Word("Weight:", 40, 75, 273.0, 281.0),
        Word("5104", 200, 221, 274.5, 282.5),
        Word("lbs", 225, 236, 274.6, 282.6),
        Word("Pallets:", 40, 74, 255.0, 263.0),
    ]
    page = page_from_words(1, words, "ocr")
    assert [line.text for line in page.lines] == ["Pallets:", "Weight:  5104 lbs"]
