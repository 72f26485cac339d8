"""The fake SMS gateway, a process of its own speaking real HTTP to the live server: the
`gateway` fixture (import it with `live_server` from tests/browser/conftest.py)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from cad110.clock import VirtualClock
from cad110.kernel.runtime import Runtime
from cad110.settings import Settings
from cad110.sms.gateway import sms_channel

SECRET = "the gateway's shared secret"
UNREACHABLE = "13700000000"


@pytest.fixture
def gateway(live_server: str, runtime: Runtime, clock: VirtualClock) -> Iterator[str]:
    """The fake gateway posting to the live server; yields its URL. Both sign by the wall
    clock, so the server's clock is set to it."""
    runtime.settings.sms_gateway_secret = SECRET
    clock.set(datetime.now(UTC))
    command = [sys.executable, "-m", "cad110.sms.fake", "--port", "0", "--target", live_server]
    command += ["--secret", SECRET, "--unreachable", UNREACHABLE]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603
    try:
        assert process.stdout is not None
        words = process.stdout.readline().split()
        assert words[:2] == ["listening", "on"], words
        url = f"http://127.0.0.1:{words[2]}"
        runtime.outbox_channels = sms_channel(
            Settings(sms_gateway_url=url, sms_gateway_secret=SECRET)
        )
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
