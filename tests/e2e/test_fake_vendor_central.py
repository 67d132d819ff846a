"""The fake Vendor Central driven as the filing bot will drive it: Chromium, fields by label and
role, on a tiny generated scenario. Cases are picked from the answer key by what they are (not
by number), so a change in the generator's numbers does not break these tests."""

from __future__ import annotations

import csv
import json
import re
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from recovery.sources.classify import classify
from recovery.testing.fake_vendor_central import (
    DEFAULT_EMAIL,
    DEFAULT_PASSWORD,
    AuthSettings,
    FakeVendorCentral,
    Odds,
)
from recovery.testing.fake_vendor_central.scenario_source import (
    PortalData,
    load_portal_data,
    read_export,
)
from recovery.testing.scenario import generate_scenario

TODAY = date(2026, 11, 30)
MEMBERS = "/hz/vendor/members"
SHIPPED = "2026-01-05"  # the shipped date typed into the line table (the portal records it)
Shot = Callable[[Page, str], Path]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fake-vc")
    generate_scenario(out, seed=1, size="tiny", today=TODAY, xlsx=False)
    return out


@pytest.fixture(scope="module")
def data(scenario: Path) -> PortalData:
    return load_portal_data(scenario)


@pytest.fixture(scope="module")
def key(scenario: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((scenario / "answer_key.json").read_text())
    return loaded


@pytest.fixture
def fake(data: PortalData) -> Iterator[FakeVendorCentral]:
    with FakeVendorCentral(data, odds=Odds.certain()) as running:
        yield running


def claim(key: dict[str, Any], case: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in key["claims"] if c["case"] == case)
    return found


def shortage_row(data: PortalData, case: dict[str, Any]) -> dict[str, Any]:
    """The shortage export's debit row of a shortage claim."""
    found: dict[str, Any] = next(
        r
        for r in data.shortages
        if (r["invoice_number"], r["po_number"], r["asin"])
        == (case["invoice_number"], case["po_number"], case["asin"])
        and r["shortage_quantity"] > 0
    )
    return found


def proof(scenario: Path, data: PortalData, po: str) -> Path:
    """The signed document the freight term calls for: BOL for collect, POD for prepaid."""
    wanted = {"Collect": "bol", "Prepaid": "pod"}[data.freight_terms[po]]
    key = json.loads((scenario / "answer_key.json").read_text())
    doc = next(
        d for d in key["evidence"] if po in d["po_numbers"] and d["kind"] == wanted and d["signed"]
    )
    return scenario / "evidence" / doc["file"]


def sign_in(page: Page, fake: FakeVendorCentral, shot: Shot | None = None) -> None:
    page.goto(fake.url + f"{MEMBERS}/home")
    page.get_by_label("Email").fill(DEFAULT_EMAIL)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    if shot:
        shot(page, "signin")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Enter OTP").fill(fake.totp_now())
    if shot:
        shot(page, "otp")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Welcome, Brightwell Home Goods")).to_be_visible()


def confirm(page: Page, shot: Shot | None = None, name: str = "confirm") -> None:
    page.get_by_role("button", name="Submit").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    if shot:
        shot(page, name)
    dialog.get_by_role("button", name="Confirm").click()


def dispute_id(page: Page, label: str = "Dispute Id") -> str:
    text = page.get_by_role("status").inner_text()
    found = re.search(label + r": (DSPT\d+)", text)
    assert found, text
    return found.group(1)


def control(fake: FakeVendorCentral, path: str, body: dict[str, Any] | None = None) -> Any:
    if body is None:
        return httpx.get(fake.url + path).json()
    return httpx.post(fake.url + path, json=body).json()


def file_shortage(
    page: Page,
    fake: FakeVendorCentral,
    invoice: str,
    quantities: dict[str, int],
    attachment: Path | None,
    shot: Shot,
    name: str,
) -> str:
    page.goto(fake.url + f"{MEMBERS}/invoices")
    page.get_by_label("Invoice number").fill(invoice)
    page.get_by_role("button", name="Search").click()
    shot(page, f"{name}-invoices")
    page.get_by_role("link", name=f"Review/dispute shortages for invoice {invoice}").click()
    expect(page.get_by_label("Dispute type")).to_have_value("shortage")
    expect(page.get_by_label("Invoice number(s)")).to_have_value(invoice)
    shot(page, f"{name}-new")
    page.get_by_role("button", name="Next").click()
    for asin, quantity in quantities.items():
        page.get_by_label(f"Dispute quantity for {asin}").fill(str(quantity))
        page.get_by_label(f"Dispute amount for {asin}").fill("")
        page.get_by_label(f"Shipped date for {asin}").fill(SHIPPED)
    shot(page, f"{name}-lines")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Justification").fill(
        "All units were shipped and delivered; the carrier-signed document is attached."
    )
    if attachment is not None:
        page.get_by_label("Attachments").set_input_files(attachment)
    shot(page, f"{name}-justify")
    confirm(page, shot, f"{name}-confirm")
    shot(page, f"{name}-done")
    return dispute_id(page)


