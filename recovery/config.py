"""Settings: `config.toml`, overridden by `RECOVERY_*` environment variables.

Precedence, highest first: explicit arguments, environment (`RECOVERY_SECTION__FIELD`), the
secrets directory, `config.toml`, defaults. Secrets (every `SecretStr` field) are accepted only
from the environment or the secrets directory: a config file that holds one is refused, because
config files get committed, copied and pasted into tickets.
"""

from __future__ import annotations

import functools
import os
import tomllib
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from recovery.errors import ConfigError

ENV_PREFIX = "RECOVERY_"
DEFAULT_CONFIG_NAME = "config.toml"


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AccountSettings(Section):
    """One Amazon vendor account (a vendor code in one marketplace)."""

    vendor_code: str
    name: str = ""
    marketplace: str = "US"
    currency: str = "USD"


class SpApiSettings(Section):
    region: Literal["na", "eu", "fe"] = "na"
    marketplace_id: str = "ATVPDKIKX0DER"
    # Overrides for tests and the demo: the fake SP-API serves both on one loopback port.
    endpoint: str | None = None
    lwa_token_url: str | None = None
    lwa_app_id: str | None = None
    lwa_client_secret: SecretStr | None = None
    refresh_token: SecretStr | None = None
    # Per vendor code, when accounts were authorised separately.
    refresh_tokens: dict[str, SecretStr] = Field(default_factory=dict)


class SyncSettings(Section):
    """`recovery sync`: how much to pull from the SP-API and how hard to push it."""

    # A first sync (no cursor yet) starts this many days back; Amazon serves about six months.
    initial_days: int = Field(default=180, ge=1)
    # Amazon refuses date ranges over 7 days.
    window_days: int = Field(default=7, ge=1, le=7)
    # Requests per second and burst per operation; unset means Amazon's published usage plan
    # (10/s, burst 10). A response's x-amzn-RateLimit-Limit header overrides the rate.
    rate: float | None = Field(default=None, gt=0)
    burst: int | None = Field(default=None, ge=1)
    # Throttled (429) and failed (5xx, network) requests are retried with exponential backoff
    # and jitter, at most this many attempts per request; then the window fails.
    max_attempts: int = Field(default=8, ge=1)
    backoff_initial: float = Field(default=0.25, gt=0)
    backoff_max: float = Field(default=8.0, gt=0)
    backoff_jitter: float = Field(default=0.25, ge=0)
    request_timeout: float = Field(default=30.0, gt=0)


class VendorCentralSettings(Section):
    """The Vendor Central portal the filing bot drives (`recovery.portal`)."""

    url: str = "https://vendorcentral.amazon.com"
    username: str | None = None
    password: SecretStr | None = None
    # The authenticator app's secret (base32), from which the one-time codes are computed.
    totp_secret: SecretStr | None = None
    # Seconds between page loads: a person's pace, so Amazon never throttles the account.
    pace_seconds: float = Field(default=1.0, ge=0)
    # On the "Requests throttled" page: wait this long, doubling, at most `throttle_retries`.
    throttle_backoff_seconds: float = Field(default=30.0, ge=0)
    throttle_retries: int = Field(default=5, ge=0)
    # Milliseconds Playwright waits for a page or a field before the step counts as failed.
    timeout_ms: int = Field(default=30_000, ge=1000)
    chromium_path: Path = Path("/usr/bin/chromium")
    headless: bool = True
    # Headless, Debian's `chromium-headless-shell` (same Chromium, without the full browser's
    # windowing and compositing) is used when installed: about a third less CPU per page.
    headless_shell_path: Path = Path("/usr/bin/chromium-headless-shell")
    # A filing attempt left unfinished this long is taken for a crashed filer's: the portal is
    # searched for its key and, when absent, it is filed again. Younger ones belong to a filer
    # that may still be running, and are left alone.
    filing_lease_seconds: int = Field(default=900, ge=0)
    # Browser contexts filing side by side, each in its own thread with its own Chromium and
    # its own pace: N contexts load N times the pages per second on the one account.
    filing_contexts: int = Field(default=1, ge=1, le=8)


