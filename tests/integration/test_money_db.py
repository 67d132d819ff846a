"""Money goes into the database and comes back to the cent, on SQLite and PostgreSQL."""

from decimal import Decimal

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import StatementError
from sqlmodel import Session, select

from recovery.errors import MoneyError
from recovery.models import Invoice, VendorAccount
from recovery.money import from_minor, to_minor

AMOUNTS = [
    (Decimal("99999999999.99"), "USD"),
    (Decimal("-99999999999.99"), "USD"),
    (Decimal("0.01"), "USD"),
    (Decimal("123456789012"), "JPY"),
    (Decimal("98765432.123"), "KWD"),
]


def test_amounts_survive_the_database_exactly(engine: Engine) -> None:
    with Session(engine) as session:
        account = VendorAccount(vendor_code="ABCDE")
        session.add(account)
        session.flush()
        assert account.id is not None
        for number, (value, currency) in enumerate(AMOUNTS):
            session.add(
                Invoice(
                    account_id=account.id,
                    invoice_number=f"INV{number}",
                    amount_minor=to_minor(value, currency),
                    currency=currency,
                )
            )
        session.commit()
    with Session(engine) as session:
        rows = session.exec(select(Invoice).order_by(Invoice.invoice_number)).all()
        assert [from_minor(r.amount_minor, r.currency) for r in rows] == [v for v, _ in AMOUNTS]
        # And the database itself holds integers: a sum in SQL is exact too.
        total = session.exec(  # type: ignore[call-overload]
            text("SELECT SUM(amount_minor) FROM invoice WHERE currency = 'USD'")
        ).scalar_one()
        assert int(total) == 1


def test_money_columns_refuse_floats(engine: Engine) -> None:
    with Session(engine) as session:
        account = VendorAccount(vendor_code="ABCDE")
        session.add(account)
        session.flush()
        assert account.id is not None
        session.add(
            Invoice(account_id=account.id, invoice_number="X", amount_minor=12.5, currency="USD")  # type: ignore[arg-type]
        )
        with pytest.raises(StatementError) as caught:
            session.flush()
        assert isinstance(caught.value.orig, MoneyError)
