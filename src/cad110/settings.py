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
    # How long an authenticated token is remembered in-process: revocation takes effect
    # within this many seconds. 0 looks every request up.
    auth_cache_s: float = 10.0
    # Console sessions: length of a shift plus handover; cookies marked Secure behind HTTPS.
    session_hours: int = 14
    # How far back the call-taker desk looks for a caller's or a place's earlier incidents.
    history_days: int = 30
    # A map tile server the centre runs itself (e.g. "http://tiles.local/{z}/{x}/{y}.png");
    # empty: the maps show boundaries and grids only, which need nothing from outside.
    map_tile_url: str = ""
    secure_cookies: bool = False
    # SQLite durability: FULL survives power loss, which a record of a 110 call must.
    sqlite_synchronous: str = "FULL"
    # Supervision (督办): how often overdue steps are looked for, and how long a supervision
    # stays with a station, then a district, before it goes up a level unacknowledged.
    supervision_tick_s: float = 5.0
    supervision_loop: bool = True
    escalate_station_after_s: int = 300
    escalate_district_after_s: int = 600
    # Straight-line ETA when no road network is loaded.
    eta_speed_kmh: float = 30.0
    eta_circuity: float = 1.35
    roads_path: str = "./var/roads.npz"
    # Missing persons (寻人): the rules file (empty: the shipped defaults), the domain that
    # prefixes PFIF record ids, the social channels appeals may go to, where each is posted
    # (a webhook per channel, "name=url,name=url"; messages for a channel without one wait in
    # the outbox, visible, until one is set), and the SMS gateway that tells the informant.
    missing_rules_path: str = ""
    pfif_domain: str = "110.fuzhou.gov.cn"
    appeal_channels: str = "wechat_groups,weibo,community_app"
    appeal_webhooks: str = ""
    sms_gateway_url: str = ""

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process (read once)."""
    return Settings()
