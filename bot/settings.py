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
