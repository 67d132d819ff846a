"""A fake Selling Partner API on 127.0.0.1 that behaves like Amazon's vendor endpoints.

It serves a dataset's purchase orders, PO statuses and shipments on the real paths, issues
access tokens from an LWA endpoint (`/auth/o2/token`), refuses requests without a valid token,
meters every operation with a token bucket and answers 429 when it is empty, and injects faults
on request (5xx, slow answers, 429 storms) so reliability can be tested. The real
python-amazon-sp-api client talks to it once its endpoint and LWA host point here.

How Amazon answers, and so the fake: a missing, unknown or expired access token is 403
`Unauthorized` ("Access to requested resource is denied.", the detail says which); LWA answers
401 `invalid_client` for a wrong client id/secret and 400 `invalid_grant` for an unknown
refresh token; throttling is 429 `QuotaExceeded` with `x-amzn-RateLimit-Limit`.
"""

from __future__ import annotations

import asyncio
import random
import secrets
import socket
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from recovery.sources.throttle import TokenBucket
from recovery.testing.fake_spapi_data import SpApiDataset
from recovery.testing.fake_spapi_feeds import FEEDS, BadRequest, FeedIndex, FeedSpec

DEFAULT_RATE = 10.0
DEFAULT_BURST = 10
TOKEN_PATH = "/auth/o2/token"

_DENIED = "Access to requested resource is denied."


@dataclass
class Faults:
    """Trouble to inject into API answers (never into the LWA endpoint)."""

    # Share of API requests answered with `error_status`, at random (seeded).
    error_rate: float = 0.0
    # API requests (1-based, counted across operations) answered with `error_status`.
    error_on: set[int] = field(default_factory=set)
    error_status: int = 503
    # Share of API requests delayed by `slow_seconds` before they are answered.
    slow_rate: float = 0.0
    slow_seconds: float = 0.0
    # A 429 storm of `storm_seconds` every `storm_every` seconds after the server starts.
    storm_every: float = 0.0
    storm_seconds: float = 0.0
    seed: int = 0


@dataclass(frozen=True)
class RequestRecord:
    operation: str
    status: int
    params: dict[str, str]
    served: tuple[str, ...]
    at: float


@dataclass
class FakeStats:
    requests: Counter[str] = field(default_factory=Counter)
    responses: Counter[tuple[str, int]] = field(default_factory=Counter)
    items_served: Counter[str] = field(default_factory=Counter)
    token_grants: int = 0
    log: list[RequestRecord] = field(default_factory=list)

    def count(self, status: int, operation: str | None = None) -> int:
        return sum(
            n
            for (op, code), n in self.responses.items()
            if code == status and (operation is None or op == operation)
        )

    @property
    def total_requests(self) -> int:
        return sum(self.requests.values())


def _errors(code: str, message: str, details: str = "") -> dict[str, Any]:
    return {"errors": [{"code": code, "message": message, "details": details}]}


