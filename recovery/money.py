"""Money: `Decimal` in code, integer minor units plus an ISO currency in the database.

Amounts are never floats. Every conversion to minor units is checked to be exact, so a value that
the currency cannot represent (0.001 USD, 1.5 JPY) is an error, not a silent rounding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from sqlalchemy import BigInteger
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from recovery.errors import MoneyError

# ISO 4217 minor-unit exponents that differ from 2. Anything not listed has 2 decimals.
_EXPONENT_EXCEPTIONS: dict[str, int] = {
    # zero decimals
    "BIF": 0,
    "CLP": 0,
    "DJF": 0,
    "GNF": 0,
    "ISK": 0,
    "JPY": 0,
    "KMF": 0,
    "KRW": 0,
    "PYG": 0,
    "RWF": 0,
    "UGX": 0,
    "UYI": 0,
    "VND": 0,
    "VUV": 0,
    "XAF": 0,
    "XOF": 0,
    "XPF": 0,
    # three decimals
    "BHD": 3,
    "IQD": 3,
    "JOD": 3,
    "KWD": 3,
    "LYD": 3,
    "OMR": 3,
    "TND": 3,
    # four decimals
    "CLF": 4,
    "UYW": 4,
}

_CURRENCY_RE = re.compile(r"^[A-Z]{3}$")

# ISO 4217's active currency codes (list one, as the maintenance agency publishes it), less
# the codes that are no money (XXX, XTS), precious metals and units of account (XAU, XDR...).
# A file whose currency is not here carries a typo or a made-up code.
ISO_4217 = frozenset(
    [
        "AED",
        "AFN",
        "ALL",
        "AMD",
        "ANG",
        "AOA",
        "ARS",
        "AUD",
        "AWG",
        "AZN",
        "BAM",
        "BBD",
        "BDT",
        "BGN",
        "BHD",
        "BIF",
        "BMD",
        "BND",
        "BOB",
        "BOV",
        "BRL",
        "BSD",
        "BTN",
        "BWP",
        "BYN",
        "BZD",
        "CAD",
        "CDF",
        "CHE",
        "CHF",
        "CHW",
        "CLF",
        "CLP",
        "CNY",
        "COP",
        "COU",
        "CRC",
        "CUC",
        "CUP",
        "CVE",
        "CZK",
        "DJF",
        "DKK",
        "DOP",
        "DZD",
        "EGP",
        "ERN",
        "ETB",
        "EUR",
        "FJD",
        "FKP",
        "GBP",
        "GEL",
        "GHS",
        "GIP",
        "GMD",
        "GNF",
        "GTQ",
        "GYD",
        "HKD",
        "HNL",
        "HTG",
        "HUF",
        "IDR",
        "ILS",
        "INR",
        "IQD",
        "IRR",
        "ISK",
        "JMD",
        "JOD",
        "JPY",
        "KES",
        "KGS",
        "KHR",
        "KMF",
        "KPW",
        "KRW",
        "KWD",
        "KYD",
        "KZT",
        "LAK",
        "LBP",
        "LKR",
        "LRD",
        "LSL",
        "LYD",
        "MAD",
        "MDL",
        "MGA",
        "MKD",
        "MMK",
        "MNT",
        "MOP",
        "MRU",
        "MUR",
        "MVR",
        "MWK",
        "MXN",
        "MXV",
        "MYR",
        "MZN",
        "NAD",
        "NGN",
        "NIO",
        "NOK",
        "NPR",
        "NZD",
        "OMR",
        "PAB",
        "PEN",
        "PGK",
        "PHP",
        "PKR",
        "PLN",
        "PYG",
        "QAR",
        "RON",
        "RSD",
        "RUB",
        "RWF",
        "SAR",
        "SBD",
        "SCR",
        "SDG",
        "SEK",
        "SGD",
        "SHP",
        "SLE",
        "SLL",
        "SOS",
        "SRD",
        "SSP",
        "STN",
        "SVC",
        "SYP",
        "SZL",
        "THB",
        "TJS",
        "TMT",
        "TND",
        "TOP",
        "TRY",
        "TTD",
        "TWD",
        "TZS",
        "UAH",
        "UGX",
        "USD",
        "USN",
        "UYI",
        "UYU",
        "UYW",
        "UZS",
        "VED",
        "VES",
        "VND",
        "VUV",
        "WST",
        "XAF",
        "XCD",
        "XCG",
        "XOF",
        "XPF",
        "YER",
        "ZAR",
        "ZMW",
        "ZWG",
        "ZWL",
    ]
)


def is_iso_currency(code: str) -> bool:
    return code in ISO_4217


@lru_cache(maxsize=256)
def exponent(currency: str) -> int:
    """Number of decimals of `currency` (ISO 4217): JPY 0, USD 2, KWD 3.

    Cached: amounts are converted by the hundred thousand and name a handful of currencies."""
    code = normalize_currency(currency)
    return _EXPONENT_EXCEPTIONS.get(code, 2)


@lru_cache(maxsize=256)
def normalize_currency(currency: str) -> str:
    """`currency` as an upper-case ISO code. Cached: called once per amount read."""
    code = (currency or "").strip().upper()
    if not _CURRENCY_RE.match(code):
        raise MoneyError(f"not an ISO currency code: {currency!r}")
    return code


def to_minor(amount: Decimal, currency: str) -> int:
    """Exact conversion of a Decimal amount to integer minor units of `currency`."""
    if not isinstance(amount, Decimal):
        raise MoneyError(f"amounts must be Decimal, got {type(amount).__name__}: {amount!r}")
    if not amount.is_finite():
        raise MoneyError(f"not a finite amount: {amount!r}")
    scaled = amount.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        raise MoneyError(f"{amount} has more decimals than {normalize_currency(currency)} allows")
    return int(scaled)


def plain_minor(text: str, places: int) -> int | None:
    """`1234.56` or `-12.5` (digits, at most `places` of them after the point) straight to
    integer minor units, with string arithmetic; None for any other text, which the caller
    reads the general way. Files and API pages carry millions of amounts in this shape."""
    negative = text[:1] == "-"
    whole, _, fraction = (text[1:] if negative else text).partition(".")
    # isdecimal() accepts exactly the digits `\d` does, and int() reads them all.
    if not whole.isdecimal() or not (fraction.isdecimal() or not fraction):
        return None
    fraction = fraction.rstrip("0")
    if len(fraction) > places:
        return None
    value = int(whole + fraction.ljust(places, "0"))
    return -value if negative else value


def from_minor(minor: int, currency: str) -> Decimal:
    """Decimal amount of `minor` units of `currency`, with the currency's number of decimals."""
    places = exponent(currency)
    return Decimal(int(minor)).scaleb(-places).quantize(Decimal(1).scaleb(-places))


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round a computed amount (for example units × unit cost) to the currency, half-even."""
    return amount.quantize(Decimal(1).scaleb(-exponent(currency)), rounding=ROUND_HALF_EVEN)


def to_decimal(value: Any) -> Decimal:
    """Decimal from what an API or a spreadsheet gives: str, int, float (via str) or Decimal."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise MoneyError(f"not an amount: {value!r}")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # Amazon sends some amounts as JSON numbers; str() gives the shortest exact repr.
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except InvalidOperation as exc:
            raise MoneyError(f"not an amount: {value!r}") from exc
    raise MoneyError(f"not an amount: {value!r}")


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount in one currency."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "currency", normalize_currency(self.currency))
        object.__setattr__(self, "amount", to_decimal(self.amount))

    @classmethod
    def from_minor(cls, minor: int, currency: str) -> Money:
        return cls(from_minor(minor, currency), currency)

    @property
    def minor(self) -> int:
        return to_minor(self.amount, self.currency)

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise MoneyError(f"cannot combine {self.currency} with {other.currency}")

    def __str__(self) -> str:
        return format_money(self.amount, self.currency)


