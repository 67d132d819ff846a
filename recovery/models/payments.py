"""Invoices, payments (remittances), the deductions taken from them, and the bank's deposits.

Amounts on remittance lines keep Amazon's sign: an invoice is positive, a deduction negative.
`Deduction.amount_minor` is positive when money was taken and negative when it came back
(a reversal or credit), so Σ amount over a line's deductions is the net taken.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from recovery.models.base import money_field, time_field


class Invoice(SQLModel, table=True):
    __tablename__ = "invoice"
    __table_args__ = (UniqueConstraint("account_id", "invoice_number"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="vendor_account.id", index=True)
    invoice_number: str = Field(max_length=64, index=True)
    invoice_date: date | None = None
    po_number: str | None = Field(default=None, max_length=32, index=True)
    amount_minor: int = money_field(default=0)
    currency: str = Field(max_length=3)
    due_date: date | None = None
    status: str | None = Field(default=None, max_length=32)


class InvoiceLine(SQLModel, table=True):
    __tablename__ = "invoice_line"
    __table_args__ = (UniqueConstraint("invoice_id", "line_no"),)

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoice.id")
    line_no: int
    asin: str | None = Field(default=None, max_length=16)
    vendor_sku: str | None = Field(default=None, max_length=64)
    quantity: int = 0  # eaches
    unit_cost_minor: int = money_field(default=0)
    amount_minor: int = money_field(default=0)
    currency: str = Field(max_length=3)


class Payment(SQLModel, table=True):
    """A remittance: one payment from Amazon covering many invoices and deductions."""

    __tablename__ = "payment"
    __table_args__ = (UniqueConstraint("account_id", "payment_number"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="vendor_account.id", index=True)
    payment_number: str = Field(max_length=64, index=True)
    payment_date: date | None = None
    amount_minor: int = money_field(default=0)
    currency: str = Field(max_length=3)
    bank_transaction_id: int | None = Field(default=None, foreign_key="bank_transaction.id")


class RemittanceKind(StrEnum):
    """What a remittance line is; deductions carry the kind of deduction."""

    payment = "payment"
    invoice_payment = "invoice_payment"
    shortage = "shortage"
    shortage_reversal = "shortage_reversal"
    price = "price"
    price_reversal = "price_reversal"
    coop = "coop"
    coop_reversal = "coop_reversal"
    chargeback = "chargeback"
    chargeback_reversal = "chargeback_reversal"
    returns = "returns"
    allowance = "allowance"
    provision = "provision"
    provision_reversal = "provision_reversal"
    other = "other"

    @property
    def is_deduction(self) -> bool:
        return self not in (RemittanceKind.payment, RemittanceKind.invoice_payment)


# The big tables carry only the indexes a query uses: their unique keys (which also serve
# lookups by account) and nothing else. Each extra index costs every import of millions of rows.


class RemittanceLine(SQLModel, table=True):
    __tablename__ = "remittance_line"
    __table_args__ = (UniqueConstraint("account_id", "payment_number", "invoice_number"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="vendor_account.id")
    payment_id: int | None = Field(default=None, foreign_key="payment.id")
    payment_number: str = Field(max_length=64)
    invoice_number: str = Field(max_length=64)  # as printed, with any suffix
    base_invoice_number: str | None = Field(default=None, max_length=64)
    invoice_date: date | None = None
    description: str = Field(default="", max_length=200)
    transaction_type: str | None = Field(default=None, max_length=64)
    reference: str | None = Field(default=None, max_length=200)
    kind: str = Field(max_length=24)
    invoice_amount_minor: int = money_field(default=0)
    discount_minor: int = money_field(default=0)
    paid_minor: int = money_field(default=0)
    remaining_minor: int = money_field(default=0)
    withholding_minor: int = money_field(default=0)
    currency: str = Field(max_length=3)


class Deduction(SQLModel, table=True):
    """Money Amazon took from (or gave back to) a vendor invoice, from a remittance or export."""

    __tablename__ = "deduction"
    __table_args__ = (UniqueConstraint("account_id", "reference", "payment_number"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="vendor_account.id")
    kind: str = Field(max_length=24)  # RemittanceKind, deduction kinds only
    reference: str = Field(max_length=64)  # debit note, co-op invoice, chargeback id
    payment_number: str = Field(default="", max_length=64)
    remittance_line_id: int | None = Field(default=None, foreign_key="remittance_line.id")
    invoice_id: int | None = Field(default=None, foreign_key="invoice.id")
    invoice_number: str | None = Field(default=None, max_length=64)  # vendor's
    po_number: str | None = Field(default=None, max_length=32)
    asin: str | None = Field(default=None, max_length=16)
    quantity: int | None = None
    amount_minor: int = money_field()  # > 0 taken, < 0 given back
    currency: str = Field(max_length=3)
    description: str = Field(default="", max_length=200)
    raised_on: date | None = None
    notified_on: date | None = None
    reverses_id: int | None = Field(default=None, foreign_key="deduction.id")


class ShortageLine(SQLModel, table=True):
    """A line of Vendor Central's shortage dispute details: one ASIN of one shortage debit."""

    __tablename__ = "shortage_line"
    __table_args__ = (UniqueConstraint("account_id", "invoice_number", "external_id", "asin"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="vendor_account.id")
    invoice_number: str = Field(max_length=64)
    external_id: str = Field(default="", max_length=64)
    payee_code: str | None = Field(default=None, max_length=32)
    invoice_date: date | None = None
    due_date: date | None = None
    po_number: str | None = Field(default=None, max_length=32, index=True)
    asin: str = Field(max_length=16)
    unit_price_minor: int = money_field(default=0)
    invoiced_quantity: int = 0
    shortage_quantity: int = 0
    shortage_minor: int = money_field(default=0)
    dispute_quantity: int | None = None
    dispute_minor: int | None = money_field(nullable=True)
    approved_quantity: int | None = None
    decision: str | None = Field(default=None, max_length=64)
    currency: str = Field(max_length=3)


class PriceVarianceLine(SQLModel, table=True):
    """A price discrepancy line: Amazon paid `adjusted` where the vendor invoiced `invoice_cost`."""

    __tablename__ = "price_variance_line"
    __table_args__ = (UniqueConstraint("account_id", "invoice_number", "po_number", "asin"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="vendor_account.id", index=True)
    invoice_number: str = Field(max_length=64, index=True)
    po_number: str = Field(default="", max_length=32, index=True)
    asin: str = Field(max_length=16)
    quantity: int = 0
    invoice_cost_minor: int = money_field(default=0)
    po_cost_minor: int | None = money_field(nullable=True)
    adjusted_cost_minor: int | None = money_field(nullable=True)
    variance_minor: int = money_field(default=0)
    currency: str = Field(max_length=3)


class BankTransaction(SQLModel, table=True):
    """A line of the vendor's bank statement; `occurrence` separates identical lines."""

    __tablename__ = "bank_transaction"
    __table_args__ = (
        UniqueConstraint("account_id", "booked_on", "amount_minor", "reference", "occurrence"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="vendor_account.id", index=True)
    booked_on: date
    amount_minor: int = money_field()
    currency: str = Field(max_length=3)
    reference: str = Field(default="", max_length=200)
    description: str = Field(default="", max_length=500)
    occurrence: int = 0
    imported_at: datetime = time_field(default_now=True)
