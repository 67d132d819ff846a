"""Sign-in as Vendor Central does it: e-mail and password, then a one-time code.

Sessions expire; five wrong codes in a row lock the account for a while; a client that loads
pages faster than a person could (or signs in too often) gets the "requests throttled" page.
Times here are real (monotonic) seconds, not the portal's business clock.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field

import pyotp

from recovery.sources.throttle import TokenBucket

DEFAULT_EMAIL = "vendor@brightwell.example"
DEFAULT_PASSWORD = "fake-vc-password"
# A fixed base32 secret so a person can add it to an authenticator app for the demo.
DEFAULT_TOTP_SECRET = "JBSWY3DPEHPK3PXPBRWHLFAKEVC2TOTP"

WRONG_CODES_BEFORE_LOCK = 5


@dataclass
class AuthSettings:
    email: str = DEFAULT_EMAIL
    password: str = DEFAULT_PASSWORD
    totp_secret: str = DEFAULT_TOTP_SECRET
    session_seconds: float = 3600.0
    lockout_seconds: float = 900.0
    # Page loads: a person manages a few a second at most; the bucket refills at `page_rate`.
    page_rate: float = 10.0
    page_burst: int = 60
    # Sign-ins (password accepted) within `signin_window` seconds before the page throttles.
    signins_per_window: int = 6
    signin_window: float = 60.0


@dataclass
class _Session:
    expires: float
    email: str


@dataclass
class Auth:
    settings: AuthSettings = field(default_factory=AuthSettings)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._sessions: dict[str, _Session] = {}
        self._pending: dict[str, float] = {}  # password accepted, code not yet
        self._wrong_codes = 0
        self._locked_until = 0.0
        self._signins: list[float] = []
        self._pages = TokenBucket(self.settings.page_rate, self.settings.page_burst)

    @property
    def totp(self) -> pyotp.TOTP:
        return pyotp.TOTP(self.settings.totp_secret)

    def locked(self) -> bool:
        return time.monotonic() < self._locked_until

    def check_password(self, email: str, password: str) -> str | None:
        """A token for the code step when e-mail and password are right."""
        ok = secrets.compare_digest(email.strip().lower(), self.settings.email.lower())
        ok = secrets.compare_digest(password, self.settings.password) and ok
        if not ok:
            return None
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._pending[token] = time.monotonic() + 600
            self._signins.append(time.monotonic())
        return token

    def signing_in_too_often(self) -> bool:
        cutoff = time.monotonic() - self.settings.signin_window
        with self._lock:
            self._signins = [t for t in self._signins if t > cutoff]
            return len(self._signins) > self.settings.signins_per_window

    def pending(self, token: str | None) -> bool:
        return token is not None and self._pending.get(token, 0.0) > time.monotonic()

    def check_code(self, token: str | None, code: str) -> str | None:
        """A session id when the one-time code is right; five wrong ones lock the account."""
        with self._lock:
            if not self.pending(token) or self.locked():
                return None
            if self.totp.verify(code.strip(), valid_window=1):
                self._wrong_codes = 0
                assert token is not None
                del self._pending[token]
                session = secrets.token_urlsafe(32)
                self._sessions[session] = _Session(
                    time.monotonic() + self.settings.session_seconds, self.settings.email
                )
                return session
            self._wrong_codes += 1
            if self._wrong_codes >= WRONG_CODES_BEFORE_LOCK:
                self._locked_until = time.monotonic() + self.settings.lockout_seconds
                self._wrong_codes = 0
                self._pending.clear()
            return None

    def valid(self, session: str | None) -> bool:
        if session is None:
            return False
        found = self._sessions.get(session)
        return found is not None and found.expires > time.monotonic()

    def end(self, session: str | None) -> None:
        if session is not None:
            self._sessions.pop(session, None)

    def expire_all(self) -> None:
        with self._lock:
            for found in self._sessions.values():
                found.expires = 0.0

    def unlock(self) -> None:
        with self._lock:
            self._locked_until = 0.0
            self._wrong_codes = 0

    def page_allowed(self) -> bool:
        return self._pages.try_acquire()

    def reset_pages(self, rate: float | None = None, burst: int | None = None) -> None:
        if rate is not None:
            self.settings.page_rate = rate
        if burst is not None:
            self.settings.page_burst = burst
        self._pages = TokenBucket(self.settings.page_rate, self.settings.page_burst)