# -- sign-in ---------------------------------------------------------------------------------


def test_sign_in_needs_password_and_one_time_code_and_five_wrong_codes_lock(
    page: Page, fake: FakeVendorCentral, shot: Shot
) -> None:
    page.goto(fake.url + f"{MEMBERS}/disputes")
    page.get_by_label("Email").fill(DEFAULT_EMAIL)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Your password is incorrect")
    shot(page, "wrong-password")

    page.get_by_label("Email").fill(DEFAULT_EMAIL)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    good = fake.totp_now()
    wrong = f"{(int(good) + 500_000) % 1_000_000:06d}"
    for attempt in range(4):
        page.get_by_label("Enter OTP").fill(wrong)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("alert")).to_contain_text("The code you entered is not valid")
        if attempt == 0:
            shot(page, "wrong-code")
    page.get_by_label("Enter OTP").fill(wrong)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("temporarily locked")
    shot(page, "locked")

    # Locked: even the right password and code do not get in.
    page.get_by_label("Email").fill(DEFAULT_EMAIL)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("temporarily locked")

    fake.auth.unlock()
    sign_in(page, fake)
    page.goto(fake.url + f"{MEMBERS}/disputes")
    expect(page.get_by_role("heading", name="Dispute Management")).to_be_visible()


def test_a_session_expires_and_sign_in_returns_to_the_page(
    page: Page, data: PortalData, shot: Shot
) -> None:
    with FakeVendorCentral(data, auth=AuthSettings(session_seconds=1.0)) as fake:
        sign_in(page, fake, shot)
        time.sleep(1.2)
        page.goto(fake.url + f"{MEMBERS}/coop")
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        shot(page, "expired")
        page.get_by_label("Email").fill(DEFAULT_EMAIL)
        page.get_by_label("Password").fill(DEFAULT_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_label("Enter OTP").fill(fake.totp_now())
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Co-op › Invoices")).to_be_visible()


def test_pages_loaded_faster_than_a_person_are_throttled(
    page: Page, data: PortalData, shot: Shot
) -> None:
    with FakeVendorCentral(data, auth=AuthSettings(page_rate=0.5, page_burst=8)) as fake:
        sign_in(page, fake)
        for _ in range(6):
            page.goto(fake.url + f"{MEMBERS}/home")
        expect(page.get_by_role("heading", name="Requests throttled")).to_be_visible()
        shot(page, "throttled")


# -- exports -----------------------------------------------------------------------------------


def download(page: Page, link: str, into: Path) -> Path:
    with page.expect_download() as info:
        page.get_by_role("link", name=link, exact=True).click()
    path = into / info.value.suggested_filename
    info.value.save_as(path)
    return path


def test_every_export_reads_back_to_the_scenarios_rows(
    page: Page, fake: FakeVendorCentral, scenario: Path, shot: Shot, tmp_path: Path
) -> None:
    sign_in(page, fake)
    vc = scenario / "vendor-central"
    page.goto(fake.url + f"{MEMBERS}/remittance")
    shot(page, "remittance")
    got = {"remittance": download(page, "Export", tmp_path)}
    page.goto(fake.url + f"{MEMBERS}/invoices")
    shot(page, "invoices")
    got["invoices"] = download(page, "Export invoices", tmp_path)
    got["shortages"] = download(page, "Export shortage details", tmp_path)
    got["price-details"] = download(page, "Export price discrepancies", tmp_path)
    page.goto(fake.url + f"{MEMBERS}/coop")
    shot(page, "coop")
    got["coop-invoices"] = download(page, "Export", tmp_path)
    page.goto(fake.url + f"{MEMBERS}/operational-performance")
    shot(page, "fees")
    page.get_by_role("link", name="All chargebacks").click()
    shot(page, "chargebacks")
    got["chargebacks"] = download(page, "Export", tmp_path)

    for kind, path in got.items():
        found, rows = read_export(path)
        assert found == kind
        assert rows == read_export(vc / f"{kind}.csv")[1], kind
        assert rows, kind

    page.goto(fake.url + f"{MEMBERS}/coop")
    backups = sorted((vc / "coop-backup").iterdir())
    # One of each format the generator writes (CSV with a preamble, XLSX with a Revised sheet).
    for suffix in (".csv", ".xlsx"):
        backup = next(b for b in backups if b.suffix == suffix)
        number = backup.stem.removeprefix("coop-backup-")
        link = f"Download backup report for invoice {number}"
        saved = download(page, link, tmp_path)
        assert read_export(saved)[1] == read_export(backup)[1]


# -- shortage disputes -------------------------------------------------------------------------


def test_a_proven_shortage_is_approved_and_credited_on_a_later_remittance(
    page: Page,
    fake: FakeVendorCentral,
    scenario: Path,
    data: PortalData,
    key: dict[str, Any],
    shot: Shot,
    tmp_path: Path,
) -> None:
    case = claim(key, "shipped_in_full")
    sign_in(page, fake)
    dispute = file_shortage(
        page,
        fake,
        case["invoice_number"],
        {case["asin"]: case["quantity"]},
        proof(scenario, data, case["po_number"]),
        shot,
        "shortage",
    )
    page.get_by_role("link", name="Back to Dispute Management").click()
    row = page.get_by_role("row", name=re.compile(dispute))
    expect(row).to_contain_text("Submitted")
    shot(page, "list-submitted")

    assert control(fake, "/_fake/clock", {"days": 1})["today"] == str(TODAY + timedelta(days=1))
    page.reload()
    expect(row).to_contain_text("Pending Amazon action")
    control(fake, "/_fake/clock", {"days": 13})
    page.reload()
    expect(row).to_contain_text("Resolved: Approved")
    expect(row).to_contain_text(f"{Decimal(case['amount']):,}")
    shot(page, "list-resolved")

    stored = control(fake, "/_fake/disputes")
    assert [(d["id"], d["type"], d["outcome"], d["approved_amount"]) for d in stored] == [
        (dispute, "shortage", "Approved", case["amount"])
    ]
    assert stored[0]["lines"][0]["approved_quantity"] == case["quantity"]
    assert stored[0]["lines"][0]["shipped_date"] == SHIPPED
    assert stored[0]["attachments"][0]["name"].endswith(".pdf")

    # The credit comes with the next payment run (weekly, Tuesdays).
    control(fake, "/_fake/clock", {"days": 7})
    page.goto(fake.url + f"{MEMBERS}/remittance")
    page.get_by_label("Invoice number").fill(case["invoice_number"] + "SCR")
    page.get_by_role("button", name="Search").click()
    credit = page.get_by_role("row", name=re.compile(case["invoice_number"] + "SCR"))
    expect(credit).to_contain_text("Quantity shortage reversal")
    shot(page, "remittance-credit")
    saved = download(page, "Export", tmp_path)
    lines = [r for r in read_export(saved)[1] if r["section"] == "lines"]
    credits = [r for r in lines if r["invoice_number"] == case["invoice_number"] + "SCR"]
    assert len(credits) == 1
    assert Decimal(credits[0]["paid"]) / 100 == Decimal(case["amount"])
    assert classify(credits[0]["invoice_number"], credits[0]["description"]).kind == (
        "shortage_reversal"
    )
    page.goto(fake.url + f"{MEMBERS}/invoices")
    shortages = read_export(download(page, "Export shortage details", tmp_path))[1]
    mine = next(
        r
        for r in shortages
        if r["invoice_number"] == case["invoice_number"]
        and r["decision"]
        and r["asin"] == case["asin"]
        and r["shortage_quantity"] > 0
    )
    assert (mine["dispute_quantity"], mine["approved_quantity"], mine["decision"]) == (
        case["quantity"],
        case["quantity"],
        "Approved",
    )


def test_the_wrong_document_for_the_freight_term_is_denied_and_re_disputed(
    page: Page,
    fake: FakeVendorCentral,
    scenario: Path,
    data: PortalData,
    key: dict[str, Any],
    shot: Shot,
) -> None:
    # A prepaid PO that also has a BOL: the BOL alone does not prove delivery, the POD does.
    case = next(
        c
        for c in key["claims"]
        if c["type"] == "shortage"
        and data.freight_terms.get(c["po_number"]) == "Prepaid"
        and any(e["kind"] == "bol" and c["po_number"] in e["po_numbers"] for e in key["evidence"])
    )
    bol = next(
        e["file"]
        for e in key["evidence"]
        if e["kind"] == "bol" and case["po_number"] in e["po_numbers"]
    )
    sign_in(page, fake)
    first = file_shortage(
        page,
        fake,
        case["invoice_number"],
        {case["asin"]: case["quantity"]},
        scenario / "evidence" / bol,
        shot,
        "wrong-doc",
    )
    control(fake, "/_fake/clock", {"days": 14})
    page.goto(fake.url + f"{MEMBERS}/disputes/{first}")
    expect(page.get_by_text("Resolved: Denied")).to_be_visible()
    expect(page.get_by_text("no signed proof of delivery")).to_be_visible()
    shot(page, "denied")

    page.get_by_role("link", name="Re-dispute").click()
    page.get_by_label("Justification").fill("The receiver-signed POD is attached.")
    page.get_by_label("Attachments").set_input_files(proof(scenario, data, case["po_number"]))
    shot(page, "redispute")
    confirm(page)
    second = dispute_id(page, "Re-Dispute Id")
    shot(page, "redispute-done")
    control(fake, "/_fake/clock", {"days": 14})
    stored = {d["id"]: d for d in control(fake, "/_fake/disputes")}
    assert stored[first]["redispute_id"] == second
    assert stored[second]["parent_id"] == first
    assert (stored[second]["outcome"], stored[second]["approved_amount"]) == (
        "Approved",
        case["amount"],
    )


def test_a_partly_recoverable_shortage_is_partly_approved_then_left_open(
    page: Page,
    fake: FakeVendorCentral,
    scenario: Path,
    data: PortalData,
    key: dict[str, Any],
    shot: Shot,
) -> None:
    case = claim(key, "pod_exception")  # the POD notes some cartons short: only the rest wins
    deducted = shortage_row(data, case)
    assert deducted["shortage_quantity"] > case["quantity"]
    sign_in(page, fake)
    first = file_shortage(
        page,
        fake,
        case["invoice_number"],
        {case["asin"]: deducted["shortage_quantity"]},
        proof(scenario, data, case["po_number"]),
        shot,
        "partial",
    )
    control(fake, "/_fake/clock", {"days": 14})
    page.goto(fake.url + f"{MEMBERS}/disputes?status=Resolved")
    row = page.get_by_role("row", name=re.compile(first))
    expect(row).to_contain_text("Partially approved")
    expect(row).to_contain_text(f"{Decimal(case['amount']):,}")
    shot(page, "partial")

    page.goto(fake.url + f"{MEMBERS}/disputes/{first}")
    page.get_by_role("link", name="Re-dispute").click()
    page.get_by_label("Justification").fill("Every carton was delivered.")
    confirm(page, shot, "redispute-confirm")
    second = dispute_id(page, "Re-Dispute Id")
    shot(page, "redispute-done")
    control(fake, "/_fake/clock", {"days": 14})
    page.goto(fake.url + f"{MEMBERS}/disputes/{second}")
    expect(page.get_by_text("Resolved: Denied")).to_be_visible()
    # No third level: a re-dispute cannot be re-disputed.
    expect(page.get_by_role("link", name="Re-dispute")).to_have_count(0)
    shot(page, "second-denial")

    page.get_by_role("link", name="Contact Us").click()
    page.get_by_role("link", name="Statement of Open Items").click()
    item = page.get_by_role("row", name=re.compile(case["reference"]))
    left = (deducted["shortage_quantity"] - case["quantity"]) * deducted["unit_price"]
    expect(item).to_contain_text(f"{Decimal(left) / 100:,}")
    shot(page, "open-items")


def test_the_portal_refuses_what_it_does_not_take(
    page: Page,
    fake: FakeVendorCentral,
    scenario: Path,
    data: PortalData,
    key: dict[str, Any],
    shot: Shot,
) -> None:
    sign_in(page, fake)
    page.goto(fake.url + f"{MEMBERS}/disputes")
    page.get_by_role("link", name="Create new dispute").click()
    page.get_by_label("Dispute type").select_option(label="Shortage invoice")
    page.get_by_label("Invoice number(s)").fill("NO-SUCH-INVOICE")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("alert")).to_have_text("This invoice is not available for dispute.")
    shot(page, "not-available")

    case = claim(key, "split_shipment")
    shortage = shortage_row(data, case)
    page.get_by_label("Invoice number(s)").fill(case["invoice_number"])
    page.get_by_role("button", name="Next").click()
    page.get_by_label(f"Dispute quantity for {case['asin']}").fill(
        str(shortage["shortage_quantity"] + 1)
    )
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_have_text("The selected items are ineligible for dispute.")
    shot(page, "ineligible")
    page.get_by_label(f"Dispute quantity for {case['asin']}").fill(str(case["quantity"]))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the shipped date")
    shot(page, "no-shipped-date")

    first = file_shortage(
        page,
        fake,
        case["invoice_number"],
        {case["asin"]: case["quantity"]},
        proof(scenario, data, case["po_number"]),
        shot,
        "once",
    )
    page.goto(fake.url + f"{MEMBERS}/disputes/new?type=shortage&invoice={case['invoice_number']}")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Shortages on this invoice can be disputed only once."
    )
    shot(page, "only-once")

    control(fake, "/_fake/clock", {"days": 14})
    page.goto(fake.url + f"{MEMBERS}/disputes/{first}/redispute")
    expect(page.get_by_role("alert")).to_have_text("Could not submit the re-dispute.")
    shot(page, "no-redispute")
    assert [d["id"] for d in control(fake, "/_fake/disputes")] == [first]


