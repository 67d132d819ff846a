"""`recovery sync` as a user runs it: config file, secrets in the environment, exit codes."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_runner import Cli
from spapi_fixtures import APP_ID, CLIENT_SECRET, REFRESH_TOKEN, VENDOR, dataset, fake_for
from sqlalchemy import func
from sqlmodel import Session, select

from recovery.models import PurchaseOrder, Shipment
from recovery.store import db
from recovery.testing.fake_spapi import FakeSpApi, Faults

DATA = dataset(120, days=30)


@pytest.fixture
def fake() -> Iterator[FakeSpApi]:
    with fake_for(copy.deepcopy(DATA)) as running:
        yield running


@pytest.fixture
def config(tmp_path: Path, db_url: str, fake: FakeSpApi, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f"""
database_url = "{db_url}"

[[accounts]]
vendor_code = "{VENDOR}"

[spapi]
endpoint = "{fake.url}"
lwa_token_url = "{fake.lwa_url}"
lwa_app_id = "{APP_ID}"

[sync]
max_attempts = 2
backoff_initial = 0.01
backoff_max = 0.02
""",
        encoding="utf-8",
    )
    monkeypatch.setenv("RECOVERY_SPAPI__LWA_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("RECOVERY_SPAPI__REFRESH_TOKENS__ABCDE", REFRESH_TOKEN)
    return path


def test_sync_pulls_everything_and_prints_a_summary(config: Path, db_url: str, cli: Cli) -> None:
    code, out, err = cli(["--config", str(config), "sync", "--from", "2026-04-20"])
    assert code == 0, err
    assert "SP-API sync" in out
    for feed in ("orders", "status", "shipments"):
        assert feed in out
    engine = db.make_engine(db_url)
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(PurchaseOrder)).one() == 120
        shipments = session.exec(select(func.count()).select_from(Shipment)).one()
        assert shipments == len(DATA.shipments)
    engine.dispose()


def test_bad_arguments_are_usage_or_one_line_errors(config: Path, cli: Cli) -> None:
    code, _, err = cli(["--config", str(config), "sync", "--feeds", "orders,invoices"])
    assert code == 2 and "invoices" in err
    code, _, err = cli(["--config", str(config), "sync", "--account", "NOPE"])
    assert code == 1 and "not a configured vendor account" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_a_failed_window_is_named_and_exits_1(config: Path, fake: FakeSpApi, cli: Cli) -> None:
    fake.faults = Faults(error_rate=1.0)
    code, out, err = cli(
        ["--config", str(config), "sync", "--from", "2026-05-01", "--feeds", "shipments"]
    )
    assert code == 1
    assert "shipments window 2026-05-01T00:00:00Z.." in err and "503" in err
    assert "run `recovery sync` again" in err and "Traceback" not in err
    assert "FAILED" in out and "failed ABCDE: shipments window 2026-05-01" in out


def test_vendor_central_without_its_secrets_names_them_in_one_line(
    config: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("PASSWORD", "TOTP_SECRET", "USERNAME"):
        monkeypatch.delenv(f"RECOVERY_VENDOR_CENTRAL__{name}", raising=False)
    with config.open("a", encoding="utf-8") as handle:
        handle.write('\n[vendor_central]\nurl = "http://127.0.0.1:9"\nusername = "a@b.example"\n')
    code, _, err = cli(["--config", str(config), "sync", "--source", "vendor-central"])
    assert code == 1
    assert "RECOVERY_VENDOR_CENTRAL__PASSWORD, RECOVERY_VENDOR_CENTRAL__TOTP_SECRET" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    code, _, err = cli(["--config", str(config), "sync", "--source", "ftp"])
    assert code == 2 and "ftp" in err