def _default_bulk_caps() -> dict[str, Decimal]:
    return {"admin": Decimal("100000"), "specialist": Decimal("10000"), "viewer": Decimal("0")}


class UiSettings(Section):
    host: str = "127.0.0.1"
    port: int = 8400
    # Signs the CSRF cookie; without it each start of the UI picks a random one.
    session_key: SecretStr | None = None
    # Cookies only over HTTPS (browsers also send them to http://localhost). Turn off only
    # behind a proxy on a trusted network that serves plain HTTP.
    secure_cookies: bool = True
    session_hours: int = Field(default=12, ge=1)
    # The most one bulk approval or rejection may move, per role, per currency.
    bulk_caps: dict[str, Decimal] = Field(default_factory=_default_bulk_caps)
    page_size: int = Field(default=50, ge=1, le=500)


class SmtpSettings(Section):
    """Where the weekly summary is mailed from; the password is a secret (env or secrets dir)."""

    host: str | None = None
    port: int = Field(default=587, ge=1, le=65535)
    starttls: bool = True
    user: str | None = None
    password: SecretStr | None = None
    sender: str | None = None  # the From address; the user name when unset
    timeout: float = Field(default=30.0, gt=0)


class ReportSettings(Section):
    # Who gets `recovery report weekly --email` when no --to is given.
    recipients: list[str] = Field(default_factory=list)


class Closure(Section):
    start: date
    end: date
    name: str = "company closure"

    @model_validator(mode="after")
    def _ordered(self) -> Closure:
        if self.end < self.start:
            raise ValueError(f"closure {self.name!r} ends before it starts")
        return self


class CalendarSettings(Section):
    country: str = "US"
    subdivision: str | None = None
    timezone: str = "America/Los_Angeles"
    closures: list[Closure] = Field(default_factory=list)


DateOrder = Literal["MDY", "DMY", "YMD"]
_NORTH_AMERICA: dict[str, DateOrder] = {"US": "MDY", "CA": "MDY", "MX": "DMY"}


class ImportSettings(Section):
    # How exports write dates, per marketplace; ISO dates are always understood.
    date_order: dict[str, DateOrder] = Field(default_factory=lambda: dict(_NORTH_AMERICA))
    default_date_order: DateOrder = "DMY"
    # Marketplaces whose exports write 1.234,56.
    decimal_comma_marketplaces: list[str] = Field(
        default_factory=lambda: ["DE", "FR", "IT", "ES", "NL", "SE", "PL", "BR", "TR"]
    )
    # Extra header names per kind: {"remittance": {"Amount Paid": ["Paid Amt", "Amt Paid"]}}.
    column_maps: dict[str, dict[str, list[str]]] = Field(default_factory=dict)
    progress_min_rows: int = 5000
    # Runs of files (CSV, XLSX, SP-API JSON) at least this big in total are parsed in a second
    # process while this one stores (`recovery.sources.read_ahead`).
    read_ahead: bool = True
    read_ahead_min_bytes: int = Field(default=16 * 1024 * 1024, ge=0)
    # Dates a file may carry: anything outside is a typo or a placeholder (12/31/9999) that
    # would break deadline arithmetic later. The latest is this many years after today.
    earliest_date: date = date(2000, 1, 1)
    latest_years_ahead: int = Field(default=5, ge=0, le=100)
    # What a workbook may hold before it is read: the XLSX reader allocates every cell of a
    # sheet's used range at once, so a 5 KB file naming cell XFD1048576 would take 512 GiB.
    xlsx_max_rows: int = Field(default=1_048_576, ge=1)
    xlsx_max_columns: int = Field(default=1_000, ge=1)
    xlsx_max_cells: int = Field(default=40_000_000, ge=1)  # per sheet: rows x columns used
    xlsx_max_bytes: int = Field(default=2 * 1024**3, ge=1)  # XML after decompression

    def latest_date(self, today: date) -> date:
        try:
            return today.replace(year=today.year + self.latest_years_ahead)
        except ValueError:  # 29 February
            return today.replace(year=today.year + self.latest_years_ahead, day=28)

    def date_order_for(self, marketplace: str) -> DateOrder:
        return self.date_order.get(marketplace.upper(), self.default_date_order)

    def decimal_comma_for(self, marketplace: str) -> bool:
        return marketplace.upper() in {m.upper() for m in self.decimal_comma_marketplaces}