def test_a_shortage_is_not_taken_while_amazons_matching_runs(
    page: Page, data: PortalData, shot: Shot
) -> None:
    row = next(r for r in data.shortages if (r["shortage_quantity"] or 0) > 0)
    with FakeVendorCentral(data, today=row["due_date"] + timedelta(days=20)) as fake:
        sign_in(page, fake)
        page.goto(
            fake.url + f"{MEMBERS}/disputes/new?type=shortage&invoice={row['invoice_number']}"
        )
        page.get_by_role("button", name="Next").click()
        expect(page.get_by_role("alert")).to_have_text("This invoice is not available for dispute.")
        shot(page, "matching")


# -- price, co-op, chargebacks --------------------------------------------------------------


def test_a_price_discrepancy_is_disputed_from_the_invoice_and_credited(
    page: Page, fake: FakeVendorCentral, key: dict[str, Any], shot: Shot, tmp_path: Path
) -> None:
    case = claim(key, "stale_cost")
    sign_in(page, fake)
    page.goto(fake.url + f"{MEMBERS}/invoices?invoice={case['invoice_number']}")
    page.get_by_role(
        "link", name=f"Dispute a Price Discrepancy for invoice {case['invoice_number']}"
    ).click()
    expect(page.get_by_role("columnheader", name="Initial Research Adjusted Cost")).to_be_visible()
    page.get_by_label("Reason").select_option("Cost Update Timing")
    page.get_by_label("Justification").fill("The cost increase was in force on the PO date.")
    shot(page, "price-form")
    confirm(page, shot, "price-confirm")
    dispute = dispute_id(page)
    shot(page, "price-done")
    control(fake, "/_fake/clock", {"days": 21})
    stored = control(fake, "/_fake/disputes")[0]
    assert (stored["id"], stored["type"], stored["reason"], stored["outcome"]) == (
        dispute,
        "price",
        "Cost Update Timing",
        "Approved",
    )
    assert stored["approved_amount"] == case["amount"]
    page.goto(fake.url + f"{MEMBERS}/remittance")
    lines = [
        r for r in read_export(download(page, "Export", tmp_path))[1] if r["section"] == "lines"
    ]
    credit = next(r for r in lines if r["invoice_number"] == case["invoice_number"] + "PCRR")
    assert classify(credit["invoice_number"], credit["description"]).kind == "price_reversal"


