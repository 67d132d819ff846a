"""The fake portal's judgement on a generated scenario, through its Python handle: the odds by
invoice age, runs that repeat, the hard window; and, over HTTP, sign-in throttling."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from recovery.testing.fake_vendor_central import (
    DEFAULT_EMAIL,
    DEFAULT_PASSWORD,
    AuthSettings,
    FakeVendorCentral,
)
from recovery.testing.fake_vendor_central.model import Attachment, DisputeType, Outcome, Status
from recovery.testing.fake_vendor_central.portal import Portal
from recovery.testing.fake_vendor_central.rules import Odds, add_months
from recovery.testing.fake_vendor_central.scenario_source import PortalData, load_portal_data
from recovery.testing.scenario import generate_scenario


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fake-vc-portal")
    generate_scenario(out, seed=3, size="tiny", today=date(2026, 11, 30), xlsx=False)
    return out


@pytest.fixture(scope="module")
def data(scenario: Path) -> PortalData:
    return load_portal_data(scenario)


@pytest.fixture(scope="module")
def key(scenario: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((scenario / "answer_key.json").read_text())
    return loaded


def _proof(scenario: Path, data: PortalData, po: str) -> Attachment:
    wanted = {"Collect": "bol", "Prepaid": "pod"}[data.freight_terms[po]]
    for digest, document in data.documents.items():
        if po in document.po_numbers and document.kind == wanted and document.signed:
            size = (scenario / "evidence" / document.file).stat().st_size
            return Attachment(document.file, digest, size)
    raise AssertionError(f"no {wanted} for {po}")


def _file_every_shortage(portal: Portal, scenario: Path, key: dict[str, Any]) -> list[str]:
    ids = []
    for claim in key["claims"]:
        if claim["type"] != "shortage" or claim["po_number"] not in portal.data.freight_terms:
            continue
        draft = portal.start(DisputeType.shortage, [claim["invoice_number"]])
        attachment = _proof(scenario, portal.data, claim["po_number"])
        ids += [d.id for d in portal.submit(draft, "Delivered in full.", [attachment])]
    return ids


def _outcomes(portal: Portal) -> list[tuple[str, Outcome | None, int]]:
    return [(d.id, d.outcome, d.approved_minor) for d in portal.disputes.values()]


def test_the_odds_follow_the_invoice_age_at_filing(
    scenario: Path, data: PortalData, key: dict[str, Any]
) -> None:
    # Young disputes always win, mature ones (more than 120 days after the due date) never.
    odds = Odds(optimal=1.0, maturing=1.0, mature=0.0)
    portal = Portal(data, odds=odds)
    _file_every_shortage(portal, scenario, key)
    portal.advance(14)
    due = {r["invoice_number"]: r["due_date"] for r in data.shortages}
    ages = {d.id: (d.created - due[d.invoice_number]).days for d in portal.disputes.values()}
    assert min(ages.values()) <= odds.maturing_until < max(ages.values())
    for dispute in portal.disputes.values():
        if ages[dispute.id] > odds.maturing_until:
            assert dispute.outcome == Outcome.denied, dispute.id
            assert "upheld" in dispute.resolution
        else:
            assert dispute.outcome in (Outcome.approved, Outcome.partial), dispute.id


def test_the_same_filings_get_the_same_decisions(
    scenario: Path, data: PortalData, key: dict[str, Any]
) -> None:
    runs = []
    for _ in range(2):
        portal = Portal(data)  # the default odds, seeded by the scenario and the dispute id
        _file_every_shortage(portal, scenario, key)
        portal.advance(20)
        runs.append(_outcomes(portal))
    assert runs[0] == runs[1]
    assert len(runs[0]) >= 3


def test_a_shortage_filed_past_24_months_is_denied_and_one_without_proof_waits(
    scenario: Path, data: PortalData, key: dict[str, Any]
) -> None:
    claim = next(c for c in key["claims"] if c["type"] == "shortage")
    due = next(
        r["due_date"] for r in data.shortages if r["invoice_number"] == claim["invoice_number"]
    )
    portal = Portal(data, odds=Odds.certain(), today=add_months(due, 24) + timedelta(days=1))
    draft = portal.start(DisputeType.shortage, [claim["invoice_number"]])
    (late,) = portal.submit(draft, "Delivered.", [_proof(scenario, data, claim["po_number"])])
    other = next(
        c
        for c in key["claims"]
        if c["type"] == "shortage" and c["invoice_number"] != claim["invoice_number"]
    )
    (bare,) = portal.submit(
        portal.start(DisputeType.shortage, [other["invoice_number"]]), "Delivered.", []
    )
    portal.advance(1)
    assert bare.status == Status.pending_you
    assert late.status == Status.pending_amazon
    portal.advance(13)
    assert (late.outcome, late.approved_minor) == (Outcome.denied, 0)
    assert "outside the window" in late.resolution
    assert (bare.outcome, bare.approved_minor) == (Outcome.denied, 0)
    assert portal.remittance()[0][-1]["payment_date"] <= data.today  # no credit was paid


def test_attachments_are_recognised_by_content(scenario: Path, data: PortalData) -> None:
    for digest, document in data.documents.items():
        body = (scenario / "evidence" / document.file).read_bytes()
        assert hashlib.sha256(body).hexdigest() == digest
    assert {d.kind for d in data.documents.values()} == {"bol", "pod"}


def test_signing_in_too_often_is_throttled(data: PortalData) -> None:
    settings = AuthSettings(signins_per_window=2)
    form = {"email": DEFAULT_EMAIL, "password": DEFAULT_PASSWORD}
    with FakeVendorCentral(data, auth=settings) as fake, httpx.Client(base_url=fake.url) as client:
        answers = [client.post("/ap/signin", data=form) for _ in range(3)]
        assert [a.status_code for a in answers] == [303, 303, 503]
        assert "Requests throttled" in answers[-1].text
        # The control API is outside the imitated pages: never throttled, never signed in.
        assert client.get("/_fake/faults").json()["layout"] == 1
        assert client.post("/_fake/faults", json={"layout": 3}).status_code == 400
        assert client.get("/_fake/faults").json()["layout"] == 1


def test_a_coop_invoice_can_be_re_disputed_later_than_a_shortage(
    scenario: Path, data: PortalData, key: dict[str, Any]
) -> None:
    portal = Portal(data, odds=Odds.certain())
    coop = next(c for c in key["claims"] if c["case"] == "coop_wrong_rate")
    billed = next(r for r in data.coop_invoices if r["invoice_number"] == coop["reference"])
    draft = portal.start(DisputeType.coop, [coop["reference"]])
    (coop_dispute,) = portal.submit(draft, "Billed above the agreed rate.", [])
    assert coop_dispute.amount_minor == billed["amount"]
    shortage = next(c for c in key["claims"] if c["case"] == "pod_exception")
    draft = portal.start(DisputeType.shortage, [shortage["invoice_number"]])
    attachment = _proof(scenario, data, shortage["po_number"])
    (shortage_dispute,) = portal.submit(draft, "Delivered.", [attachment])
    portal.advance(14)
    assert coop_dispute.outcome == shortage_dispute.outcome == Outcome.partial
    assert portal.can_redispute(coop_dispute) and portal.can_redispute(shortage_dispute)
    portal.advance(41)  # past the ~40 days a shortage re-dispute is taken
    assert portal.can_redispute(coop_dispute)
    assert not portal.can_redispute(shortage_dispute)


def test_a_lines_only_remittance_still_shows_its_payments(tmp_path: Path) -> None:
    """A varied scenario may write its remittance as lines only (no payment block): the
    portal's remittance page and its download still list every payment, dated and summed
    from the lines, and the download reads back to the same payments."""
    from recovery.testing.fake_vendor_central.exports import remittance_csv
    from recovery.testing.fake_vendor_central.scenario_source import read_export
    from recovery.testing.scenario.variety import Variety

    seed = next(s for s in range(1, 50) if Variety(s, "", "").remittance_lines_only)
    today = date(2026, 11, 30)
    generate_scenario(
        tmp_path, seed=seed, size="tiny", today=today, xlsx=False, pdfs=False, varied=True
    )
    assert json.loads((tmp_path / "scenario.json").read_text())["remittance_layout"] == "lines-only"
    data = load_portal_data(tmp_path)
    payments, lines = Portal(data).remittance()
    assert payments and lines
    assert all(p["payment_date"] is not None and p["payment_date"] <= today for p in payments)
    numbers = {p["payment_number"] for p in payments}
    assert {line["payment_number"] for line in lines} == numbers
    for payment in payments:
        paid = sum(
            line["paid"] for line in lines if line["payment_number"] == payment["payment_number"]
        )
        assert payment["payment_amount"] == paid
    download = tmp_path / "download.csv"
    download.write_bytes(remittance_csv(payments, lines, data.currency, today))
    _, rows = read_export(download, data.vendor_code, "remittance")
    again = {
        r["payment_number"]: (r["payment_date"], r["payment_amount"])
        for r in rows
        if r["section"] == "payments"
    }
    assert again == {
        p["payment_number"]: (p["payment_date"], p["payment_amount"]) for p in payments
    }
