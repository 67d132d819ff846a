"""Cells to typed values: amounts, dates, whole numbers, currencies, as exports write them.

Every failure is an `InputError` naming the file, row and column, so a user can open the file
at the right cell. Parsing is on the hot path of million-row imports: the common shapes
(`1234.56`, ISO dates) take a fast path and repeated dates are cached.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.compute as pc

from recovery.config import DateOrder
from recovery.errors import InputError, MoneyError
from recovery.money import (
    exponent,
    is_iso_currency,
    normalize_currency,
    parse_amount,
    plain_minor,
    to_minor,
)
from recovery.sources.layouts import Column, FieldType, HeaderMap

_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?")
_NUMERIC_DATE = re.compile(r"(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})(?:[T ][\d:.]+)?")
_NAMED_FORMATS = ("%d-%b-%Y", "%d %b %Y", "%b %d, %Y", "%B %d, %Y", "%d-%b-%y", "%d %B %Y")


def parse_date(text: str, order: DateOrder) -> date:
    """ISO always; otherwise day/month order from the marketplace (`MDY`, `DMY`, `YMD`)."""
    return _parse_date(text.strip(), order)


@lru_cache(maxsize=8192)
def _parse_date(text: str, order: DateOrder) -> date:
    iso = _ISO_DATE.fullmatch(text)
    if iso:
        return date(int(iso[1]), int(iso[2]), int(iso[3]))
    numeric = _NUMERIC_DATE.fullmatch(text)
    if numeric:
        a, b, c = numeric[1], numeric[2], numeric[3]
        if len(a) == 4:
            year, month, day = int(a), int(b), int(c)
        else:
            year = int(c) + (2000 if len(c) <= 2 else 0)
            if order == "MDY":
                month, day = int(a), int(b)
            else:
                day, month = int(a), int(b)
        return date(year, month, day)
    for fmt in _NAMED_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


# `$1,234.56`, `(12.00)`, `-$5`: the shapes US exports use, read without the general parser.
_US_MONEY = re.compile(r"(\()?(-)?\$?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(\))?")


def parse_number(text: str, *, decimal_comma: bool) -> Decimal:
    if _PLAIN_NUMBER.fullmatch(text):
        return Decimal(text)
    if not decimal_comma:
        money = _US_MONEY.fullmatch(text)
        if money and bool(money[1]) == bool(money[5]):
            value = Decimal(money[3].replace(",", "") + (money[4] or ""))
            return -value if bool(money[1]) != bool(money[2]) else value
    return parse_amount(text, decimal_comma=decimal_comma)


_US_MINOR = re.compile(r"(\()?(-)?\$?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d*))?(\))?")


def parse_minor(text: str, currency: str, *, decimal_comma: bool) -> int:
    """An amount cell straight to integer minor units of `currency`, exactly.

    The shapes US exports write (`1234.56`, `$1,234.56`, `(12.00)`) are read with string
    arithmetic, no Decimal, because remittances have millions of them; anything else goes
    through `recovery.money.parse_amount`.
    """
    places = exponent(currency)
    if not decimal_comma:
        # `1234.56` and `-12.5`, most cells of most exports, without the regular expression.
        plain = plain_minor(text, places)
        if plain is not None:
            return plain
        found = _US_MINOR.fullmatch(text)
        if found and bool(found[1]) == bool(found[5]):
            fraction = (found[4] or "").rstrip("0")
            if len(fraction) <= places:
                value = int(found[3].replace(",", "") + fraction.ljust(places, "0"))
                return -value if bool(found[1]) != bool(found[2]) else value
    return to_minor(parse_amount(text, decimal_comma=decimal_comma), currency)


_MINOR_DIGITS = 18

# The largest amount a cell may hold, in minor units: 10^13 (100 billion dollars) is beyond
# any line of a vendor's exports, and a million such lines still sum inside the database's
# 64-bit integers. A bigger cell is a broken export, refused before it breaks a sum later.
MAX_AMOUNT_MINOR = 10**13
# Counts are stored in 32-bit integer columns.
MAX_COUNT = 2**31 - 1


def plain_minor_units(cells: Sequence[str], currency: str) -> list[int | None]:
    """Each cell that is a plain amount (`1234.56`, `-12.5`, `7.`) in integer minor units of
    `currency`, read by Arrow for all the cells at once; None for every other cell, left to
    `parse_minor` one at a time. A plain cell gives exactly what `parse_minor` gives it.

    Amount cells hardly repeat (a co-op backup line's sales and rebate), so one Python call
    per distinct cell was most of what reading them cost.
    """
    places = exponent(currency)
    texts = pa.array(cells, pa.string())
    # No more digits after the point than the currency has; before it, as many as 13 digits
    # of minor units leave (below MAX_AMOUNT_MINOR; an 18-digit decimal and int64 hold them).
    # Longer cells, trailing zeros past the currency's places included, are rare:
    # `parse_minor` reads them, and `bounded_minor` refuses the big ones.
    whole = _AMOUNT_DIGITS - places
    plain = pc.match_substring_regex(texts, rf"^-?[0-9]{{1,{whole}}}(\.[0-9]{{0,{places}}})?$")
    if not pc.any(plain).as_py():
        return [None] * len(cells)
    # Other cells become "0" to keep their places; their result is dropped below.
    decimals = pc.cast(pc.if_else(plain, texts, "0"), pa.decimal128(_MINOR_DIGITS, places))
    minor = pc.cast(pc.multiply(decimals, 10**places), pa.int64()).to_pylist()
    return [m if ok else None for m, ok in zip(minor, plain.to_pylist(), strict=True)]


# Digits of minor units the quick read takes: below MAX_AMOUNT_MINOR, so a longer cell goes
# through `parse_minor` and its bound.
_AMOUNT_DIGITS = len(str(MAX_AMOUNT_MINOR)) - 1


def bounded_minor(minor: int) -> int:
    if abs(minor) > MAX_AMOUNT_MINOR:
        raise OverflowError("beyond the range of an amount")
    return minor


def bounded_count(number: int) -> int:
    if abs(number) > MAX_COUNT:
        raise OverflowError(f"beyond the range of a count (up to {MAX_COUNT:,})")
    return number


# Columns of every type but text (dates, currencies, amounts, counts: cells that repeat) keep
# what each distinct cell read as; bounded so a million unique amounts cannot grow it without
# limit. Text needs only a strip and a length check, cheaper than a cache lookup.
_CACHE_LIMIT = 50_000
_MISSING = object()


@dataclass(frozen=True, slots=True)
class _Step:
    index: int
    column: Column
    reader: Callable[[str], Any]
    # Distinct cell (with the row's currency, for amounts) -> value; None for text.
    cache: dict[Any, Any] | None
    is_amount: bool
    is_currency: bool

    def fast(self) -> _FastStep:
        limit = self.column.max_length
        return (
            self.index,
            self.column.name,
            self.cache,
            sys.maxsize if limit is None else limit,
            self.column.required,
            self.is_amount,
            self.is_currency,
            self,
        )


class TextColumn(Protocol):
    """The cells of one column of a block of rows, however they are held."""

    def distinct(self) -> list[str]:
        """Each different cell once."""
        ...

    def take(self, values: list[Any]) -> list[Any]:
        """Each cell's value, given the value of each of `distinct()` in its order."""
        ...

    def cells(self) -> Sequence[str]: ...


class ListColumn:
    """A column of cells read by csv.reader or from a workbook: Python strings."""

    def __init__(self, cells: Sequence[str]) -> None:
        self._cells = cells
        self._distinct = list(set(cells))

    def distinct(self) -> list[str]:
        return self._distinct

    def take(self, values: list[Any]) -> list[Any]:
        lookup = dict(zip(self._distinct, values, strict=True))
        return list(map(lookup.__getitem__, self._cells))

    def cells(self) -> Sequence[str]:
        return self._cells


# A step unpacked into a tuple: `parse` runs once per cell of million-row files, and a tuple
# unpacks in the loop header where attribute reads would cost a lookup each.
_FastStep = tuple[int, str, "dict[Any, Any] | None", int, bool, bool, bool, _Step]


@dataclass
class RowParser:
    """Reads the cells of one layout's rows into {field name: typed value}."""

    header: HeaderMap
    label: str
    date_order: DateOrder
    decimal_comma: bool
    # Amount columns are read as minor units of the row's currency column, else this one.
    currency: str
    # The dates a cell may hold (`[imports] earliest_date`, `latest_years_ahead`).
    date_window: tuple[date, date] = (date(1900, 1, 1), date(2200, 12, 31))
    _plan: list[_Step] = field(init=False)
    _fast: list[_FastStep] = field(init=False)
    _absent: dict[str, Any] = field(init=False)
    _row_currency: str = field(init=False, default="")
    _last_index: int = field(init=False)

    def __post_init__(self) -> None:
        # Columns the file does not have read as empty, so importers need not ask.
        self._absent = {
            c.name: None for c in self.header.layout.columns if c.name not in self.header.positions
        }
        self._plan = []
        for name, index in self.header.positions.items():
            column = self.header.layout.by_name[name]
            self._plan.append(
                _Step(
                    index,
                    column,
                    self._reader(column),
                    None if column.type is FieldType.text else {},
                    column.type is FieldType.amount,
                    column.type is FieldType.currency,
                )
            )
        # The currency first: amounts on the same row are read in it.
        self._plan.sort(key=lambda step: (not step.is_currency, step.index))
        self._fast = [step.fast() for step in self._plan]
        self._last_index = max(self.header.positions.values())

    def _reader(self, column: Column) -> Callable[[str], Any]:
        kind = column.type
        if kind is FieldType.amount:
            return self._amount
        if kind is FieldType.date:
            return lambda s: _in_window(parse_date(s, self.date_order), self.date_window)
        if kind is FieldType.integer:
            non_negative = column.non_negative
            return lambda s: _count(_integer(s, self.decimal_comma), non_negative)
        if kind is FieldType.decimal:
            return lambda s: parse_number(s.rstrip("%").strip(), decimal_comma=self.decimal_comma)
        if kind is FieldType.currency:
            return _iso_currency
        limit = column.max_length
        if limit is None:
            return _text
        return lambda s: _bounded_text(s, limit)

    def _amount(self, text: str) -> int:
        minor = parse_minor(text, self._row_currency, decimal_comma=self.decimal_comma)
        return bounded_minor(minor)

    def parse(self, row: int, cells: Sequence[str]) -> dict[str, Any]:
        """{field: value}; amounts as int minor units, absent columns as None."""
        values: dict[str, Any] = dict(self._absent)
        width = len(cells)
        if width > self.width:
            self.check_width(row, cells)
        currency = self.currency
        value: Any
        for index, name, cache, text_limit, required, is_amount, is_currency, step in self._fast:
            cell = cells[index] if index < width else ""
            if cache is None:
                # Text: what `_read` does, without its calls; a bad cell goes there for the error.
                value = cell.strip()
                if not value:
                    if required:
                        self._read(row, cell, step)
                    value = None
                elif len(value) > text_limit:
                    self._read(row, cell, step)
            else:
                key = (cell, currency) if is_amount else cell
                value = cache.get(key, _MISSING)
                if value is _MISSING:
                    self._row_currency = currency
                    value = self._read(row, cell, step)
                    if len(cache) >= _CACHE_LIMIT:
                        cache.clear()
                    cache[key] = value
            values[name] = value
            if is_currency and value is not None:
                currency = value
        return values

    def parse_block(self, rows: Sequence[Sequence[str]]) -> dict[str, list[Any]] | None:
        """Many rows at once, {field: one value per row}, as `parse` reads each of them.

        None when any cell does not read, or a row is shorter than the header: the caller
        then reads the rows one by one, for the error's row or for a repeated header.
        """
        if not rows or min(map(len, rows)) < self.width:
            return None
        if max(map(len, rows)) > self.width and any(self.beyond_header(r) for r in rows):
            return None
        # Rows longer than the header (trailing empty cells) are cut to the shortest.
        cells_of = list(zip(*rows, strict=False))
        return self.parse_columns(len(rows), lambda index: ListColumn(cells_of[index]))

    @property
    def width(self) -> int:
        """Cells a data row has: as many as the header up to its last named cell."""
        return max(self.header.width, self._last_index + 1)

    def beyond_header(self, cells: Sequence[str]) -> bool:
        """Whether the row has a value right of the header's last cell."""
        return any(cell.strip() for cell in cells[self.width :])

    def check_width(self, row: int, cells: Sequence[str]) -> None:
        """A row wider than the header, with a value right of its last cell, has its cells
        shifted (a delimiter inside an unquoted value): refused. A shorter row reads its
        missing cells as empty (Excel leaves out the trailing empty cells of some rows)."""
        width = self.width
        for index in range(width, len(cells)):
            if cells[index].strip():
                raise InputError(
                    f"a value in column {index + 1}, right of the header's last column "
                    f"({width}): the row's cells are shifted (a delimiter inside a value?)",
                    file=self.label,
                    row=row,
                )

    def check_not_cut(self, row: int, cells: Sequence[str]) -> None:
        """The file's last row, with no line break after it: narrower than the header, it is
        a download that stopped mid-row (its last cell may still read: 24.4 of 24.48)."""
        if len(cells) < self.width:
            raise InputError(
                f"the file ends mid-row: the last row has {len(cells)} cells where the header "
                f"has {self.width} (an interrupted download?)",
                file=self.label,
                row=row,
            )

    def parse_columns(
        self, count: int, column_at: Callable[[int], TextColumn]
    ) -> dict[str, list[Any]] | None:
        """`count` rows given by column (`column_at(index)`), read as `parse_block` reads them.

        Each column is read once per distinct cell, which is what makes million-row files
        fast. None when any cell does not read.
        """
        values: dict[str, list[Any]] = {name: [None] * count for name in self._absent}
        # The row's currency for each amount: one for the whole block unless rows differ.
        currency: str = self.currency
        currencies: list[str] | None = None
        for index, name, cache, text_limit, _, is_amount, is_currency, step in self._fast:
            cells = column_at(index)
            if is_amount and currencies is not None:
                pairs = list(zip(cells.cells(), currencies, strict=True))
                lookup = {pair: self._cached(step, cache, *pair) for pair in set(pairs)}
                if _MISSING in lookup.values():
                    return None
                column = list(map(lookup.__getitem__, pairs))
            else:
                distinct = cells.distinct()
                if cache is None:
                    # Text, mostly distinct (ASINs): `_read` only for the cells it judges.
                    read: list[Any] = [cell.strip() for cell in distinct]
                    if "" in read or max(map(len, read), default=0) > text_limit:
                        for at, text in enumerate(read):
                            if not text or len(text) > text_limit:
                                read[at] = self._cached(step, cache, distinct[at], currency)
                elif is_amount and not self.decimal_comma:
                    minor = plain_minor_units(distinct, currency)
                    read = [
                        self._cached(step, cache, cell, currency) if value is None else value
                        for cell, value in zip(distinct, minor, strict=True)
                    ]
                else:
                    read = [self._cached(step, cache, cell, currency) for cell in distinct]
                if _MISSING in read:
                    return None
                column = cells.take(read)
            values[name] = column
            if is_currency:
                found = {self.currency if v is None else v for v in column}
                if len(found) == 1:
                    currency = found.pop()
                else:
                    currencies = [self.currency if v is None else v for v in column]
        return values

    def _cached(self, step: _Step, cache: dict[Any, Any] | None, cell: str, currency: str) -> Any:
        """What `cell` reads as (amounts in `currency`), or _MISSING when it does not read;
        through the column's cache where it has one (text has none)."""
        key = (cell, currency) if step.is_amount else cell
        value = _MISSING if cache is None else cache.get(key, _MISSING)
        if value is _MISSING:
            self._row_currency = currency
            try:
                value = self._read(0, cell, step)
            except InputError:
                return _MISSING
            if cache is not None:
                if len(cache) >= _CACHE_LIMIT:
                    cache.clear()
                cache[key] = value
        return value

    def _read(self, row: int, cell: str, step: _Step) -> Any:
        column = step.column
        raw = cell.strip()
        if not raw:
            if column.required:
                raise InputError("empty", file=self.label, row=row, column=column.header)
            return None
        try:
            return step.reader(raw)
        except (ValueError, ArithmeticError, InvalidOperation) as exc:
            problem = _problem(column, raw, exc)
            raise InputError(problem, file=self.label, row=row, column=column.header) from exc

    def fail(self, row: int, column: str, message: str) -> InputError:
        header = self.header.layout.by_name[column].header
        return InputError(message, file=self.label, row=row, column=header)


def _problem(column: Column, raw: str, exc: Exception) -> str:
    if column.type is FieldType.amount and isinstance(exc, MoneyError) and "decimals" in str(exc):
        return str(exc)
    if isinstance(exc, _Impossible):
        return f"{exc}: {raw!r}"
    if isinstance(exc, OverflowError):
        return f"{exc}: {raw!r}"
    if column.type is FieldType.date:
        return f"not a date: {raw!r}"
    if column.type is FieldType.currency:
        return f"not an ISO 4217 currency code: {raw!r}"
    if column.type is FieldType.integer:
        return f"not a whole number: {raw!r}"
    if column.type is FieldType.text:
        return str(exc)
    return f"not an amount: {raw!r}"


def _text(text: str) -> str:
    return text


def _bounded_text(text: str, limit: int) -> str:
    if len(text) > limit:
        raise ValueError(f"longer than {limit} characters: {text[:40]!r}...")
    return text


class _Impossible(ValueError):
    """A cell that reads but cannot be true (a date in year 9999, minus three cartons)."""


def _in_window(day: date, window: tuple[date, date]) -> date:
    if not window[0] <= day <= window[1]:
        raise _Impossible(
            f"a date outside {window[0].isoformat()} to {window[1].isoformat()} "
            "([imports] earliest_date, latest_years_ahead)"
        )
    return day


def _count(number: int, non_negative: bool) -> int:
    if non_negative and number < 0:
        raise _Impossible("a count below zero")
    return bounded_count(number)


def _iso_currency(text: str) -> str:
    code = normalize_currency(text)
    if not is_iso_currency(code):
        raise MoneyError(f"not an ISO 4217 currency code: {text!r}")
    return code


def _integer(text: str, decimal_comma: bool) -> int:
    number = parse_number(text, decimal_comma=decimal_comma)
    if number != number.to_integral_value():
        raise ValueError(text)
    return int(number)