def test_a_coop_invoice_is_disputed_with_an_edited_amount(
    page: Page, fake: FakeVendorCentral, data: PortalData, key: dict[str, Any], shot: Shot
) -> None:
    case = claim(key, "coop_wrong_rate")  # only the overcharge is recoverable
    sign_in(page, fake)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Co-op").click()
    page.get_by_role("link", name=f"Dispute co-op invoice {case['reference']}").click()
    expect(page.get_by_label("Dispute type")).to_have_value("coop")
    page.get_by_role("button", name="Next").click()
    billed = next(r for r in data.coop_invoices if r["invoice_number"] == case["reference"])
    asked = Decimal(case["amount"]) + Decimal("10.00")
    page.get_by_label(f"Dispute amount for {case['reference']}").fill(str(asked))
    shot(page, "coop-lines")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Justification").fill("Billed above the agreement's rate.")
    confirm(page, shot, "coop-confirm")
    dispute = dispute_id(page)
    shot(page, "coop-done")
    control(fake, "/_fake/clock", {"days": 14})
    stored = control(fake, "/_fake/disputes")[0]
    assert stored["id"] == dispute and stored["coop_invoice_number"] == case["reference"]
    assert Decimal(stored["amount"]) == asked < Decimal(billed["amount"]) / 100
    assert (stored["outcome"], stored["approved_amount"]) == ("Partially approved", case["amount"])


