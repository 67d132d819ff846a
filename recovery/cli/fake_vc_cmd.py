"""`recovery testing fake-vc`: serve a scenario as a fake Vendor Central on a loopback port."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from recovery.testing.fake_vendor_central import (
    DEFAULT_EMAIL,
    DEFAULT_PASSWORD,
    DEFAULT_TOTP_SECRET,
    AuthSettings,
    FakeVendorCentral,
)


def fake_vc(
    port: Annotated[int, typer.Option("--port", help="Loopback port to listen on.")],
    scenario: Annotated[
        Path,
        typer.Option("--scenario", help="Scenario directory (written by `testing scenario`)."),
    ],
    email: Annotated[str, typer.Option("--email", help="The vendor user's e-mail.")] = (
        DEFAULT_EMAIL
    ),
    password: Annotated[str, typer.Option("--password", help="The vendor user's password.")] = (
        DEFAULT_PASSWORD
    ),
    totp_secret: Annotated[
        str, typer.Option("--totp-secret", help="Base32 secret of the one-time codes.")
    ] = DEFAULT_TOTP_SECRET,
    session_minutes: Annotated[
        float, typer.Option("--session-minutes", min=0.1, help="Minutes a session lasts.")
    ] = 60.0,
) -> None:
    """Run the fake Vendor Central until interrupted: sign-in with a one-time code, exports,
    dispute forms, and decisions on a clock (`POST /_fake/clock {"days": N}`)."""
    import pyotp

    try:
        pyotp.TOTP(totp_secret).now()
    except Exception as exc:  # pyotp raises binascii.Error or ValueError for a bad secret
        raise typer.BadParameter(
            f"not a base32 secret ({exc})", param_hint="--totp-secret"
        ) from exc
    settings = AuthSettings(
        email=email,
        password=password,
        totp_secret=totp_secret,
        session_seconds=session_minutes * 60,
    )
    fake = FakeVendorCentral(scenario, auth=settings)
    # Listening before the lines are printed: a script that reads them may connect at once.
    sock = fake.listen(port)
    url = fake.url
    data = fake.portal.data
    typer.echo(
        f"fake Vendor Central on {url} ({data.vendor_code}, today {fake.today.isoformat()}; "
        f"{len(data.invoices)} invoice lines, {len(data.chargebacks)} chargebacks, "
        f"{len(data.coop_invoices)} co-op invoices)"
    )
    typer.echo(f"  sign in as {email} / {password}, one-time codes from secret {totp_secret}")
    typer.echo(f"  control API: {url}/_fake/disputes, {url}/_fake/clock, {url}/_fake/faults")
    # Scripts wait for these lines; do not leave them in a pipe's buffer while serving.
    sys.stdout.flush()
    fake.serve_forever(sock)
