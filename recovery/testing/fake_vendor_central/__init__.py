"""A fake Vendor Central: sign-in with a one-time code, payments, invoices, co-op, chargebacks
and Dispute Management as DOMAIN.md describes them, serving a generated scenario and judging
disputes from its answer key on a clock tests control. See docs/fake-vendor-central.md."""

from recovery.testing.fake_vendor_central.auth import (
    DEFAULT_EMAIL,
    DEFAULT_PASSWORD,
    DEFAULT_TOTP_SECRET,
    AuthSettings,
)
from recovery.testing.fake_vendor_central.faults import Faults
from recovery.testing.fake_vendor_central.model import Dispute, DisputeType, Outcome, Status
from recovery.testing.fake_vendor_central.rules import Odds, Windows
from recovery.testing.fake_vendor_central.server import FakeVendorCentral

__all__ = [
    "DEFAULT_EMAIL",
    "DEFAULT_PASSWORD",
    "DEFAULT_TOTP_SECRET",
    "AuthSettings",
    "Dispute",
    "DisputeType",
    "FakeVendorCentral",
    "Faults",
    "Odds",
    "Outcome",
    "Status",
    "Windows",
]
