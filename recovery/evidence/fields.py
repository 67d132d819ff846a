"""Reading one value out of the text next to a label: numbers, dates, reference numbers, names.

Each reader returns None when the text is not that kind of value, so the parser can try the
next candidate instead of keeping a wrong one (a missing field is better than a wrong one).
"""

from __future__ import annotations

import re
from datetime import date

_MONTHS = {
    name: index
    for index, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_NUMERIC = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})\b")
_MONTH_FIRST = re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}}),?\s+(\d{{4}})\b", re.IGNORECASE)
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})[-\s]({_MONTH})[-\s,]+(\d{{4}}|\d{{2}})\b", re.IGNORECASE)
_INTEGER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?![\w])")
_FC_CODE = re.compile(r"\b([A-Z]{3}\d{1,2})\b")
_REFERENCE = re.compile(r"^[A-Z0-9][A-Z0-9-]{3,29}$")
_SPACED_REFERENCE = re.compile(r"^[A-Z0-9-]+(?: \d+)+$")
_PO = re.compile(r"^[A-Z0-9]{6,12}$")
_NOT_SIGNED = re.compile(r"_{3,}|\bno signature\b|^n/?a$|^none$|^\(?unsigned\)?$", re.IGNORECASE)
_NAME = re.compile(r"[A-Za-z][A-Za-z.'\- ]*[A-Za-z.]")


def parse_date(text: str, order: str = "MDY") -> date | None:
    """The first date in `text`: ISO, numeric in the marketplace's order, or with a month name."""
    candidates: list[tuple[int, date]] = []
    for match in _ISO.finditer(text):
        _add(candidates, match.start(), int(match[1]), int(match[2]), int(match[3]))
    for match in _NUMERIC.finditer(text):
        first, second, year = int(match[1]), int(match[2]), _year(match[3])
        month, day = (second, first) if order == "DMY" else (first, second)
        _add(candidates, match.start(), year, month, day)
    for match in _MONTH_FIRST.finditer(text):
        _add(candidates, match.start(), int(match[3]), _MONTHS[match[1].lower()], int(match[2]))
    for match in _DAY_MONTH.finditer(text):
        day, month = int(match[1]), _MONTHS[match[2].lower()]
        _add(candidates, match.start(), _year(match[3]), month, day)
    return min(candidates)[1] if candidates else None


def _year(text: str) -> int:
    return int(text) + 2000 if len(text) == 2 else int(text)


def _add(found: list[tuple[int, date]], position: int, year: int, month: int, day: int) -> None:
    try:
        found.append((position, date(year, month, day)))
    except ValueError:
        return


def parse_count(text: str) -> int | None:
    """The first whole number (thousands separators allowed): "1,234 LBS" -> 1234."""
    match = _INTEGER.search(text)
    return int(match[1].replace(",", "")) if match else None


def parse_reference(text: str, *, min_digits: int) -> str | None:
    """A BOL or PRO number: the first token, letters/digits/dashes with enough digits."""
    text = text.strip().upper()
    token = text.split(" ")[0].strip(":#.,;") if text else ""
    # OCR sometimes breaks a long number in two ("BOL59491 792"): a value that is only letters,
    # digits and spaces is one reference.
    if _SPACED_REFERENCE.match(text):
        token = text.replace(" ", "")
    if not _REFERENCE.match(token) or sum(c.isdigit() for c in token) < min_digits:
        return None
    return token


def parse_po_numbers(text: str) -> list[str] | None:
    """PO numbers in a list ("A, B / C"); None unless every token looks like a PO number."""
    tokens = [t for t in re.split(r"[\s,/;&]+|\band\b", text.strip()) if t]
    if not tokens or not all(_PO.match(t) for t in tokens):
        return None
    return tokens


def parse_fc_code(text: str) -> str | None:
    """An Amazon fulfilment-centre code (three letters and a digit or two: SDF8, ABE2)."""
    match = _FC_CODE.search(text.upper())
    return match[1] if match else None


def parse_signer(text: str) -> str | None:
    """The name written on a signature line, or None when the line is blank or says unsigned."""
    cleaned = text.strip()
    if not cleaned or _NOT_SIGNED.search(cleaned):
        return None
    # A signature line often carries the date and the company after the name.
    cleaned = re.split(r"\s{2,}|\(|\d", cleaned)[0].strip(" ,;:-")
    match = _NAME.search(cleaned)
    if match is None or sum(c.isalpha() for c in match[0]) < 2:
        return None
    return match[0].strip()


def normalize_text(text: str) -> str:
    return " ".join(text.split()).strip(" :;,-")
