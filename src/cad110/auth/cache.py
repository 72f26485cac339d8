"""A short-lived, in-process memory of authenticated credentials.

Every request would otherwise read the token (or console session) and user rows first.
Remembering the answer for a few seconds removes that read from the hot path. A revocation
made through the application evicts the user's entries at once (auth/revocation.py), so the
time to live bounds only changes made to the database by other means.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterable
from datetime import datetime

from cad110.auth.principal import Principal

MAX_ENTRIES = 10_000


class PrincipalCache:
    """Thread-safe. A lookup that raced an eviction is not remembered: take a `ticket()`
    before reading the database and hand it to `put`."""

    def __init__(self, ttl_s: float) -> None:
        self._ttl = ttl_s
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[Principal, float, datetime]] = {}
        self._by_user: dict[int, set[str]] = {}
        # Eviction generations: a lookup that started before a user's last eviction (or the
        # last clear) may have read what the eviction was about, so it is not stored.
        self._generation = 0
        self._cleared_at = 0
        self._evicted_at: dict[int, int] = {}

    @staticmethod
    def _key(credential: str) -> str:
        return hashlib.sha256(credential.encode("utf-8")).hexdigest()

    def ticket(self) -> int:
        with self._lock:
            return self._generation

    def get(self, credential: str, now: datetime) -> Principal | None:
        if self._ttl <= 0:
            return None
        key = self._key(credential)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            principal, until, expires_at = entry
            if time.monotonic() >= until or now >= expires_at:
                self._drop(key)
                return None
            return principal

    def put(
        self,
        credential: str,
        principal: Principal,
        *,
        now: datetime,
        token_expires_at: datetime,
        ticket: int,
    ) -> None:
        if self._ttl <= 0 or now >= token_expires_at:
            return
        key = self._key(credential)
        with self._lock:
            if ticket < self._cleared_at or ticket < self._evicted_at.get(principal.user_id, 0):
                return
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
                self._by_user.clear()
            self._entries[key] = (principal, time.monotonic() + self._ttl, token_expires_at)
            self._by_user.setdefault(principal.user_id, set()).add(key)

    def evict_users(self, user_ids: Iterable[int]) -> None:
        """Forget every credential of these users."""
        with self._lock:
            self._generation += 1
            for user_id in user_ids:
                self._evicted_at[user_id] = self._generation
                for key in self._by_user.pop(user_id, ()):
                    self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._generation += 1
            self._cleared_at = self._generation
            # Every earlier per-user mark is older than the clear: they no longer matter.
            self._evicted_at.clear()
            self._entries.clear()
            self._by_user.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            keys = self._by_user.get(entry[0].user_id)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._by_user[entry[0].user_id]
