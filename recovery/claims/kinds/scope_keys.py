"""How a kind's findings are reached from the change queue's keys, as data (`ClaimKind.scope`).

An incremental run judges again every finding naming a PO, invoice or reference its changes
reach. `recovery.claims.incremental.scope` widens the queued keys along the links every kind
declares here, in stages: queued keys and references reach invoices and POs (`Reach`); all
invoices of a PO are judged together (`PoInvoices`); invoices, POs and queued keys name
references (`Names`); references judged against each other join (`JudgedTogether`); a
reference also names another (`RefAlias`). Tables and columns are named as in
`recovery.models`; a link several kinds declare is followed once.

`keys` names what a link starts from: a kind of queued key (`recovery.store.changes`: `asin`,
`receipts`, `agreement`, `asn`, `shipment`) or the scope's own `ref`, `invoice` and `po`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class KeyAlias:
    """Queued `keys` name rows of `table` by `by`; their `value` is queued as `into` too."""

    table: str
    value: str
    by: str
    keys: str
    into: str


@dataclass(frozen=True)
class Reach:
    """Rows of `table` whose `by` is among `keys` reach their invoice and PO. `owned`: the
    table has the account's id (a shipment's items have it through their shipment)."""

    table: str
    by: str
    keys: str
    invoice: str | None = None
    po: str | None = None
    owned: bool = True


@dataclass(frozen=True)
class PoInvoices:
    """Rows of `table` pair an invoice with a PO: every invoice of a PO is judged with it.
    `own`: the invoice's own row, whose PO is the invoice's."""

    table: str
    invoice: str = "invoice_number"
    po: str = "po_number"
    own: bool = False


@dataclass(frozen=True)
class Names:
    """Rows of `table` whose `by` is among `keys` name their `ref` as a reference."""

    table: str
    ref: str
    by: str
    keys: str


@dataclass(frozen=True)
class SameRows:
    """Rows of `table` equal on `columns` (a missing value equal to a missing one) tie their
    `key`s together. `indexed`: columns compared plainly first, as the table's index has them;
    rows missing one of them are compared apart."""

    table: str
    key: str
    columns: tuple[str, ...]
    indexed: tuple[str, ...] = ()


@dataclass(frozen=True)
class JudgedTogether:
    """References (`key` of `table`) judged against the others tied to them: those are judged
    again with them, and theirs with them, until none joins."""

    table: str
    key: str
    ties: tuple[SameRows, ...]


@dataclass(frozen=True)
class RefAlias:
    """A reference also names `alias(reference)` (a debit note its chargeback)."""

    alias: Callable[[str], str]


ScopeLink = KeyAlias | Reach | PoInvoices | Names | JudgedTogether | RefAlias

# Every kind judges deductions: a deduction's reference reaches its invoice and PO, and
# invoices and POs name their deductions.
DEDUCTION_LINKS: tuple[ScopeLink, ...] = (
    Reach("deduction", by="reference", keys="ref", invoice="invoice_number", po="po_number"),
    PoInvoices("deduction"),
    Names("deduction", ref="reference", by="invoice_number", keys="invoice"),
    Names("deduction", ref="reference", by="po_number", keys="po"),
)
# Invoices and their POs, for the kinds judging invoices.
INVOICE_LINKS: tuple[ScopeLink, ...] = (PoInvoices("invoice", own=True),)
# A shipment's items, for the kinds judging what was shipped: evidence links queue the
# shipment's row id, imports its ASN id.
SHIPMENT_LINKS: tuple[ScopeLink, ...] = (
    KeyAlias("shipment", value="id", by="shipment_id", keys="asn", into="shipment"),
    Reach("shipment_item", by="shipment_id", keys="shipment", po="po_number", owned=False),
)
