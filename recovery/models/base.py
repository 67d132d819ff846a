"""What every table shares: the metadata's naming convention, money and UTC time columns.

The naming convention must be set before any table is declared so that constraint names are
stable across SQLite and PostgreSQL and Alembic can find them again (batch mode needs names).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, Table
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from recovery.money import MinorUnits, from_minor

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored in UTC and always returned timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError(f"timestamps must be timezone-aware datetimes, got {value!r}")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def table_of(model: type[SQLModel]) -> Table:
    """A model's Core table, for set-wise reads and writes that skip the ORM."""
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


def utcnow() -> datetime:
    return datetime.now(UTC)


def money_field(*, nullable: bool = False, default: int | None = None) -> Any:
    """A money column: integer minor units (see recovery.money.MinorUnits)."""
    if nullable:
        return Field(default=default, sa_type=MinorUnits, nullable=True)
    if default is not None:
        return Field(default=default, sa_type=MinorUnits, nullable=False)
    return Field(sa_type=MinorUnits, nullable=False)


def time_field(*, nullable: bool = True, default_now: bool = False) -> Any:
    if default_now:
        return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable)


def amount(minor: int | None, currency: str) -> Decimal | None:
    """Decimal amount of a money column, None stays None."""
    return None if minor is None else from_minor(minor, currency)
