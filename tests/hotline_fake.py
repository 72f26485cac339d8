"""The fake 12345 platform as the tests start it: a process of its own, posting to a live
server, with the runtime's "12345" channel pointed at it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from cad110.clock import VirtualClock
from cad110.kernel.runtime import Runtime
from cad110.settings import Settings
from cad110.transfers.platform import hotline_channel

SECRET = "the hotline's shared secret"


@contextmanager
def fake_hotline(
    live_server: str, runtime: Runtime, clock: VirtualClock, *, pace_s: float = 0.0
) -> Iterator[str]:
    """Yields the fake's URL. Both sides sign by the wall clock, so the server's clock is set
    to it."""
    runtime.settings.hotline_secret = SECRET
    clock.set(datetime.now(UTC))
    command = [sys.executable, "-m", "cad110.transfers.fake", "--port", "0", "--pace", str(pace_s)]
    command += ["--target", live_server, "--secret", SECRET]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603
    try:
        assert process.stdout is not None
        words = process.stdout.readline().split()
        assert words[:2] == ["listening", "on"], words
        url = f"http://127.0.0.1:{words[2]}"
        runtime.outbox_channels = hotline_channel(Settings(hotline_url=url, hotline_secret=SECRET))
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
