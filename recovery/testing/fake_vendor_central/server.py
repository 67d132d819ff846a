"""`FakeVendorCentral`: the fake portal on a loopback port, in a thread or in the foreground."""

from __future__ import annotations

import socket
import threading
import time
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn

from recovery.testing.fake_vendor_central.app import EventListener, PortalApp
from recovery.testing.fake_vendor_central.auth import Auth, AuthSettings
from recovery.testing.fake_vendor_central.faults import Faults
from recovery.testing.fake_vendor_central.model import Dispute
from recovery.testing.fake_vendor_central.portal import Portal
from recovery.testing.fake_vendor_central.rules import Odds, Windows
from recovery.testing.fake_vendor_central.scenario_source import PortalData, load_portal_data
from recovery.testing.fake_vendor_central.support_cases import SupportCase


class FakeVendorCentral:
    """Build from a scenario directory, then `with fake:` (or `start()`) serves it on a free
    loopback port; `advance(days)`, `faults` and `disputes` are the same controls as the HTTP
    ones under `/_fake/`."""

    def __init__(
        self,
        scenario: Path | str | PortalData,
        *,
        auth: AuthSettings | None = None,
        windows: Windows | None = None,
        odds: Odds | None = None,
        faults: Faults | None = None,
        today: date | None = None,
        on_event: EventListener | None = None,
    ) -> None:
        data = scenario if isinstance(scenario, PortalData) else load_portal_data(Path(scenario))
        self.portal = Portal(data, windows=windows, odds=odds, today=today)
        self.auth = Auth(auth or AuthSettings())
        self.faults = faults or Faults()
        self.ui = PortalApp(self.portal, self.auth, self.faults, on_event)
        self.app = self.ui.app
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._port: int | None = None

    # -- controls --------------------------------------------------------------------------

    @property
    def today(self) -> date:
        return self.portal.today

    def advance(self, days: int) -> date:
        """Move the portal's clock on; disputes whose review ended are decided."""
        return self.portal.advance(days)

    @property
    def on_event(self) -> EventListener | None:
        """Called with "form", "stored" or "confirmation" as a filer reaches each (see
        `app.EventListener`); None: nobody listens."""
        return self.ui.on_event

    @on_event.setter
    def on_event(self, listener: EventListener | None) -> None:
        self.ui.on_event = listener

    def set_faults(self, **changes: Any) -> Faults:
        self.faults.update(changes)
        return self.faults

    def save_state(self, path: Path) -> None:
        """The clock, drafts, disputes and credits, for `load_state` in a later run."""
        partial = path.with_name(path.name + ".part")
        partial.write_bytes(self.portal.state())
        partial.replace(path)

    def load_state(self, path: Path) -> None:
        self.portal.restore(path.read_bytes())

    @property
    def disputes(self) -> list[Dispute]:
        with self.portal.lock:
            self.portal.settle()
            return sorted(self.portal.disputes.values(), key=lambda d: d.id)

    @property
    def cases(self) -> list[SupportCase]:
        """Every Contact Us case sent, oldest first."""
        with self.portal.lock:
            return sorted(self.portal.cases.values(), key=lambda c: c.id)

    def totp_now(self) -> str:
        """The one-time code an authenticator app would show now."""
        return self.auth.totp.now()

    # -- server ----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        if self._port is None:
            raise RuntimeError("the fake Vendor Central is not running")
        return f"http://127.0.0.1:{self._port}"

    def _socket(self, port: int) -> socket.socket:
        """A loopback socket already listening: a client that connects before the server
        loop starts waits in the backlog instead of being refused."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen(128)
        self._port = sock.getsockname()[1]
        return sock

    def listen(self, port: int) -> socket.socket:
        """Bind and listen on `port` (0: a free one) for `serve_forever`."""
        return self._socket(port)

    def _uvicorn(self) -> uvicorn.Server:
        config = uvicorn.Config(
            self.app, log_level="warning", access_log=False, lifespan="off", timeout_keep_alive=30
        )
        return uvicorn.Server(config)

    def start(self, port: int = 0) -> FakeVendorCentral:
        """Run in a background thread on `port` (0: any free port); returns once it listens."""
        sock = self._socket(port)
        self._server = self._uvicorn()
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="fake-vc", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the fake Vendor Central did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = None
        self._thread = None

    def serve_forever(self, sock: socket.socket) -> None:
        """Run in this thread on a socket from `listen` until interrupted (the `recovery
        testing fake-vc` command)."""
        self._uvicorn().run(sockets=[sock])

    def __enter__(self) -> FakeVendorCentral:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