def test_a_chargeback_is_disputed_within_30_days_and_not_after(
    page: Page, data: PortalData, scenario: Path, key: dict[str, Any], shot: Shot, tmp_path: Path
) -> None:
    case = claim(key, "chargeback_contradicted_late_delivery")
    row = next(r for r in data.chargebacks if r["chargeback_id"] == case["reference"])
    pod = next(
        e["file"]
        for e in key["evidence"]
        if e["kind"] == "pod" and case["po_number"] in e["po_numbers"]
    )
    with FakeVendorCentral(
        data, odds=Odds.certain(), today=row["notified_on"] + timedelta(days=10)
    ) as fake:
        sign_in(page, fake)
        page.goto(fake.url + f"{MEMBERS}/operational-performance")
        page.get_by_role("link", name=row["issue_type"]).click()
        page.get_by_role("link", name=case["reference"]).click()
        page.get_by_role("button", name="Dispute Chargeback").click()
        page.get_by_label("Dispute summary").fill("The POD shows delivery inside the window.")
        page.get_by_label("Add Attachments").set_input_files(scenario / "evidence" / pod)
        shot(page, "chargeback-form")
        page.get_by_role("button", name="Submit Dispute").click()
        dispute = dispute_id(page)
        shot(page, "chargeback-done")
        fake.advance(14)
        stored = {d.id: d for d in fake.disputes}
        assert stored[dispute].outcome is not None
        assert stored[dispute].outcome.value == "Approved"
        page.goto(fake.url + f"{MEMBERS}/operational-performance/chargebacks")
        exported = read_export(download(page, "Export", tmp_path))[1]
        assert (
            next(r for r in exported if r["chargeback_id"] == case["reference"])["status"]
            == "Dispute approved"
        )

    late = claim(key, "chargeback_contradicted_inaccurate_asn")
    late_row = next(r for r in data.chargebacks if r["chargeback_id"] == late["reference"])
    with FakeVendorCentral(
        data, odds=Odds.certain(), today=late_row["notified_on"] + timedelta(days=31)
    ) as fake:
        sign_in(page, fake)
        page.goto(fake.url + f"{MEMBERS}/operational-performance/chargebacks/{late['reference']}")
        page.get_by_role("button", name="Dispute Chargeback").click()
        page.get_by_label("Dispute summary").fill("The ASN matched the BOL.")
        page.get_by_role("button", name="Submit Dispute").click()
        dispute = dispute_id(page)
        fake.advance(14)
        page.goto(fake.url + f"{MEMBERS}/disputes/{dispute}")
        expect(page.get_by_text("filed outside the window")).to_be_visible()
        shot(page, "chargeback-late")


