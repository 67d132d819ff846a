"""A specialist's day in the review UI, in Debian's Chromium: sign in, filter the queue, open a
claim, edit its text, approve it, bulk-reject two, upload a POD for a claim that needs one,
and upload an import with a bad row. Every page is kept as a screenshot."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Page, expect
from sqlalchemy import Engine
from sqlmodel import Session
from web_seed import (
    PASSWORD,
    PERSONAS,
    make_app,
    seed_claims,
    seed_ledger,
    seed_users,
    signed_pod,
    wait_until_htmx_settled,
    web_settings,
)

from recovery.config import Settings
from recovery.models import Claim, ClaimEvent, Role

IMPORTS = Path(__file__).resolve().parents[1] / "data" / "imports"
Shot = Callable[[Page, str], Path]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def seeded(engine: Engine, settings: Settings) -> dict[str, int]:
    seed_users(engine)
    ids = seed_claims(engine, settings)
    ids.update(seed_ledger(engine))
    return ids


@pytest.fixture
def server(engine: Engine, settings: Settings, seeded: dict[str, int]) -> Iterator[str]:
    """The UI served by uvicorn on a free loopback port. `localhost`: Chromium keeps Secure
    cookies for it over plain HTTP, as it would over HTTPS in production."""
    port = _free_port()
    config = uvicorn.Config(
        make_app(web_settings(settings), engine), host="127.0.0.1", port=port, log_level="warning"
    )
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not running.started:
        assert time.monotonic() < deadline, "the UI did not start"
        time.sleep(0.05)
    yield f"http://localhost:{port}"
    running.should_exit = True
    thread.join(timeout=10)


def _sign_in(page: Page, base: str, role: Role, shot: Shot | None = None) -> None:
    page.goto(f"{base}/")
    expect(page).to_have_url(re.compile(r"/signin\?next=/$"))
    page.get_by_label("E-mail").fill(PERSONAS[role])
    page.get_by_label("Password").fill(PASSWORD)
    if shot:
        shot(page, "01-signin")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name=re.compile("Dashboard"))).to_be_visible()


def test_a_specialists_day(
    page: Page,
    server: str,
    seeded: dict[str, int],
    engine: Engine,
    shot: Shot,
    tmp_path: Path,
) -> None:
    ids = seeded
    _sign_in(page, server, Role.specialist, shot)
    expect(page.get_by_text("To file this week")).to_be_visible()
    expect(page.locator("main")).to_contain_text(f"#{ids['soon']}")  # due in 3 days
    shot(page, "02-dashboard")

    # The queue, filtered to chargebacks with an htmx partial update (the URL follows).
    page.get_by_role("link", name="Queue").click()
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    wait_until_htmx_settled(page)
    page.get_by_label("Type").select_option("chargeback")
    expect(page.locator("#queue-results")).to_contain_text("1 claims")
    expect(page).to_have_url(re.compile(r"type=chargeback"))
    rows = page.locator("#queue-results tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(f"#{ids['fee']}")
    shot(page, "03-queue-filtered")
    page.get_by_label("Type").select_option("")
    expect(page.locator("#queue-results")).to_contain_text("5 claims")

    # Open the claim to file soonest (first by file_by), edit its text, approve it.
    page.get_by_role("link", name=f"#{ids['soon']}", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile(f"Claim #{ids['soon']}"))).to_be_visible()
    text = page.get_by_label(re.compile("Claim text"))
    original = text.input_value()
    assert "INV-1001" in original
    text.fill(original + "\nThe signed POD is attached.")
    page.get_by_role("button", name="Save text").click()
    expect(page.get_by_role("status")).to_have_text("Text saved")
    expect(page.get_by_label(re.compile("Claim text"))).to_have_value(
        re.compile("The signed POD is attached.$")
    )
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_have_text("Approved")
    expect(page.locator("h1")).to_contain_text("approved")
    expect(page.locator("main")).to_contain_text("ready → approved")
    shot(page, "04-claim-approved")

    # Bulk-reject two claims, through the confirmation page.
    page.get_by_role("link", name="Queue").click()
    page.get_by_label(f"Select claim {ids['later']}").check()
    page.get_by_label(f"Select claim {ids['small']}").check()
    page.get_by_role("button", name="Reject selected…").click()
    expect(page.get_by_role("heading", name="Reject 2 claims?")).to_be_visible()
    expect(page.locator("main")).to_contain_text("$1,032.00")  # 990.00 + 42.00
    shot(page, "05-bulk-confirm")
    page.get_by_label(re.compile("Reason")).fill("Amazon reversed these already")
    page.get_by_role("button", name="Yes, reject 2 claims").click()
    expect(page.get_by_role("status")).to_have_text("2 claims rejected")
    shot(page, "06-queue-after-bulk")

    # The claim without proof of delivery: upload the signed POD from the worklist.
    page.get_by_role("link", name="Worklist").click()
    expect(page.locator("main")).to_contain_text("Needs evidence (1)")
    shot(page, "07-worklist")
    pod = signed_pod(tmp_path / "POD 7741 signed.pdf")
    page.get_by_label(f"Document for claim {ids['bare']}").set_input_files(str(pod))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("status")).to_contain_text("POD 7741 signed.pdf attached; status ready")
    expect(page.locator("main")).to_contain_text("Estes Express")  # fields read from the PDF
    shot(page, "08-claim-with-pod")

    # An import with a bad row: the row and column are named, nothing is stored.
    lines = (IMPORTS / "shortages.csv").read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("$10.00", "ten dollars")
    bad = tmp_path / "shortages-week-48.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    page.get_by_role("link", name="Imports").click()
    page.get_by_label(re.compile("Vendor Central exports")).set_input_files(str(bad))
    page.get_by_role("button", name="Import").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("shortages-week-48.csv, row 3, column 'Unit Price'")
    expect(alert).to_contain_text("not an amount: 'ten dollars'")
    shot(page, "09-import-bad-row")

    page.get_by_role("link", name="Ledger").click()
    expect(page.locator("main")).to_contain_text("PAY-9001")
    shot(page, "10-ledger")
    page.get_by_role("link", name="Job runs").click()
    shot(page, "11-job-runs")

    with Session(engine) as session:
        statuses = {
            k: session.get(Claim, v).status
            for k, v in ids.items()  # type: ignore[union-attr]
            if k in ("soon", "later", "small", "bare", "fee")
        }
        edits = session.query(ClaimEvent).filter_by(claim_id=ids["soon"], action="edit").count()
    assert statuses == {
        "soon": "approved", "later": "rejected", "small": "rejected", "bare": "ready",
        "fee": "ready",
    }  # fmt: skip
    assert edits == 1


def test_admin_sees_the_audit_trail_and_a_tablet_fits(
    page: Page, server: str, seeded: dict[str, int], shot: Shot
) -> None:
    _sign_in(page, server, Role.admin)
    page.get_by_role("link", name="Audit").click()
    expect(page.locator("main")).to_contain_text("sign-in")
    shot(page, "01-audit")
    page.set_viewport_size({"width": 768, "height": 1024})
    page.get_by_role("link", name="Queue").click()
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    # Nothing wider than the screen: the table scrolls in its own box, the page does not.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 768
    shot(page, "02-queue-tablet")
    page.get_by_role("link", name=f"#{seeded['soon']}", exact=True).click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 768
    shot(page, "03-claim-tablet")


def test_keyboard_alone_signs_in_and_reaches_the_queue(
    page: Page, server: str, seeded: dict[str, int]
) -> None:
    page.goto(f"{server}/signin")
    expect(page.get_by_label("E-mail")).to_be_focused()  # ready to type
    page.keyboard.type(PERSONAS[Role.viewer])
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile("Dashboard"))).to_be_visible()
    page.goto(f"{server}/")
    page.keyboard.press("Tab")  # the skip link comes first, then the menu
    expect(page.locator(".skip")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Queue")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    # A viewer sees no bulk buttons and no editor.
    page.goto(f"{server}/queue")
    expect(page.get_by_role("button", name="Approve selected…")).to_have_count(0)
    page.goto(f"{server}/claims/{seeded['soon']}")
    expect(page.get_by_label(re.compile("Claim text"))).to_have_count(0)
