"""The living demo's city for the simulator's tests: a migrated, seeded SQLite file copied by
each test, a generator on a VirtualClock, and the supervision tick every 30 simulated seconds.

SQLite ONLY: the generator calls the same service code on PostgreSQL, so the second backend
would only double the run time.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher, profiles

from cad110.clock import SystemClock, VirtualClock
from cad110.db.engine import make_engine, make_sessionmaker, transaction
from cad110.db.migrate import upgrade
from cad110.kernel.runtime import Runtime
from cad110.runtime import build_runtime
from cad110.seed.demo import seed_demo
from cad110.settings import Settings
from cad110.sim import TrafficGenerator
from cad110.supervision.service import tick

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)  # a Monday morning, before the late-morning peak
TICK = timedelta(seconds=30)
SPEED = 2.0
FIX_INTERVAL_S = 30.0  # the demo posts AVL fixes every 5 s; coarser here to keep the test fast


# The simulator's tests never type a password: the city's hundred accounts get argon2's
# cheapest parameters (a hash still verifies), not a tenth of a second of CPU each.
_CHEAP = PasswordHasher.from_parameters(profiles.CHEAPEST)


def _cheap_hashes(passwords: Sequence[str]) -> list[str]:
    return [_CHEAP.hash(p) for p in passwords]


def seed_file(path: Path) -> Path:
    """Migrate a SQLite file at `path` and seed the demo city in it (no history)."""
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            seed_demo(session, now=START, hash_passwords=_cheap_hashes)
    finally:
        engine.dispose()
    return path


@dataclass
class Sim:
    runtime: Runtime
    clock: VirtualClock
    generator: TrafficGenerator
    supervisions_opened: int = 0

    def run(self, duration: timedelta, *, every: timedelta = TICK) -> None:
        """Step the generator and tick supervision every 30 s, as a serving process would."""
        end = self.clock.now() + duration
        while self.clock.now() < end:
            self.generator.step_until(min(end, self.clock.now() + every))
            with transaction(self.runtime.sessions) as session:
                report = tick(session, now=self.clock.now(), settings=self.runtime.settings)
            self.supervisions_opened += report.opened


def sim_runtime(
    seeded: Path, tmp_path: Path, name: str, clock: VirtualClock | SystemClock
) -> Runtime:
    """A runtime on a fresh copy of the seeded city."""
    path = tmp_path / f"{name}.db"
    shutil.copy(seeded, path)
    settings = Settings(
        database_url=f"sqlite:///{path}", supervision_loop=False, sqlite_synchronous="OFF"
    )
    return build_runtime(settings, clock=clock)


StartSim = Callable[..., Sim]


def starter(seeded: Path, tmp_path: Path) -> Iterator[StartSim]:
    """The body of a `start_sim` fixture: start generators on fresh copies of the city, on a
    VirtualClock at START, and dispose of their runtimes after the test."""
    runtimes: list[Runtime] = []

    def start(name: str, *, seed: int = 7, **tuning: Any) -> Sim:
        clock = VirtualClock(START)
        runtime = sim_runtime(seeded, tmp_path, name, clock)
        runtimes.append(runtime)
        tuning.setdefault("fix_interval_s", FIX_INTERVAL_S)
        generator = TrafficGenerator(runtime, speed=SPEED, seed=seed, **tuning)
        return Sim(runtime, clock, generator)

    yield from [start]
    for runtime in runtimes:
        runtime.engine.dispose()
