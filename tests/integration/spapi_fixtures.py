"""Helpers for tests that run the sync against the fake SP-API: datasets, settings, schemas."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator, FormatChecker
from pydantic import SecretStr

from recovery.config import AccountSettings, Settings, SpApiSettings, SyncSettings
from recovery.testing.fake_spapi import FakeSpApi
from recovery.testing.fake_spapi_data import SpApiDataset, synthetic_dataset

MODELS = Path(__file__).resolve().parents[1] / "data" / "spapi-models"
VENDOR = "ABCDE"
# Fixed so that windows, cursors and "now" are the same on every run.
END = datetime(2026, 6, 1, tzinfo=UTC)

APP_ID = "amzn1.application-oa2-client.test"
CLIENT_SECRET = "client-secret"
REFRESH_TOKEN = "Atzr|refresh-token"


def dataset(orders: int, *, days: int = 60, seed: int = 7) -> SpApiDataset:
    return synthetic_dataset(orders, vendor_code=VENDOR, end=END, days=days, seed=seed)


def fake_for(data: SpApiDataset, *, rate: float = 1000.0, burst: int = 1000) -> FakeSpApi:
    """A fake that knows our credentials, so wrong ones are refused as Amazon would."""
    return FakeSpApi(
        data,
        rate=rate,
        burst=burst,
        client_id=APP_ID,
        client_secret=CLIENT_SECRET,
        refresh_tokens={REFRESH_TOKEN},
        now=END,
    )


def sync_settings(
    base: Settings, fake: FakeSpApi, *, days: int = 70, vendor: str = VENDOR, **sync: Any
) -> Settings:
    """`base` (a test database) pointed at `fake`, with fast retries for a quick suite."""
    options: dict[str, Any] = {
        "initial_days": days,
        "backoff_initial": 0.01,
        "backoff_max": 0.05,
        "backoff_jitter": 0.01,
        "request_timeout": 10.0,
    }
    options.update(sync)
    return base.model_copy(
        update={
            "accounts": [AccountSettings(vendor_code=vendor, name="Test Brand")],
            "spapi": SpApiSettings(
                endpoint=fake.url,
                lwa_token_url=fake.lwa_url,
                lwa_app_id=APP_ID,
                lwa_client_secret=SecretStr(CLIENT_SECRET),
                refresh_token=SecretStr(REFRESH_TOKEN),
            ),
            "sync": SyncSettings(**options),
        }
    )


_FORMATS = FormatChecker(formats=())


@_FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    """Amazon's date-times are ISO-8601 with a zone (`2026-06-01T00:00:00Z`)."""
    if isinstance(value, str):
        return datetime.fromisoformat(value).tzinfo is not None
    return True


def response_validator(model: str, definition: str) -> Draft4Validator:
    """A validator for one response definition of Amazon's Swagger model (`#/definitions`)."""
    document = json.loads((MODELS / model).read_text(encoding="utf-8"))
    schema = {"$ref": f"#/definitions/{definition}", "definitions": document["definitions"]}
    return Draft4Validator(schema, format_checker=_FORMATS)
