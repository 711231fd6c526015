"""Settings from the environment or `.env` (pydantic-settings), checked once at start by `load_settings()`.

An empty value (`NAME=` in `.env`) means the default, so the shipped `deploy/.env.example` loads as is.
Secrets are SecretStr: they never print, not even in error lines.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class SettingsError(Exception):
    """A setting is wrong: the message is one line per bad setting, naming it and its value."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    discord_token: SecretStr | None = None
    database_path: str = "data/rigfit.sqlite3"
    # postgresql://user:password@host:port/db: the query log, saved rigs and /stats in PostgreSQL, shared by several
    # `rigfit run --shard-ids ... --shard-count N` processes (README "Scaling out"); unset = SQLite at DATABASE_PATH.
    database_url: SecretStr | None = None
    # Key for hashing user ids; empty = unset (the bot refuses it, the CLI keeps a random one next to the database).
    # See bot/secrets.py: resolve_hash_keys().
    hash_key: SecretStr = SecretStr("")
    # Comma-separated keys used before HASH_KEY: still matched by /forget-me after a rotation, never used to hash.
    hash_keys_old: SecretStr = SecretStr("")
    log_level: str = "INFO"
    heartbeat_path: str = "data/heartbeat"  # touched every HEARTBEAT_S while connected, for supervisors
    retention_days: int = 90  # query log rows older than this are pruned at start and every few hours
    # Per-server rate limit on commands and buttons together (each person also has their own, smaller one).
    guild_queries_per_minute: int = 300
    catalog_dir: str | None = None  # another catalog/data folder (tests); default: the packaged catalog
    # Test-only: point the bot at a local double of Discord's API (tests/e2e); loopback addresses only, because
    # the bot token is sent to it.
    discord_api_base: str | None = None
    # The longest an answer waits for its chart before it goes without one (seconds); tests on a loaded machine
    # raise it so that a picture they check is not dropped for being slow.
    chart_wait_s: float = Field(default=1.0, gt=0, le=60)

    @model_validator(mode="before")
    @classmethod
    def _empty_means_default(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if not (isinstance(v, str) and not v.strip())}
        return data

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"is not one of {', '.join(LOG_LEVELS)}")
        return level

    @field_validator("retention_days")
    @classmethod
    def _retention(cls, value: int) -> int:
        if value < 1:
            raise ValueError("must be at least 1 (days of query log to keep)")
        return value

    @field_validator("guild_queries_per_minute")
    @classmethod
    def _guild_rate(cls, value: int) -> int:
        if value < 1:
            raise ValueError("must be at least 1 (commands a server may send a minute)")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and urlsplit(value.get_secret_value()).scheme.lower() not in ("postgresql", "postgres"):
            raise ValueError("must be a postgresql:// URL (leave it unset for SQLite at DATABASE_PATH)")
        return value

    @field_validator("discord_api_base")
    @classmethod
    def _api_base(cls, value: str | None) -> str | None:
        if value is not None and not is_loopback_url(value):
            raise ValueError("must be an http(s) URL on a loopback address (127.0.0.0/8, localhost, [::1]): test only")
        return value


def is_loopback_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment and `.env`; a SettingsError (one line per bad setting) instead of a traceback."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise SettingsError("\n".join(_error_line(error) for error in exc.errors())) from None


def _error_line(error: Any) -> str:
    name = str(error["loc"][0]) if error["loc"] else "settings"
    field = Settings.model_fields.get(name)
    secret = field is not None and "SecretStr" in str(field.annotation)
    value = "<hidden>" if secret else repr(error.get("input"))
    message = str(error["msg"]).removeprefix("Value error, ")
    message = message[:1].lower() + message[1:]
    return f"{name.upper()}={value} {message}"
