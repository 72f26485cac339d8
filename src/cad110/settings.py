"""Process settings, read from CAD110_* environment variables."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything a deployment may change without touching code."""

    model_config = SettingsConfigDict(env_prefix="CAD110_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./var/cad110.db"
    host: str = "127.0.0.1"
    port: int = 8110
    # The centre's local time zone: incident numbers and screens use local dates.
    timezone: str = "Asia/Shanghai"
    token_ttl_days: int = 30
    # SQLite durability: FULL survives power loss, which a record of a 110 call must.
    sqlite_synchronous: str = "FULL"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process (read once)."""
    return Settings()
