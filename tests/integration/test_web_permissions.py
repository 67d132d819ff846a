"""Every route of the review UI with each persona (admin, specialist, viewer, signed out), the
CSRF check, and a viewer who tries every change and changes nothing. SQLite and PostgreSQL."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlalchemy import Engine, func, select
from sqlmodel import Session
from web_seed import (
    PERSONAS,
    client_for,
    make_app,
    seed_claims,
    seed_ledger,
    seed_users,
    signed_pod,
    web_settings,
)

from recovery.config import Settings
from recovery.models import (
    AuditEntry,
    Claim,
    ClaimEvidence,
    EvidenceDocument,
    ImportBatch,
    LedgerAdjustment,
    Payment,
    Role,
)

IMPORTS = Path(__file__).resolve().parents[1] / "data" / "imports"


@dataclass(frozen=True)
class Call:
    method: str
    path: str  # with {claim}, {doc}, {account}, {payment}, {deposit} filled from the seed
    needs: Role | None  # None: public
    data: dict[str, Any] | None = None
    upload: str | None = None  # form field that carries a file


ROUTES = [
    Call("GET", "/healthz", None),
    Call("GET", "/signin", None),
    Call("GET", "/", Role.viewer),
    Call("GET", "/queue", Role.viewer),
    Call("GET", "/queue?type=shortage&band=optimal&sort=value&page=2", Role.viewer),
    Call("GET", "/claims/{soon}", Role.viewer),
    Call("GET", "/claims/{soon}/documents/{doc}", Role.viewer),
    Call("GET", "/claims/{soon}/documents/{doc}/preview.png", Role.viewer),
    Call("GET", "/worklist", Role.viewer),
    Call("GET", "/ledger", Role.viewer),
    Call("GET", "/imports", Role.viewer),
    Call("GET", "/jobs", Role.viewer),
    Call("GET", "/audit", Role.admin),
    Call("POST", "/claims/{fee}/text", Role.specialist, {"text": "Edited in the browser."}),
    Call("POST", "/claims/{soon}/approve", Role.specialist, {"note": "checked"}),
    Call("POST", "/claims/{later}/reject", Role.specialist, {"reason": "duplicate"}),
    Call("POST", "/claims/{bare}/evidence", Role.specialist, {"kind": "pod"}, upload="file"),
    Call("POST", "/queue/bulk", Role.specialist, {"action": "approve", "claim_ids": ["{small}"]}),
    Call(
        "POST",
        "/queue/bulk/confirm",
        Role.specialist,
        {"action": "reject", "claim_ids": ["{small}"], "reason": "not worth it"},
    ),
    Call(
        "POST",
        "/ledger/match",
        Role.specialist,
        {"payment_id": "{payment}", "deposit_id": "{deposit}", "reason": "bank batch"},
    ),
    Call(
        "POST",
        "/ledger/adjust",
        Role.specialist,
        {
            "account_id": "{account}",
            "invoice_number": "INV-1001",
            "bucket": "written_off",
            "amount": "12.50",
            "reason": "rounding",
        },
    ),
    Call("POST", "/imports", Role.specialist, upload="files"),
    Call("POST", "/signout", Role.viewer),
]
PUBLIC_PATHS = {"/healthz", "/signin"}
RANK = {Role.viewer: 0, Role.specialist: 1, Role.admin: 2}


@pytest.fixture
def web(engine: Engine, settings: Settings, tmp_path: Path) -> tuple[FastAPI, dict[str, int]]:
    seed_users(engine)
    ids = seed_claims(engine, settings)
    ids.update(seed_ledger(engine))
    with Session(engine) as session:
        doc = session.exec(
            select(EvidenceDocument)
            .join(ClaimEvidence, ClaimEvidence.document_id == EvidenceDocument.id)
            .where(ClaimEvidence.claim_id == ids["soon"])
        ).scalar_one()
        assert doc.id is not None
        ids["doc"] = doc.id
    return make_app(web_settings(settings), engine), ids


def _fill(value: Any, ids: dict[str, int]) -> Any:
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value.format(**ids) if isinstance(value, str) else value


def _send(client: Any, call: Call, ids: dict[str, int], tmp_path: Path) -> Any:
    path = _fill(call.path, ids)
    if call.method == "GET":
        return client.get(path)
    data = {k: _fill(v, ids) for k, v in (call.data or {}).items()}
    files = None
    if call.upload == "file":
        pod = signed_pod(tmp_path / "POD 7741 signed.pdf")
        files = {"file": (pod.name, pod.read_bytes(), "application/pdf")}
    elif call.upload == "files":
        costs = IMPORTS / "costs.csv"
        files = {"files": (costs.name, costs.read_bytes(), "text/csv")}
    return client.post(path, data=data, files=files)


def _route_shape(path: str) -> str:
    """`/claims/{fee}/text` and `/claims/{claim_id}/text` alike: `/claims/{}/text`."""
    return re.sub(r"\{[a-z_]+\}", "{}", path.split("?")[0])


def test_every_route_is_in_the_permission_table(web: tuple[FastAPI, dict[str, int]]) -> None:
    """A new route must be added here, and must declare its role (or be public)."""
    app, _ = web
    declared = {(c.method, _route_shape(c.path)) for c in ROUTES}
    for route in app.routes:
        if not isinstance(route, APIRoute):
            continue
        for method in route.methods - {"HEAD"}:
            shape = (method, _route_shape(route.path))
            assert shape in declared, f"{method} {route.path} is not in ROUTES"
            roles = [
                getattr(dep.call, "required_role", None) for dep in route.dependant.dependencies
            ]
            if route.path in PUBLIC_PATHS:
                assert not any(roles), route.path
            else:
                assert any(roles), f"{method} {route.path} declares no role"


@pytest.mark.parametrize("persona", [None, Role.viewer, Role.specialist, Role.admin])
def test_each_persona_on_every_route(
    web: tuple[FastAPI, dict[str, int]], persona: Role | None, tmp_path: Path
) -> None:
    app, ids = web
    client = client_for(app, persona)
    for call in ROUTES:
        answer = _send(client, call, ids, tmp_path)
        where = f"{persona} {call.method} {call.path}: {answer.status_code} {answer.text[:200]}"
        if call.needs is None:
            assert answer.status_code == 200, where
        elif persona is None:
            if call.method == "GET":
                assert answer.status_code == 303, where
                assert answer.headers["location"].startswith("/signin?next=/"), where
            else:
                assert answer.status_code == 401, where
        elif RANK[persona] < RANK[call.needs]:
            assert answer.status_code == 403, where
            assert f"needs the {call.needs.value} role" in answer.text, where
        else:
            assert answer.status_code in (200, 303), where
        if call.path == "/signout" and persona is not None:
            assert answer.status_code == 303
            assert client.get("/").status_code == 303  # the session is gone


def _state(engine: Engine) -> dict[str, Any]:
    """Everything a change through the UI could touch."""
    with Session(engine) as session:
        claims = session.execute(
            select(Claim.id, Claim.status, Claim.draft_text).order_by(Claim.id)
        ).all()
        return {
            "claims": [tuple(c) for c in claims],
            "evidence": session.execute(select(func.count()).select_from(ClaimEvidence)).scalar(),
            "adjustments": session.execute(
                select(func.count()).select_from(LedgerAdjustment)
            ).scalar(),
            "matches": session.execute(
                select(Payment.id, Payment.bank_transaction_id).order_by(Payment.id)
            ).all(),
            "imports": session.execute(select(func.count()).select_from(ImportBatch)).scalar(),
        }


def test_a_viewer_cannot_change_anything(
    web: tuple[FastAPI, dict[str, int]], engine: Engine, tmp_path: Path
) -> None:
    app, ids = web
    before = _state(engine)
    client = client_for(app, Role.viewer)
    for call in ROUTES:
        if call.method == "POST" and call.path != "/signout":
            assert _send(client, call, ids, tmp_path).status_code == 403, call.path
    assert _state(engine) == before
    with Session(engine) as session:
        actions = session.execute(select(AuditEntry.action, AuditEntry.actor)).all()
    assert [tuple(a) for a in actions] == [("sign-in", PERSONAS[Role.viewer])]


def test_changes_are_audited_with_who_did_them(
    web: tuple[FastAPI, dict[str, int]], engine: Engine, tmp_path: Path
) -> None:
    app, ids = web
    client = client_for(app, Role.specialist)
    for call in ROUTES:
        if call.method == "POST" and call.path != "/signout":
            assert _send(client, call, ids, tmp_path).status_code in (200, 303), call.path
    with Session(engine) as session:
        entries = session.execute(select(AuditEntry.actor, AuditEntry.action)).all()
        soon = session.get(Claim, ids["soon"])
        later = session.get(Claim, ids["later"])
        fee = session.get(Claim, ids["fee"])
        payment = session.get(Payment, ids["payment"])
        adjustment = session.execute(select(LedgerAdjustment)).scalar_one()
    who = PERSONAS[Role.specialist]
    assert {a for actor, a in entries if actor == who} >= {
        "sign-in", "edit-text", "approve", "reject", "attach", "bulk-reject",
        "ledger-match", "ledger-adjust", "import",
    }  # fmt: skip
    assert soon is not None and soon.status == "approved"
    assert later is not None and later.status == "rejected"
    assert fee is not None and fee.draft_text == "Edited in the browser."
    assert payment is not None and payment.bank_transaction_id == ids["deposit"]
    assert adjustment.amount_minor == 1250 and adjustment.actor == who


def test_csrf_token_is_required_for_every_change(
    web: tuple[FastAPI, dict[str, int]], engine: Engine
) -> None:
    app, ids = web
    before = _state(engine)
    client = client_for(app, Role.specialist)
    for token in (None, "forged-token", client.cookies["csrftoken"] + "x"):
        if token is None:
            del client.headers["x-csrftoken"]
        else:
            client.headers["x-csrftoken"] = token
        answer = client.post(f"/claims/{ids['soon']}/approve", data={"note": "x"})
        assert answer.status_code == 403
        assert "CSRF token verification failed" in answer.text
    # Sign-in itself is protected too (no logging someone in to an attacker's account).
    stranger = client_for(app, None)
    del stranger.headers["x-csrftoken"]
    answer = stranger.post(
        "/signin", data={"email": PERSONAS[Role.admin], "password": "correct horse battery"}
    )
    assert answer.status_code == 403
    assert _state(engine) == before


def test_sign_in_sets_a_secure_httponly_session_cookie(
    web: tuple[FastAPI, dict[str, int]],
) -> None:
    app, _ = web
    client = client_for(app, None)
    wrong = client.post("/signin", data={"email": PERSONAS[Role.admin], "password": "nope"})
    assert wrong.status_code == 400 and "Wrong e-mail or password" in wrong.text
    answer = client.post(
        "/signin",
        data={"email": PERSONAS[Role.admin], "password": "correct horse battery", "next": "/queue"},
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/queue"
    cookie = next(
        h for h in answer.headers.get_list("set-cookie") if h.startswith("recovery_session=")
    )
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=lax" in cookie
    # An address outside the site is never followed after sign-in.
    again = client.post(
        "/signin",
        data={"email": PERSONAS[Role.admin], "password": "correct horse battery",
              "next": "//evil.example/"},
    )  # fmt: skip
    assert again.headers["location"] == "/"