def test_the_dispute_list_searches_buckets_and_exports(
    page: Page,
    fake: FakeVendorCentral,
    scenario: Path,
    data: PortalData,
    key: dict[str, Any],
    shot: Shot,
    tmp_path: Path,
) -> None:
    sign_in(page, fake)
    won = claim(key, "shipped_in_full")
    first = file_shortage(
        page,
        fake,
        won["invoice_number"],
        {won["asin"]: won["quantity"]},
        proof(scenario, data, won["po_number"]),
        shot,
        "first",
    )
    control(fake, "/_fake/clock", {"days": 3})
    other = claim(key, "split_shipment")
    second = file_shortage(
        page,
        fake,
        other["invoice_number"],
        {other["asin"]: other["quantity"]},
        None,
        shot,
        "second",
    )
    control(fake, "/_fake/clock", {"days": 12})  # the first is decided, the second waits for proof
    page.goto(fake.url + f"{MEMBERS}/disputes")
    page.get_by_role("link", name=re.compile(r"^Pending your action")).click()
    table = page.get_by_role("table", name="Disputes")
    expect(table.get_by_role("row")).to_have_count(2)
    expect(table).to_contain_text(second)
    shot(page, "pending-you")
    page.get_by_role("link", name=re.compile(r"^Resolved")).click()
    expect(table).to_contain_text(first)
    expect(table).not_to_contain_text(second)
    page.get_by_role("link", name=re.compile(r"^All")).click()
    page.get_by_label("Dispute ID or invoice number").fill(other["invoice_number"])
    page.get_by_role("button", name="Search").click()
    expect(table.get_by_role("row")).to_have_count(2)
    expect(table).to_contain_text(second)
    shot(page, "search")
    page.get_by_label("Dispute ID or invoice number").fill("")
    page.get_by_label("Created from").fill(str(TODAY + timedelta(days=1)))
    page.get_by_role("button", name="Search").click()
    expect(table).not_to_contain_text(first)
    page.get_by_label("Created from").fill("")
    page.get_by_role("button", name="Search").click()
    saved = download(page, "Export as spreadsheet", tmp_path)
    with saved.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))[2:]
    exported = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert set(exported) == {first, second}
    assert (exported[first]["Status"], exported[first]["Outcome"]) == ("Resolved", "Approved")
    assert exported[first]["Approved Amount"] == won["amount"]
    assert exported[second]["Status"] == "Pending your action"