class EvidenceSettings(Section):
    # OCR for scanned PDFs without a text layer, when Tesseract is installed.
    ocr: bool = True
    tesseract_cmd: str = "tesseract"
    ocr_language: str = "eng"
    # Processes reading PDFs in parallel; 0 means one per CPU core.
    workers: int = 0


class AutoApproval(Section):
    """Drafts at or under `max_amount` with at least `min_confidence` need no person."""

    max_amount: Decimal
    min_confidence: int = Field(default=90, ge=0, le=100)


class ClaimSettings(Section):
    # A directory whose files override the shipped claim templates (same names).
    templates_dir: Path | None = None
    # Per claim type (shortage, price, coop, chargeback); absent means off.
    auto_approve: dict[str, AutoApproval] = Field(default_factory=dict)


class DetectSettings(Section):
    """How detection runs (not what it finds: changing these never changes a finding)."""

    # A full run of an account with at least this many co-op backup lines judges its co-op
    # invoices in a second process meanwhile (`recovery.claims.fast_run`), on two cores
    # or more.
    coop_process: bool = True
    coop_process_min_lines: int = Field(default=100_000, ge=0)


class ChargebackFee(Section):
    """How a chargeback type's fee is computed: a percentage of product cost, per carton or
    per unit (the cartons and units checked against the ASN and the BOL/POD)."""

    percent_of_cost: Decimal | None = None
    per_carton: Decimal | None = None
    per_unit: Decimal | None = None


def _default_fees() -> dict[str, ChargebackFee]:
    # Keyed by chargeback type (recovery.claims.chargeback_types); *guidance* figures.
    return {
        "late_asn": ChargebackFee(percent_of_cost=Decimal("2")),
        "missing_asn": ChargebackFee(percent_of_cost=Decimal("2")),
        "inaccurate_asn": ChargebackFee(percent_of_cost=Decimal("2")),
        "late_delivery": ChargebackFee(percent_of_cost=Decimal("3")),
        "carton_label": ChargebackFee(per_carton=Decimal("5.00")),
    }


class RuleSettings(Section):
    """Detection rules. Every figure marked *guidance* in the domain notes is one of these."""

    # Deadlines are Amazon's last calendar days, never moved to a business day (DOMAIN.md).
    # Shortages and price claims: no dispute on invoices older than this (from the invoice date).
    dispute_limit_months: int = Field(default=24, ge=1)
    # Co-op invoices: disputed until they are this old (from the co-op invoice date).
    coop_dispute_limit_months: int = Field(default=24, ge=1)
    # Chargebacks: calendar days from the notification.
    chargeback_deadline_days: int = Field(default=30, ge=1)
    # file_by, the plan: the last business day on or before the deadline, less this many
    # business days.
    file_by_margin_days: int = Field(default=2, ge=0)
    # Amazon keeps matching receipts this long after the due date; until then a claim is
    # `waiting` (Amazon takes no shortage dispute before). 0: no wait.
    shortage_matching_days: int = Field(default=35, ge=0)
    price_matching_days: int = Field(default=0, ge=0)
    # Bands (*guidance*) by invoice age in days: from the due date for shortages and price
    # claims, from the co-op invoice date for co-op. Up to `*_optimal_days` old a claim is
    # optimal, up to `*_maturing_days` maturing, older mature (still fileable).
    shortage_optimal_days: int = Field(default=56, ge=0)
    shortage_maturing_days: int = Field(default=90, ge=0)
    price_optimal_days: int = Field(default=30, ge=0)
    price_maturing_days: int = Field(default=90, ge=0)
    coop_optimal_days: int = Field(default=30, ge=0)
    coop_maturing_days: int = Field(default=90, ge=0)
    # Chargebacks' bands by days left to the deadline.
    chargeback_optimal_min_days_left: int = Field(default=11, ge=0)
    chargeback_maturing_min_days_left: int = Field(default=4, ge=0)
    # Chargebacks: an ASN confirmed up to this long after the truck left still counts on time.
    asn_grace_minutes: int = 30
    # Fee schedule by chargeback type (late_asn, missing_asn, inaccurate_asn, late_delivery,
    # po_confirmation, carton_label, shipping_label, prep, packaging, overweight,
    # missed_appointment); a type without a fee and without a rule is "needs a look".
    chargeback_fees: dict[str, ChargebackFee] = Field(default_factory=_default_fees)
    # More words per chargeback type, added to the built-in synonym table:
    # {"late_asn": ["ASN submitted late"]}.
    chargeback_synonyms: dict[str, list[str]] = Field(default_factory=dict)
    # Ledger: a payment matches a bank deposit dated this many days either side.
    bank_match_days: int = 5


