"""What the review UI's pages show and refuse: queue filters, sorting and paging in the
database, the bulk cap, the dashboard's figures, evidence previews, and `recovery users add`."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from integration.claims_factory import shortage_claim
from sqlalchemy import Engine, update
from sqlmodel import Session, select
from web_seed import (
    PASSWORD,
    client_for,
    make_app,
    seed_claims,
    seed_users,
    today,
    web_settings,
)

from recovery.claims import workflow
from recovery.cli.app import main
from recovery.config import Settings
from recovery.models import Claim, ClaimEvidence, Role, User, table_of, utcnow
from recovery.store import db
from recovery.users import authenticate
from recovery.web import reads


@pytest.fixture
def seeded(engine: Engine, settings: Settings) -> dict[str, int]:
    seed_users(engine)
    ids = seed_claims(engine, settings)
    with db.session_scope(engine) as session:
        # A price claim Amazon has not dated yet (status draft: not open work).
        undated = shortage_claim(
            session, key="undated", claim_type="price", deadline=None, with_pod=False,
            amount_minor=999999, reference="INV-1009PCR", invoice_number="INV-1009",
        )  # fmt: skip
        assert undated.id is not None
        ids["undated"] = undated.id
    return ids


def _app(settings: Settings, engine: Engine, page_size: int = 50) -> FastAPI:
    return make_app(web_settings(settings, page_size), engine)


def _claim_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<a href="/claims/(\d+)">#\d+</a>', html)]


# Seeded: soon (3 days, $201.60), bare (10 days, needs evidence, $201.60), fee (chargeback,
# 12 days, $31.00), small (20 days, $42.00), later (30 days, $990.00); confidence 95 each.
QUEUE_CASES = [
    ("", ["soon", "bare", "fee", "small", "later"]),
    ("?sort=value", ["later", "bare", "soon", "small", "fee"]),  # equal values: newest first
    ("?type=chargeback", ["fee"]),
    ("?status=needs_evidence", ["bare"]),
    ("?status=approved", []),
    ("?band=mature", ["soon"]),  # 100 days since its due date
    ("?band=maturing", ["bare"]),  # 70 days since its due date
    ("?band=optimal&sort=value", ["later", "small", "fee"]),
    ("?type=shortage&band=optimal", ["small", "later"]),
    ("?status=", ["soon", "bare", "fee", "small", "later", "undated"]),  # no file_by: last
    ("?status=&band=optimal", ["fee", "small", "later", "undated"]),  # its stored band
]


@pytest.mark.parametrize("walk", [False, True], ids=["sorted", "index-walk"])
@pytest.mark.parametrize(("query", "expected"), QUEUE_CASES)
def test_queue_filters_and_sorts(
    engine: Engine,
    settings: Settings,
    seeded: dict[str, int],
    query: str,
    expected: list[str],
    walk: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Both ways of reading a page (a large queue walks an index) give the same rows."""
    if walk:
        monkeypatch.setattr(reads, "_SORT_IN_MEMORY_UP_TO", 0)
    client = client_for(_app(settings, engine), Role.viewer)
    answer = client.get(f"/queue{query}")
    assert answer.status_code == 200
    assert _claim_ids(answer.text) == [seeded[name] for name in expected]
    assert f"{len(expected)} claims" in answer.text


def test_queue_pages_in_the_database(
    engine: Engine, settings: Settings, seeded: dict[str, int]
) -> None:
    client = client_for(_app(settings, engine, page_size=2), Role.viewer)
    pages = [_claim_ids(client.get(f"/queue?page={n}").text) for n in (1, 2, 3)]
    assert pages == [
        [seeded["soon"], seeded["bare"]],
        [seeded["fee"], seeded["small"]],
        [seeded["later"]],
    ]
    assert "page 3 of 3" in client.get("/queue?page=99").text  # past the end: the last page
    partial = client.get(
        "/queue?page=2", headers={"HX-Request": "true", "HX-Target": "queue-results"}
    )
    assert "<html" not in partial.text and _claim_ids(partial.text) == pages[1]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?type=rebate", "unknown claim type 'rebate'"),
        ("?band=soon", "unknown band 'soon'"),
        ("?page=two", "page 'two': not a page number"),
        ("?account=ABC", "account 'ABC': not an account id"),
    ],
)
def test_a_bad_filter_is_one_clear_line(
    engine: Engine, settings: Settings, seeded: dict[str, int], query: str, message: str
) -> None:
    answer = client_for(_app(settings, engine), Role.viewer).get(f"/queue{query}")
    assert answer.status_code == 400 and message in html.unescape(answer.text)
    assert "Traceback" not in answer.text


def test_bulk_actions_stop_at_the_roles_cap(
    engine: Engine, settings: Settings, seeded: dict[str, int]
) -> None:
    capped = settings.model_copy(
        update={"ui": settings.ui.model_copy(update={"bulk_caps": {"specialist": 500}})}
    )
    client = client_for(make_app(capped, engine), Role.specialist)
    over = {"action": "approve", "claim_ids": [seeded["soon"], seeded["later"]]}
    answer = client.post("/queue/bulk", data=over)
    assert answer.status_code == 400
    assert "totalling 1191.60 USD are over the specialist cap of 500" in answer.text
    # The confirm step checks again: a hand-made request cannot skip the cap.
    assert client.post("/queue/bulk/confirm", data=over).status_code == 400
    within = {"action": "approve", "claim_ids": [seeded["soon"], seeded["small"]]}
    confirm = client.post("/queue/bulk", data=within)
    assert confirm.status_code == 200 and "Approve 2 claims?" in confirm.text
    assert "$243.60" in confirm.text
    with Session(engine) as session:  # nothing moved before the confirmation
        assert session.get(Claim, seeded["soon"]).status == "ready"  # type: ignore[union-attr]
    done = client.post("/queue/bulk/confirm", data=within)
    assert done.status_code == 303 and "2+claims+approved" in done.headers["location"]
    # A reject needs its reason.
    refused = client.post(
        "/queue/bulk/confirm", data={"action": "reject", "claim_ids": [seeded["fee"]]}
    )
    assert refused.status_code == 400 and "a rejection needs a reason" in refused.text


