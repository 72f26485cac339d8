"""What an open screen is told when something changed: a small notice, never the data itself.

A notice names the thing (an incident, a unit, a call, a notification, an offer…), the event
that changed it, and the jurisdiction path(s) it belongs to. A screen shows a notice only if
one of its paths lies in the viewer's subtree, then fetches what it needs through the API —
which checks scope again. The paths travel between workers but are never sent to a browser.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

log = logging.getLogger(__name__)

# PostgreSQL refuses a NOTIFY payload of 8000 bytes or more; leave room for the envelope.
NOTIFY_LIMIT = 7900


@dataclass(frozen=True, slots=True)
class Notice:
    """One change, as pushed to screens."""

    # What changed: "incident", "unit", "call", "key_target", "jurisdiction", "notification",
    # "offer" (supervision events are incident events: supervision_opened/escalated/acknowledged).
    kind: str
    # Its number or code (an incident's number, a unit's code, a row id as text).
    id: str
    # The jurisdiction paths it belongs to; a viewer sees it if any lies in their subtree.
    paths: tuple[str, ...]
    # The event kind ("received", "dispatch", "status.arrive"…; for rows, their kind or state).
    event: str
    at: datetime
    # The event's sequence number in its subject's chain (None for notices from rows).
    seq: int | None = None

    def visible_to(self, scope_path: str) -> bool:
        return any(path.startswith(scope_path) for path in self.paths)

    def for_client(self) -> dict[str, Any]:
        """What a browser receives: no paths (it may not see all of them)."""
        out: dict[str, Any] = {
            "kind": self.kind,
            "id": self.id,
            "event": self.event,
            "at": _iso(self.at),
        }
        if self.seq is not None:
            out["seq"] = self.seq
        return out

    def to_wire(self) -> dict[str, Any]:
        return {**self.for_client(), "paths": list(self.paths)}

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> Notice:
        seq = data.get("seq")
        return cls(
            kind=str(data["kind"]),
            id=str(data["id"]),
            paths=tuple(str(p) for p in data["paths"]),
            event=str(data["event"]),
            at=datetime.fromisoformat(str(data["at"])),
            seq=int(seq) if seq is not None else None,
        )


@dataclass(frozen=True, slots=True)
class Resync:
    """The viewer may have missed notices (it fell behind, or a worker lost its connection to
    the database for a while): reload what is on screen."""

    reason: str


def _iso(at: datetime) -> str:
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).isoformat()


def _dumps(value: object) -> str:
    # ASCII only, so that the length in characters is the length in bytes.
    return json.dumps(value, separators=(",", ":"), ensure_ascii=True)


def encode(notices: Iterable[Notice], limit: int = NOTIFY_LIMIT) -> list[str]:
    """NOTIFY payloads for `notices`, in order, each at most `limit` bytes.

    A notice too large for any payload (it cannot happen with real paths) becomes a resync.
    """
    payloads: list[str] = []
    items: list[str] = []
    envelope = len('{"n":[]}')
    size = envelope

    def close() -> None:
        nonlocal items, size
        if items:
            payloads.append('{"n":[' + ",".join(items) + "]}")
        items, size = [], envelope

    for notice in notices:
        text = _dumps(notice.to_wire())
        if envelope + len(text) > limit:
            log.error("live: a %s notice of %d bytes is too large; resync", notice.kind, len(text))
            close()
            payloads.append(_dumps({"resync": "oversize"}))
            continue
        if items and size + 1 + len(text) > limit:
            close()
        size += len(text) + (1 if items else 0)
        items.append(text)
    close()
    return payloads


def decode(payload: str) -> Sequence[Notice] | Resync:
    """The notices (or the resync) in one NOTIFY payload; raises ValueError if malformed."""
    try:
        data = json.loads(payload)
        if "resync" in data:
            return Resync(str(data["resync"]))
        return [Notice.from_wire(item) for item in data["n"]]
    except (TypeError, KeyError, AttributeError) as exc:
        raise ValueError(f"not a live payload: {payload[:80]!r}") from exc