class ServiceSettings(Section):
    """`recovery run` and `recovery worker`: what the background service runs, and how often."""

    spapi_sync_minutes: int = Field(default=60, ge=1)
    vendor_central_hours: int = Field(default=24, ge=1)
    # A folder scanners or mail rules drop BOL/POD PDFs into; unset means no watch.
    evidence_inbox: Path | None = None
    evidence_watch_minutes: int = Field(default=15, ge=1)
    # Filing looks at approved claims this often and files every one, nearest file_by first.
    filing_hours: int = Field(default=6, ge=1)
    outcomes_hours: int = Field(default=24, ge=1)
    # The weekly summary: this weekday (mon..sun) and hour, in the business timezone.
    weekly_report_day: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    weekly_report_hour: int = Field(default=7, ge=0, le=23)
    # /healthz answers 503 when a job's last success is older than this many intervals.
    overdue_intervals: float = Field(default=2.0, ge=1)
    # A second `recovery run` on the same database waits for the lock instead of exiting.
    wait_for_lock: bool = False
    # `recovery worker`: jobs one worker runs at once.
    worker_concurrency: int = Field(default=1, ge=1, le=32)
    # A worker silent this long (killed, its machine gone) is taken for dead and its running
    # jobs are queued again for the others (it sends a heartbeat every third of this).
    worker_stalled_seconds: float = Field(default=30.0, ge=1)
    # Logs: one JSON object per line (for journald and log shippers) or plain text.
    log_format: Literal["json", "text"] = "json"


class Settings(BaseSettings):
    """Everything `recovery` can be told; see config.example.toml for the documented version."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        extra="forbid",
        case_sensitive=False,
    )

    database_url: str = "sqlite:///./recovery.db"
    data_dir: Path = Path("./recovery-data")
    secrets_dir: Path | None = None
    accounts: list[AccountSettings] = Field(default_factory=list)
    spapi: SpApiSettings = Field(default_factory=SpApiSettings)
    sync: SyncSettings = Field(default_factory=SyncSettings)
    vendor_central: VendorCentralSettings = Field(default_factory=VendorCentralSettings)
    ui: UiSettings = Field(default_factory=UiSettings)
    calendar: CalendarSettings = Field(default_factory=CalendarSettings)
    imports: ImportSettings = Field(default_factory=ImportSettings)
    evidence: EvidenceSettings = Field(default_factory=EvidenceSettings)
    claims: ClaimSettings = Field(default_factory=ClaimSettings)
    rules: RuleSettings = Field(default_factory=RuleSettings)
    detect: DetectSettings = Field(default_factory=DetectSettings)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    reports: ReportSettings = Field(default_factory=ReportSettings)
    service: ServiceSettings = Field(default_factory=ServiceSettings)

    # Where the settings were read from, for messages; not a setting.
    config_path: Path | None = Field(default=None, exclude=True)

    @property
    def evidence_dir(self) -> Path:
        return self.data_dir / "evidence"

    @property
    def portal_dir(self) -> Path:
        """The portal's browser state (0600), receipts and what was on screen at every error."""
        return self.data_dir / "portal"

    def account(self, vendor_code: str) -> AccountSettings | None:
        for account in self.accounts:
            if account.vendor_code.upper() == vendor_code.upper():
                return account
        return None


