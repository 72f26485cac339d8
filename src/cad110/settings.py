"""Process settings, read from CAD110_* environment variables."""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import Field
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
    # How long an authenticated token is remembered in-process. A revocation made through
    # cad110 (API, console, command line) evicts it on every worker, within a second at most
    # (auth/revocation.py); this bounds only changes made to the database by other means.
    # 0 looks every request up.
    auth_cache_s: float = 10.0
    # Console sessions: length of a shift plus handover; cookies marked Secure behind HTTPS.
    session_hours: int = 14
    # How far back the call-taker desk looks for a caller's or a place's earlier incidents.
    history_days: int = 30
    # A map tile server the centre runs itself (e.g. "http://tiles.local/{z}/{x}/{y}.png");
    # empty: the maps show boundaries and grids only, which need nothing from outside.
    map_tile_url: str = ""
    secure_cookies: bool = False
    # Addresses of the reverse proxy whose X-Forwarded-Proto/-For uvicorn believes (the scheme
    # decides Secure cookies); comma-separated, "*" trusts any.
    forwarded_allow_ips: str = "127.0.0.1"
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
    # The SMS gateway (sms/): where messages go (`{url}/messages`, signed with the secret) and
    # the secret its receipts and replies to POST /api/v1/sms/events are signed with (empty:
    # SMS wait in the outbox and the gateway's events are refused).
    sms_gateway_url: str = ""
    sms_gateway_secret: str = ""
    sms_events_window_s: int = 300
    # The phone system (telephony/): it posts signed call events to
    # POST /api/v1/telephony/events, HMAC-SHA256 with this shared secret (empty: every event is
    # refused); a signature older or newer than `phone_events_window_s` is refused (a replay
    # of a captured request). `phone_system_url`: where cad110 asks it to place a call or for a
    # recording (empty: no outbound calls).
    phone_events_secret: str = ""
    phone_events_window_s: int = 300
    phone_system_url: str = ""
    # The 12345 platform (transfers/): where tickets go (`{url}/tickets`, signed with the
    # secret) and the secret its status events and emergencies to POST /api/v1/transfers/…
    # are signed with (empty: tickets wait in the outbox and its events are refused).
    hotline_url: str = ""
    hotline_secret: str = ""
    hotline_events_window_s: int = 300
    # Anti-fraud warning (fraud/): the secret the warning platforms sign warnings to POST
    # /api/v1/fraud/warnings with, and the 96110 platform and banks their results to
    # /api/v1/fraud/events (empty: both are refused).
    fraud_secret: str = ""
    fraud_events_window_s: int = 300
    # The anti-fraud platforms (fraud/platform.py, docs/fraud-platforms.md): where call tasks
    # for the 96110 seats go (`{url}/tasks`) and emergency freeze / stop-payment requests go
    # (`{url}/freeze-requests`), both signed with `fraud_out_secret` (empty URL: those
    # messages wait in the outbox).
    fraud_96110_url: str = ""
    fraud_freeze_url: str = ""
    fraud_out_secret: str = ""

    # --- trust -------------------------------------------------------------------------------
    # The audit keys (HMAC) live outside the database, so that whoever can write the database
    # cannot recompute a chain; one "key_id:base64" per line, the last one signs new events.
    # Created with a first key if missing (production keeps it on another volume, 0600).
    audit_key_file: str = "./var/audit.keys"
    # Chain heads are copied out of the database to this append-only file every
    # `audit_checkpoint_s` seconds; `cad110 audit verify` checks the database still reaches them.
    audit_checkpoint_path: str = "./var/audit-checkpoints.jsonl"
    audit_checkpoint_s: float = 60.0
    # Passwords: at least this long, not the username, not common; `password_min_score` is
    # zxcvbn's 0–4 strength score a centre may raise.
    password_min_length: int = 10
    password_min_score: int = 3
    # Failed logins: after `login_delay_after` failures in a row an account (known or not)
    # waits 2, 4, 8… s (at most `login_max_delay_s`) before the next try; after
    # `login_lock_after` it is locked until an administrator unlocks it. One client address
    # is slowed the same way after `login_address_delay_after` failures (a whole centre may
    # sit behind one address, so it is never locked out).
    login_delay_after: int = 3
    login_lock_after: int = 10
    login_address_delay_after: int = 20
    login_max_delay_s: int = 900
    # Password hashing runs in its own small pool, never on the threads that serve requests.
    login_hash_workers: int = 1
    # A refused login (throttled, locked, hashing queue full) is answered after this long, so
    # that a client ignoring Retry-After makes one try a second per connection, not hundreds.
    login_refusal_delay_s: float = 1.0
    # Open live streams per user (a console has a few tabs; more is a leak or an attack).
    live_streams_per_user: int = 8
    # Request bodies: JSON at most `max_body_bytes`; uploads (photos) `max_upload_bytes`.
    max_body_bytes: int = 1_048_576
    max_upload_bytes: int = 6 * 1_048_576
    # Interactive API docs (/docs) with their assets served from the package; off: 404.
    docs_enabled: bool = True
    # Admission (api/admission.py): requests one worker runs at once that change something and
    # that only read, and how long a request waits for a slot before it is answered 503 with
    # Retry-After (nothing of it done). Past that a worker only answers everything later.
    admit_writes: int = Field(default=8, ge=1)
    admit_reads: int = Field(default=8, ge=1)
    admit_wait_s: float = Field(default=0.5, ge=0)
    # How long an idle HTTP connection is kept open. Longer than any client's or proxy's own
    # idle pool (httpx 5 s, an nginx upstream pool 60 s): a server that closes first races the
    # client's next request on that connection, which is lost unanswered ("server
    # disconnected"). uvicorn's own default is 5 s; nginx's 75 s.
    keep_alive_s: int = Field(default=75, ge=1, le=3600)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process (read once)."""
    return Settings()


def server_options(settings: Settings) -> dict[str, Any]:
    """What uvicorn is told about the outside world, wherever cad110 is served (`cad110
    serve`, the benches' servers, the tests' live servers)."""
    return {
        # No banner naming the server software.
        "server_header": False,
        # The scheme (Secure cookies) and the client address come from the centre's reverse
        # proxy, and only from the addresses it runs on.
        "proxy_headers": True,
        "forwarded_allow_ips": settings.forwarded_allow_ips,
        "timeout_keep_alive": settings.keep_alive_s,
    }
