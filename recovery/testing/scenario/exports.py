"""The Vendor Central exports and the vendor's own files, as header/row blocks.

Headers are exactly the names of DOMAIN.md ("Vendor Central exports and the vendor's own files");
references, signs and units follow docs/data-conventions.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from recovery.money import quantize
from recovery.testing.scenario.catalog import upc_for
from recovery.testing.scenario.coop import rebate
from recovery.testing.scenario.variety import FileVariety, Variety
from recovery.testing.scenario.world import (
    CURRENCY,
    ZERO,
    BackupLine,
    CoopInvoice,
    DeductionEvent,
    Item,
    World,
)
from recovery.testing.scenario.writers import Block, Cell, Style, write_csv, write_xlsx

PAYMENT_HEADERS = ["Payment Number", "Payment Date", "Payment Amount", "Payment Currency"]
REMITTANCE_HEADERS = [
    "Payment Number",
    "Invoice Number",
    "Invoice Date",
    "Description",
    "Invoice Amount",
    "Terms Discount Taken",
    "Amount Paid",
    "Remaining Amount",
    "Invoice Currency",
]
# The lines-only layout (DOMAIN.md "remittance", alternative layout), with the payment's date
# on every line: without a payment block, nothing else dates the payment.
TRANSACTION_HEADERS = [
    "Invoice Number",
    "Payment Number",
    "Payment Date",
    "Invoice Date",
    "Transaction type",
    "Transaction Description",
    "Reference Details",
    "Original Invoice Number",
    "Invoice Amount",
    "Invoice Currency",
    "Withholding Amount",
    "Terms Discount Taken",
    "Amount Paid",
    "Remaining Amount",
]
INVOICE_HEADERS = [
    "Invoice Number",
    "Invoice Date",
    "PO Number",
    "Vendor Code",
    "Invoice Amount",
    "Invoice Currency",
    "Payment Due Date",
    "Invoice Status",
    "ASIN",
    "Vendor SKU",
    "Quantity",
    "Unit Cost",
]
SHORTAGE_HEADERS = [
    "Invoice Number",
    "Payee Code",
    "Invoice Date",
    "Due Date",
    "PO Number",
    "External ID",
    "ASIN",
    "Unit Price",
    "Invoiced Quantity",
    "Shortage Quantity",
    "Shortage Amount",
    "Dispute Quantity",
    "Dispute Amount",
    "Approved Quantity",
    "Decision",
]
PRICE_HEADERS = [
    "Invoice Number",
    "PO Number",
    "ASIN",
    "Quantity",
    "Invoice Cost",
    "PO Cost",
    "Initial Research Adjusted Cost",
    "Variance Amount",
]
COOP_INVOICE_HEADERS = [
    "Invoice Number",
    "Agreement ID",
    "Agreement Title",
    "Funding Type",
    "Vendor Code",
    "Period Start",
    "Period End",
    "Invoice Date",
    "Original Amount",
    "Currency",
]
BACKUP_HEADERS = [
    "Receive Date",
    "Order Date",
    "Ship Date",
    "Return Date",
    "Cost Date",
    "Transaction Type",
    "Quantity",
    "Net Sales",
    "Net Sales Currency",
    "List Price",
    "Rebate In Agreement Currency",
    "Purchase Order",
    "Asin",
    "UPC",
    "EAN",
    "Manufacturer",
    "Distributor",
    "Product Group",
    "Category",
    "Subcategory",
]
CHARGEBACK_HEADERS = [
    "Chargeback ID",
    "Issue Type",
    "Sub Type",
    "PO Number",
    "ASIN",
    "Vendor Code",
    "Notification Date",
    "Quantity",
    "Cartons",
    "Charge Amount",
    "Currency",
    "Status",
]
COST_HEADERS = [
    "ASIN",
    "Vendor SKU",
    "Cost",
    "Currency",
    "Effective From",
    "Effective To",
    "Reason",
]
AGREEMENT_HEADERS = [
    "Agreement ID",
    "Agreement Title",
    "Funding Type",
    "Vendor Code",
    "Rate Percent",
    "Basis",
    "Start Date",
    "End Date",
    "Status",
    "Waived From",
    "Waived To",
]
BANK_HEADERS = ["Date", "Amount", "Currency", "Reference", "Description"]


@dataclass(frozen=True)
class Export:
    """One file: where it goes, how it is styled, and how to make its blocks (again)."""

    folder: str  # vendor-central | vendor
    name: str  # file stem
    style: Style
    blocks: Callable[[], Sequence[Block]]


def _preamble(world: World, title: str) -> list[Sequence[Cell]]:
    return [[f"Vendor Central export - {title}"], [f"Generated on {world.today:%m/%d/%Y} 06:00"]]


def remittance(world: World) -> list[Block]:
    payments: list[Sequence[Cell]] = [
        [p.number, p.pay_date, p.amount, CURRENCY] for p in world.payments
    ]

    def lines() -> Iterator[Sequence[Cell]]:
        for payment in world.payments:
            for line in payment.lines:
                yield [
                    payment.number,
                    line.invoice_number,
                    line.invoice_date,
                    line.description,
                    line.invoice_amount,
                    line.discount,
                    line.paid,
                    line.remaining,
                    CURRENCY,
                ]

    return [
        Block(PAYMENT_HEADERS, payments, before=_preamble(world, "Remittance")),
        Block(REMITTANCE_HEADERS, lines(), before=[["Invoices"]]),
    ]


def remittance_lines_only(world: World) -> list[Block]:
    """The same payments as lines only: a transaction type per line and, for a debit or
    credit note, the vendor invoice it belongs to in `Original Invoice Number`."""

    def lines() -> Iterator[Sequence[Cell]]:
        for payment in world.payments:
            for line in payment.lines:
                event = line.event
                if event is None:
                    kind, original = "Invoice", None
                else:
                    kind = "Debit Note" if line.paid < 0 else "Credit Note"
                    original = event.invoice_number
                yield [
                    line.invoice_number,
                    payment.number,
                    payment.pay_date,
                    line.invoice_date,
                    kind,
                    line.description,
                    None,
                    original,
                    line.invoice_amount,
                    CURRENCY,
                    ZERO,
                    line.discount,
                    line.paid,
                    line.remaining,
                ]

    return [Block(TRANSACTION_HEADERS, lines(), before=_preamble(world, "Remittance"))]


def invoices(world: World) -> list[Block]:
    def rows() -> Iterator[Sequence[Cell]]:
        for invoice in world.invoices:
            if invoice.remaining == 0 and invoice.posted:
                status = "Paid"
            elif invoice.posted:
                status = "Partially Paid"
            else:
                status = "Unpaid"
            for line in invoice.po.lines:
                if line.invoiced <= 0:
                    continue
                yield [
                    invoice.number,
                    invoice.invoice_date,
                    invoice.po.number,
                    world.vendor_code,
                    invoice.amount,
                    CURRENCY,
                    invoice.due_date,
                    status,
                    line.item.asin,
                    line.item.sku,
                    line.invoiced,
                    line.invoice_cost,
                ]

    return [Block(INVOICE_HEADERS, rows(), before=_preamble(world, "Invoices"))]


def _first_postings(world: World, kind: str) -> list[DeductionEvent]:
    """Each debit note once, however many payments took it (duplicates share the number)."""
    seen: set[str] = set()
    out = []
    for event in world.events:
        if event.kind == kind and event.reference not in seen:
            seen.add(event.reference)
            out.append(event)
    return out


def shortage_external_id(invoice_number: str, item: Item, event: DeductionEvent) -> str:
    """`External ID` is the product's external identifier (UPC/EAN or the vendor's item code,
    DOMAIN.md): a UPC on one invoice in three, the vendor's SKU on another; the third keeps the
    debit note there, as some exports do. Reversal rows name their `SCR` credit, so that a
    debit and its reversal stay two rows. Chosen by the invoice number: no random draw."""
    shape = sum(map(ord, invoice_number)) % 3
    # A re-raised `SCRSC` debit names itself, as its reversal does (the rows of the first
    # debit may carry the product's id: the rules must not count the re-raise twice).
    if event.kind == "shortage_reversal" or event.reference.endswith("SCRSC") or shape == 2:
        return event.reference
    return upc_for(item) if shape == 0 else item.sku


def shortages(world: World) -> list[Block]:
    events = _first_postings(world, "shortage") + _first_postings(world, "shortage_reversal")
    events.sort(key=lambda e: (e.invoice_number or "", e.reference))
    # Σ Shortage Amount over a debit's rows equals the debit (reversals negative).
    total = sum((event.amount for event in events), ZERO)

    def rows() -> Iterator[Sequence[Cell]]:
        for event in events:
            po = event.po
            assert po is not None and po.invoice is not None
            sign = -1 if event.kind == "shortage_reversal" else 1
            for line in po.lines:
                units = line.reversed_units if sign < 0 else line.shortage
                if units <= 0:
                    continue
                amount = quantize(line.invoice_cost * units, CURRENCY) * sign
                yield [
                    po.invoice.number,
                    world.vendor_code,
                    po.invoice.invoice_date,
                    po.invoice.due_date,
                    po.number,
                    shortage_external_id(po.invoice.number, line.item, event),
                    line.item.asin,
                    line.invoice_cost,
                    line.invoiced,
                    units * sign,
                    amount,
                    None,
                    None,
                    None,
                    "Pending" if sign > 0 else "Reversed",
                ]

    after: list[Sequence[Cell]] = [
        ["Total", None, None, None, None, None, None, None, None, None, total],
        [],
        [f"{len(events)} debit notes"],
    ]
    return [
        Block(SHORTAGE_HEADERS, rows(), before=_preamble(world, "Shortage claims"), after=after)
    ]


def price_details(world: World) -> list[Block]:
    def rows() -> Iterator[Sequence[Cell]]:
        for event in _first_postings(world, "price"):
            po = event.po
            assert po is not None and po.invoice is not None
            for line in po.lines:
                if line.invoice_cost <= line.paid_cost:
                    continue
                variance = quantize((line.invoice_cost - line.paid_cost) * line.invoiced, CURRENCY)
                yield [
                    po.invoice.number,
                    po.number,
                    line.item.asin,
                    line.invoiced,
                    line.invoice_cost,
                    line.net_cost,
                    line.paid_cost,
                    variance,
                ]

    return [Block(PRICE_HEADERS, rows())]


def posted_coop(world: World) -> list[CoopInvoice]:
    return [c for c in world.coop_invoices if c.event is not None and c.event.payment is not None]


def coop_invoices(world: World) -> list[Block]:
    rows: list[Sequence[Cell]] = [
        [
            c.number,
            c.agreement.agreement_id,
            c.agreement.title,
            c.agreement.funding_type,
            world.vendor_code,
            c.period_start,
            c.period_end,
            c.invoice_date,
            c.amount,
            CURRENCY,
        ]
        for c in posted_coop(world)
    ]
    return [Block(COOP_INVOICE_HEADERS, rows, before=_preamble(world, "Co-op invoices"))]


def backup_block(invoice: CoopInvoice, lines: list[BackupLine], *, preamble: bool) -> Block:
    rows: list[Sequence[Cell]] = [
        [
            line.receive_date,
            line.order_date,
            line.ship_date,
            line.return_date,
            line.receive_date,
            line.transaction_type,
            line.quantity,
            line.net_sales,
            CURRENCY,
            line.list_price,
            line.rebate,
            line.po_number,
            line.asin,
            line.upc,
            None,
            "Brightwell",
            "Brightwell Home Goods",
            "Home",
            line.category,
            None,
        ]
        for line in lines
    ]
    total: Sequence[Cell] = [
        "Total",
        None,
        None,
        None,
        None,
        None,
        sum(line.quantity for line in lines),
        sum((line.net_sales for line in lines), ZERO),
        None,
        None,
        sum((line.rebate for line in lines), ZERO),
    ]
    before: list[Sequence[Cell]] = (
        [["Co-op backup report"], [f"Invoice Number: {invoice.number}"]] if preamble else []
    )
    return Block(BACKUP_HEADERS, rows, before=before, after=[total])


def posted_chargebacks(world: World) -> list[Block]:
    rows: list[Sequence[Cell]] = [
        [
            cb.chargeback_id,
            cb.issue_type,
            cb.sub_type,
            cb.po.number,
            cb.line.item.asin,
            world.vendor_code,
            cb.notified_on,
            cb.quantity,
            cb.cartons,
            cb.amount,
            CURRENCY,
            "Deducted",
        ]
        for cb in world.chargebacks
        if cb.event is not None and cb.event.payment is not None
    ]
    total = sum((row[9] for row in rows if isinstance(row[9], Decimal)), ZERO)
    after: list[Sequence[Cell]] = [["Total", None, None, None, None, None, None, None, None, total]]
    return [Block(CHARGEBACK_HEADERS, rows, before=_preamble(world, "Chargebacks"), after=after)]


def costs(world: World) -> list[Block]:
    rows: list[Sequence[Cell]] = []
    for item in world.items:
        for index, (effective, cost, reason) in enumerate(item.costs):
            until: date | None = None
            if index + 1 < len(item.costs):
                until = item.costs[index + 1][0] - timedelta(days=1)
            rows.append([item.asin, item.sku, cost, CURRENCY, effective, until, reason])
    return [Block(COST_HEADERS, rows)]


def agreements(world: World) -> list[Block]:
    rows: list[Sequence[Cell]] = [
        [
            a.agreement_id,
            a.title,
            a.funding_type,
            world.vendor_code,
            f"{a.rate}",
            a.basis,
            a.start,
            a.end,
            a.status,
            a.waived_from,
            a.waived_to,
        ]
        for a in world.agreements
    ]
    return [Block(AGREEMENT_HEADERS, rows)]


def bank(world: World) -> list[Block]:
    rows: list[Sequence[Cell]] = [
        [b.booked_on, b.amount, CURRENCY, b.reference, b.description] for b in world.bank
    ]
    closing = sum((b.amount for b in world.bank), Decimal("25000.00"))
    after: list[Sequence[Cell]] = [
        [],
        ["Opening balance", Decimal("25000.00")],
        ["Closing balance", closing],
    ]
    before: list[Sequence[Cell]] = [["First Commerce Bank - Account ****4821"], ["Transactions"]]
    return [Block(BANK_HEADERS, rows, before=before, after=after)]


def exports(world: World, *, remittance_lines: bool = False) -> list[Export]:
    us_plain = Style("plain", "us", bom=True)
    return [
        Export(
            "vendor-central",
            "remittance",
            Style("dollar", "us", bom=True),
            (lambda: remittance_lines_only(world))
            if remittance_lines
            else (lambda: remittance(world)),
        ),
        Export("vendor-central", "invoices", us_plain, lambda: invoices(world)),
        Export(
            "vendor-central",
            "shortages",
            Style("accounting", "us", bom=True),
            lambda: shortages(world),
        ),
        Export(
            "vendor-central", "price-details", Style("plain", "iso"), lambda: price_details(world)
        ),
        Export(
            "vendor-central",
            "coop-invoices",
            Style("dollar", "us", bom=True),
            lambda: coop_invoices(world),
        ),
        Export(
            "vendor-central",
            "chargebacks",
            Style("dollar", "us"),
            lambda: posted_chargebacks(world),
        ),
        Export("vendor", "costs", Style("plain", "iso"), lambda: costs(world)),
        Export("vendor", "coop-agreements", Style("plain", "iso"), lambda: agreements(world)),
        Export("vendor", "bank", Style("plain", "us"), lambda: bank(world)),
    ]


def write_exports(
    world: World, out: Path, *, xlsx: bool, variety: Variety | None = None
) -> dict[str, int]:
    """Write every export (and its XLSX twin); returns data rows per file. With a `variety`
    each file is written in its own header spellings, column order and preamble."""
    counts: dict[str, int] = {}
    lines_only = variety is not None and variety.remittance_lines_only
    for export in exports(world, remittance_lines=lines_only):
        shape = variety.file(export.name) if variety is not None else None

        def make(export: Export = export, shape: FileVariety | None = shape) -> Sequence[Block]:
            blocks = export.blocks()
            return shape.apply(blocks) if shape is not None else blocks

        path = out / export.folder / f"{export.name}.csv"
        counts[export.name] = write_csv(path, make(), export.style)
        if xlsx:
            write_xlsx(out / "xlsx" / f"{export.name}.xlsx", [("Sheet1", make())], world.today)
    counts["coop-backup"] = _write_backups(world, out)
    return counts


def _write_backups(world: World, out: Path) -> int:
    folder = out / "vendor-central" / "coop-backup"
    rows = 0
    for invoice in posted_coop(world):
        stem = f"coop-backup-{invoice.number}"
        if invoice.backup_format == "xlsx":
            sheets = [("Backup", [backup_block(invoice, invoice.lines, preamble=False)])]
            if invoice.revised is not None:
                sheets.append(("Revised", [backup_block(invoice, invoice.revised, preamble=False)]))
            rows += write_xlsx(folder / f"{stem}.xlsx", sheets, world.today)
        else:
            block = backup_block(invoice, invoice.lines, preamble=True)
            rows += write_csv(folder / f"{stem}.csv", [block], Style("plain", "us"))
    return rows


def correct_rebates(invoice: CoopInvoice) -> Decimal:
    """Σ base × agreement rate over the lines that count (the Revised sheet when there is one)."""
    lines = invoice.revised if invoice.revised is not None else invoice.lines
    return sum((rebate(line.net_sales, invoice.agreement.rate) for line in lines), ZERO)
