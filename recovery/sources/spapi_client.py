"""python-amazon-sp-api wired for `recovery`: pointed where settings say, metered, retried.

What the library (2.x, httpx transport, no AWS SigV4: only the LWA access token in
`x-amz-access-token`) does not do for us, and this module does:
- The SP-API endpoint and the LWA token URL come from settings, so tests and the demo use the
  fake SP-API: the client's `endpoint` attribute is replaced after construction, and the token
  client is our subclass, passed as `auth_token_client_class`.
- Access tokens are cached by the token's own `expires_in` (the library keeps them 3200 s
  whatever Amazon said) and dropped when Amazon answers 403 Unauthorized, then fetched again.
- The HTTP status is read from the response itself: the library turns a 5xx answer without a
  JSON body into an empty, successful-looking response, which would lose a page silently.
- A token bucket per operation keeps us under the usage plan, adopting the rate the server
  announces in `x-amzn-RateLimit-Limit`; 429, 5xx and network errors are retried with
  exponential backoff and jitter (tenacity), a bounded number of times.
"""

from __future__ import annotations

import functools
import json
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from sp_api.api import VendorOrders, VendorShipments
from sp_api.auth import AccessTokenClient, AccessTokenResponse
from sp_api.auth.exceptions import AuthorizationError
from sp_api.base import Marketplaces, SellingApiException
from sp_api.base._transport_httpx import HttpxTransport
from sp_api.base.credential_provider import FromCodeCredentialProvider
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from recovery.config import AccountSettings, Settings
from recovery.errors import ConfigError, RecoveryError
from recovery.sources.throttle import TokenBucket

# Amazon's published usage plans (requests per second, burst) for the operations we call.
PUBLISHED_RATES: dict[str, tuple[float, int]] = {
    "getPurchaseOrders": (10.0, 10),
    "getPurchaseOrdersStatus": (10.0, 10),
    "getShipmentDetails": (10.0, 10),
}

DEFAULT_LWA_URL = "https://api.amazon.com/auth/o2/token"

# Error codes of a 403 that mean "this access token is no good", not "you may not do this".
_TOKEN_REFUSALS = ("Unauthorized", "MissingAuthenticationToken")


class SpApiError(RecoveryError):
    """The SP-API refused or failed a request."""


class SpApiTransientError(SpApiError):
    """Throttled, a server error or a network failure: worth trying again."""

    def __init__(self, status: int | None, message: str) -> None:
        self.status = status
        super().__init__(message)


class SpApiAuthError(SpApiError):
    """The credentials are wrong: nothing will work until a person fixes them."""


class SpApiRequestError(SpApiError):
    """Amazon refused the request itself (4xx): retrying the same request cannot help."""


class LwaTokenClient(AccessTokenClient):  # type: ignore[misc]
    """The library's LWA client with the token URL from settings and an honest token cache."""

    def __init__(
        self,
        refresh_token: str | None = None,
        credentials: Any = None,
        proxies: Any = None,
        verify: bool | ssl.SSLContext = True,
        *,
        token_url: str = DEFAULT_LWA_URL,
        timeout: float = 30.0,
    ) -> None:
        super().__init__(
            refresh_token=refresh_token, credentials=credentials, proxies=proxies, verify=verify
        )
        self._transport = HttpxTransport(client=httpx.Client(timeout=timeout, verify=verify))
        self.token_url = token_url
        self._token: dict[str, Any] | None = None
        self._expires_at = 0.0
        self.grants = 0

    def get_auth(self) -> AccessTokenResponse:
        now = time.monotonic()
        if self._token is None or now >= self._expires_at:
            token: dict[str, Any] = self._request(self.token_url, self.data, self.headers)
            lifetime = float(token.get("expires_in") or 3600)
            # Renew a little early so a token never expires between fetch and use.
            self._expires_at = now + max(lifetime - min(60.0, lifetime / 10), 0.0)
            self._token = token
            self.grants += 1
        return AccessTokenResponse(**self._token)

    def invalidate(self) -> None:
        self._token = None


