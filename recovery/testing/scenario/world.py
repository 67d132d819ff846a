"""The synthetic vendor's world in memory: what really happened, before any file is written.

Every export, JSON payload, PDF and the answer key are views of these records, so they agree with
each other by construction. Records use slots: the large scenario holds about two million PO lines.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from recovery.testing.scenario.sizes import SizeProfile

ZERO = Decimal("0.00")
CURRENCY = "USD"
MARKETPLACE = "US"


def stream(seed: int, name: str) -> random.Random:
    """An independent random stream per concern, so changing one generator leaves the rest."""
    return random.Random(f"recovery-scenario/{seed}/{name}")


@dataclass(slots=True)
class Item:
    asin: str
    sku: str
    title: str
    category: str
    case_pack: int  # eaches per carton
    carton_weight_lb: int
    list_price: Decimal
    # (effective from, cost per each, reason), oldest first
    costs: list[tuple[date, Decimal, str]] = field(default_factory=list)

    def cost_on(self, day: date) -> Decimal:
        current = self.costs[0][1]
        for effective, cost, _ in self.costs:
            if effective <= day:
                current = cost
        return current

    def change_before(self, day: date) -> tuple[date, Decimal, Decimal] | None:
        """The latest cost change in force on `day`: (effective date, old cost, new cost)."""
        found = None
        for index in range(1, len(self.costs)):
            if self.costs[index][0] <= day:
                found = (self.costs[index][0], self.costs[index - 1][1], self.costs[index][1])
        return found


@dataclass(frozen=True, slots=True)
class Carrier:
    name: str
    scac: str


@dataclass(slots=True)
class PoLine:
    seq: int
    item: Item
    uom: str  # "Cases" | "Eaches", as ordered
    unit_size: int  # eaches per case when ordered in Cases, else 1
    amount: int  # ordered quantity in `uom`
    ordered: int  # eaches
    accepted: int  # eaches the vendor confirmed
    net_cost: Decimal  # Amazon's cost record on the PO, per each
    invoice_cost: Decimal = ZERO  # what the vendor invoiced per each
    paid_cost: Decimal = ZERO  # what Amazon paid per each
    invoiced: int = 0  # eaches
    shipped: int = 0  # eaches, over every shipment
    received: int = 0  # eaches Amazon says it received
    # How Amazon reported the receipt when it is not plain eaches: (amount, unit, unit size).
    received_as: tuple[int, str, int] | None = None
    shortage: int = 0  # eaches deducted on the <inv>SC debit
    reversed_units: int = 0  # eaches given back on the <inv>SCR credit


@dataclass(slots=True)
class Document:
    file: str
    kind: str  # bol | pod
    layout: str
    scanned: bool
    carrier: str
    bol_number: str
    pro_number: str | None
    ship_date: date
    delivery_date: date | None
    po_numbers: list[str]
    ship_to: str
    shipper: str
    cartons: int
    pallets: int
    units: int | None
    weight_lb: int
    signed: bool
    receiver: str | None
    exception_kind: str | None
    exception_units: int | None  # cartons, as carriers write it
    exception_eaches: int | None
    # The receiver's words when they count nothing ("OS&D"): `exception_kind` is "unreadable".
    exception_note: str | None = None


@dataclass(slots=True)
class Shipment:
    shipment_id: str
    po: PurchaseOrder
    carrier: Carrier
    freight_term: str  # Collect | Prepaid
    bol_number: str
    pro_number: str
    created_at: datetime
    confirmed_at: datetime
    shipped_at: datetime
    estimated_delivery_at: datetime
    delivered_at: datetime | None
    items: list[tuple[PoLine, int]] = field(default_factory=list)  # eaches per line
    in_asn: bool = True  # False: shipped without an ASN (absent from shipments.json)
    exception: tuple[str, int] | None = None  # (kind, cartons) noted by the receiver
    # A note the receiver wrote that says something went wrong but not how much.
    unreadable_note: str | None = None
    documents: list[Document] = field(default_factory=list)
    # The ASN's own shipped quantity when it differs from what was loaded (inaccurate ASN).
    asn_override: dict[int, int] | None = None

    @property
    def cartons(self) -> int:
        return sum(-(-units // line.item.case_pack) for line, units in self.items)

    @property
    def units(self) -> int:
        return sum(units for _, units in self.items)

    @property
    def pallets(self) -> int:
        return max(1, -(-self.cartons // 40))

    @property
    def weight_lb(self) -> int:
        return (
            sum(
                -(-units // line.item.case_pack) * line.item.carton_weight_lb
                for line, units in self.items
            )
            + 45 * self.pallets
        )

    @property
    def proven(self) -> bool:
        """A signed BOL (collect) or signed POD (prepaid) shows this shipment was delivered."""
        return any(doc.signed for doc in self.documents)


@dataclass(slots=True)
class Invoice:
    number: str
    po: PurchaseOrder
    invoice_date: date
    due_date: date
    amount: Decimal
    plan: str = "normal"  # normal | early_discount | partial | short_pay | unpaid
    paid: Decimal = ZERO  # Σ Amount Paid over its invoice lines, as of today
    discount: Decimal = ZERO
    remaining: Decimal = ZERO  # as printed on its last remittance line
    short_pay: Decimal = ZERO  # paid less with no deduction line
    posted: int = 0  # remittance lines that paid it


@dataclass(slots=True)
class PurchaseOrder:
    number: str
    ordered_at: datetime
    ship_to: str
    ship_window: tuple[datetime, datetime]
    delivery_window: tuple[datetime, datetime]
    lines: list[PoLine]
    acknowledged_at: datetime | None = None
    shipments: list[Shipment] = field(default_factory=list)
    invoice: Invoice | None = None
    shortage_case: str | None = None
    price_case: str | None = None
    billing_case: str | None = None
    chargeback_roles: list[str] = field(default_factory=list)
    # What the plan needs of this PO's shipments (see plan.py): confirm_late, in_asn, docs, ...
    flags: dict[str, bool] = field(default_factory=dict)
    exception_cartons: int = 0  # cartons the receiver noted short on the POD

    @property
    def received_at(self) -> datetime | None:
        delivered = [s.delivered_at for s in self.shipments if s.delivered_at is not None]
        return max(delivered) if delivered else None


@dataclass(slots=True)
class Payment:
    number: str
    pay_date: date
    lines: list[RemittanceLine] = field(default_factory=list)

    @property
    def amount(self) -> Decimal:
        return sum((line.paid for line in self.lines), ZERO)


@dataclass(slots=True)
class RemittanceLine:
    payment: Payment
    invoice_number: str  # as printed: the vendor invoice or a debit note / co-op number
    invoice_date: date
    description: str
    invoice_amount: Decimal
    discount: Decimal
    paid: Decimal
    remaining: Decimal
    event: DeductionEvent | None = None


@dataclass(slots=True)
class DeductionEvent:
    """A deduction Amazon takes (amount > 0) or gives back (< 0) on some payment."""

    reference: str
    kind: str  # a RemittanceKind value
    description: str
    amount: Decimal
    target: date  # the earliest day it can appear on a payment
    document_date: date  # "Invoice Date" of the debit note on the remittance
    invoice_number: str | None  # the vendor invoice it refers to
    case: str
    po: PurchaseOrder | None = None
    payment: Payment | None = None
    truth: str = "valid"
    recoverable: Decimal = ZERO
    why: str = ""
    deadline: str | None = None  # Amazon's last day to dispute it (ISO), for disputable kinds


@dataclass(slots=True)
class Chargeback:
    chargeback_id: str
    issue_type: str
    sub_type: str
    po: PurchaseOrder
    line: PoLine
    quantity: int
    cartons: int
    amount: Decimal
    correct: Decimal  # what the fee schedule and the evidence allow
    notified_on: date
    case: str
    why: str
    event: DeductionEvent | None = None


@dataclass(slots=True)
class CoopAgreement:
    agreement_id: str
    title: str
    funding_type: str
    rate: Decimal  # percent
    basis: str
    start: date
    end: date
    status: str  # active | waived | expired
    waived_from: date | None
    waived_to: date | None
    category: str


@dataclass(slots=True)
class BackupLine:
    receive_date: date
    order_date: date
    ship_date: date
    return_date: date | None
    transaction_type: str  # Receipt | Return
    quantity: int
    net_sales: Decimal
    list_price: Decimal
    rebate: Decimal
    po_number: str
    asin: str
    upc: str
    category: str


@dataclass(slots=True)
class CoopInvoice:
    number: str
    agreement: CoopAgreement
    period_start: date
    period_end: date
    invoice_date: date
    amount: Decimal  # billed
    correct: Decimal
    lines: list[BackupLine]
    revised: list[BackupLine] | None  # a "Revised" sheet replacing `lines`
    case: str
    why: str
    description: str  # COOP | COOP - Service agreement
    backup_format: str  # csv | xlsx
    event: DeductionEvent | None = None


@dataclass(slots=True)
class BankLine:
    booked_on: date
    amount: Decimal
    reference: str
    description: str


@dataclass(slots=True)
class World:
    seed: int
    size: SizeProfile
    today: date
    start: date
    vendor_code: str
    vendor_name: str
    items: list[Item] = field(default_factory=list)
    orders: list[PurchaseOrder] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    events: list[DeductionEvent] = field(default_factory=list)
    chargebacks: list[Chargeback] = field(default_factory=list)
    agreements: list[CoopAgreement] = field(default_factory=list)
    coop_invoices: list[CoopInvoice] = field(default_factory=list)
    bank: list[BankLine] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    documents_rendered: int = 0

    @property
    def invoices(self) -> list[Invoice]:
        return [po.invoice for po in self.orders if po.invoice is not None]

    @property
    def shipments(self) -> list[Shipment]:
        return [s for po in self.orders for s in po.shipments]
