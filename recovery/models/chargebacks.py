"""Operational chargebacks: fees Amazon charges for breaking its vendor manual."""

from __future__ import annotations

from datetime import date

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from recovery.models.base import money_field


class Chargeback(SQLModel, table=True):
    __tablename__ = "chargeback"
    __table_args__ = (UniqueConstraint("account_id", "chargeback_id"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="vendor_account.id", index=True)
    chargeback_id: str = Field(max_length=64, index=True)
    issue_type: str = Field(default="", max_length=100)
    sub_type: str = Field(default="", max_length=100)
    po_number: str | None = Field(default=None, max_length=32, index=True)
    asin: str | None = Field(default=None, max_length=16)
    vendor_code: str | None = Field(default=None, max_length=32)
    notified_on: date | None = None
    quantity: int | None = None
    cartons: int | None = None
    amount_minor: int = money_field(default=0)
    currency: str = Field(max_length=3)
    status: str | None = Field(default=None, max_length=32)
