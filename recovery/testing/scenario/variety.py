"""What real exports vary and the plain generator never does: `generate_scenario(varied=True)`.

The plain scenario writes every file in the canonical shape of DOMAIN.md, the shape the
importers were written from; a score on it shows that the pieces agree, not that they read a
real vendor's year. A varied scenario writes the same world the way different portal pages,
report tools and people write it:

- header spellings: Title Case, UPPER CASE, lower case or snake_case (data tools name Vendor
  Central's columns `invoice_amount`, `amount_paid`, `remaining_amount`:
  help.reasonautomation.com/vendor/coop-invoices-invoice-and-payment-summary), `#` for
  "Number", and the other names exports use for a column (`HEADER_SPELLINGS`);
- column order (the first column stays first: a `Total` row keeps its label there);
- zero to three preamble lines above the header;
- the remittance as a payment block and its lines, or as lines only (DOMAIN.md's two layouts);
- chargeback issue and sub-type words beyond the plain set (`EXTRA_CHARGEBACK_WORDINGS`).

The plan cases only a varied scenario plants (a POD whose exception note nobody can count, a
shortage reversed and re-raised as `SCRSC`) are in plan.py. Every draw comes from the
scenario's own "variety" stream, so a seed still gives byte-identical files, and the plain
scenario's draws are untouched.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from recovery.testing.scenario.world import stream
from recovery.testing.scenario.writers import Block, Cell

# Other names real exports give a column, by its canonical header. Each must be one the
# importers accept (recovery/sources/layouts.py: a header spelling is one entry there).
HEADER_SPELLINGS: dict[str, tuple[str, ...]] = {
    "Invoice Number": ("Invoice #", "Invoice No", "Invoice ID"),
    "Payment Number": ("Payment #",),
    "Amount Paid": ("Paid Amount", "Net Amount Paid"),
    "Terms Discount Taken": ("Discount Taken", "Terms Discount"),
    "Invoice Currency": ("Currency",),
    "PO Number": ("PO #", "Purchase Order", "PO"),
    "Payment Due Date": ("Due Date",),
    "Vendor SKU": ("SKU", "Model Number"),
    "Unit Cost": ("Cost",),
    "Unit Price": ("Unit Cost",),
    # The portal's dispute form heads it "Shipped Product (External Product ID)" (DOMAIN.md).
    "External ID": ("External Id", "External Product ID"),
    "Payee Code": ("Vendor Code",),
    "Initial Research Adjusted Cost": ("Adjusted Cost",),
    "Variance Amount": ("Variance",),
    "Original Amount": ("Invoice Amount", "Amount"),
    "Sub Type": ("Subtype", "Issue Sub Type"),
    "Notification Date": ("Notified On", "Issue Date"),
    "Cartons": ("Carton Count",),
    "Charge Amount": ("Chargeback Amount",),
    "Effective From": ("Effective Date",),
    "Rate Percent": ("Rate %",),
}

# Issue and sub-type words a varied scenario may use, by chargeback family, beside the plain
# ones in chargebacks.py (the synonym table in recovery/claims/chargeback_types.py must read
# them by meaning).
EXTRA_CHARGEBACK_WORDINGS: dict[str, tuple[tuple[str, str], ...]] = {
    "late_asn": (("Vendor Compliance", "Late ship notice"), ("ASN", "ASN not on time")),
    "asn_wrong_fee": (("Vendor Compliance", "Late ship notice"), ("ASN", "ASN not on time")),
    "missing_asn": (("ASN", "ASN not submitted"), ("Shipment", "Missing ship notice")),
    "inaccurate_asn": (("ASN", "ASN discrepancy"), ("Accuracy", "Incorrect ASN")),
    "late_delivery": (("Delivery", "Delivered late"), ("PO", "Arrived late")),
    "carton_label": (("Labels", "Carton contents label"), ("Compliance", "CCL")),
    "duplicate": (("Labels", "Carton contents label"), ("Compliance", "CCL")),
}

# Exception notes a receiver writes that say something went wrong but not how much: a person
# must look at the POD (DOMAIN.md "Evidence documents"; recovery/evidence/exceptions.py).
UNREADABLE_NOTES: tuple[str, ...] = (
    "OS&D",
    "DAMAGED",
    "short - see photos",
    "exception noted",
    "OS&D noted",
)

_CASINGS = ("title", "title", "upper", "lower", "snake")
_PREAMBLES: tuple[str, ...] = (
    "Vendor Central export - {title}",
    "Generated on {today}",
    "Vendor code: {vendor}",
    "Report period: last 12 months",
    "Amounts in USD",
)


def _cased(text: str, casing: str) -> str:
    if casing == "upper":
        return text.upper()
    if casing == "lower":
        return text.lower()
    if casing == "snake":
        return re.sub(r"[^0-9a-z]+", "_", text.lower().replace("#", "number")).strip("_")
    return text


@dataclass
class FileVariety:
    """How one file is written: its header names, column order and preamble."""

    rng: random.Random
    casing: str
    preamble: list[Sequence[Cell]]
    _orders: dict[tuple[str, ...], tuple[list[int], list[str]]] = field(default_factory=dict)

    def _layout(self, headers: Sequence[str]) -> tuple[list[int], list[str]]:
        """(column order, written headers) for one header, drawn once and then kept: the
        CSV and its XLSX twin say the same."""
        key = tuple(headers)
        if key not in self._orders:
            rest = list(range(1, len(headers)))
            if self.rng.random() < 0.7:
                self.rng.shuffle(rest)
            order = [0, *rest]
            names = []
            for index in order:
                canonical = headers[index]
                spellings = HEADER_SPELLINGS.get(canonical, ())
                # An alternative name only where no other column of the file has it.
                taken = set(headers) - {canonical}
                usable = [s for s in spellings if s not in taken]
                name = self.rng.choice(usable) if usable and self.rng.random() < 0.35 else canonical
                names.append(_cased(name, self.casing))
            self._orders[key] = (order, names)
        return self._orders[key]

    def apply(self, blocks: Sequence[Block]) -> list[Block]:
        out = []
        for number, block in enumerate(blocks):
            order, names = self._layout(block.headers)
            before = list(block.before)
            if number == 0:
                before = list(self.preamble)
            out.append(
                Block(
                    names,
                    _reordered(block.rows, order),
                    before=before,
                    after=[_reorder_total(row, order) for row in block.after],
                )
            )
        return out


def _reordered(rows: Iterable[Sequence[Cell]], order: list[int]) -> Iterator[list[Cell]]:
    for row in rows:
        yield [row[index] if index < len(row) else None for index in order]


def _reorder_total(row: Sequence[Cell], order: list[int]) -> Sequence[Cell]:
    """A `Total` row's figures move with their columns; other summary lines stay as written."""
    if not row or row[0] != "Total":
        return row
    return [row[index] if index < len(row) else None for index in order]


class Variety:
    """The variation of one scenario, drawn from its own stream in file order."""

    def __init__(self, seed: int, vendor_code: str, today_text: str) -> None:
        self.rng = stream(seed, "variety")
        self.vendor_code = vendor_code
        self.today_text = today_text
        self.remittance_lines_only = self.rng.random() < 0.5

    def file(self, title: str) -> FileVariety:
        lines = self.rng.randint(0, 3)
        preamble: list[Sequence[Cell]] = [
            [text.format(title=title, today=self.today_text, vendor=self.vendor_code)]
            for text in self.rng.sample(_PREAMBLES, lines)
        ]
        return FileVariety(self.rng, self.rng.choice(_CASINGS), preamble)

    def flag(self, chance: float) -> bool:
        return self.rng.random() < chance
