"""The columns each kind of file has, how header names are matched, and user column maps.

Headers match case-, space- and punctuation-insensitively ("Invoice #", "invoice_number" and
"INVOICE NUMBER" are the same column), plus any names the user maps in
`[imports.column_maps.<kind>]`. Canonical names are the ones in DOMAIN.md "Data shapes".
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from recovery.errors import InputError


class FieldType(StrEnum):
    text = "text"
    amount = "amount"
    date = "date"
    integer = "integer"
    decimal = "decimal"
    currency = "currency"


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a layout: its canonical header, where it goes, and how it is read."""

    header: str
    name: str
    type: FieldType = FieldType.text
    required: bool = False
    aliases: tuple[str, ...] = ()
    max_length: int | None = None
    # A count that cannot be below zero (units invoiced, short, cartons); co-op backup lines
    # count returns as negative units, so not every quantity is one.
    non_negative: bool = False


_NOTHING: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class FieldMap:
    """Where a file's fields go in one table: each under its own name unless `store_as` names
    another column (None: not stored in this table), and what an empty cell stores instead of
    NULL. A rename is one entry here rather than a line in an importer; what an importer
    computes (a kind, a line number, a rate in ppm) stays in the importer."""

    fields: tuple[str, ...]
    store_as: Mapping[str, str | None] = field(default_factory=dict)
    empty: Mapping[str, Any] = field(default_factory=dict)
    # (field, table column) of every stored field, in `fields` order.
    stored: tuple[tuple[str, str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        stored = []
        for name in self.fields:
            target = self.store_as.get(name, name)
            if target is not None:
                stored.append((name, target))
        object.__setattr__(self, "stored", tuple(stored))

    @property
    def columns(self) -> tuple[str, ...]:
        """The table columns the stored fields fill, in order."""
        return tuple(target for _, target in self.stored)

    def row(self, values: Mapping[str, Any], fill: Mapping[str, Any] = _NOTHING) -> dict[str, Any]:
        """One record's values under their table columns; a field the record lacks or leaves
        empty stores its `empty` value, or its `fill` value, what only the import knows (the
        account's currency)."""
        row: dict[str, Any] = {}
        for name, target in self.stored:
            value = values.get(name)
            if value is None:
                value = fill[name] if name in fill else self.empty.get(name)
            row[target] = value
        return row

    def column_values(
        self, columns: Mapping[str, Sequence[Any]], fill: Mapping[str, Any] = _NOTHING
    ) -> dict[str, Sequence[Any]]:
        """A block's values a column at a time, by stored field in `columns` order (the
        table's column of each is in `stored`), empty cells filled as `row` fills them."""
        out: dict[str, Sequence[Any]] = {}
        for name, _ in self.stored:
            values = columns[name]
            default = fill[name] if name in fill else self.empty.get(name)
            if default is not None and None in values:
                values = [default if value is None else value for value in values]
            out[name] = values
        return out


@dataclass(frozen=True)
class Layout:
    """The header of one kind of file (or one section of it, like a remittance's payments),
    and where its fields go in the kind's table: a header spelling, or a field's place in the
    table, is one entry here rather than a line in an importer."""

    kind: str
    section: str
    columns: tuple[Column, ...]
    # Headers that must all be present for a row to be taken as this layout's header.
    signature: tuple[str, ...]
    # The table column of each field stored under another name; None: not stored.
    store_as: Mapping[str, str | None] = field(default_factory=dict)
    # What an empty cell stores instead of NULL, by field.
    empty: Mapping[str, Any] = field(default_factory=dict)
    # Other tables the rows also fill (an invoice's lines), by table name.
    parts: Mapping[str, FieldMap] = field(default_factory=dict)
    by_name: dict[str, Column] = field(init=False, repr=False, compare=False)
    # The field map of the layout's own table, from `store_as` and `empty`.
    field_map: FieldMap = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {c.name: c for c in self.columns})
        names = tuple(c.name for c in self.columns)
        object.__setattr__(self, "field_map", FieldMap(names, self.store_as, self.empty))

    def table_row(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """One record's values under their table columns."""
        return self.field_map.row(values)


def normalize_header(text: str) -> str:
    """`Invoice #` → `invoicenumber`, ` Amount-Paid ` → `amountpaid`."""
    text = text.replace("\ufeff", "").strip().lower().replace("#", " number ")
    return re.sub(r"[^0-9a-z]+", "", text)


@dataclass(frozen=True)
class HeaderMap:
    """Which column index holds which field, for one header row."""

    layout: Layout
    positions: dict[str, int]
    header_row: int
    # Cells up to the header's last named one: a data row must have as many.
    width: int = 0
    # A field two cells of the header both name, with the cells' positions (1-based).
    duplicate: tuple[str, int, int] | None = None

    def has(self, name: str) -> bool:
        return name in self.positions


def column_names(
    layout: Layout, column_maps: Mapping[str, Mapping[str, Sequence[str]]]
) -> dict[str, str]:
    """Normalised header → field name, with the user's own names for this kind added."""
    user = column_maps.get(layout.kind, {})
    user_by_header = {normalize_header(k): list(v) for k, v in user.items()}
    names: dict[str, str] = {}
    for column in layout.columns:
        for alias in (column.header, *column.aliases):
            names[normalize_header(alias)] = column.name
        for alias in user_by_header.get(normalize_header(column.header), []):
            names[normalize_header(alias)] = column.name
    return names


def match_header(
    layout: Layout,
    cells: Sequence[str],
    row_number: int,
    column_maps: Mapping[str, Mapping[str, Sequence[str]]],
) -> HeaderMap | None:
    """A HeaderMap when `cells` carry every header of the layout's signature, else None."""
    names = column_names(layout, column_maps)
    positions: dict[str, int] = {}
    duplicate = None
    for index, cell in enumerate(cells):
        name = names.get(normalize_header(cell))
        if name is None:
            continue
        if name not in positions:
            positions[name] = index
        elif duplicate is None:
            duplicate = (name, positions[name] + 1, index + 1)
    if not all(sig in positions for sig in layout.signature):
        return None
    width = next((i + 1 for i in range(len(cells) - 1, -1, -1) if cells[i].strip()), 0)
    return HeaderMap(layout, positions, row_number, width, duplicate)


def require_columns(header: HeaderMap, file: str) -> None:
    if header.duplicate is not None:
        name, first, second = header.duplicate
        title = header.layout.by_name[name].header
        raise InputError(
            f"columns {first} and {second} are both headed as {title!r}; which one holds the "
            "data is unclear (rename or remove one)",
            file=file,
            row=header.header_row,
        )
    for column in header.layout.columns:
        if column.required and column.name not in header.positions:
            raise InputError(
                "missing required column", file=file, row=header.header_row, column=column.header
            )


def _c(
    header: str,
    name: str,
    type: FieldType = FieldType.text,
    *,
    required: bool = False,
    aliases: tuple[str, ...] = (),
    max_length: int | None = None,
    non_negative: bool = False,
) -> Column:
    return Column(header, name, type, required, aliases, max_length, non_negative)


T, A, D, INT, N, C = (
    FieldType.text,
    FieldType.amount,
    FieldType.date,
    FieldType.integer,
    FieldType.decimal,
    FieldType.currency,
)
_INVOICE_NO = ("Invoice No", "Invoice ID", "Invoice")
_PO_NO = ("PO", "PO #", "Purchase Order", "Purchase Order Number", "PO No")

REMITTANCE_PAYMENTS = Layout(
    "remittance",
    "payments",
    (
        _c("Payment Number", "payment_number", required=True, max_length=64),
        _c("Payment Date", "payment_date", D),
        _c("Payment Amount", "payment_amount", A, required=True),
        _c("Payment Currency", "currency", C),
    ),
    signature=("payment_number", "payment_amount"),
    store_as={"payment_amount": "amount_minor"},
    empty={"payment_amount": 0},
)

# Both line layouts fill `remittance_line` alike; a field one layout lacks stores its empty
# value (the kind and the base invoice number are the importer's, from the classification).
_REMITTANCE_LINE_STORE: dict[str, str | None] = {
    "invoice_amount": "invoice_amount_minor",
    "discount": "discount_minor",
    "paid": "paid_minor",
    "remaining": "remaining_minor",
    "withholding": "withholding_minor",
    # Read to classify the line and date its payment; not columns of the line.
    "original_invoice_number": None,
    "payment_date": None,
}
_REMITTANCE_LINE_EMPTY: dict[str, Any] = {
    "description": "",
    "discount": 0,
    "remaining": 0,
    "withholding": 0,
}

REMITTANCE_LINES = Layout(
    "remittance",
    "lines",
    (
        _c("Payment Number", "payment_number", required=True, max_length=64),
        _c("Invoice Number", "invoice_number", required=True, aliases=_INVOICE_NO, max_length=64),
        _c("Invoice Date", "invoice_date", D),
        _c("Description", "description", max_length=200),
        _c("Invoice Amount", "invoice_amount", A, required=True),
        _c("Terms Discount Taken", "discount", A, aliases=("Discount Taken", "Terms Discount")),
        _c("Amount Paid", "paid", A, required=True, aliases=("Net Amount Paid", "Paid Amount")),
        _c("Remaining Amount", "remaining", A),
        _c("Invoice Currency", "currency", C, aliases=("Currency",)),
    ),
    signature=("payment_number", "invoice_number", "invoice_amount", "paid"),
    store_as=_REMITTANCE_LINE_STORE,
    empty=_REMITTANCE_LINE_EMPTY,
)

REMITTANCE_TRANSACTIONS = Layout(
    "remittance",
    "lines",
    (
        _c("Invoice Number", "invoice_number", required=True, aliases=_INVOICE_NO, max_length=64),
        _c("Payment Number", "payment_number", required=True, max_length=64),
        # Not in every download of this layout; when there, it dates the payment.
        _c("Payment Date", "payment_date", D),
        _c("Invoice Date", "invoice_date", D),
        _c("Transaction type", "transaction_type", max_length=64),
        _c("Transaction Description", "description", max_length=200),
        _c("Reference Details", "reference", max_length=200),
        _c("Original Invoice Number", "original_invoice_number", max_length=64),
        _c("Invoice Amount", "invoice_amount", A, required=True),
        _c("Invoice Currency", "currency", C, aliases=("Currency",)),
        _c("Withholding Amount", "withholding", A),
        _c("Terms Discount Taken", "discount", A, aliases=("Discount Taken", "Terms Discount")),
        _c("Amount Paid", "paid", A, required=True, aliases=("Net Amount Paid", "Paid Amount")),
        _c("Remaining Amount", "remaining", A),
    ),
    signature=("invoice_number", "payment_number", "transaction_type", "paid"),
    store_as=_REMITTANCE_LINE_STORE,
    empty=_REMITTANCE_LINE_EMPTY,
)

# A remittance line of either layout, under `remittance_line`'s columns.
REMITTANCE_LINE_FIELDS = FieldMap(
    (
        "payment_number",
        "invoice_number",
        "invoice_date",
        "description",
        "transaction_type",
        "reference",
        "invoice_amount",
        "discount",
        "paid",
        "remaining",
        "withholding",
        "currency",
    ),
    _REMITTANCE_LINE_STORE,
    _REMITTANCE_LINE_EMPTY,
)

INVOICES = Layout(
    "invoices",
    "invoices",
    (
        _c("Invoice Number", "invoice_number", required=True, aliases=_INVOICE_NO, max_length=64),
        _c("Invoice Date", "invoice_date", D),
        _c("PO Number", "po_number", aliases=_PO_NO, max_length=32),
        _c("Vendor Code", "vendor_code", max_length=32),
        _c("Invoice Amount", "invoice_amount", A, required=True, aliases=("Invoice Total",)),
        _c("Invoice Currency", "currency", C, aliases=("Currency",)),
        _c("Payment Due Date", "due_date", D, aliases=("Due Date",)),
        _c("Invoice Status", "status", max_length=32, aliases=("Status",)),
        _c("ASIN", "asin", max_length=16),
        _c("Vendor SKU", "vendor_sku", max_length=64, aliases=("SKU", "Model Number")),
        _c("Quantity", "quantity", INT, aliases=("Invoiced Quantity", "Units"), non_negative=True),
        _c("Unit Cost", "unit_cost", A, aliases=("Cost", "Unit Price")),
    ),
    signature=("invoice_number", "invoice_amount", "due_date"),
    # A row is the invoice's header and, when exported per line, one of its lines.
    store_as={
        "invoice_amount": "amount_minor",
        "vendor_code": None,
        "asin": None,
        "vendor_sku": None,
        "quantity": None,
        "unit_cost": None,
    },
    parts={
        "invoice_line": FieldMap(
            ("asin", "vendor_sku", "quantity", "unit_cost", "currency"),
            store_as={"unit_cost": "unit_cost_minor"},
            empty={"quantity": 0},
        )
    },
)

SHORTAGES = Layout(
    "shortages",
    "shortages",
    (
        _c("Invoice Number", "invoice_number", required=True, aliases=_INVOICE_NO, max_length=64),
        _c("Payee Code", "vendor_code", max_length=32, aliases=("Vendor Code",)),
        _c("Invoice Date", "invoice_date", D),
        _c("Due Date", "due_date", D),
        _c("PO Number", "po_number", aliases=_PO_NO, max_length=32),
        _c(
            "External ID",
            "external_id",
            max_length=64,
            # The portal's dispute form: "Shipped Product (External Product ID)".
            aliases=("Debit Note", "External Id", "External Product ID"),
        ),
        _c("ASIN", "asin", required=True, max_length=16),
        _c("Unit Price", "unit_price", A, aliases=("Unit Cost",)),
        _c("Invoiced Quantity", "invoiced_quantity", INT, non_negative=True),
        # A reversal line (SCR) gives units back as a negative shortage.
        _c("Shortage Quantity", "shortage_quantity", INT, required=True),
        _c("Shortage Amount", "shortage_amount", A, required=True),
        _c("Dispute Quantity", "dispute_quantity", INT, non_negative=True),
        _c("Dispute Amount", "dispute_amount", A),
        _c("Approved Quantity", "approved_quantity", INT, non_negative=True),
        _c("Decision", "decision", max_length=64),
        _c("Currency", "currency", C),
    ),
    signature=("invoice_number", "asin", "shortage_quantity"),
    store_as={
        "vendor_code": "payee_code",
        "unit_price": "unit_price_minor",
        "shortage_amount": "shortage_minor",
        "dispute_amount": "dispute_minor",
    },
    empty={"external_id": "", "unit_price": 0, "invoiced_quantity": 0},
)

PRICE_DETAILS = Layout(
    "price-details",
    "price-details",
    (
        _c("Invoice Number", "invoice_number", required=True, aliases=_INVOICE_NO, max_length=64),
        _c("PO Number", "po_number", aliases=_PO_NO, max_length=32),
        _c("ASIN", "asin", required=True, max_length=16),
        _c("Quantity", "quantity", INT, required=True, non_negative=True),
        _c("Invoice Cost", "invoice_cost", A, required=True),
        _c("PO Cost", "po_cost", A),
        _c("Initial Research Adjusted Cost", "adjusted_cost", A, aliases=("Adjusted Cost",)),
        _c("Variance Amount", "variance", A, required=True, aliases=("Variance",)),
        _c("Currency", "currency", C),
    ),
    signature=("invoice_number", "invoice_cost", "variance"),
    store_as={
        "invoice_cost": "invoice_cost_minor",
        "po_cost": "po_cost_minor",
        "adjusted_cost": "adjusted_cost_minor",
        "variance": "variance_minor",
    },
    empty={"po_number": ""},
)

COOP_INVOICES = Layout(
    "coop-invoices",
    "coop-invoices",
    (
        _c("Invoice Number", "invoice_number", required=True, aliases=_INVOICE_NO, max_length=64),
        _c("Agreement ID", "agreement_id", max_length=64),
        _c("Agreement Title", "title", max_length=200),
        _c("Funding Type", "funding_type", max_length=64),
        _c("Vendor Code", "vendor_code", max_length=32),
        _c("Period Start", "period_start", D),
        _c("Period End", "period_end", D),
        _c("Invoice Date", "invoice_date", D),
        _c("Original Amount", "amount", A, required=True, aliases=("Amount", "Invoice Amount")),
        _c("Currency", "currency", C),
    ),
    signature=("invoice_number", "agreement_id", "amount"),
    store_as={"title": "agreement_title", "amount": "amount_minor"},
    empty={"title": "", "funding_type": ""},
)

COOP_BACKUP = Layout(
    "coop-backup",
    "coop-backup",
    (
        _c("Receive Date", "receive_date", D),
        _c("Order Date", "order_date", D),
        _c("Ship Date", "ship_date", D),
        _c("Return Date", "return_date", D),
        _c("Cost Date", "cost_date", D),
        _c("Transaction Type", "transaction_type", max_length=32),
        _c("Quantity", "quantity", INT, required=True),
        _c("Net Sales", "net_sales", A, required=True, aliases=("Net Receipts",)),
        _c("Net Sales Currency", "currency", C, aliases=("Currency",)),
        _c("List Price", "list_price", A),
        _c(
            "Rebate In Agreement Currency",
            "rebate",
            A,
            required=True,
            aliases=("Vendor Funding In Agreement Currency", "Rebate", "Vendor Funding"),
        ),
        _c("Purchase Order", "po_number", max_length=32, aliases=("PO Number", "PO")),
        _c("Asin", "asin", max_length=16),
        _c("UPC", "upc", max_length=32),
        _c("EAN", "ean", max_length=32),
        _c("Manufacturer", "manufacturer", max_length=100),
        _c("Distributor", "distributor", max_length=100),
        _c("Product Group", "product_group", max_length=100),
        _c("Category", "category", max_length=100),
        _c("Subcategory", "subcategory", max_length=100),
    ),
    signature=("quantity", "net_sales", "rebate"),
    store_as={
        "net_sales": "net_sales_minor",
        "list_price": "list_price_minor",
        "rebate": "rebate_minor",
    },
)

COOP_AGREEMENTS = Layout(
    "coop-agreements",
    "coop-agreements",
    (
        _c("Agreement ID", "agreement_id", required=True, max_length=64),
        _c("Agreement Title", "title", max_length=200),
        _c("Funding Type", "funding_type", max_length=64),
        _c("Vendor Code", "vendor_code", max_length=32),
        _c("Rate Percent", "rate_percent", N, required=True, aliases=("Rate", "Rate %")),
        _c("Basis", "basis", max_length=32),
        _c("Start Date", "start_date", D, required=True),
        _c("End Date", "end_date", D),
        _c("Status", "status", max_length=16),
        _c("Waived From", "waived_from", D),
        _c("Waived To", "waived_to", D),
    ),
    signature=("agreement_id", "rate_percent", "start_date"),
    # Rate, basis and status are read into what the table holds by the importer.
    store_as={"rate_percent": None, "basis": None, "status": None},
    empty={"title": "", "funding_type": ""},
)

CHARGEBACKS = Layout(
    "chargebacks",
    "chargebacks",
    (
        _c("Chargeback ID", "chargeback_id", required=True, max_length=64),
        _c("Issue Type", "issue_type", max_length=100),
        _c("Sub Type", "sub_type", max_length=100, aliases=("Subtype", "Issue Sub Type")),
        _c("PO Number", "po_number", aliases=_PO_NO, max_length=32),
        _c("ASIN", "asin", max_length=16),
        _c("Vendor Code", "vendor_code", max_length=32),
        _c("Notification Date", "notified_on", D, aliases=("Notified On", "Issue Date")),
        _c("Quantity", "quantity", INT, non_negative=True),
        _c("Cartons", "cartons", INT, aliases=("Carton Count",), non_negative=True),
        _c("Charge Amount", "amount", A, required=True, aliases=("Amount", "Chargeback Amount")),
        _c("Currency", "currency", C),
        _c("Status", "status", max_length=32),
    ),
    signature=("chargeback_id", "amount"),
    store_as={"amount": "amount_minor"},
    empty={"issue_type": "", "sub_type": ""},
)

COSTS = Layout(
    "costs",
    "costs",
    (
        _c("ASIN", "asin", max_length=16),
        _c("Vendor SKU", "vendor_sku", max_length=64, aliases=("SKU", "Model Number")),
        _c("Cost", "cost", A, required=True, aliases=("Unit Cost", "Cost Price")),
        _c("Currency", "currency", C),
        _c("Effective From", "effective_from", D, required=True, aliases=("Effective Date",)),
        _c("Effective To", "effective_to", D),
        _c("Reason", "reason", max_length=200),
    ),
    signature=("cost", "effective_from"),
    store_as={"cost": "cost_minor"},
    empty={"asin": "", "vendor_sku": ""},
)

BANK = Layout(
    "bank",
    "bank",
    (
        _c(
            "Date",
            "booked_on",
            D,
            required=True,
            aliases=("Booking Date", "Transaction Date", "Posting Date", "Value Date"),
        ),
        _c("Amount", "amount", A, required=True, aliases=("Transaction Amount",)),
        _c("Currency", "currency", C),
        _c("Reference", "reference", max_length=200, aliases=("Ref", "Payment Reference")),
        _c("Description", "description", max_length=500, aliases=("Details", "Narrative")),
    ),
    signature=("booked_on", "amount"),
    store_as={"amount": "amount_minor"},
    empty={"reference": "", "description": ""},
)

# Most specific first: detection takes the first layout whose signature a row carries
# (a bank statement's "Date, Amount" would otherwise match half the exports).
TABULAR_LAYOUTS: tuple[Layout, ...] = (
    REMITTANCE_TRANSACTIONS,
    REMITTANCE_LINES,
    REMITTANCE_PAYMENTS,
    SHORTAGES,
    PRICE_DETAILS,
    COOP_BACKUP,
    COOP_AGREEMENTS,
    COOP_INVOICES,
    CHARGEBACKS,
    INVOICES,
    COSTS,
    BANK,
)

JSON_KINDS = ("purchase-orders", "po-status", "shipments")
KINDS: tuple[str, ...] = (
    "remittance",
    "invoices",
    "shortages",
    "price-details",
    "coop-invoices",
    "coop-backup",
    "coop-agreements",
    "chargebacks",
    "costs",
    "bank",
    *JSON_KINDS,
)


def layouts_for(kind: str) -> tuple[Layout, ...]:
    return tuple(layout for layout in TABULAR_LAYOUTS if layout.kind == kind)
