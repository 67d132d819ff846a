"""One signed-in browser session on Vendor Central.

The browser state (cookies) is written with 0600 permissions after every sign-in and at the
end, so the next run starts signed in; it is a credential as good as the password for as long
as the session lasts. Page loads keep a person's pace; the "Requests throttled" page is waited
out with a doubling backoff. Any error keeps the page's screenshot and HTML under
`<data_dir>/portal/errors/`, named in the error's message.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import pyotp
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from recovery.config import Settings, VendorCentralSettings
from recovery.errors import RecoveryError

MEMBERS = "/hz/vendor/members"
# The flags of the Chromium recipe: no sandbox in containers, nothing reaching for the network.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
STATE_FILE = "browser-state.json"


class PortalError(RecoveryError):
    """Vendor Central did not do what the step needed; the page was kept for a person."""


class PortalCredentialsMissing(PortalError):
    pass


class SignInRefused(PortalError):
    """Wrong password or code, or the account is locked: retrying would only lock it longer."""


class FormInterrupted(PortalError):
    """The session expired or the portal throttled us in the middle of a form: the form is
    lost and must be filled again (after checking that nothing was submitted)."""


def chromium_executable(vc: VendorCentralSettings) -> Path:
    """Headless, the headless shell when installed (the full browser's windowing, compositing
    and UI cost CPU on every page and show nothing); otherwise `chromium_path`."""
    if vc.headless and vc.headless_shell_path.is_file():
        return vc.headless_shell_path
    return vc.chromium_path


def write_private(path: Path, text: str) -> None:
    """Write `text` readable by this user only, atomically (never a half-written state)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # A partial file of its own per thread: parallel filing contexts save the state together.
    partial = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.part")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(partial, 0o600)  # an older file of that name may have had wider permissions
    os.replace(partial, path)


