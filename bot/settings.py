"""Settings from the environment or `.env` (pydantic-settings). The token is a SecretStr: it never prints."""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    discord_token: SecretStr | None = None
    database_path: str = "data/rigfit.sqlite3"
    hash_key: SecretStr = SecretStr("rigfit-dev-key-change-me")
    dev_guild_id: int | None = None
    log_level: str = "INFO"
    heartbeat_path: str = "data/heartbeat"  # touched every HEARTBEAT_S while connected, for supervisors
    retention_days: int = 90  # query log rows older than this are pruned at start-up
    catalog_dir: str | None = None  # another catalog/data folder (tests); default: the packaged catalog
    # Test-only: point the bot at a local double of Discord's API (tests/e2e); never set in production.
    discord_api_base: str | None = None
