"""The review queue: filters, sorting and paging in the database; bulk approve / reject behind
a confirmation page and a dollar cap per role."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from recovery.claims import workflow
from recovery.claims.queue import QueueError
from recovery.errors import RecoveryError
from recovery.models.claims import Claim, ClaimStatus, ClaimType
from recovery.money import from_minor
from recovery.store.db import session_scope
from recovery.web import reads
from recovery.web.audit import record_audit
from recovery.web.auth import SignedIn, SpecialistUser, ViewerUser
from recovery.web.context import WebContext, web_context
from recovery.web.rendering import go, page

router = APIRouter()

BULK_ACTIONS = {"approve": "Approve", "reject": "Reject"}


def _choice(value: str, allowed: list[str], what: str) -> str:
    value = value.strip().lower()
    if value and value not in allowed:
        raise QueueError(f"unknown {what} {value!r}; choose from {', '.join(allowed)}")
    return value


def _filters(
    type: str, status: str, band: str, account: str, sort: str, page: int
) -> reads.QueueFilters:
    try:
        account_id = int(account) if account.strip() else None
    except ValueError:
        raise QueueError(f"account {account!r}: not an account id") from None
    return reads.QueueFilters(
        type=_choice(type, [t.value for t in ClaimType], "claim type"),
        status=_choice(status, ["open", *(s.value for s in ClaimStatus)], "status"),
        band=_choice(band, list(reads.BANDS), "band"),
        account_id=account_id,
        sort=_choice(sort, list(reads.SORTS), "sort") or "file_by",
        page=max(page, 1),
    )


@router.get("/queue")
def queue(
    request: Request,
    user: ViewerUser,
    type: str = "",
    status: str = "open",
    band: str = "",
    account: str = "",
    sort: str = "file_by",
) -> Response:
    context = web_context(request)
    number = _page_number(request)
    filters = _filters(type, status, band, account, sort, number)
    with session_scope(context.engine) as session:
        result = reads.queue_page(
            session,
            filters,
            context.calendar.today(),
            context.settings.rules,
            context.settings.ui.page_size,
        )
        accounts = reads.accounts(session)
    params = {
        "type": filters.type,
        "status": filters.status,
        "band": filters.band,
        "account": account,
        "sort": filters.sort,
    }
    template = (
        "queue_rows.html" if request.headers.get("HX-Target") == "queue-results" else "queue.html"
    )
    return page(
        request,
        template,
        result=result,
        filters=filters,
        params=params,
        accounts=accounts,
        types=[t.value for t in ClaimType],
        statuses=[s.value for s in ClaimStatus],
        bands=reads.BANDS,
        sorts=reads.SORTS,
        cap=_cap(context, user),
    )


def _page_number(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    try:
        return max(int(raw), 1)
    except ValueError:
        raise QueueError(f"page {raw!r}: not a page number") from None


def _cap(context: WebContext, user: SignedIn) -> Decimal:
    return context.settings.ui.bulk_caps.get(user.role.value, Decimal(0))


def _selection(
    context: WebContext, ids: list[int], user: SignedIn
) -> tuple[list[Claim], dict[str, Decimal]]:
    """The chosen claims and their totals per currency; refused above the role's cap."""
    if not ids:
        raise RecoveryError("choose at least one claim")
    with session_scope(context.engine) as session:
        claims = reads.claims_by_id(session, ids)
    missing = sorted(set(ids) - {c.id for c in claims if c.id is not None})
    if missing:
        raise RecoveryError(f"no such claim: {', '.join(map(str, missing))}")
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for claim in claims:
        totals[claim.currency] += from_minor(claim.amount_minor, claim.currency)
    cap = _cap(context, user)
    over = {cur: total for cur, total in totals.items() if total > cap}
    if over:
        worst = ", ".join(f"{total} {cur}" for cur, total in sorted(over.items()))
        raise RecoveryError(
            f"{len(claims)} claims totalling {worst} are over the {user.role.value} cap of "
            f"{cap} per bulk action; choose fewer claims"
        )
    return claims, dict(totals)


@router.post("/queue/bulk")
def bulk_confirm(
    request: Request,
    user: SpecialistUser,
    action: Annotated[str, Form()],
    claim_ids: Annotated[list[int], Form()] = [],  # noqa: B006 (FastAPI copies defaults)
) -> Response:
    """First step: show what would change and ask to confirm."""
    if action not in BULK_ACTIONS:
        raise RecoveryError(f"unknown bulk action {action!r}")
    context = web_context(request)
    claims, totals = _selection(context, claim_ids, user)
    return page(
        request,
        "bulk_confirm.html",
        action=action,
        label=BULK_ACTIONS[action],
        claims=claims,
        totals=totals,
        cap=_cap(context, user),
    )


@router.post("/queue/bulk/confirm")
def bulk_apply(
    request: Request,
    user: SpecialistUser,
    action: Annotated[str, Form()],
    claim_ids: Annotated[list[int], Form()] = [],  # noqa: B006
    reason: Annotated[str, Form()] = "",
) -> Response:
    if action not in BULK_ACTIONS:
        raise RecoveryError(f"unknown bulk action {action!r}")
    if action == "reject" and not reason.strip():
        raise RecoveryError("a rejection needs a reason")
    context = web_context(request)
    claims, totals = _selection(context, claim_ids, user)
    done, failed = [], []
    for claim in claims:
        assert claim.id is not None
        try:
            # One transaction per claim: one that moved meanwhile does not block the rest.
            with session_scope(context.engine) as session:
                if action == "approve":
                    workflow.approve(session, claim.id, actor=user.username, note=reason)
                else:
                    workflow.reject(session, claim.id, actor=user.username, reason=reason)
            done.append(claim.id)
        except RecoveryError as exc:
            failed.append(str(exc))
    with session_scope(context.engine) as session:
        record_audit(
            session,
            user.username,
            f"bulk-{action}",
            f"{len(done)} claims",
            f"claims {', '.join(map(str, done))}; totals "
            f"{', '.join(f'{v} {k}' for k, v in sorted(totals.items()))}; {reason}".strip("; "),
        )
    verb = "approved" if action == "approve" else "rejected"
    return go(
        request,
        "/queue",
        notice=f"{len(done)} claims {verb}",
        error="; ".join(failed),
    )
