"""`recovery testing fake-spapi`: serve a scenario's SP-API data on a loopback port."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from recovery.testing.fake_spapi import DEFAULT_BURST, DEFAULT_RATE, FakeSpApi, Faults
from recovery.testing.fake_spapi_data import load_scenario


def fake_spapi(
    port: Annotated[int, typer.Option("--port", help="Loopback port to listen on.")],
    scenario: Annotated[
        Path,
        typer.Option("--scenario", help="Scenario directory (written by `testing scenario`)."),
    ],
    rate: Annotated[
        float, typer.Option("--rate", help="Requests per second per operation.")
    ] = DEFAULT_RATE,
    burst: Annotated[int, typer.Option("--burst", help="Bucket size per operation.")] = (
        DEFAULT_BURST
    ),
    token_ttl: Annotated[
        float, typer.Option("--token-ttl", help="Seconds an access token lasts.")
    ] = 3600.0,
    error_rate: Annotated[
        float, typer.Option("--error-rate", help="Share of requests answered 503.")
    ] = 0.0,
    storm_every: Annotated[
        float, typer.Option("--storm-every", help="Seconds between 429 storms (0: none).")
    ] = 0.0,
    storm_seconds: Annotated[
        float, typer.Option("--storm-seconds", help="Length of each 429 storm.")
    ] = 0.0,
) -> None:
    """Run the fake SP-API until interrupted; point spapi.endpoint and spapi.lwa_token_url here.

    It accepts any LWA client id, secret and refresh token, as a sandbox would.
    """
    dataset = load_scenario(scenario)
    fake = FakeSpApi(
        dataset,
        rate=rate,
        burst=burst,
        token_ttl=token_ttl,
        faults=Faults(error_rate=error_rate, storm_every=storm_every, storm_seconds=storm_seconds),
    )
    url = f"http://127.0.0.1:{port}"
    typer.echo(
        f"fake SP-API on {url} ({len(dataset.orders)} POs, {len(dataset.statuses)} statuses, "
        f"{len(dataset.shipments)} shipments; {rate:g}/s burst {burst})"
    )
    typer.echo(f"  spapi.endpoint = {url!r}, spapi.lwa_token_url = {url + '/auth/o2/token'!r}")
    # Scripts wait for these lines; do not leave them in a pipe's buffer while serving.
    sys.stdout.flush()
    fake.serve_forever(port)
