"""Co-op: the vendor's signed agreements, Amazon's co-op invoices and their backup lines.

Rates are stored in parts per million of the base (7.5 % = 75,000 ppm): exact integers.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from recovery.models.base import money_field

PPM_PER_PERCENT = 10_000


class AgreementStatus(StrEnum):
    active = "active"
    waived = "waived"
    expired = "expired"


class CoopAgreement(SQLModel, table=True):
    __tablename__ = "coop_agreement"
    __table_args__ = (UniqueConstraint("account_id", "agreement_id"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="vendor_account.id", index=True)
    agreement_id: str = Field(max_length=64)
    title: str = Field(default="", max_length=200)
    funding_type: str = Field(default="", max_length=64)
    vendor_code: str | None = Field(default=None, max_length=32)
    rate_ppm: int
    basis: str = Field(default="net receipts", max_length=32)  # net receipts | net sales
    start_date: date
    end_date: date | None = None
    status: str = Field(default=AgreementStatus.active, max_length=16)
    waived_from: date | None = None
    waived_to: date | None = None


class CoopInvoice(SQLModel, table=True):
    __tablename__ = "coop_invoice"
    __table_args__ = (UniqueConstraint("account_id", "invoice_number"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="vendor_account.id", index=True)
    invoice_number: str = Field(max_length=64, index=True)
    agreement_id: str | None = Field(default=None, max_length=64, index=True)
    agreement_title: str = Field(default="", max_length=200)
    funding_type: str = Field(default="", max_length=64)
    vendor_code: str | None = Field(default=None, max_length=32)
    period_start: date | None = None
    period_end: date | None = None
    invoice_date: date | None = None
    amount_minor: int = money_field(default=0)
    currency: str = Field(max_length=3)


class CoopBackupLine(SQLModel, table=True):
    """A receipt (or return) line of a co-op invoice's backup report."""

    __tablename__ = "coop_backup_line"
    __table_args__ = (
        UniqueConstraint("account_id", "coop_invoice_number", "revised", "line_no"),
        # Detection finds the backup lines of a PO, and the lines that bill the same receipt.
        Index("ix_coop_backup_line_po_number_asin", "po_number", "asin"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="vendor_account.id")
    coop_invoice_number: str = Field(max_length=64)
    revised: bool = False  # from a sheet named "Revised": supersedes the original lines
    line_no: int
    receive_date: date | None = None
    order_date: date | None = None
    ship_date: date | None = None
    return_date: date | None = None
    cost_date: date | None = None
    transaction_type: str | None = Field(default=None, max_length=32)
    quantity: int = 0
    net_sales_minor: int = money_field(default=0)
    list_price_minor: int | None = money_field(nullable=True)
    rebate_minor: int = money_field(default=0)
    currency: str = Field(max_length=3)
    po_number: str | None = Field(default=None, max_length=32)
    asin: str | None = Field(default=None, max_length=16)
    upc: str | None = Field(default=None, max_length=32)
    ean: str | None = Field(default=None, max_length=32)
    manufacturer: str | None = Field(default=None, max_length=100)
    distributor: str | None = Field(default=None, max_length=100)
    product_group: str | None = Field(default=None, max_length=100)
    category: str | None = Field(default=None, max_length=100)
    subcategory: str | None = Field(default=None, max_length=100)