def test_dashboard_figures(engine: Engine, settings: Settings, seeded: dict[str, int]) -> None:
    claims = table_of(Claim)
    with db.session_scope(engine) as session:
        for name in ("later", "small"):
            workflow.approve(session, seeded[name], actor="t")
            claim = workflow.get_claim(session, seeded[name])
            for status in ("filing", "filed"):
                workflow.transition(session, claim, workflow.S(status), actor="t")
        won = workflow.get_claim(session, seeded["later"])
        workflow.transition(session, won, workflow.S.partially_won, actor="amazon")
        session.connection().execute(
            update(claims).where(claims.c.id == seeded["later"]).values(recovered_minor=60000)
        )
    page = client_for(_app(settings, engine), Role.viewer).get("/").text
    cards = dict(
        re.findall(r'class="label">([^<]+)</div><div class="value"><div>([^<]+)</div>', page)
    )
    assert cards == {
        "Recoverable (not yet filed)": "$10,434.19",  # soon + bare + fee + undated (draft)
        "Filed, awaiting Amazon": "$42.00",  # small
        "Recovered": "$600.00",
        "Denied": "$390.00",  # what partly won did not win
    }
    month = today(settings).strftime("%Y-%m")
    assert f"{month}: 60.6% of 990.00 decided" in page
    assert f'<a href="/claims/{seeded["soon"]}">' in page.split("To file this week")[1]


def test_the_worklist_lists_claims_that_need_a_person(
    engine: Engine, settings: Settings, seeded: dict[str, int]
) -> None:
    claims = table_of(Claim)
    with db.session_scope(engine) as session:
        session.connection().execute(
            update(claims).where(claims.c.id == seeded["small"]).values(status="needs_look")
        )
    page = client_for(_app(settings, engine), Role.viewer).get("/worklist").text
    evidence, look = page.split("Needs a look")
    assert _claim_ids(evidence) == [seeded["bare"]]  # waiting for its POD
    assert _claim_ids(look) == [seeded["small"]]  # a rule could not judge it
    assert "INV-1004SC" in look


def test_evidence_is_shown_only_for_its_claim(
    engine: Engine, settings: Settings, seeded: dict[str, int]
) -> None:
    with Session(engine) as session:
        doc_id = session.exec(
            select(ClaimEvidence.document_id).where(ClaimEvidence.claim_id == seeded["soon"])
        ).one()
    client = client_for(_app(settings, engine), Role.viewer)
    pdf = client.get(f"/claims/{seeded['soon']}/documents/{doc_id}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    png = client.get(f"/claims/{seeded['soon']}/documents/{doc_id}/preview.png")
    assert png.headers["content-type"] == "image/png" and png.content[:4] == b"\x89PNG"
    other = client.get(f"/claims/{seeded['bare']}/documents/{doc_id}")
    assert other.status_code == 400 and "no document" in other.text


def test_users_add_reads_the_password_from_stdin(
    engine: Engine,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    import io

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RECOVERY_DATABASE_URL", settings.database_url)

    def run(args: list[str], stdin: str) -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        with pytest.raises(SystemExit) as exited:
            main(args)
        out, err = capsys.readouterr()
        return int(exited.value.code or 0), out, err

    code, out, _ = run(
        ["users", "add", "Maria@Example.com", "--role", "specialist"], PASSWORD + "\n"
    )
    assert code == 0 and "user maria@example.com added with role specialist" in out
    with Session(engine) as session:
        user = session.exec(select(User).where(User.username == "maria@example.com")).one()
        assert user.password_hash and user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash
        assert authenticate(session, "maria@example.com", PASSWORD) is not None
        assert authenticate(session, "maria@example.com", "wrong password!") is None
    code, out, _ = run(["users", "add", "maria@example.com", "--role", "admin"], PASSWORD + "\n")
    assert code == 0 and "updated with role admin" in out
    code, _, err = run(["users", "add", "maria@example.com", "--role", "admin"], "short\n")
    assert code == 1 and "at least 12 characters" in err and "Traceback" not in err
    code, _, err = run(["users", "add", "not-an-address", "--role", "viewer"], PASSWORD + "\n")
    assert code == 1 and "is not an e-mail address" in err
    code, _, err = run(["users", "add", "x@example.com", "--role", "owner"], PASSWORD + "\n")
    assert code == 2


def test_an_expired_session_signs_out(
    engine: Engine, settings: Settings, seeded: dict[str, int]
) -> None:
    from recovery.models import WebSession

    client = client_for(_app(settings, engine), Role.viewer)
    assert client.get("/").status_code == 200
    sessions = table_of(WebSession)
    with db.session_scope(engine) as session:
        session.connection().execute(
            update(sessions).values(expires_at=utcnow() - timedelta(seconds=1))
        )
    assert client.get("/").status_code == 303
