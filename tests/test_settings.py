"""Settings: the shipped .env.example loads as is; every bad setting is one line naming it and its value."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[1]
ENV_EXAMPLE = ROOT / "deploy" / ".env.example"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No settings from the outer environment or a developer's .env."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path)


def test_env_example_loads_as_shipped() -> None:
    settings = Settings(_env_file=ENV_EXAMPLE)
    assert settings.discord_token is None
    assert settings.hash_key.get_secret_value() == ""
    assert settings.retention_days == 90
    assert settings.log_level == "INFO"
    assert settings.database_path == "data/rigfit.sqlite3"


def test_env_example_filled_in_loads(tmp_path: Path) -> None:
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    text = text.replace("DISCORD_TOKEN=\n", "DISCORD_TOKEN=abc.def.ghi\n")
    text = text.replace("HASH_KEY=\n", "HASH_KEY=0123456789abcdef0123\n")
    env = tmp_path / ".env"
    env.write_text(text + "DEV_GUILD_ID=\n", encoding="utf-8")  # an old .env's leftover: ignored
    settings = load_settings()
    assert settings.discord_token is not None
    assert settings.discord_token.get_secret_value() == "abc.def.ghi"
    assert settings.hash_key.get_secret_value() == "0123456789abcdef0123"


def test_empty_values_mean_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("RETENTION_DAYS", "LOG_LEVEL", "DATABASE_PATH", "DISCORD_API_BASE", "DISCORD_TOKEN"):
        monkeypatch.setenv(name, "")
    settings = load_settings()
    assert (settings.retention_days, settings.log_level, settings.database_path) == (90, "INFO", "data/rigfit.sqlite3")
    assert settings.discord_api_base is None
    assert settings.discord_token is None


@pytest.mark.parametrize(
    ("env", "line"),
    [
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL='loud' is not one of DEBUG, INFO, WARNING, ERROR"),
        ({"RETENTION_DAYS": "-5"}, "RETENTION_DAYS='-5' must be at least 1"),
        ({"RETENTION_DAYS": "0"}, "RETENTION_DAYS='0' must be at least 1"),
        ({"RETENTION_DAYS": "ninety"}, "RETENTION_DAYS='ninety' input should be a valid integer"),
        ({"CHART_WAIT_S": "0"}, "CHART_WAIT_S='0' input should be greater than 0"),
        ({"CHART_WAIT_S": "600"}, "CHART_WAIT_S='600' input should be less than or equal to 60"),
        ({"DISCORD_API_BASE": "https://evil.example/api/v10"}, "DISCORD_API_BASE='https://evil.example/api/v10' must"),
        (
            {"DISCORD_API_BASE": "http://localhost.evil.example/"},
            "DISCORD_API_BASE='http://localhost.evil.example/' must",
        ),
        ({"DISCORD_API_BASE": "http://10.0.0.1:8080/api"}, "DISCORD_API_BASE='http://10.0.0.1:8080/api' must"),
        ({"DISCORD_API_BASE": "ftp://127.0.0.1/api"}, "DISCORD_API_BASE='ftp://127.0.0.1/api' must"),
    ],
)
def test_a_bad_setting_is_one_line_naming_it(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], line: str) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(line)


def test_every_bad_setting_gets_its_own_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_LEVEL", "chatty")
    monkeypatch.setenv("RETENTION_DAYS", "-1")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    lines = str(caught.value).splitlines()
    assert [line.split("=")[0] for line in lines] == ["LOG_LEVEL", "RETENTION_DAYS"]


def test_a_bad_secret_is_named_but_never_shown() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(hash_key=["s3cr3t-value"])
    assert str(caught.value).startswith("HASH_KEY=<hidden> ")
    assert "s3cr3t" not in str(caught.value)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080/api/v10", "http://127.5.6.7/api", "http://localhost:1/api", "http://[::1]:9/api"]
)
def test_the_api_double_must_be_on_loopback(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("DISCORD_API_BASE", url)
    assert load_settings().discord_api_base == url


def test_log_level_is_case_insensitive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_LEVEL", "debug")
    assert load_settings().log_level == "DEBUG"
