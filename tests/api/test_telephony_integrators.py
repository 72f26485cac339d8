"""What integrators are given: the published schema, the sample day and its replay, the adapter
against the fake phone system (a process of its own), the counts on the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from typer.testing import CliRunner

from cad110.cli import app
from cad110.clock import VirtualClock
from cad110.kernel.runtime import Runtime
from cad110.kernel.signing import signed_headers
from cad110.telephony.adapter import HttpPhoneSystem
from cad110.telephony.replay import read_events, replay
from cad110.telephony.schemas import EVENTS, event_schema
from tests.api.helpers import ok
from tests.conftest import Api

DOCS = Path(__file__).resolve().parents[2] / "docs"
SCHEMA = DOCS / "telephony-events.schema.json"
SAMPLE = DOCS / "telephony-sample.jsonl"
SECRET = "integration secret"


def test_the_published_schema_is_the_one_the_server_checks() -> None:
    assert json.loads(SCHEMA.read_text(encoding="utf-8")) == event_schema()


def test_every_event_the_server_accepts_validates_against_the_schema() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    accepted = [event for _line, event in read_events(SAMPLE)]
    assert {e["type"] for e in accepted} == {"ringing", "answered", "ended", "recording"}
    for event in accepted:
        EVENTS.validate_python(event)  # the server takes it…
        jsonschema.validate(event, schema)  # …and the schema says so
    refused: list[dict[str, Any]] = [
        {**accepted[0], "surprise": 1},
        {**accepted[0], "type": "exploded"},
        {k: v for k, v in accepted[1].items() if k != "seat"},
    ]
    for event in refused:
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(event, schema)


def test_replaying_the_sample_day_twice_changes_nothing_the_second_time(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    runtime.settings.phone_events_secret = SECRET
    # The replay signs by the wall clock; the server's is virtual, so move it there. (The
    # sample's calls happened days before: that is what a replay is for.)
    clock.set(datetime.now(UTC))
    events = list(read_events(SAMPLE))
    first = replay(events, base_url="http://testserver", secret=SECRET, client=api.client)
    assert first.refused == []
    assert first.applied == len(events)
    again = replay(events, base_url="http://testserver", secret=SECRET, client=api.client)
    assert (again.applied, again.replayed) == (0, len(events))
    calls = {e["call_id"] for _l, e in events}
    since = "2026-11-28T16:00:00Z"
    counts = ok(api.get("/telephony/counts", "analyst", params={"since": since}))
    assert counts["rung"] == len(calls)
    rang_out = {e["call_id"] for _l, e in events if e["type"] == "answered"}
    assert counts["abandoned"] == len(calls - rang_out) > 0
    # Out of order in the file (ended before answered): answered all the same.
    assert counts["answered"] == len(rang_out)


@pytest.fixture
def fake_phone() -> Iterator[str]:
    command = [sys.executable, "-m", "cad110.telephony.fake", "--port", "0", "--secret", SECRET]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603
    try:
        assert process.stdout is not None
        words = process.stdout.readline().split()
        assert words[:2] == ["listening", "on"], words
        yield f"http://127.0.0.1:{words[2]}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_http_adapter_places_a_call_and_finds_its_recording(fake_phone: str) -> None:
    phone = HttpPhoneSystem(fake_phone, SECRET)
    try:
        call_id = phone.place_call(seat="A01", number="13800138000", ref="callback:1")
        assert call_id
        link = phone.recording_link(call_id)
        assert link is not None
        assert link.endswith(f"/audio/{call_id}.wav")
        assert phone.recording_link("no-such-call") is None
    finally:
        phone.close()
    assert httpx.get(f"{fake_phone}/health", timeout=5).json() == {"ok": True}


def test_the_counts_on_the_command_line(
    api: Api, clock: VirtualClock, runtime: Runtime, command_line: CliRunner
) -> None:
    runtime.settings.phone_events_secret = SECRET
    body = json.dumps(
        {
            "event_id": "e1",
            "type": "ended",
            "call_id": "c1",
            "at": clock.now().isoformat(),
        }
    ).encode()
    headers = signed_headers(SECRET, int(clock.now().timestamp()), body)
    ok(api.client.post("/api/v1/telephony/events", content=body, headers=headers))
    since = (clock.now().replace(hour=0)).isoformat()
    result = command_line.invoke(app, ["phone", "counts", "--since", since])
    assert result.exit_code == 0, result.output
    assert "rung 1 · answered 0 · abandoned 1" in result.output
