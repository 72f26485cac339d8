"""The outside systems beside the living demo: each a fake of its own, in its own process,
speaking real HTTP to this server with a secret shared through the environment (one made up
now unless the deployment set one). A fake is started only where no real system is configured,
and before the application is built, so the settings it reads point at the fake."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from dataclasses import dataclass

from cad110.settings import Settings, get_settings

# The demo's 12345 platform works a ticket one step every this many seconds: a non-police call
# comes back handled a couple of minutes after it was transferred.
DEMO_HOTLINE_PACE_S = 20.0
# And hands 110 a police matter of its own now and then.
DEMO_HOTLINE_EMERGENCY_S = 900.0


@dataclass(frozen=True)
class Fake:
    name: str  # for the log and the error
    module: str  # run as `python -m module`
    secrets: tuple[str, ...]  # environment variables it shares with this server
    url_settings: tuple[str, ...]  # where this server finds it, once it listens
    options: tuple[str, ...] = ()


PHONE = Fake("fake phone system", "cad110.telephony.fake", ("CAD110_PHONE_EVENTS_SECRET",), ())
HOTLINE = Fake(
    "fake 12345 platform",
    "cad110.transfers.fake",
    ("CAD110_HOTLINE_SECRET",),
    ("CAD110_HOTLINE_URL",),
    ("--pace", str(DEMO_HOTLINE_PACE_S), "--emergency-every", str(DEMO_HOTLINE_EMERGENCY_S)),
)
SMS = Fake(
    "fake SMS gateway",
    "cad110.sms.fake",
    ("CAD110_SMS_GATEWAY_SECRET",),
    ("CAD110_SMS_GATEWAY_URL",),
)
# The anti-fraud platform answers a call task or a freeze request this many seconds after it,
# and a fraud-monitoring platform posts a warning every so often: some people do not answer the
# 96110 call and their warning climbs to a visit.
DEMO_FRAUD_DELAY_S = 20.0
DEMO_FRAUD_WARNINGS_S = 120.0
FRAUD = Fake(
    "fake anti-fraud platform",
    "cad110.fraud.fake",
    ("CAD110_FRAUD_SECRET", "CAD110_FRAUD_OUT_SECRET"),
    ("CAD110_FRAUD_96110_URL", "CAD110_FRAUD_FREEZE_URL"),
    ("--delay", str(DEMO_FRAUD_DELAY_S), "--warnings-every", str(DEMO_FRAUD_WARNINGS_S)),
)


def wanted(settings: Settings) -> list[Fake]:
    """The fakes this demo needs: the phone system always (it rings the desk), the others where
    the deployment names no real system."""
    out = [PHONE]
    if not settings.hotline_url:
        out.append(HOTLINE)
    if not settings.sms_gateway_url:
        out.append(SMS)
    if not (settings.fraud_96110_url or settings.fraud_freeze_url):
        out.append(FRAUD)
    return out


def start(fake: Fake, base_url: str) -> tuple[subprocess.Popen[str], str]:
    """Start `fake` against `base_url`; the process and the URL it listens on."""
    for name in fake.secrets:
        if not os.environ.get(name):
            os.environ[name] = secrets.token_urlsafe(24)
    command = [sys.executable, "-m", fake.module, "--port", "0", "--target", base_url]
    command += [*fake.options, "--exit-with-stdin"]  # uvicorn may end this process by its signal
    process = subprocess.Popen(  # noqa: S603
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=dict(os.environ)
    )
    assert process.stdout is not None
    words = process.stdout.readline().split()
    if words[:2] != ["listening", "on"]:
        process.kill()
        raise RuntimeError(f"the {fake.name} did not start")
    url = f"http://127.0.0.1:{words[2]}"
    for name in fake.url_settings:
        os.environ[name] = url
    get_settings.cache_clear()
    return process, url