class FakeSpApi:
    """Build with a dataset, then `with fake:` (or `start()`) runs it on a free loopback port."""

    def __init__(
        self,
        dataset: SpApiDataset | None = None,
        *,
        rate: float = DEFAULT_RATE,
        burst: int = DEFAULT_BURST,
        token_ttl: float = 3600.0,
        client_id: str | None = None,
        client_secret: str | None = None,
        refresh_tokens: set[str] | None = None,
        faults: Faults | None = None,
        now: datetime | None = None,
    ) -> None:
        self.rate = rate
        self.burst = burst
        self.token_ttl = token_ttl
        # None accepts any value, as a sandbox would; set them to test refusals.
        self.client_id = client_id
        self.client_secret = client_secret
        self.refresh_tokens = refresh_tokens
        self.faults = faults or Faults()
        # Windows without a Before bound end here; a fixed value makes tests reproducible.
        self.now = now
        self.stats = FakeStats()
        self._indexes: dict[str, FeedIndex] = {}
        self.load(dataset or SpApiDataset())
        self._buckets = {spec.operation: TokenBucket(rate, burst) for spec in FEEDS.values()}
        self._tokens: dict[str, float] = {}
        self._ordinal = 0
        self._random = random.Random(self.faults.seed)
        self._started_at = time.monotonic()
        self._storm_until = 0.0
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._port: int | None = None
        self.app = self._build_app()

    # -- data ---------------------------------------------------------------------------

    def load(self, dataset: SpApiDataset) -> None:
        """Serve this dataset from now on (indexes are swapped whole, never edited in place)."""
        self._indexes = {
            "orders": FeedIndex(FEEDS["orders"], dataset.orders),
            "statuses": FeedIndex(FEEDS["statuses"], dataset.statuses),
            "shipments": FeedIndex(FEEDS["shipments"], dataset.shipments),
        }

    def put(self, feed: str, rows: list[dict[str, Any]]) -> None:
        """Add or replace rows of one feed (`orders`, `statuses`, `shipments`) by identity."""
        index = self._indexes[feed]
        by_id = {index.spec.identity(row): row for row in index.rows}
        by_id.update({index.spec.identity(row): row for row in rows})
        self._indexes[feed] = FeedIndex(index.spec, list(by_id.values()))

    def rows(self, feed: str) -> list[dict[str, Any]]:
        return list(self._indexes[feed].rows)

    # -- controls for tests ---------------------------------------------------------------

    def expire_tokens(self) -> None:
        """Every access token issued so far expires now (the refresh token stays good)."""
        for token in self._tokens:
            self._tokens[token] = 0.0

    def start_storm(self, seconds: float) -> None:
        """Answer every API request with 429 for the next `seconds`."""
        self._storm_until = time.monotonic() + seconds

    def reset_stats(self) -> None:
        self.stats = FakeStats()

    # -- HTTP -----------------------------------------------------------------------------

    def _build_app(self) -> FastAPI:
        app = FastAPI(title="fake SP-API", openapi_url=None, docs_url=None, redoc_url=None)

        @app.post(TOKEN_PATH)
        async def token(request: Request) -> JSONResponse:
            return self._grant(await request.body())

        for name, spec in FEEDS.items():
            app.add_api_route(spec.path, self._handler(name, spec), methods=["GET"])
        return app

    def _handler(self, name: str, spec: FeedSpec) -> Any:
        async def handle(request: Request) -> JSONResponse:
            return await self._serve(name, spec, request)

        handle.__name__ = spec.operation
        return handle

    def _grant(self, body: bytes) -> JSONResponse:
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8")).items()}
        if form.get("grant_type") != "refresh_token":
            return JSONResponse(
                {"error": "unsupported_grant_type", "error_description": "Unsupported grant"},
                status_code=400,
            )
        if (self.client_id is not None and form.get("client_id") != self.client_id) or (
            self.client_secret is not None and form.get("client_secret") != self.client_secret
        ):
            return JSONResponse(
                {"error": "invalid_client", "error_description": "Client authentication failed"},
                status_code=401,
            )
        refresh = form.get("refresh_token")
        if not refresh or (self.refresh_tokens is not None and refresh not in self.refresh_tokens):
            return JSONResponse(
                {
                    "error": "invalid_grant",
                    "error_description": "The request has an invalid grant parameter : "
                    "refresh_token",
                },
                status_code=400,
            )
        access = "Atza|" + secrets.token_urlsafe(32)
        self._tokens[access] = time.monotonic() + self.token_ttl
        self.stats.token_grants += 1
        return JSONResponse(
            {
                "access_token": access,
                "refresh_token": refresh,
                "token_type": "bearer",
                "expires_in": int(self.token_ttl),
            }
        )

    def _token_problem(self, token: str | None) -> str | None:
        if not token:
            return ""
        expires = self._tokens.get(token)
        if expires is None:
            return "The access token you provided is revoked, malformed or invalid."
        if time.monotonic() >= expires:
            return "The access token you provided has expired."
        return None

    def _in_storm(self) -> bool:
        now = time.monotonic()
        if now < self._storm_until:
            return True
        every, length = self.faults.storm_every, self.faults.storm_seconds
        if every <= 0 or length <= 0:
            return False
        elapsed = now - self._started_at
        return elapsed >= every and (elapsed % every) < length

    def _reply(
        self,
        spec: FeedSpec,
        status: int,
        body: dict[str, Any],
        params: dict[str, str],
        served: tuple[str, ...] = (),
    ) -> JSONResponse:
        self.stats.responses[(spec.operation, status)] += 1
        self.stats.items_served[spec.operation] += len(served)
        self.stats.log.append(
            RequestRecord(spec.operation, status, params, served, time.monotonic())
        )
        headers = {"x-amzn-RequestId": str(uuid.uuid4())}
        if status in (200, 429):
            headers["x-amzn-RateLimit-Limit"] = f"{self._buckets[spec.operation].rate:g}"
        return JSONResponse(body, status_code=status, headers=headers)

    async def _serve(self, name: str, spec: FeedSpec, request: Request) -> JSONResponse:
        params = dict(request.query_params)
        self.stats.requests[spec.operation] += 1
        self._ordinal += 1
        ordinal = self._ordinal
        problem = self._token_problem(request.headers.get("x-amz-access-token"))
        if problem is not None:
            return self._reply(spec, 403, _errors("Unauthorized", _DENIED, problem), params)
        if self._in_storm() or not self._buckets[spec.operation].try_acquire():
            body = _errors("QuotaExceeded", "You exceeded your quota for the requested resource.")
            return self._reply(spec, 429, body, params)
        faults = self.faults
        if faults.slow_seconds > 0 and self._random.random() < faults.slow_rate:
            await asyncio.sleep(faults.slow_seconds)
        if ordinal in faults.error_on or (
            faults.error_rate > 0 and self._random.random() < faults.error_rate
        ):
            code = "ServiceUnavailable" if faults.error_status == 503 else "InternalFailure"
            body = _errors(code, "We encountered an internal error. Please try again.")
            return self._reply(spec, faults.error_status, body, params)
        try:
            limit = int(params.get("limit", str(spec.max_limit)))
        except ValueError:
            limit = -1
        if not 1 <= limit <= spec.max_limit:
            message = f"limit must be an integer between 1 and {spec.max_limit}."
            return self._reply(spec, 400, _errors("InvalidInput", message), params)
        try:
            rows, next_token = self._indexes[name].page(
                params, self.now or datetime.now(UTC), limit
            )
        except BadRequest as exc:
            return self._reply(spec, 400, _errors("InvalidInput", str(exc)), params)
        payload: dict[str, Any] = {spec.list_key: rows}
        if next_token:
            payload["pagination"] = {"nextToken": next_token}
        served = tuple(spec.identity(row) for row in rows)
        return self._reply(spec, 200, {"payload": payload}, params, served)

    # -- server ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        if self._port is None:
            raise RuntimeError("the fake SP-API is not running")
        return f"http://127.0.0.1:{self._port}"

    @property
    def lwa_url(self) -> str:
        return self.url + TOKEN_PATH

    def _socket(self, port: int) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        self._port = sock.getsockname()[1]
        return sock

    def _uvicorn(self) -> uvicorn.Server:
        config = uvicorn.Config(
            self.app, log_level="warning", access_log=False, lifespan="off", timeout_keep_alive=30
        )
        return uvicorn.Server(config)

    def start(self, port: int = 0) -> FakeSpApi:
        """Run in a background thread on `port` (0: any free port); returns once it listens."""
        sock = self._socket(port)
        self._server = self._uvicorn()
        self._started_at = time.monotonic()
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="fake-spapi", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the fake SP-API did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = None
        self._thread = None

    def serve_forever(self, port: int) -> None:
        """Run in this thread until interrupted (the `recovery testing fake-spapi` command)."""
        sock = self._socket(port)
        self._started_at = time.monotonic()
        self._uvicorn().run(sockets=[sock])

    def __enter__(self) -> FakeSpApi:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
