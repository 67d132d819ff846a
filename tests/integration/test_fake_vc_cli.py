"""`recovery testing fake-vc`: serves a scenario until stopped; bad input is one line."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from datetime import date
from pathlib import Path

import httpx
import pyotp
import pytest

from recovery.cli.app import main
from recovery.testing.scenario import generate_scenario


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fake-vc-cli")
    generate_scenario(out, seed=2, size="tiny", today=date(2026, 11, 30), xlsx=False, pdfs=False)
    return out


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_the_command_serves_the_scenario_with_the_user_it_was_given(scenario: Path) -> None:
    port = _free_port()
    secret = pyotp.random_base32()
    command = [
        sys.executable,
        "-c",
        "from recovery.cli.app import main; main()",
        "testing",
        "fake-vc",
        "--scenario",
        str(scenario),
        "--port",
        str(port),
        "--email",
        "ap@example.com",
        "--password",
        "s3cret",
        "--totp-secret",
        secret,
    ]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith(f"fake Vendor Central on http://127.0.0.1:{port}"), first
        assert "ap@example.com / s3cret" in process.stdout.readline()
        process.stdout.readline()
        url = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=url, follow_redirects=True) as client:
            form = {
                "email": "ap@example.com",
                "password": "s3cret",
                "openid.return_to": "/hz/vendor/members/disputes",
            }
            assert client.post("/ap/signin", data=form).url.path == "/ap/mfa"
            answer = client.post(
                "/ap/mfa",
                data={
                    "otpCode": pyotp.TOTP(secret).now(),
                    "openid.return_to": "/hz/vendor/members/disputes",
                },
            )
            assert answer.url.path == "/hz/vendor/members/disputes"
            assert "Dispute Management" in answer.text
            assert client.post("/_fake/clock", json={"days": 3}).json() == {"today": "2026-12-03"}
            assert client.get("/_fake/disputes").json() == []
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)


def test_a_missing_scenario_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["testing", "fake-vc", "--scenario", str(tmp_path / "nope"), "--port", "1"])
    assert exit_info.value.code == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "scenario.json" in err


def test_a_bad_totp_secret_is_a_usage_error(scenario: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(
            [
                "testing",
                "fake-vc",
                "--scenario",
                str(scenario),
                "--port",
                "1",
                "--totp-secret",
                "not base32!",
            ]
        )
    assert exit_info.value.code == 2