_SYMBOLS = {
    "USD": "$",
    "CAD": "CA$",
    "MXN": "MX$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "¥",
    "AUD": "A$",
    "INR": "₹",
    "BRL": "R$",
}


def format_money(amount: Decimal, currency: str) -> str:
    """`$1,234.56`, `-€12.00`, `¥1,200` — for people, never for parsing back."""
    places = _style(currency)[1]
    return _dressed(f"{abs(amount):,.{places}f}", currency, negative=amount < 0)


def format_minor(minor: int, currency: str) -> str:
    """`format_money` of `minor` units, in integers: detection words tens of thousands of
    reasons, and the Decimal on the way took most of the time of each."""
    places = _style(currency)[1]
    whole, part = divmod(abs(int(minor)), 10**places)
    text = f"{whole:,}.{part:0{places}d}" if places else f"{whole:,}"
    return _dressed(text, currency, negative=minor < 0)


def _dressed(digits: str, currency: str, *, negative: bool) -> str:
    """`digits` (an amount without its sign) with the currency's symbol, or code, and sign."""
    code, _, symbol = _style(currency)
    body = f"{symbol}{digits}" if symbol else f"{digits} {code}"
    return f"-{body}" if negative else body


@lru_cache(maxsize=256)
def _style(currency: str) -> tuple[str, int, str | None]:
    """A currency's code, decimals and symbol."""
    code = normalize_currency(currency)
    return code, exponent(code), _SYMBOLS.get(code)