class PortalSession:
    """`with PortalSession(settings) as portal: portal.open("/disputes")`."""

    def __init__(
        self,
        settings: Settings,
        *,
        browser: Browser | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.vc: VendorCentralSettings = settings.vendor_central
        self.directory = settings.portal_dir
        self.state_path = self.directory / STATE_FILE
        self.sleep = sleep
        self.pages_loaded = 0
        self._last_load = 0.0
        self._driver: Playwright | None = None
        # A browser handed in (tests, parallel contexts) is shared: only our context is closed.
        self._shared_browser = browser
        self._browser: Browser | None = browser
        self._context: BrowserContext | None = None
        self._page: Page | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> PortalSession:
        if self._shared_browser is None:
            self._driver = sync_playwright().start()
        try:
            if self._driver is not None:
                self._browser = self._driver.chromium.launch(
                    executable_path=str(chromium_executable(self.vc)),
                    args=list(CHROMIUM_ARGS),
                    headless=self.vc.headless,
                )
            assert self._browser is not None
            state = str(self.state_path) if self.state_path.exists() else None
            self._context = self._browser.new_context(
                storage_state=state, viewport={"width": 1280, "height": 900}
            )
            self._context.set_default_timeout(self.vc.timeout_ms)
            self._page = self._context.new_page()
        except PlaywrightError as exc:
            self._stop_driver()
            first_line = (
                str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            )
            raise PortalError(
                f"cannot start Chromium at {chromium_executable(self.vc)}: {first_line}"
            ) from exc
        except BaseException:
            self._stop_driver()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        try:
            if self._context is not None:
                self.save_state()
                self._context.close()
            if self._browser is not None and self._shared_browser is None:
                self._browser.close()
        finally:
            self._stop_driver()

    def _stop_driver(self) -> None:
        if self._driver is not None:
            self._driver.stop()
            self._driver = None

    @property
    def page(self) -> Page:
        assert self._page is not None, "use PortalSession in a with block"
        return self._page

    def save_state(self) -> None:
        assert self._context is not None
        write_private(self.state_path, json.dumps(self._context.storage_state()))

    # -- navigation ------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return self.vc.url.rstrip("/") + MEMBERS + path

    def open(self, path: str) -> Page:
        """Load a members' page, signing in and waiting out throttling as needed."""
        for _ in range(3):
            if self._paced(lambda: self.page.goto(self.url(path))) or not self.on_sign_in():
                return self.page
            # Sign-in returns to the page it interrupted.
            self.sign_in()
            if not self.on_sign_in():
                return self.page
        raise self.kept_error("sign-in", f"{path}: still on the sign-in page after signing in")

    def act(self, action: Callable[[], Any]) -> None:
        """A click that loads a page in the middle of a form: throttling or an expired session
        lose the form, so they interrupt it (the caller fills it again)."""
        if not self._paced(action, retry=False) and self.on_sign_in():
            self.sign_in()
            raise FormInterrupted("the session expired in the middle of the form")

    def _paced(self, load: Callable[[], Any], *, retry: bool | None = True) -> bool:
        """`load` at a person's pace. On the throttling page: `retry` loads it again after a
        wait; False raises `FormInterrupted` after the wait; None leaves the page to the caller.
        True when the page is neither the throttling page nor a sign-in page."""
        backoff = self.vc.throttle_backoff_seconds
        for attempt in range(self.vc.throttle_retries + 1):
            self.wait_turn()
            try:
                load()
                # A click returns once the next page is committed, before it is parsed: read
                # then, a sign-in or throttling page still looks like "not sign-in, not
                # throttled" and the form's next field is waited for on the wrong page.
                self.page.wait_for_load_state("load")
            except PlaywrightError as exc:
                # A timeout or a lost connection: what the page showed is kept for a person.
                first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
                raise self.kept_error("browser", first_line or type(exc).__name__) from exc
            if retry is None:
                return False
            # One question to the page in the usual case (a page of the portal), three only
            # when it is the throttling or a sign-in page.
            if self._plain_page():
                return True
            if not self.throttled():
                return False
            if attempt < self.vc.throttle_retries and not retry:
                # The form posted into the throttling page is lost: wait, then fill it again.
                self.sleep(backoff)
                raise FormInterrupted("Vendor Central throttled the form's page")
            if attempt < self.vc.throttle_retries:
                self.sleep(backoff)
                backoff *= 2
        raise self.kept_error(
            "throttled", f"still throttled after {self.vc.throttle_retries} waits"
        )

    def _plain_page(self) -> bool:
        """Neither the throttling page nor a sign-in page: `throttled()` and `on_sign_in()`
        both False, asked at once."""
        page = self.page
        interruption = (
            page.get_by_role("heading", name="Requests throttled")
            .or_(page.get_by_label("Password", exact=True))
            .or_(page.get_by_label("Enter OTP"))
        )
        return interruption.count() == 0

    def wait_turn(self) -> None:
        """Keep a person's pace before the next request to the portal, and count it."""
        wait = self._last_load + self.vc.pace_seconds - time.monotonic()
        if wait > 0:
            self.sleep(wait)
        self._last_load = time.monotonic()
        self.pages_loaded += 1

    def throttled(self) -> bool:
        return self.page.get_by_role("heading", name="Requests throttled").count() > 0

    def on_sign_in(self) -> bool:
        return (
            self.page.get_by_label("Password", exact=True).count() > 0
            or self.page.get_by_label("Enter OTP").count() > 0
        )

    # -- sign-in ---------------------------------------------------------------------------

    def sign_in(self) -> None:
        """Password, then the one-time code. A sign-in answered with the throttling page has
        lost its form: wait (doubling), reload the sign-in page and fill it again."""
        credentials = self._credentials()
        start = self.page.url
        backoff = self.vc.throttle_backoff_seconds
        for attempt in range(self.vc.throttle_retries + 1):
            if self._signed_in(*credentials):
                self.save_state()
                return
            if attempt < self.vc.throttle_retries:
                self.sleep(backoff)
                backoff *= 2
                self._paced(lambda: self.page.goto(start))
        raise self.kept_error(
            "throttled", f"sign-in still throttled after {self.vc.throttle_retries} waits"
        )

    def _signed_in(self, username: str, password: str, secret: str) -> bool:
        """One pass through the sign-in pages; False when a step was throttled."""
        page = self.page
        if page.get_by_label("Password", exact=True).count():
            page.get_by_label("Email").fill(username)
            page.get_by_label("Password", exact=True).fill(password)
            self._paced(lambda: page.get_by_role("button", name="Sign in").click(), retry=None)
            if self.throttled():
                return False
            self._refused_sign_in("password")
        if page.get_by_label("Enter OTP").count():
            page.get_by_label("Enter OTP").fill(pyotp.TOTP(secret).now())
            self._paced(lambda: page.get_by_role("button", name="Sign in").click(), retry=None)
            if self.throttled():
                return False
            self._refused_sign_in("one-time code")
        return True

    def _refused_sign_in(self, step: str) -> None:
        alert = self.page.get_by_role("alert")
        if alert.count() and self.on_sign_in():
            message = alert.first.inner_text().strip()
            raise self.kept_error(
                "sign-in", f"sign-in refused at the {step}: {message}", SignInRefused
            )

    def _credentials(self) -> tuple[str, str, str]:
        missing = [
            name
            for name, value in (
                ("vendor_central.username", self.vc.username),
                ("RECOVERY_VENDOR_CENTRAL__PASSWORD", self.vc.password),
                ("RECOVERY_VENDOR_CENTRAL__TOTP_SECRET", self.vc.totp_secret),
            )
            if not value
        ]
        if missing:
            raise PortalCredentialsMissing(
                "Vendor Central asks for a sign-in; set " + ", ".join(missing)
            )
        assert self.vc.username and self.vc.password and self.vc.totp_secret
        return (
            self.vc.username,
            self.vc.password.get_secret_value(),
            self.vc.totp_secret.get_secret_value(),
        )

    # -- what a person needs to see ----------------------------------------------------------

    def keep_page(self, name: str, folder: str = "errors") -> tuple[Path, Path]:
        """Screenshot and HTML of the current page, named by time and `name`."""
        directory = self.directory / folder
        directory.mkdir(parents=True, exist_ok=True)
        stem = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ") + "-" + re.sub(r"\W+", "-", name)
        png, html = directory / f"{stem}.png", directory / f"{stem}.html"
        try:
            # The whole page; a page that fits the viewport is taken as it is shown, which
            # spares Chromium the resize a full-page capture makes.
            taller = self.page.evaluate("document.documentElement.scrollHeight > innerHeight")
            self.page.screenshot(path=str(png), full_page=bool(taller))
            html.write_text(self.page.content(), encoding="utf-8")
        except PlaywrightError:
            pass  # the browser itself is gone; the error message still names the step
        return png, html

    def kept_error(
        self, name: str, message: str, kind: type[PortalError] = PortalError
    ) -> PortalError:
        png, html = self.keep_page(name)
        return kind(f"Vendor Central: {message} (page kept: {png}, {html})")

    def alert_text(self) -> str | None:
        alert = self.page.get_by_role("alert")
        return alert.first.inner_text().strip() if alert.count() else None
