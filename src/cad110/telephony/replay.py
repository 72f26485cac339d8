"""Sending call events to a running cad110, signed: the replay of a day's file (JSON lines), and
the sender the fake phone system uses.

    cad110 phone replay calls.jsonl --url http://127.0.0.1:8110 --secret …

Each line is one event of docs/telephony.md, sent in file order, signed at the moment it is sent
(the signature window is about when it is sent, not when the call happened). A second replay of
the same file changes nothing: every event id is already known.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from cad110.kernel.signing import signed_headers

EVENTS_PATH = "/api/v1/telephony/events"


def events_url(base_url: str) -> str:
    return base_url.rstrip("/") + EVENTS_PATH


def send_event(
    client: httpx.Client, base_url: str, secret: str, event: dict[str, Any]
) -> httpx.Response:
    """POST one event, signed now."""
    body = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return client.post(
        events_url(base_url), content=body, headers=signed_headers(secret, int(time.time()), body)
    )


def read_events(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, event) for each non-blank line; a line that is not a JSON object raises."""
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            event = json.loads(line)
            if not isinstance(event, dict):
                raise ValueError(f"line {number}: not a JSON object")
            yield number, event


@dataclass
class ReplayReport:
    applied: int = 0
    replayed: int = 0  # known already: nothing changed
    refused: list[tuple[int, int, str]] = field(default_factory=list)  # (line, status, detail)
    statuses: Counter[int] = field(default_factory=Counter)


def replay(
    events: Iterable[tuple[int, dict[str, Any]]],
    *,
    base_url: str,
    secret: str,
    client: httpx.Client | None = None,
) -> ReplayReport:
    """Send `events` in order; what the server did with each."""
    report = ReplayReport()
    own = client is None
    http = client or httpx.Client(timeout=10.0)
    try:
        for line, event in events:
            answer = send_event(http, base_url, secret, event)
            report.statuses[answer.status_code] += 1
            if answer.status_code == 200:
                if answer.json().get("applied"):
                    report.applied += 1
                else:
                    report.replayed += 1
            else:
                report.refused.append((line, answer.status_code, answer.text[:200]))
    finally:
        if own:
            http.close()
    return report
