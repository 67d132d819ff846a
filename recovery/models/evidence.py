"""Evidence documents (BOL, POD, packing lists), what was read from them, and their links."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from recovery.models.base import time_field


class DocumentKind(StrEnum):
    bol = "bol"
    pod = "pod"
    packing_list = "packing_list"
    unknown = "unknown"


class EvidenceDocument(SQLModel, table=True):
    __tablename__ = "evidence_document"

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(max_length=64, unique=True, index=True)
    original_name: str = Field(max_length=500)
    stored_path: str = Field(max_length=500)  # relative to the evidence store
    size_bytes: int = 0
    pages: int = 0
    kind: str = Field(default=DocumentKind.unknown, max_length=16)
    text_source: str | None = Field(default=None, max_length=8)  # text | ocr
    carrier: str | None = Field(default=None, max_length=100)
    bol_number: str | None = Field(default=None, max_length=64, index=True)
    pro_number: str | None = Field(default=None, max_length=64, index=True)
    ship_date: date | None = None
    delivery_date: date | None = None
    ship_to: str | None = Field(default=None, max_length=32)
    cartons: int | None = None
    pallets: int | None = None
    units: int | None = None
    weight: str | None = Field(default=None, max_length=32)
    signed: bool | None = None
    exception_kind: str | None = Field(default=None, max_length=32)  # short, damage, refused
    exception_units: int | None = None  # a count of `exception_unit`s, as written
    exception_unit: str | None = Field(default=None, max_length=16)  # unit, carton, pallet
    po_numbers: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Every extracted field with where it came from: {"bol_number": {"value", "page", "text"}}.
    fields: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    added_at: datetime = time_field(default_now=True)


class EvidenceLink(SQLModel, table=True):
    """A document proves something about a shipment and/or a PO."""

    __tablename__ = "evidence_link"
    __table_args__ = (UniqueConstraint("document_id", "shipment_id", "po_number"),)

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="evidence_document.id", index=True)
    shipment_id: int | None = Field(default=None, foreign_key="shipment.id", index=True)
    account_id: int | None = Field(default=None, foreign_key="vendor_account.id")
    po_number: str = Field(default="", max_length=32, index=True)
    matched_by: str = Field(default="", max_length=64)  # bol_number, pro_number, po_number+date


class EvidenceConflict(SQLModel, table=True):
    """A document disagrees with what Amazon's data says; a person decides which is right."""

    __tablename__ = "evidence_conflict"
    __table_args__ = (UniqueConstraint("document_id", "shipment_id", "field"),)

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="evidence_document.id", index=True)
    shipment_id: int | None = Field(default=None, foreign_key="shipment.id")
    field: str = Field(max_length=32)
    document_value: str = Field(default="", max_length=200)
    record_value: str = Field(default="", max_length=200)
    message: str = Field(default="", max_length=500)
