"""The living demo's city for the simulator's tests: a migrated, seeded SQLite file copied by
each test, a generator on a VirtualClock, and the supervision tick every 30 simulated seconds.

SQLite ONLY: the generator calls the same service code on PostgreSQL, so the second backend
would only double the run time.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher, profiles
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cad110.clock import SystemClock, VirtualClock
from cad110.db.engine import make_engine, make_sessionmaker, transaction
from cad110.db.migrate import upgrade
from cad110.kernel.context import Ctx
from cad110.kernel.runtime import Runtime
from cad110.models.event import Event
from cad110.models.incident import Incident
from cad110.models.place import Place
from cad110.models.unit import Unit
from cad110.models.user import User
from cad110.runtime import build_runtime
from cad110.seed.demo import seed_demo
from cad110.seed.places_demo import SOURCE as DEMO_SOURCE
from cad110.settings import Settings
from cad110.sim import TrafficGenerator
from cad110.sim.actors import acting_as
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


def fingerprint(runtime: Runtime) -> dict[str, object]:
    with runtime.readers() as session:
        return {
            "events": sorted(
                Counter(
                    f"{t}:{k}" for t, k in session.execute(select(Event.subject_type, Event.kind))
                ).items()
            ),
            "statuses": sorted(
                (s.value, n)
                for s, n in session.execute(
                    select(Incident.status, func.count()).group_by(Incident.status)
                )
            ),
            "numbers": session.scalars(select(Incident.number).order_by(Incident.id)).all(),
            "places": session.execute(
                select(Incident.address, Incident.lon, Incident.lat).order_by(Incident.id)
            ).all(),
            "units": session.execute(select(Unit.code, Unit.status).order_by(Unit.code)).all(),
        }


def from_the_library(runtime: Runtime, incidents: Sequence[Incident]) -> float:
    """The share of `incidents` placed at a library address whose words name that address."""
    at: dict[tuple[float, float], list[str]] = {}
    with runtime.readers() as session:
        for p in session.scalars(select(Place).where(Place.source == DEMO_SOURCE)):
            # A building's flats share its point.
            at.setdefault((p.lon, p.lat), []).extend((p.name, p.full_text, *p.aliases))
    named = sum(
        any(name in (i.address or "") for name in at.get((i.lon or 0.0, i.lat or 0.0), ()))
        for i in incidents
    )
    return named / len(incidents)


def ctx_of(runtime: Runtime, session: Session, username: str) -> Ctx:
    user = session.scalar(select(User).where(User.username == username))
    assert user is not None
    return runtime.ctx(session, acting_as(session, user))