# Decimal separator conventions: "us" reads 1,234.56 and "eu" reads 1.234,56.
_NUMBER_US = re.compile(r"^\d{1,3}(,\d{3})*(\.\d+)?$|^\d+(\.\d+)?$|^\.\d+$")
_NUMBER_EU = re.compile(r"^\d{1,3}(\.\d{3})*(,\d+)?$|^\d+(,\d+)?$|^,\d+$")
_CURRENCY_MARKS = re.compile(r"^(?:[A-Z]{3}\s*|[$€£¥₹]|[A-Z]{1,2}\$)|(?:\s*[A-Z]{3}|[$€£¥₹])$")


def parse_amount(text: str | int | float | Decimal, *, decimal_comma: bool = False) -> Decimal:
    """Read an amount as exports write it.

    Accepts `1234.56`, `$1,234.56`, `-12.00`, `(12.00)` (accounting negative), `12.00-`,
    `USD 12.00`, and with `decimal_comma` `1.234,56` / `-12,00 €`. Anything else is a MoneyError.
    """
    if isinstance(text, (int, float, Decimal)) and not isinstance(text, bool):
        return to_decimal(text)
    if not isinstance(text, str):
        raise MoneyError(f"not an amount: {text!r}")
    raw = text
    s = text.strip().replace("\u00a0", "").replace(" ", "")
    if not s:
        raise MoneyError("empty amount")
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1]
    if s.startswith("-"):
        negative, s = not negative, s[1:]
    elif s.startswith("+"):
        s = s[1:]
    elif s.endswith("-"):
        negative, s = not negative, s[:-1]
    unmarked = _CURRENCY_MARKS.sub("", s)
    if unmarked != s and unmarked.startswith("-"):  # "$-12.00"
        negative, unmarked = not negative, unmarked[1:]
    s = unmarked
    pattern = _NUMBER_EU if decimal_comma else _NUMBER_US
    if not pattern.match(s):
        raise MoneyError(f"not an amount: {raw!r}")
    if decimal_comma:
        s = s.replace(".", "").replace(",", ".")
    else:
        s = s.replace(",", "")
    value = Decimal(s)
    return -value if negative else value


class MinorUnits(TypeDecorator[int]):
    """The one column type for money: a BIGINT of minor units, exact on every database.

    The currency lives in its own column on the same row; `recovery.money.Money.from_minor`
    turns the pair back into an amount.
    """

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise MoneyError(f"money columns take integer minor units, got {value!r}")
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> int | None:
        return None if value is None else int(value)
