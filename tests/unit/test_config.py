import pickle
from pathlib import Path

import pytest

from recovery.config import Settings, get_settings, load_settings, secret_paths
from recovery.errors import ConfigError


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_any_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.database_url == "sqlite:///./recovery.db"
    assert settings.calendar.country == "US"
    assert settings.config_path is None


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = write(
        tmp_path / "config.toml",
        'database_url = "sqlite:///from-file.db"\n[calendar]\ncountry = "CA"\ntimezone = "UTC"\n',
    )
    monkeypatch.setenv("RECOVERY_DATABASE_URL", "sqlite:///from-env.db")
    monkeypatch.setenv("RECOVERY_CALENDAR__COUNTRY", "GB")
    settings = load_settings(config)
    assert settings.database_url == "sqlite:///from-env.db"
    assert settings.calendar.country == "GB"
    assert settings.calendar.timezone == "UTC"  # untouched by the environment
    assert settings.config_path == config


def test_loaded_settings_can_be_sent_to_another_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The import's reader and detection's co-op process are sent the settings by pickle.
    config = write(tmp_path / "config.toml", '[calendar]\ncountry = "CA"\n')
    monkeypatch.setenv("RECOVERY_IMPORTS__READ_AHEAD_MIN_BYTES", "1234")
    settings = load_settings(config)
    again = pickle.loads(pickle.dumps(settings))
    assert type(again) is Settings and again == settings
    assert (again.calendar.country, again.imports.read_ahead_min_bytes) == ("CA", 1234)


def test_config_path_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = write(tmp_path / "elsewhere.toml", 'data_dir = "/srv/recovery"\n')
    monkeypatch.setenv("RECOVERY_CONFIG", str(config))
    assert load_settings().data_dir == Path("/srv/recovery")


def test_a_named_config_that_is_missing_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("toml", "env_name"),
    [
        ('[spapi]\nrefresh_token = "Atzr|abc"\n', "RECOVERY_SPAPI__REFRESH_TOKEN"),
        ('[spapi]\nlwa_client_secret = "s"\n', "RECOVERY_SPAPI__LWA_CLIENT_SECRET"),
        ('[spapi.refresh_tokens]\nABCDE = "Atzr|x"\n', "RECOVERY_SPAPI__REFRESH_TOKENS"),
        ('[vendor_central]\npassword = "hunter2"\n', "RECOVERY_VENDOR_CENTRAL__PASSWORD"),
        ('[vendor_central]\ntotp_secret = "JBSWY3DP"\n', "RECOVERY_VENDOR_CENTRAL__TOTP_SECRET"),
        ('[ui]\nsession_key = "k"\n', "RECOVERY_UI__SESSION_KEY"),
    ],
)
def test_secrets_in_the_config_file_are_refused(tmp_path: Path, toml: str, env_name: str) -> None:
    config = write(tmp_path / "config.toml", toml)
    with pytest.raises(ConfigError) as caught:
        load_settings(config)
    message = str(caught.value)
    assert "secret" in message and env_name in message
    assert "hunter2" not in message and "Atzr" not in message


def test_every_secret_field_is_known() -> None:
    assert {".".join(p) for p in secret_paths(Settings)} == {
        "spapi.lwa_client_secret",
        "spapi.refresh_token",
        "spapi.refresh_tokens",
        "vendor_central.password",
        "vendor_central.totp_secret",
        "ui.session_key",
        "smtp.password",
    }


def test_secrets_come_from_the_environment_and_never_print(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RECOVERY_SPAPI__REFRESH_TOKEN", "Atzr|secret-token")
    monkeypatch.setenv("RECOVERY_SPAPI__REFRESH_TOKENS__ABCDE", "Atzr|per-account")
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.spapi.refresh_token is not None
    assert settings.spapi.refresh_token.get_secret_value() == "Atzr|secret-token"
    assert settings.spapi.refresh_tokens["abcde"].get_secret_value() == "Atzr|per-account"
    assert "secret-token" not in repr(settings) and "secret-token" not in str(settings)


def test_secrets_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    write(secrets / "vendor_central__password", "hunter2\n")
    write(secrets / "RECOVERY_UI__SESSION_KEY", "k" * 32)
    config = write(tmp_path / "config.toml", f'secrets_dir = "{secrets}"\n')
    settings = load_settings(config)
    assert settings.vendor_central.password is not None
    assert settings.vendor_central.password.get_secret_value() == "hunter2"
    assert settings.ui.session_key is not None
    assert settings.ui.session_key.get_secret_value() == "k" * 32
    # The environment still wins over the directory.
    monkeypatch.setenv("RECOVERY_VENDOR_CENTRAL__PASSWORD", "from-env")
    password = load_settings(config).vendor_central.password
    assert password is not None and password.get_secret_value() == "from-env"


def test_invalid_values_name_the_setting(tmp_path: Path) -> None:
    config = write(tmp_path / "config.toml", '[imports]\ndefault_date_order = "YDM"\n')
    with pytest.raises(ConfigError, match="imports.default_date_order"):
        load_settings(config)
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(write(tmp_path / "bad.toml", "database_url = \n"))


def test_get_settings_is_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    try:
        assert get_settings() is get_settings()
    finally:
        get_settings.cache_clear()
