"""Running the traffic generator beside a serving process, in wall-clock time."""

from __future__ import annotations

import logging
import random
import threading
from collections import Counter

from cad110.clock import SystemClock
from cad110.kernel.runtime import Runtime
from cad110.runtime import build_runtime
from cad110.settings import Settings
from cad110.sim.engine import DEMO_SPEED, TrafficGenerator
from cad110.sim.phone import HttpLine

log = logging.getLogger("cad110.sim")

# Calls made in the first seconds, so that a newcomer's first look finds a working centre.
WARM_CALLS = 6


def run_demo_traffic(
    settings: Settings,
    *,
    speed: float = DEMO_SPEED,
    seed: int | None = None,
    stop_event: threading.Event,
    warm_calls: int = WARM_CALLS,
    runtime: Runtime | None = None,
    phone_url: str | None = None,
) -> Counter[str]:
    """Drive the seeded demo city by the wall clock until `stop_event` is set.

    Needs a migrated database with the demo city seeded (`cad110 db upgrade`, `cad110 seed
    demo`); raises `MissingActor` otherwise. The supervision tick is left to the server.

    Pass the serving application's own `runtime` (`app.state.runtime`) to run inside the
    server: live pushes (SSE) are published from the commits of that runtime's sessions, so
    only then do open screens follow the simulated traffic as it happens (on SQLite the bus
    is in-process). Without one, a Runtime on the system clock is built for `settings`.
    With `phone_url` (the fake phone system, telephony/fake.py) the callers' calls reach cad110
    as signed phone events over HTTP; without, the same events are applied in-process.
    Returns the generator's counters.
    """
    if seed is None:
        seed = random.SystemRandom().randrange(2**31)
    own = runtime is None
    rt = build_runtime(settings, clock=SystemClock()) if runtime is None else runtime
    try:
        line = HttpLine(phone_url) if phone_url else None
        generator = TrafficGenerator(
            rt, speed=speed, seed=seed, warm_calls=warm_calls, phone_line=line
        )
        log.info("traffic generator: seed %d", seed)
        generator.run_forever(stop_event)
        return generator.stats
    finally:
        if own:
            rt.engine.dispose()
