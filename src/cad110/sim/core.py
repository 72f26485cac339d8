"""The traffic generator's core: its state, the queue of due actions, the clock, the plumbing.

`SimCore` holds what every actor shares (the runtime, the seeded random generator, the city,
the accounts, what it knows of units, incidents and recent callers, the queue of due actions)
and the plumbing they all use: one short transaction a step, time limits, drive times. The
actors are mixins on it (`desk`, `dispatcher`, `field`); what one actor asks of another is
declared here and defined by that actor.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import random
import threading
import uuid
from abc import ABC, abstractmethod
from collections import Counter, deque
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import TypeVar

from sqlalchemy import event as sa_event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from cad110.auth.principal import SYSTEM, Principal
from cad110.catalog.loader import TimeLimits
from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.errors import DomainError
from cad110.geo.distance import haversine_m
from cad110.kernel.context import Ctx
from cad110.kernel.runtime import Runtime
from cad110.models.event import Event
from cad110.models.incident import Incident
from cad110.sim import content, people
from cad110.sim.actors import Actors
from cad110.sim.geography import CityMap, Spot
from cad110.sim.phone import SIM_SEAT, PhoneLine, ServiceLine, SimPhone
from cad110.sim.rhythm import CALLS_PER_DAY, Arrivals
from cad110.sim.state import (
    CIRCUITY,
    DRIVE_KMH,
    HOUSEHOLDS_AT_START,
    NEW_HOUSEHOLD_MEAN_H,
    _Caller,
    _Due,
    _IncidentState,
    _UnitState,
)
from cad110.telephony.service import claim_seat

log = logging.getLogger("cad110.sim")

_T = TypeVar("_T")


class SimCore(ABC):
    """The traffic generator's state, clock and plumbing, under its actors."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        speed: float = 1.0,
        seed: int | None = 0,
        calls_per_day: float = CALLS_PER_DAY,
        fix_interval_s: float = 5.0,
        warm_calls: int = 0,
        phone_line: PhoneLine | None = None,
        households: int = HOUSEHOLDS_AT_START,
        household_every_h: float = NEW_HOUSEHOLD_MEAN_H,
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        if fix_interval_s <= 0:
            raise ValueError("fix_interval_s must be positive")
        self._rt = runtime
        self._clock = runtime.clock
        self.speed = speed
        self._fix_interval = fix_interval_s
        root = random.Random(seed)
        self._rng = random.Random(root.getrandbits(64))
        self._catalog = runtime.catalog
        with runtime.readers() as session:
            self._map = CityMap(session)
            self._actors = Actors.load(session)
        self._arrivals = Arrivals(
            random.Random(root.getrandbits(64)),
            calls_per_day=calls_per_day,
            speed=speed,
            tz=runtime.settings.tz,
        )
        # Missing-person cases draw from their own stream, so the calls stay as they were.
        self._missing_rng = random.Random(root.getrandbits(64))
        # So do the phone system's events (ring times, carrier locations, calls that ring out).
        phone_rng = random.Random(root.getrandbits(64))
        # Where calls come from and how callers name it, too: a change to the address library
        # leaves the call and category mix of a seed as it was.
        self._places_rng = random.Random(root.getrandbits(64))
        # Troubled households (households.py) too: who they are, when they call, their cases.
        self._household_rng = random.Random(root.getrandbits(64))
        self._households_at_start = households
        self._household_every_h = household_every_h  # 0: no new ones
        self._categories = content.category_weights(self._catalog)
        if not self._categories:
            raise ValueError("the catalog has none of the simulated categories")
        self._units = {code: _UnitState(u) for code, u in self._actors.units.items()}
        # What a person touches is left alone (sim/people.py); "system" is the supervision
        # tick and other automatic work, not a person.
        with runtime.readers() as session:
            self._hands_off = people.start(session, {SYSTEM.username})
        self._started = self._now()
        self._incidents: dict[str, _IncidentState] = {}
        self._callers: deque[_Caller] = deque()
        self._offers: set[int] = set()
        self._queue: list[_Due] = []
        self._seq = 0
        # Idempotency keys name this run and a step in it, so that no two steps (of this run or
        # of another one, which starts over at 1) share a key. Not from the seeded generator:
        # drawing from it would change the simulated city.
        self._run_id = uuid.uuid4().hex
        self._steps = itertools.count(1)
        # The callers' calls reach the desk as phone events (sim/phone.py), at the seat the
        # simulated call-taker sits at.
        self._phone = SimPhone(
            phone_line or ServiceLine(self._tx, self._ctx), phone_rng, self._run_id
        )
        self.stats: Counter[str] = Counter()
        self._seated = False  # taking the seat at the start is no taking back
        self._sit()
        start = self._now()
        self._at(self._arrivals.next_after(start), "call", partial(self._call, True))
        for i in range(warm_calls):
            self._at(start + timedelta(seconds=1 + 2 * i), "call", partial(self._call, False))
        self._at(start + timedelta(seconds=fix_interval_s), "heartbeat", self._heartbeat)
        self._start_households()

    # --- driving the clock --------------------------------------------------------------

    @property
    def next_due(self) -> datetime | None:
        return self._queue[0].at if self._queue else None

    def step_until(self, moment: datetime) -> int:
        """Run every action due up to `moment`, in order; returns how many ran.

        On a VirtualClock the clock is moved to each action's time, then to `moment`.
        """
        virtual = self._clock if isinstance(self._clock, VirtualClock) else None
        ran = 0
        while self._queue and self._queue[0].at <= moment:
            due = heapq.heappop(self._queue)
            if virtual is not None and virtual.now() < due.at:
                virtual.set(due.at)
            due.run()
            ran += 1
        if virtual is not None and virtual.now() < moment:
            virtual.set(moment)
        return ran

    def run_forever(self, stop_event: threading.Event, *, report_every_s: float = 60.0) -> None:
        """Run in wall-clock time until `stop_event` is set, sleeping between due actions."""
        log.info(
            "traffic generator running: speed %s, about %.0f calls/hour now",
            self.speed,
            self._arrivals.rate(self._now()) * 3600,
        )
        next_report = self._now() + timedelta(seconds=report_every_s)
        while not stop_event.is_set():
            now = self._now()
            due = self.next_due
            wait = report_every_s if due is None else (due - now).total_seconds()
            wait = min(wait, (next_report - now).total_seconds())
            if wait > 0:
                if stop_event.wait(wait):
                    break
                now = self._now()
            self.step_until(now)
            if now >= next_report:
                log.info("traffic generator: %s", self.summary())
                next_report = now + timedelta(seconds=report_every_s)
        log.info("traffic generator stopped: %s", self.summary())

    def summary(self) -> str:
        keys = ("calls", "incidents", "dispatched", "queued", "reported", "closed", "refused")
        return ", ".join(f"{k} {self.stats[k]}" for k in keys)

    # --- plumbing -----------------------------------------------------------------------

    def _now(self) -> datetime:
        return self._clock.now()

    def _at(self, when: datetime, label: str, run: Callable[[], object]) -> None:
        self._seq += 1
        heapq.heappush(self._queue, _Due(when, self._seq, label, run))

    def _after(self, seconds: float, label: str, run: Callable[[], object]) -> None:
        self._at(self._now() + timedelta(seconds=seconds), label, run)

    def _squeeze(self, seconds: float, floor: float) -> float:
        """A stretch nobody supervises, shortened by the speed."""
        return max(floor, seconds / self.speed)

    def _key(self, what: str) -> str:
        """A fresh idempotency key for one simulated step."""
        return f"sim:{self._run_id}:{what}:{next(self._steps)}"

    def _ctx(self, session: Session, by: Principal) -> Ctx:
        return self._rt.ctx(session, by, self._now())

    def _tx(self, label: str, work: Callable[[Session], _T]) -> _T | None:
        """Run one step in its own transaction; a refusal or a database error skips it."""
        try:
            with transaction(self._rt.sessions) as session:
                added: list[Event] = []

                def note(_session: Session, obj: object) -> None:
                    if isinstance(obj, Event):
                        added.append(obj)

                sa_event.listen(session, "transient_to_pending", note)
                result = work(session)
                session.flush()
                # The simulator's own events: what it reads back later is no person's doing.
                self._hands_off.recorded(e.id for e in added)
                return result
        except DomainError as exc:
            self.stats["refused"] += 1
            self.stats[f"refused {label}"] += 1  # by step, so a run shows which step is refused
            log.debug("simulated %s refused (%d): %s", label, exc.status_code, exc.message)
        except SQLAlchemyError as exc:
            self.stats["db_errors"] += 1
            log.warning("simulated %s failed in the database: %s", label, exc)
        return None

    def _sit(self) -> None:
        """The simulated call-taker at its seat, taken back from whoever took it: its calls are
        answered there, and a record of a call answered at a seat not its own is refused."""

        def work(session: Session) -> bool:
            ctx = self._ctx(session, self._actors.calltaker)
            return claim_seat(ctx, SIM_SEAT, take_over=True)

        if self._tx("seat", work) and self._seated:
            self.stats["seat_taken_back"] += 1
            log.info("simulated call-taker took seat %s back", SIM_SEAT)
        self._seated = True

    def _answer(
        self, caller: str, answered: datetime, spot: tuple[float, float] | None
    ) -> str | None:
        """A call rings and the simulated call-taker answers it, at its own seat."""
        self._sit()
        return self._phone.answer(caller, answered, spot)

    def _leaves(
        self, *, incident: str | None = None, unit: str | None = None, case: str | None = None
    ) -> bool:
        """Whether a person touched this incident, unit or repeat case, so the simulator must
        not act. Read afresh right before the step: a step queued before an officer logged in
        or a person acted would otherwise run before the next heartbeat noticed them."""
        self._notice_people()
        if self._hands_off.leaves(incident=incident, unit=unit, case=case):
            self.stats["left_to_people"] += 1
            return True
        return False

    def _notice_people(self) -> None:
        """Learn what people did since the last look; stop driving what they touched."""
        try:
            with self._rt.readers() as session:
                fresh = people.look(
                    session, self._hands_off, units=self._units.keys(), since=self._started
                )
        except SQLAlchemyError as exc:
            log.warning("simulator could not read what people did: %s", exc)
            return
        touched = self._hands_off.incidents
        for code, u in self._units.items():
            busy = u.incident is not None or u.leg is not None
            if busy and (code in fresh or u.incident in touched):
                log.debug("simulator leaves %s to the people on it", code)
                self.stats["left_to_people"] += 1
                self._let_go(code)

    def _let_go(self, code: str) -> None:
        u = self._units[code]
        inc = self._incidents.get(u.incident) if u.incident else None
        if inc is not None and inc.lead == code:
            inc.lead = None
        u.gen += 1  # every step already queued for it is stale
        u.incident = None
        u.leg = None

    def _limits(self, inc: _IncidentState) -> TimeLimits:
        code = inc.category.code if inc.category is not None else None
        return self._catalog.limits_at(code, inc.grade)

    def _drive_s(
        self, origin: tuple[float, float], target: tuple[float, float], grade: int
    ) -> float:
        """Seconds a simulated drive takes: straight line × circuity at the grade's speed.

        Deliberately not the dispatcher's ETA model: with lights and siren an urgent drive
        beats the estimate; a routine one roughly meets it.
        """
        metres = haversine_m(origin[0], origin[1], target[0], target[1])
        speed_kmh = DRIVE_KMH.get(grade, DRIVE_KMH[3])
        return 15.0 + metres * CIRCUITY / (speed_kmh / 3.6) * self._rng.uniform(0.85, 1.15)

    def _register(
        self,
        number: str,
        *,
        lon: float | None,
        lat: float | None,
        category: str | None,
        grade: int | None,
        jurisdiction: str,
        ours: bool,
    ) -> _IncidentState:
        known = self._incidents.get(number)
        if known is not None:
            return known
        state = _IncidentState(
            number=number,
            point=(lon, lat) if lon is not None and lat is not None else None,
            category=self._catalog.get(category) if category else None,
            grade=grade or 3,
            urban=self._map.is_urban(jurisdiction),
            ours=ours,
        )
        self._incidents[number] = state
        return state

    def _register_row(self, incident: Incident, *, ours: bool) -> _IncidentState:
        return self._register(
            incident.number,
            lon=incident.lon,
            lat=incident.lat,
            category=incident.category_code,
            grade=incident.grade,
            jurisdiction=incident.jurisdiction_code,
            ours=ours,
        )

    # --- asked of one actor by another: each actor mixin implements its own -------------

    @abstractmethod
    def _call(self, chain: bool) -> None:
        """Take one call; with `chain`, book the next arrival (the call-taker's)."""

    @abstractmethod
    def _new_incident(
        self,
        phone: str,
        name: str | None,
        answered: datetime,
        seconds: int,
        again: _Caller | None,
        trouble: tuple[str, Spot] | None = None,
    ) -> str | None:
        """Take a call that makes an incident; its number (the call-taker's)."""

    @abstractmethod
    def _dispatch(self, number: str) -> None:
        """Dispatch the incident, or queue it (the dispatcher's)."""

    @abstractmethod
    def _scan_offers(self) -> None:
        """Book the acceptance of each new pending offer (the dispatcher's)."""

    @abstractmethod
    def _close(self, number: str, tries: int) -> None:
        """Close a reported incident, retrying a refused close (the dispatcher's)."""

    @abstractmethod
    def _callback(self, number: str, due: bool, tries: int) -> None:
        """Call the reporter back (回访), then book the archive (the call-taker's)."""

    @abstractmethod
    def _start_job(self, code: str, number: str, dispatched_at: datetime) -> None:
        """Put a unit on an incident and book its sign-for (the units')."""

    @abstractmethod
    def _open_missing_case(self, number: str) -> None:
        """Open the case file of a missing-person incident (the call-taker's, 首接)."""

    @abstractmethod
    def _start_households(self) -> None:
        """Book the troubled households' first calls (the households')."""

    @abstractmethod
    def _heartbeat(self) -> None:
        """Post AVL fixes and pick up what the console did; books the next beat (the units')."""
