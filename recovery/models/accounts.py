"""Vendor accounts (who Amazon buys from) and the people who use `recovery`."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from recovery.models.base import time_field


class VendorAccount(SQLModel, table=True):
    __tablename__ = "vendor_account"

    id: int | None = Field(default=None, primary_key=True)
    vendor_code: str = Field(max_length=32, unique=True, index=True)
    name: str = Field(default="", max_length=200)
    marketplace: str = Field(default="US", max_length=8)
    currency: str = Field(default="USD", max_length=3)
    created_at: datetime = time_field(default_now=True)


class Role(StrEnum):
    admin = "admin"
    specialist = "specialist"
    viewer = "viewer"


class User(SQLModel, table=True):
    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=100, unique=True, index=True)
    display_name: str = Field(default="", max_length=200)
    role: str = Field(default=Role.viewer, max_length=16)
    password_hash: str | None = Field(default=None, max_length=255)
    active: bool = True
    created_at: datetime = time_field(default_now=True)
