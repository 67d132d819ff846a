"""A review UI with its personas and a specialist's morning of claims, for the web tests
(TestClient permission tests and the Chromium walk-through alike)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import FastAPI
from fastapi.testclient import TestClient
from integration.claims_factory import shortage_claim
from sqlalchemy import Engine
from sqlmodel import select

from recovery.calendar import BusinessCalendar
from recovery.claims import drafting
from recovery.config import Settings
from recovery.models import EvidenceDocument, Role
from recovery.store import db
from recovery.testing.documents import LAYOUTS, DocumentTruth, render_document
from recovery.users import add_user
from recovery.web.app import create_app

if TYPE_CHECKING:
    from playwright.sync_api import Page

PASSWORD = "correct horse battery"
PERSONAS = {
    Role.admin: "ada@example.com",
    Role.specialist: "sam@example.com",
    Role.viewer: "vic@example.com",
}


def seed_users(engine: Engine) -> None:
    with db.session_scope(engine) as session:
        for role, email in PERSONAS.items():
            add_user(session, email, role, PASSWORD)


def today(settings: Settings) -> date:
    return BusinessCalendar.from_settings(settings.calendar).today()


def seed_claims(engine: Engine, settings: Settings) -> dict[str, int]:
    """Ready shortage claims due soon and later, a chargeback, and one needing its POD.

    Each has Amazon's deadline, the planned file_by a day before it, and the date its band
    counts from: shortages age from their due date (soon mature, bare maturing, small and later
    optimal), the chargeback counts its 12 days left (optimal)."""
    day = today(settings)
    with db.session_scope(engine) as session:
        made = {
            "soon": shortage_claim(
                session,
                key="soon",
                deadline=day + timedelta(days=3),
                file_by=day + timedelta(days=2),
                age_from=day - timedelta(days=100),
            ),
            "later": shortage_claim(
                session,
                key="later",
                file_by=day + timedelta(days=29),
                age_from=day - timedelta(days=40),
                deadline=day + timedelta(days=30),
                amount_minor=99000,
                reference="INV-1002SC",
                invoice_number="INV-1002",
            ),
            "small": shortage_claim(
                session,
                key="small",
                file_by=day + timedelta(days=19),
                age_from=day - timedelta(days=45),
                deadline=day + timedelta(days=20),
                amount_minor=4200,
                reference="INV-1004SC",
                invoice_number="INV-1004",
            ),
            "fee": shortage_claim(
                session,
                key="fee",
                file_by=day + timedelta(days=11),
                age_from=day - timedelta(days=18),
                claim_type="chargeback",
                deadline=day + timedelta(days=12),
                amount_minor=3100,
                reference="CB-77120",
                invoice_number=None,
                quantity=None,
                with_pod=False,
                reason="ASN confirmed 12 minutes after the truck left, inside the 30-minute grace",
                dispute_reason="ASN/Late ASN",
            ),
            "bare": shortage_claim(
                session,
                key="bare",
                file_by=day + timedelta(days=9),
                age_from=day - timedelta(days=70),
                with_pod=False,
                deadline=day + timedelta(days=10),
                reference="INV-1003SC",
                invoice_number="INV-1003",
            ),
        }
        drafting.draft_claims(session, list(made.values()), settings)
        # The factory's documents name files in the evidence store; put a real PDF there.
        for document in session.exec(select(EvidenceDocument)):
            stored = settings.evidence_dir / document.stored_path
            stored.parent.mkdir(parents=True, exist_ok=True)
            signed_pod(stored)
        ids = {}
        for name, claim in made.items():
            assert claim.id is not None
            ids[name] = claim.id
        return ids


def signed_pod(path: Path) -> Path:
    """A carrier POD for PO 4Q8Z1KXA, signed, as the fake carrier renders it."""
    path.write_bytes(
        render_document(
            DocumentTruth(
                kind="pod",
                layout=LAYOUTS[0],
                carrier="Estes Express",
                bol_number="7741",
                pro_number="99812",
                ship_date=date(2026, 3, 2),
                delivery_date=date(2026, 3, 5),
                po_numbers=["4Q8Z1KXA"],
                ship_to="DFW7",
                shipper="Example Brand",
                cartons=10,
                pallets=1,
                units=120,
                weight_lb=240,
                signed=True,
                receiver="J. Smith",
                exception_kind=None,
                exception_units=None,
            )
        )
    )
    return path


def web_settings(settings: Settings, page_size: int = 50) -> Settings:
    return settings.model_copy(
        update={"ui": settings.ui.model_copy(update={"session_key": None, "page_size": page_size})}
    )


def make_app(settings: Settings, engine: Engine) -> FastAPI:
    return create_app(settings, engine)


def client_for(app: FastAPI, role: Role | None) -> TestClient:
    """A browser-like client: HTTPS (the cookies are Secure), the CSRF header set like app.js
    sets it, and signed in as `role` (None: a visitor who never signed in)."""
    client = TestClient(app, base_url="https://testserver", follow_redirects=False)
    client.get("/signin")
    client.headers["x-csrftoken"] = client.cookies["csrftoken"]
    if role is not None:
        answer = client.post("/signin", data={"email": PERSONAS[role], "password": PASSWORD})
        assert answer.status_code == 303, answer.text
    return client


def seed_ledger(engine: Engine) -> dict[str, int]:
    """An invoice paid short by a payment that no bank deposit matches (yet)."""
    from recovery.models import BankTransaction, Invoice, Payment, VendorAccount

    with db.session_scope(engine) as session:
        account = session.exec(
            select(VendorAccount).where(VendorAccount.vendor_code == "ABCDE")
        ).one()
        assert account.id is not None
        session.add(
            Invoice(
                account_id=account.id,
                invoice_number="INV-1001",
                amount_minor=120000,
                currency="USD",
                due_date=date(2026, 1, 31),
            )
        )
        payment = Payment(
            account_id=account.id,
            payment_number="PAY-9001",
            payment_date=date(2026, 2, 2),
            amount_minor=99840,
            currency="USD",
        )
        # Booked three weeks later: outside the automatic match window, a person matches it.
        deposit = BankTransaction(
            account_id=account.id,
            booked_on=date(2026, 2, 23),
            amount_minor=99840,
            currency="USD",
            reference="AMAZON PAY-9001",
        )
        session.add(payment)
        session.add(deposit)
        session.flush()
        assert payment.id is not None and deposit.id is not None
        return {"account": account.id, "payment": payment.id, "deposit": deposit.id}


def wait_until_htmx_settled(page: Page) -> None:
    """Wait until htmx has wired the page's new content.

    htmx swaps a boosted page in at once but wires its elements (hx-get, hx-trigger) only when the
    swap settles, 20 ms later; a test that changes a filter inside that gap changes a plain form
    and nothing is requested. No person is that fast, Playwright is.
    """
    page.wait_for_function(
        "() => document.readyState === 'complete' && window.htmx !== undefined"
        " && !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )
