"""What tests and benchmarks of the background service share: a clock they move by hand, and
the settings that point the portal jobs at a fake Vendor Central."""

from __future__ import annotations

from datetime import datetime

from pydantic import SecretStr

from recovery.config import VendorCentralSettings
from recovery.testing.fake_vendor_central import (
    DEFAULT_EMAIL,
    DEFAULT_PASSWORD,
    DEFAULT_TOTP_SECRET,
)


class FakeClock:
    """`Runtime(clock=...)`: the service's now, moved on by the test."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def fake_portal_settings(url: str) -> VendorCentralSettings:
    """The fake's default user, no pacing, quick backoff, and unfinished filing attempts taken
    over at once (a restarted process is the only filer)."""
    return VendorCentralSettings(
        url=url,
        username=DEFAULT_EMAIL,
        password=SecretStr(DEFAULT_PASSWORD),
        totp_secret=SecretStr(DEFAULT_TOTP_SECRET),
        pace_seconds=0.0,
        throttle_backoff_seconds=0.3,
        timeout_ms=15_000,
        filing_lease_seconds=0,
    )
