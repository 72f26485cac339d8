"""A short-lived, in-process memory of authenticated tokens.

Every request would otherwise read the token and user rows first. Remembering the answer for
a few seconds removes that read from the hot path; the price is that revoking a token or
deactivating a user takes effect within `ttl` seconds, never later.
"""

from __future__ import annotations

import hashlib
import threading
import time
from datetime import datetime

from cad110.auth.principal import Principal

MAX_ENTRIES = 10_000


class PrincipalCache:
    def __init__(self, ttl_s: float) -> None:
        self._ttl = ttl_s
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[Principal, float, datetime]] = {}

    @staticmethod
    def _key(token: str) -> str:
        return hashlib.sha256(token.encode("utf-8")).hexdigest()

    def get(self, token: str, now: datetime) -> Principal | None:
        if self._ttl <= 0:
            return None
        key = self._key(token)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            principal, until, token_expires_at = entry
            if time.monotonic() >= until or now >= token_expires_at:
                del self._entries[key]
                return None
            return principal

    def put(
        self, token: str, principal: Principal, *, now: datetime, token_expires_at: datetime
    ) -> None:
        if self._ttl <= 0:
            return
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[self._key(token)] = (
                principal,
                time.monotonic() + self._ttl,
                token_expires_at,
            )

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