# -- faults ------------------------------------------------------------------------------------


def test_fault_switches(
    page: Page,
    fake: FakeVendorCentral,
    scenario: Path,
    data: PortalData,
    key: dict[str, Any],
    shot: Shot,
) -> None:
    sign_in(page, fake)
    case = claim(key, "shipped_in_full")
    evidence = proof(scenario, data, case["po_number"])

    # 500 after the dispute was stored: the page says it failed, the portal has it.
    assert control(fake, "/_fake/faults", {"fail_after_store": 1})["fail_after_store"] == 1
    page.goto(fake.url + f"{MEMBERS}/disputes/new?type=shortage&invoice={case['invoice_number']}")
    page.get_by_role("button", name="Next").click()
    page.get_by_label(f"Shipped date for {case['asin']}").fill(SHIPPED)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Justification").fill("Shipped in full.")
    page.get_by_label("Attachments").set_input_files(evidence)
    confirm(page)
    expect(page.get_by_role("heading", name="Something went wrong")).to_be_visible()
    shot(page, "500-after-store")
    stored = control(fake, "/_fake/disputes")
    assert [d["invoice_number"] for d in stored] == [case["invoice_number"]]

    # Session expiry in the middle of the form: back to sign-in, nothing stored.
    other = claim(key, "split_shipment")
    control(fake, "/_fake/faults", {"expire_mid_form": True})
    page.goto(fake.url + f"{MEMBERS}/disputes/new?type=shortage&invoice={other['invoice_number']}")
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    shot(page, "expired-mid-form")
    assert len(control(fake, "/_fake/disputes")) == 1
    sign_in(page, fake)

    # The second layout: other ids and order, the same labels.
    control(fake, "/_fake/faults", {"layout": 2})
    page.goto(fake.url + f"{MEMBERS}/disputes/new?type=shortage&invoice={other['invoice_number']}")
    page.get_by_role("button", name="Next").click()
    assert page.locator("#disputeQuantity-0").count() == 0
    headers = page.get_by_role("columnheader").all_inner_texts()
    assert headers.index("Dispute Amount") < headers.index("ASIN")
    page.get_by_label(f"Dispute quantity for {other['asin']}").fill(str(other["quantity"]))
    page.get_by_label(f"Dispute amount for {other['asin']}").fill("")
    page.get_by_label(f"Shipped date for {other['asin']}").fill(SHIPPED)
    shot(page, "layout-2-lines")
    page.get_by_role("button", name="Continue").click()
    assert page.locator("#justification").count() == 0
    page.get_by_label("Justification").fill("Both shipments were delivered.")
    page.get_by_label("Attachments").set_input_files(proof(scenario, data, other["po_number"]))
    shot(page, "layout-2-justify")
    confirm(page)
    dispute_id(page)
    assert len(control(fake, "/_fake/disputes")) == 2

    # A throttling page on demand, then back to normal.
    control(fake, "/_fake/faults", {"throttle_pages": 1, "layout": 1})
    page.goto(fake.url + f"{MEMBERS}/disputes")
    expect(page.get_by_role("heading", name="Requests throttled")).to_be_visible()
    shot(page, "throttled-fault")
    page.goto(fake.url + f"{MEMBERS}/disputes")
    expect(page.get_by_role("heading", name="Dispute Management")).to_be_visible()

    # Slow pages.
    control(fake, "/_fake/faults", {"slow_seconds": 0.6})
    began = time.monotonic()
    page.goto(fake.url + f"{MEMBERS}/home")
    assert time.monotonic() - began >= 0.6
    control(fake, "/_fake/faults", {"slow_seconds": 0.0})

    # Pages in two parts: the header at once, the form after the pause (a busy client may read
    # both at once, so only the whole page's delay is certain).
    control(fake, "/_fake/faults", {"stream_pause_seconds": 0.5})
    began = time.monotonic()
    with httpx.stream("GET", fake.url + "/ap/signin") as response:
        body = "".join(response.iter_text())
    control(fake, "/_fake/faults", {"stream_pause_seconds": 0.0})
    assert time.monotonic() - began >= 0.5
    assert "<main" in body and "Password" in body and body.rstrip().endswith("</html>")
    assert httpx.post(fake.url + "/_fake/faults", json={"no_such": 1}).status_code == 400
    assert httpx.post(fake.url + "/_fake/clock", json={"days": -1}).status_code == 400
