"""The audit keys: HMAC secrets kept outside the database.

Whoever can write the database can recompute a plain SHA-256 chain after editing it; they
cannot recompute an HMAC without the key, which lives in a file on another volume
(`CAD110_AUDIT_KEY_FILE`, mode 0600). The file holds one `key_id:base64secret` per line; the
last line signs new events and checkpoints, the older keys stay so that what they signed can
still be verified. `cad110 audit rotate-key` appends a new key.

Every writer in a process signs with the same key ring: the runtime installs it once
(`use_ring`); a process without a runtime (a seed, a command, a benchmark) loads it from the
settings the first time it signs.
"""

from __future__ import annotations

import base64
import binascii
import fcntl
import logging
import os
import re
import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cad110.settings import get_settings

log = logging.getLogger(__name__)

KEY_BYTES = 32
# Shorter secrets are refused: a guessable key is no better than a plain hash.
MIN_KEY_BYTES = 16
KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,16}$")


class KeyFileError(ValueError):
    """The key file cannot be read as a key ring; the message names the file and line."""


@dataclass(frozen=True)
class AuditKey:
    id: str
    secret: bytes = field(repr=False)


@dataclass(frozen=True)
class KeyRing:
    """Every audit key a centre has used, oldest first; the last one signs."""

    keys: tuple[AuditKey, ...]

    def __post_init__(self) -> None:
        if not self.keys:
            raise KeyFileError("a key ring needs at least one key")
        ids = [k.id for k in self.keys]
        if len(set(ids)) != len(ids):
            raise KeyFileError("a key id appears twice in the key ring")

    @property
    def current(self) -> AuditKey:
        return self.keys[-1]

    def get(self, key_id: str) -> AuditKey | None:
        for key in self.keys:
            if key.id == key_id:
                return key
        return None


def parse_ring(lines: Iterable[str], source: str = "key file") -> KeyRing:
    """The key ring written in `lines` (blank lines and `#` comments are skipped)."""
    keys: list[AuditKey] = []
    seen: set[str] = set()
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key_id, sep, encoded = line.partition(":")
        where = f"{source}, line {number}"
        if not sep or not KEY_ID.match(key_id):
            raise KeyFileError(
                f"{where}: expected key_id:base64secret (key id 1–16 of A-Za-z0-9_.-)"
            )
        if key_id in seen:
            raise KeyFileError(f"{where}: key id {key_id!r} is used twice")
        try:
            secret = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise KeyFileError(f"{where}: the secret is not base64") from exc
        if len(secret) < MIN_KEY_BYTES:
            raise KeyFileError(f"{where}: the secret is shorter than {MIN_KEY_BYTES} bytes")
        seen.add(key_id)
        keys.append(AuditKey(key_id, secret))
    if not keys:
        raise KeyFileError(f"{source}: holds no key")
    return KeyRing(tuple(keys))


def _key_line(key: AuditKey) -> str:
    return f"{key.id}:{base64.b64encode(key.secret).decode('ascii')}\n"


def _next_id(ring: KeyRing | None) -> str:
    taken = {k.id for k in ring.keys} if ring is not None else set()
    n = len(taken) + 1
    while f"k{n}" in taken:
        n += 1
    return f"k{n}"


def load_ring(path: str | Path) -> KeyRing:
    """The key ring in `path`; a missing file is created with one new random key."""
    target = Path(path)
    if not target.exists():
        _create(target)
    mode = target.stat().st_mode
    if mode & 0o077:
        log.warning(
            "audit key file %s can be read by other accounts (mode %o); keep it 0600",
            target,
            mode & 0o777,
        )
    with target.open(encoding="utf-8") as handle:
        return parse_ring(handle, str(target))


def _create(target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    key = AuditKey(_next_id(None), secrets.token_bytes(KEY_BYTES))
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another worker created it first
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(_key_line(key))
        handle.flush()
        os.fsync(handle.fileno())
    log.warning(
        "created the audit key file %s with a new key %s; a production centre keeps this file "
        "on another volume than the database (and a copy offline): without it the event log "
        "cannot be verified",
        target,
        key.id,
    )


def rotate_key(path: str | Path) -> AuditKey:
    """Append a new random key to the key file; it signs from the next process start on."""
    target = Path(path)
    if not target.exists():
        load_ring(target)
    with target.open("r+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        text = handle.read()
        ring = parse_ring(text.splitlines(), str(target))
        key = AuditKey(_next_id(ring), secrets.token_bytes(KEY_BYTES))
        if text and not text.endswith("\n"):
            handle.write("\n")
        handle.write(_key_line(key))
        handle.flush()
        os.fsync(handle.fileno())
    return key


_active: KeyRing | None = None
_loading = threading.Lock()


def use_ring(ring: KeyRing) -> KeyRing:
    """Sign with `ring` from now on in this process (the runtime calls this once)."""
    global _active
    _active = ring
    return ring


def signing_ring() -> KeyRing:
    """The key ring this process signs with (loaded from the settings on first use)."""
    global _active
    ring = _active
    if ring is None:
        with _loading:
            if _active is None:
                _active = load_ring(get_settings().audit_key_file)
            ring = _active
    return ring