def secret_paths(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Dotted paths of every SecretStr field, found from the model so new secrets are covered."""
    paths: list[tuple[str, ...]] = []
    for name, field in model.model_fields.items():
        paths.extend(_secret_paths_of(field, (*prefix, name)))
    return paths


def _mentions_secret(annotation: Any) -> bool:
    return annotation is SecretStr or any(_mentions_secret(arg) for arg in get_args(annotation))


def _secret_paths_of(field: FieldInfo, path: tuple[str, ...]) -> list[tuple[str, ...]]:
    annotation = field.annotation
    if _mentions_secret(annotation):
        return [path]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return secret_paths(annotation, path)
    return []


def _refuse_secrets(data: dict[str, Any], source: Path) -> None:
    for path in secret_paths(Settings):
        node: Any = data
        for key in path:
            if not isinstance(node, dict) or key not in node:
                break
            node = node[key]
        else:
            env_name = ENV_PREFIX + "__".join(path).upper()
            raise ConfigError(
                f"{source}: {'.'.join(path)} is a secret and must not be in the config file; "
                f"remove it and set {env_name} in the environment or a file in the secrets "
                "directory"
            )


def read_config_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: config file not found (run `recovery init`)") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    _refuse_secrets(data, path)
    return data


def read_secrets_dir(directory: Path) -> dict[str, Any]:
    """Secrets as files: `spapi__refresh_token` (or `RECOVERY_SPAPI__REFRESH_TOKEN`) holds one."""
    if not directory.is_dir():
        raise ConfigError(f"{directory}: secrets directory not found")
    data: dict[str, Any] = {}
    for file in sorted(directory.iterdir()):
        if not file.is_file() or file.name.startswith("."):
            continue
        name = file.name.lower()
        if name.startswith(ENV_PREFIX.lower()):
            name = name[len(ENV_PREFIX) :]
        node = data
        *parents, leaf = name.split("__")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = file.read_text(encoding="utf-8").strip()
    return data


class _DictSource(PydanticBaseSettingsSource):
    def __init__(self, settings_cls: type[BaseSettings], data: dict[str, Any]) -> None:
        super().__init__(settings_cls)
        self._data = data

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self._data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self._data)


def resolve_config_path(explicit: Path | None = None) -> Path:
    """`--config`, else `RECOVERY_CONFIG`, else ./config.toml."""
    if explicit is not None:
        return explicit
    from_env = os.environ.get("RECOVERY_CONFIG")
    return Path(from_env) if from_env else Path(DEFAULT_CONFIG_NAME)


def load_settings(config_path: Path | None = None, **overrides: Any) -> Settings:
    """Read settings; a missing file is fine unless it was named explicitly."""
    path = resolve_config_path(config_path)
    named = config_path is not None or "RECOVERY_CONFIG" in os.environ
    file_data = read_config_file(path) if (named or path.exists()) else {}
    secrets_location = os.environ.get(ENV_PREFIX + "SECRETS_DIR") or file_data.get("secrets_dir")
    secrets_data = read_secrets_dir(Path(secrets_location)) if secrets_location else {}

    class _Loaded(Settings):
        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            return (
                init_settings,
                env_settings,
                _DictSource(settings_cls, secrets_data),
                _DictSource(settings_cls, file_data),
            )

    try:
        loaded = _Loaded(**overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"{path}: invalid settings: {problems}") from exc
    # The values as a plain `Settings`: `_Loaded` is local to this call, so it cannot be
    # pickled, and the import's reader and detection's co-op process are sent the settings.
    settings = Settings.model_construct(loaded.model_fields_set, **dict(loaded))
    settings.config_path = path if path.exists() else None
    return settings


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once. Tests and tools pass settings explicitly instead."""
    return load_settings()
