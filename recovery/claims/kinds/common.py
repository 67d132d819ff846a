"""Small helpers the rules share: money in reasons, net deductions, chargeback ids."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd

from recovery.config import RuleSettings
from recovery.frame_values import as_int, records
from recovery.money import format_minor, from_minor


def money(minor: int, currency: str) -> str:
    return format_minor(minor, currency)


def amount(minor: int, currency: str) -> Decimal:
    return from_minor(minor, currency)


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def join_words(items: Iterable[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


@dataclass
class NetDeduction:
    """What is still taken for one thing (an invoice's price debits, a co-op invoice, a
    chargeback): debits less reversals, with the rows and debit notes behind it."""

    minor: int
    currency: str
    references: set[str] = field(default_factory=set)
    ids: set[int] = field(default_factory=set)


def net_deductions(
    deductions: pd.DataFrame, kinds: Iterable[str], key_of: Callable[[dict[str, Any]], str]
) -> dict[str, NetDeduction]:
    taken = deductions[deductions["kind"].isin(list(kinds))]
    result: dict[str, NetDeduction] = {}
    for row in records(taken):
        net = result.setdefault(key_of(row), NetDeduction(0, str(row["currency"])))
        net.minor += as_int(row["amount_minor"])
        net.references.add(str(row["reference"]))
        net.ids.add(int(row["id"]))
    return result


def rows_for_invoices(frame: pd.DataFrame, numbers: Iterable[str]) -> pd.DataFrame:
    """The rows of `frame` whose `invoice_number` is one of `numbers`: a set-wise filter before
    any row becomes a Python object."""
    return frame[frame["invoice_number"].astype(str).isin(list(numbers))]


def rows_for_pairs(
    frame: pd.DataFrame, columns: tuple[str, str], pairs: pd.DataFrame
) -> pd.DataFrame:
    """The rows of `frame` whose two `columns` match a row of `pairs` (same column names): a
    set-wise filter before any row becomes a Python object."""
    if frame.empty or pairs.empty:
        return frame.iloc[0:0]
    wanted = pd.MultiIndex.from_frame(pairs[list(columns)].astype(str))
    present_keys = pd.MultiIndex.from_frame(frame[list(columns)].astype(str))
    return frame[present_keys.isin(wanted)]


DEBIT_NOTE_SUFFIX = "VCBSINV"


def chargeback_id_of(reference: str) -> str:
    """`12345678VCBSINV` → `12345678`: the debit note carries the chargeback id."""
    upper = reference.upper()
    return reference[: -len(DEBIT_NOTE_SUFFIX)] if upper.endswith(DEBIT_NOTE_SUFFIX) else reference


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when it has no such day (Feb 29 +
    12 months is Feb 28)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate_day in (day.day, 30, 29, 28):
        try:
            return date(year, month, candidate_day)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


def invoice_deadline(base_date: date, rules: RuleSettings, invoice_date: date | None) -> date:
    """Shortages and price claims: no dispute on invoices older than `dispute_limit_months`
    (24) from the vendor invoice's date, the due date when that is unknown (DOMAIN.md)."""
    return add_months(invoice_date or base_date, rules.dispute_limit_months)