def credentials_for(settings: Settings, vendor_code: str) -> dict[str, str]:
    spapi = settings.spapi
    refresh = spapi.refresh_tokens.get(vendor_code) or next(
        (v for k, v in spapi.refresh_tokens.items() if k.upper() == vendor_code.upper()), None
    )
    refresh = refresh or spapi.refresh_token
    missing = [
        name
        for name, value in (
            ("spapi.lwa_app_id (config.toml or RECOVERY_SPAPI__LWA_APP_ID)", spapi.lwa_app_id),
            ("RECOVERY_SPAPI__LWA_CLIENT_SECRET", spapi.lwa_client_secret),
            (
                f"RECOVERY_SPAPI__REFRESH_TOKEN (or RECOVERY_SPAPI__REFRESH_TOKENS__{vendor_code})",
                refresh,
            ),
        )
        if not value
    ]
    if missing:
        raise ConfigError(
            f"SP-API credentials for {vendor_code} are missing: set {', '.join(missing)}"
        )
    assert spapi.lwa_app_id and spapi.lwa_client_secret and refresh
    return {
        "lwa_app_id": spapi.lwa_app_id,
        "lwa_client_secret": spapi.lwa_client_secret.get_secret_value(),
        "refresh_token": refresh.get_secret_value(),
    }


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One certificate store for every client: loading it costs more than a request."""
    return httpx.create_ssl_context()


def _marketplace(code: str) -> Any:
    try:
        return Marketplaces[code.upper()]
    except KeyError:
        raise ConfigError(f"accounts: unknown Amazon marketplace {code!r}") from None


def _check_url(name: str, url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"spapi.{name}: not an http(s) URL: {url!r}")
    return url.rstrip("/")


@dataclass
class CallStats:
    requests: int = 0
    retries: int = 0
    throttled: int = 0
    server_errors: int = 0
    token_refreshes: int = 0
    throttle_wait: float = 0.0

    def copy(self) -> CallStats:
        return CallStats(**vars(self))

    def since(self, earlier: CallStats) -> CallStats:
        return CallStats(**{k: v - getattr(earlier, k) for k, v in vars(self).items()})


@dataclass
class ApiPage:
    payload: dict[str, Any]
    next_token: str | None


class _Probe:
    """Keeps the status and rate header of the last HTTP response (an httpx event hook)."""

    def __init__(self) -> None:
        self.status: int | None = None
        self.rate_limit: str | None = None

    def reset(self) -> None:
        self.status = None
        self.rate_limit = None

    def record(self, response: httpx.Response) -> None:
        self.status = response.status_code
        self.rate_limit = response.headers.get("x-amzn-RateLimit-Limit")


def _describe(exc: SellingApiException | None) -> str:
    if exc is None:
        return "no error body"
    errors = exc.error if isinstance(exc.error, list) else []
    parts = [
        " ".join(str(e.get(k) or "") for k in ("code", "message", "details")).strip()
        for e in errors
        if isinstance(e, dict)
    ]
    return "; ".join(p for p in parts if p) or "no error body"


class SpApiConnection:
    """The vendor APIs for one account: `call(operation, params)` returns one page."""

    def __init__(
        self,
        settings: Settings,
        account: AccountSettings,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.vendor_code = account.vendor_code
        self.stats = CallStats()
        self._sync = settings.sync
        self._sleep = sleep
        marketplace = _marketplace(account.marketplace)
        token_url = _check_url("lwa_token_url", settings.spapi.lwa_token_url or DEFAULT_LWA_URL)
        shared: list[LwaTokenClient] = []

        def token_client(**kwargs: Any) -> LwaTokenClient:
            # Both API clients of an account share one LWA client, so one access token.
            if not shared:
                shared.append(
                    LwaTokenClient(
                        **kwargs, token_url=token_url, timeout=self._sync.request_timeout
                    )
                )
            return shared[0]

        common: dict[str, Any] = {
            "credentials": credentials_for(settings, account.vendor_code),
            "credential_providers": (FromCodeCredentialProvider,),
            "auth_token_client_class": token_client,
            "timeout": self._sync.request_timeout,
            "verify": _tls_context(),
        }
        self._probe = _Probe()
        self._orders = self._wire(VendorOrders(marketplace, **common), settings)
        self._shipments = self._wire(VendorShipments(marketplace, **common), settings)
        self._methods: dict[str, tuple[Any, Callable[..., Any]]] = {
            "getPurchaseOrders": (self._orders, self._orders.get_purchase_orders),
            "getPurchaseOrdersStatus": (self._orders, self._orders.get_purchase_orders_status),
            "getShipmentDetails": (self._shipments, self._shipments.get_shipment_details),
        }
        self.buckets = {
            operation: TokenBucket(
                self._sync.rate or rate, self._sync.burst or burst, sleep=self._sleep
            )
            for operation, (rate, burst) in PUBLISHED_RATES.items()
        }

    def _wire(self, client: Any, settings: Settings) -> Any:
        if settings.spapi.endpoint:
            client.endpoint = _check_url("endpoint", settings.spapi.endpoint)
        client._transport.close()
        client._transport = HttpxTransport(
            client=httpx.Client(
                verify=_tls_context(),
                timeout=self._sync.request_timeout,
                event_hooks={"response": [self._probe.record]},
            )
        )
        return client

    def close(self) -> None:
        for client in (self._orders, self._shipments):
            client.close()

    def call(self, operation: str, params: dict[str, str]) -> ApiPage:
        """One page of `operation`, retried through throttling and transient failures."""
        retrying = Retrying(
            stop=stop_after_attempt(self._sync.max_attempts),
            wait=wait_exponential(multiplier=self._sync.backoff_initial, max=self._sync.backoff_max)
            + wait_random(0, self._sync.backoff_jitter),
            retry=retry_if_exception_type(SpApiTransientError),
            sleep=self._sleep,
            before_sleep=self._note_retry,
            reraise=True,
        )
        page: ApiPage = retrying(self._once, operation, params)
        return page

    def _note_retry(self, state: RetryCallState) -> None:
        self.stats.retries += 1

    def _once(self, operation: str, params: dict[str, str]) -> ApiPage:
        client, method = self._methods[operation]
        bucket = self.buckets[operation]
        refreshed = False
        while True:
            self.stats.throttle_wait += bucket.acquire()
            self._probe.reset()
            self.stats.requests += 1
            error: SellingApiException | None = None
            response: Any = None
            try:
                response = method(**params)
            except AuthorizationError as exc:
                if isinstance(exc.status_code, int) and exc.status_code >= 500:
                    raise SpApiTransientError(exc.status_code, f"LWA: {exc.message}") from exc
                raise SpApiAuthError(
                    f"Login with Amazon refused the credentials for {self.vendor_code}: "
                    f"{exc.error_code} (HTTP {exc.status_code}) {exc.message or ''}".strip()
                ) from exc
            except SellingApiException as exc:
                error = exc
            except (httpx.TransportError, json.JSONDecodeError) as exc:
                raise SpApiTransientError(None, f"{operation}: {exc!r}") from exc
            self._adopt_rate(bucket)
            status = self._probe.status or (error.code if error is not None else 200)
            if error is None and 200 <= status < 300:
                payload = response.payload if isinstance(response.payload, dict) else {}
                return ApiPage(payload, response.next_token)
            detail = _describe(error)
            token_refused = getattr(error, "amzn_code", None) in _TOKEN_REFUSALS
            if status == 403 and token_refused and not refreshed:
                # Expired or revoked access token: fetch a new one once, then give up.
                client._auth.invalidate()
                refreshed = True
                self.stats.token_refreshes += 1
                continue
            if status == 429:
                bucket.drain()
                self.stats.throttled += 1
                raise SpApiTransientError(429, f"{operation} throttled (429): {detail}")
            if status >= 500:
                self.stats.server_errors += 1
                raise SpApiTransientError(status, f"{operation} failed (HTTP {status}): {detail}")
            if status == 403:
                raise SpApiAuthError(f"{operation} access denied (HTTP 403): {detail}")
            raise SpApiRequestError(f"{operation} refused (HTTP {status}): {detail}")

    def _adopt_rate(self, bucket: TokenBucket) -> None:
        if not self._probe.rate_limit:
            return
        try:
            rate = float(self._probe.rate_limit)
        except ValueError:
            return
        if rate > 0 and rate != bucket.rate:
            bucket.set_rate(rate)
