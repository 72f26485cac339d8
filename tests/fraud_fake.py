"""The fake anti-fraud platform as the tests start it: a process of its own, posting its results
and warnings to `target` (a live server, or a receiver of the test's own)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from cad110.fraud.platform import fraud_channels
from cad110.kernel.outbox import Channel
from cad110.settings import Settings

# What the platform signs its warnings and events with (cad110's CAD110_FRAUD_SECRET), and what
# cad110 signs its tasks and requests with (CAD110_FRAUD_OUT_SECRET): two secrets, one each way.
SECRET = "the anti-fraud platform's secret"
OUT_SECRET = "cad110's secret towards the anti-fraud platform"


@contextmanager
def fake_fraud_platform(target: str, *options: str) -> Iterator[str]:
    """Yields the fake's URL; `options` are its command line's (--delay, --answers …)."""
    command = [sys.executable, "-m", "cad110.fraud.fake", "--port", "0", "--target", target]
    command += ["--secret", SECRET, "--out-secret", OUT_SECRET, *options]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603
    try:
        assert process.stdout is not None
        words = process.stdout.readline().split()
        assert words[:2] == ["listening", "on"], words
        yield f"http://127.0.0.1:{words[2]}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def channels_to(url: str) -> dict[str, Channel]:
    """The runtime's `fraud_call` and `fraud_freeze` channels, both pointed at the fake."""
    return fraud_channels(
        Settings(fraud_96110_url=url, fraud_freeze_url=url, fraud_out_secret=OUT_SECRET)
    )
