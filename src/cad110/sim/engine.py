"""The traffic generator: a discrete-event simulation of a 110 centre on the real use cases.

Every simulated step is one short transaction that calls the same service code the API runs
(`create_incident`, `record_call`, `attach_call`, `act`, `accept_offer`, `change_status`,
`record_positions`), acting as a seeded account: the call-taker, the dispatcher, the duty
leader, or the officer account of the unit concerned. So every step is a real, audited event,
and the supervision tick (run by the server, not here) sees late steps as it would in life.

Time: the generator keeps a queue of due actions. `step_until(moment)` runs every action due
up to `moment` in order; on a `VirtualClock` it moves the clock to each action's time first
(tests, fast replays). `run_forever(stop)` sleeps until the next action is due by the wall
clock. Randomness comes from one seeded generator and the order of actions is fixed, so a run
on a `VirtualClock` is repeatable for a seed.

What the speed changes: calls arrive `speed` times as often as in the modelled city, and the
unsupervised stretches (work on scene, the wait for a callback, archiving) shrink by the same
factor. The supervised steps keep real durations — signing for a dispatch takes 10–50 s, the
drive takes the ETA — so the catalog's time limits mean what they say and the ~10% of steps
made late on purpose really are overdue.

The console stays in charge: if a person acted first (dispatched the incident, released the
unit…) the lifecycle refuses the simulator's step (409); the step is skipped and logged at
debug level. Units dispatched from the console are picked up by the heartbeat and driven like
the simulator's own, and pending offers (待派推送) are accepted by the offered unit.
"""

from __future__ import annotations

import heapq
import logging
import random
import threading
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from cad110.auth.permissions import Permission
from cad110.auth.principal import Principal
from cad110.calls.service import attach_call, record_call
from cad110.catalog.loader import Category, CategoryClass, TimeLimits
from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.dispatch.offers import accept_offer
from cad110.dispatch.queue import offer_queued_incident, withdraw_unit_offers
from cad110.dispatch.recommend import recommend
from cad110.errors import DomainError
from cad110.geo.distance import haversine_m
from cad110.incidents.actions import act, latest_assignments
from cad110.incidents.context import Ctx
from cad110.incidents.intake import create_incident
from cad110.incidents.lifecycle import Action, AssignmentState, Status
from cad110.incidents.repository import get_incident
from cad110.incidents.schemas import (
    AssessBody,
    CallbackBody,
    CallInfo,
    CloseBody,
    DispatchBody,
    GuideCheck,
    IncidentCreate,
    NoteBody,
    ReportBody,
)
from cad110.models.call import CallOutcome
from cad110.models.incident import Incident
from cad110.models.supervision import OfferState, UnitOffer
from cad110.models.unit import Assignment, Unit
from cad110.runtime import Runtime
from cad110.sim import content
from cad110.sim.actors import Actors, SimUnit
from cad110.sim.geography import CityMap, Spot
from cad110.sim.rhythm import CALLS_PER_DAY, Arrivals
from cad110.units.lifecycle import DISPATCHABLE, UnitEvent, UnitStatus
from cad110.units.service import Fix, change_status, get_unit, record_positions

log = logging.getLogger("cad110.sim")

_T = TypeVar("_T")

DEMO_SPEED = 4.0
# Shares of steps made late on purpose, beyond the category's limit, so supervision fires.
LATE_ACK_SHARE = 0.10
LATE_ARRIVAL_SHARE = 0.08
LATE_REPORT_SHARE = 0.04
REPEAT_CALLER_SHARE = 0.07  # a caller of the last hour calls again
REPEAT_WINDOW = timedelta(hours=1)
SECOND_CALLER_SHARE = 0.10  # another caller about the same incident
CALLBACK_SHARE = 0.5
RETRY_DISPATCH = 3  # attempts when a dispatch is refused (a unit taken meanwhile)
QUEUE_PATIENCE_S = 600.0  # how long a queued incident waits for an offer before a city-wide look
SIM_TAG = "演示"
REPEAT_TAG = "重复报警"

# Minutes of work on scene before the report, by category class (at speed 1).
ON_SCENE_MIN: dict[CategoryClass, tuple[float, float]] = {
    CategoryClass.CRIME: (20, 50),
    CategoryClass.PUBLIC_ORDER: (15, 40),
    CategoryClass.DISPUTE: (20, 45),
    CategoryClass.TRAFFIC: (15, 40),
    CategoryClass.HELP: (15, 45),
    CategoryClass.MASS_INCIDENT: (40, 90),
    CategoryClass.DISASTER: (30, 60),
}
DEFAULT_ON_SCENE_MIN = (15.0, 30.0)
# Straight-line driving speed by grade, and the detour factor of real streets.
DRIVE_KMH = {1: 60.0, 2: 45.0, 3: 35.0}
RETURN_GRADE = 3
CIRCUITY = 1.25


@dataclass(order=True)
class _Due:
    at: datetime
    seq: int
    label: str = field(compare=False)
    run: Callable[[], object] = field(compare=False)


@dataclass(frozen=True)
class _Leg:
    """A straight drive from `start` to `end` between t0 and t1 (AVL fixes interpolate it)."""

    start: tuple[float, float]
    end: tuple[float, float]
    t0: datetime
    t1: datetime

    def position(self, at: datetime) -> tuple[float, float]:
        span = (self.t1 - self.t0).total_seconds()
        f = 1.0 if span <= 0 else min(1.0, max(0.0, (at - self.t0).total_seconds() / span))
        return (
            round(self.start[0] + (self.end[0] - self.start[0]) * f, 6),
            round(self.start[1] + (self.end[1] - self.start[1]) * f, 6),
        )

    @property
    def speed_kmh(self) -> float:
        span = (self.t1 - self.t0).total_seconds()
        if span <= 0:
            return 0.0
        metres = haversine_m(self.start[0], self.start[1], self.end[0], self.end[1])
        return round(metres / span * 3.6, 1)


@dataclass
class _UnitState:
    unit: SimUnit
    gen: int = 0  # bumped whenever the unit's job changes; stale actions check it
    incident: str | None = None  # the incident the simulator drives this unit on
    dispatched_at: datetime | None = None
    leg: _Leg | None = None


@dataclass
class _IncidentState:
    number: str
    point: tuple[float, float] | None
    category: Category | None
    grade: int
    urban: bool
    ours: bool  # created by the simulator: its desk staff dispatch, close, call back, archive
    lead: str | None = None  # the unit that handles and reports
    reported: bool = False
    dispatch_refusals: int = 0


@dataclass(frozen=True)
class _Caller:
    phone: str
    name: str | None
    at: datetime
    spot: Spot
    category: str | None
    number: str | None


class TrafficGenerator:
    """Calls, incidents and units of a living demo city, driven through the real use cases."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        speed: float = 1.0,
        seed: int | None = 0,
        calls_per_day: float = CALLS_PER_DAY,
        fix_interval_s: float = 5.0,
        warm_calls: int = 0,
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
        self._categories = content.category_weights(self._catalog)
        if not self._categories:
            raise ValueError("the catalog has none of the simulated categories")
        self._units = {code: _UnitState(u) for code, u in self._actors.units.items()}
        self._incidents: dict[str, _IncidentState] = {}
        self._callers: deque[_Caller] = deque()
        self._offers: set[int] = set()
        self._queue: list[_Due] = []
        self._seq = 0
        self.stats: Counter[str] = Counter()
        start = self._now()
        self._at(self._arrivals.next_after(start), "call", partial(self._call, True))
        for i in range(warm_calls):
            self._at(start + timedelta(seconds=1 + 2 * i), "call", partial(self._call, False))
        self._at(start + timedelta(seconds=fix_interval_s), "heartbeat", self._heartbeat)

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

    def _ctx(self, session: Session, by: Principal) -> Ctx:
        rt = self._rt
        return Ctx(
            session=session,
            by=by,
            at=self._now(),
            catalog=rt.catalog,
            tz=rt.settings.tz,
            eta=rt.eta,
        )

    def _tx(self, label: str, work: Callable[[Session], _T]) -> _T | None:
        """Run one step in its own transaction; a refusal or a database error skips it."""
        try:
            with transaction(self._rt.sessions) as session:
                return work(session)
        except DomainError as exc:
            self.stats["refused"] += 1
            log.debug("simulated %s refused (%d): %s", label, exc.status_code, exc.message)
        except SQLAlchemyError as exc:
            self.stats["db_errors"] += 1
            log.warning("simulated %s failed in the database: %s", label, exc)
        return None

    def _limits(self, inc: _IncidentState) -> TimeLimits:
        if inc.category is not None:
            return inc.category.limits_for(inc.grade)
        return self._catalog.grades[inc.grade].limits

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

    # --- calls (接警) -------------------------------------------------------------------

    def _call(self, chain: bool) -> None:
        now = self._now()
        if chain:
            self._at(self._arrivals.next_after(now), "call", partial(self._call, True))
        while self._callers and now - self._callers[0].at > REPEAT_WINDOW:
            self._callers.popleft()
        rng = self._rng
        again = (
            rng.choice(self._callers)
            if self._callers and rng.random() < REPEAT_CALLER_SHARE
            else None
        )
        outcome = content.call_outcome(rng)
        if again is not None and again.number is not None and rng.random() < 0.6:
            outcome = CallOutcome.INCIDENT_CREATED  # the same trouble, once more
        phone = again.phone if again else content.mobile(rng)
        name = again.name if again else content.caller_name(rng)
        seconds = content.call_seconds(rng, outcome)
        answered = now - timedelta(seconds=seconds)
        self.stats["calls"] += 1
        if again is not None:
            self.stats["repeat_calls"] += 1
        if outcome is CallOutcome.INCIDENT_CREATED:
            self._new_incident(phone, name, answered, seconds, again)
            return
        note = content.call_note(rng, outcome)

        def work(session: Session) -> int:
            ctx = self._ctx(session, self._actors.calltaker)
            ctx.by.require(Permission.RECEIVE)
            call = record_call(
                ctx,
                outcome=outcome,
                caller_phone=phone,
                caller_name=name,
                answered_at=answered,
                duration_s=seconds,
                note=note,
                incident=None,
            )
            return call.id

        if self._tx(f"call ({outcome.value})", work) is not None:
            spot = again.spot if again else self._map.sample(rng)
            self._callers.append(_Caller(phone, name, now, spot, None, None))

    def _new_incident(
        self, phone: str, name: str | None, answered: datetime, seconds: int, again: _Caller | None
    ) -> None:
        rng = self._rng
        code = content.weighted(rng, self._categories)
        if again is not None and again.category is not None and rng.random() < 0.6:
            code = again.category
        spot = again.spot if again is not None and rng.random() < 0.7 else self._map.sample(rng)
        category = self._catalog.categories[code]
        tags = [SIM_TAG] + ([REPEAT_TAG] if again is not None else [])
        data = IncidentCreate(
            caller_name=name,
            caller_phone=phone,
            address=content.address(rng, self._map.city_name, spot.area.area_name),
            lon=spot.lon,
            lat=spot.lat,
            narrative=content.narrative(rng, category),
            tags=tags,
            category=code,
            accept=True,  # 接警 and 受理 in one step: the call-taker has the whole record
            call=CallInfo(answered_at=answered, duration_s=seconds),
        )

        def work(session: Session) -> Incident:
            ctx = self._ctx(session, self._actors.calltaker)
            ctx.by.require(Permission.RECEIVE)
            return create_incident(ctx, data, idempotency_key=None)

        incident = self._tx("incident", work)
        if incident is None:
            return
        number = incident.number
        inc = self._register_row(incident, ours=True)
        self.stats["incidents"] += 1
        self._callers.append(_Caller(phone, name, self._now(), spot, code, number))
        if again is not None and again.number is not None and again.number != number:
            self._after(rng.uniform(3, 8), "assess", partial(self._assess, number, again.number))
        delay = {1: (8, 25), 2: (15, 50)}.get(inc.grade, (20, 90))
        self._after(rng.uniform(*delay), "dispatch", partial(self._dispatch, number))
        if rng.random() < SECOND_CALLER_SHARE:
            self._after(rng.uniform(20, 240), "second call", partial(self._second_call, number))

    def _second_call(self, number: str) -> None:
        rng = self._rng
        seconds = content.call_seconds(rng, CallOutcome.ATTACHED)
        phone, name = content.mobile(rng), content.caller_name(rng)
        note = rng.choice(content.ATTACHED_NOTES)

        def work(session: Session) -> int:
            ctx = self._ctx(session, self._actors.calltaker)
            ctx.by.require(Permission.RECEIVE)
            call = attach_call(
                ctx,
                number=number,
                caller_phone=phone,
                caller_name=name,
                answered_at=ctx.at - timedelta(seconds=seconds),
                duration_s=seconds,
                note=note,
            )
            return call.id

        if self._tx("second call", work) is not None:
            self.stats["calls"] += 1
            self.stats["attached_calls"] += 1

    def _assess(self, number: str, related: str) -> None:
        body = AssessBody(
            note="同一号码1小时内再次报警，关联历史警情", risk="medium", related=[related]
        )

        def work(session: Session) -> bool:
            act(self._ctx(session, self._actors.calltaker), number, Action.ASSESS, body)
            return True

        if self._tx("assess", work):
            self.stats["assessed"] += 1

    # --- dispatch (派警) ----------------------------------------------------------------

    def _dispatch(self, number: str) -> None:
        """The dispatcher sends the top recommended unit(s), or queues the incident (待派).

        Units holding an offer are left to take it. A queued incident waits for an offer to a
        unit of its district; after QUEUE_PATIENCE the dispatcher looks city-wide again.
        """
        inc = self._incidents.get(number)
        if inc is None:
            return

        def work(session: Session) -> tuple[str, list[str]]:
            ctx = self._ctx(session, self._actors.dispatcher)
            ctx.by.require(Permission.DISPATCH)
            incident = get_incident(session, number, by=ctx.by)
            if incident.status not in {Status.ACCEPTED, Status.ASSESSED, Status.QUEUED}:
                return f"skip: already {incident.status.value}", []
            offers = session.execute(
                select(UnitOffer.incident_id, UnitOffer.unit_code).where(
                    UnitOffer.state == OfferState.PENDING
                )
            ).all()
            if any(incident_id == incident.id for incident_id, _ in offers):
                return "waiting", []  # a unit was offered it and is about to answer
            offered = {unit for _, unit in offers}
            advice = recommend(ctx, incident, eta=ctx.eta, k=5 + len(offered))
            chosen = [r.unit.code for r in advice.items if r.unit.code not in offered]
            chosen = chosen[: advice.min_units]
            if chosen:
                act(ctx, number, Action.DISPATCH, DispatchBody(units=chosen, note="按系统推荐派警"))
                return "sent", chosen
            if incident.status is Status.QUEUED:
                return "waiting", []
            act(ctx, number, Action.QUEUE, NoteBody(note="暂无空闲警力，转入待派"))
            return "queued", []

        result = self._tx("dispatch", work)
        if result is None:
            inc.dispatch_refusals += 1
            if inc.dispatch_refusals < RETRY_DISPATCH:
                self._after(self._rng.uniform(20, 40), "dispatch", partial(self._dispatch, number))
            return
        what, units = result
        if what == "sent":
            self.stats["dispatched"] += 1
            for code in units:
                self._start_job(code, number, self._now())
        elif what in {"queued", "waiting"}:
            if what == "queued":
                self.stats["queued"] += 1
                self._scan_offers()
            wait = QUEUE_PATIENCE_S * self._rng.uniform(0.8, 1.2)
            self._after(wait, "dispatch", partial(self._dispatch, number))
        else:
            log.debug("simulated dispatch of %s skipped (someone came first): %s", number, what)

    def _accept_offer(self, offer_id: int, code: str) -> None:
        self._offers.discard(offer_id)
        u = self._units.get(code)
        if u is None:
            return

        def work(session: Session) -> str:
            incident = accept_offer(self._ctx(session, u.unit.officer), offer_id)
            self._register_row(incident, ours=False)
            return incident.number

        number = self._tx("accept offer", work)
        if number is not None:
            self.stats["offers_accepted"] += 1
            self._start_job(code, number, self._now())

    # --- units (签收 出动 到场 释放) ------------------------------------------------------

    def _take(self, code: str, number: str, dispatched_at: datetime) -> _UnitState:
        u = self._units[code]
        u.gen += 1
        u.incident = number
        u.dispatched_at = dispatched_at
        u.leg = None
        return u

    def _drop(self, code: str) -> None:
        """Forget the unit's job (the console changed it); the heartbeat re-adopts if needed."""
        u = self._units[code]
        inc = self._incidents.get(u.incident) if u.incident else None
        if inc is not None and inc.lead == code:
            inc.lead = None
        u.gen += 1
        u.incident = None
        u.leg = None

    def _start_job(self, code: str, number: str, dispatched_at: datetime) -> None:
        if code not in self._units or number not in self._incidents:
            return
        u = self._take(code, number, dispatched_at)
        limit = self._limits(self._incidents[number]).acknowledge_s
        rng = self._rng
        if rng.random() < LATE_ACK_SHARE:
            delay = limit + rng.uniform(5, 90)
            self.stats["late_acks"] += 1
        else:
            delay = rng.uniform(10, max(12.0, min(50.0, 0.7 * limit)))
        self._after(delay, f"acknowledge {code}", partial(self._ack, code, u.gen))

    def _unit_step(self, code: str, gen: int, action: Action) -> bool:
        u = self._units[code]
        number = u.incident
        if u.gen != gen or number is None:
            return False

        def work(session: Session) -> bool:
            act(self._ctx(session, u.unit.officer), number, action, NoteBody(), unit=code)
            return True

        if self._tx(f"{action.value} {code}", work):
            return True
        self._drop(code)
        return False

    def _ack(self, code: str, gen: int) -> None:
        if self._unit_step(code, gen, Action.ACKNOWLEDGE):
            inc = self._incidents.get(self._units[code].incident or "")
            urgent = inc is not None and inc.grade == 1
            delay = self._rng.uniform(5, 15) if urgent else self._rng.uniform(5, 30)
            self._after(delay, f"depart {code}", partial(self._depart, code, gen))

    def _where(self, u: _UnitState, unit: Unit | None) -> tuple[float, float] | None:
        if u.leg is not None:
            return u.leg.position(self._now())
        if unit is not None and unit.last_lon is not None and unit.last_lat is not None:
            return unit.last_lon, unit.last_lat
        return u.unit.home

    def _depart(self, code: str, gen: int) -> None:
        u = self._units[code]
        if not self._unit_step(code, gen, Action.DEPART):
            return
        with self._rt.readers() as session:
            origin = self._where(u, session.get(Unit, code))
        self._drive_to_scene(code, gen, origin)

    def _drive_to_scene(self, code: str, gen: int, origin: tuple[float, float] | None) -> None:
        u = self._units[code]
        inc = self._incidents.get(u.incident or "")
        if inc is None:
            return
        rng = self._rng
        target = inc.point or origin
        now = self._now()
        if origin is None or target is None:
            self._after(rng.uniform(120, 300), f"arrive {code}", partial(self._arrive, code, gen))
            return
        travel = self._drive_s(origin, target, inc.grade)
        if rng.random() < LATE_ARRIVAL_SHARE and u.dispatched_at is not None:
            limits = self._limits(inc)
            limit = limits.arrive_urban_s if inc.urban else limits.arrive_suburban_s
            late = u.dispatched_at + timedelta(seconds=limit * rng.uniform(1.05, 1.3))
            if (late - now).total_seconds() > travel:
                travel = (late - now).total_seconds()
                self.stats["late_arrivals"] += 1
        u.leg = _Leg(origin, target, now, now + timedelta(seconds=travel))
        self._at(u.leg.t1, f"arrive {code}", partial(self._arrive, code, gen))

    def _arrive(self, code: str, gen: int) -> None:
        u = self._units[code]
        if u.gen != gen:
            return
        number = u.incident
        if u.leg is not None:
            end = u.leg.end
            self._post_fixes([Fix(code, end[0], end[1], self._now(), 0.0)])
            u.leg = None
        if number is not None and self._unit_step(code, gen, Action.ARRIVE):
            self._on_scene(code, number)

    def _on_scene(self, code: str, number: str) -> None:
        """The first unit on scene handles the incident and reports (反馈)."""
        inc = self._incidents.get(number)
        if inc is None or inc.lead is not None or inc.reported:
            return
        inc.lead = code
        rng = self._rng
        low, high = (
            ON_SCENE_MIN.get(inc.category.cls, DEFAULT_ON_SCENE_MIN)
            if inc.category
            else DEFAULT_ON_SCENE_MIN
        )
        limit = self._limits(inc).report_s
        if rng.random() < LATE_REPORT_SHARE:
            work_s = limit * rng.uniform(1.05, 1.2)
            self.stats["late_reports"] += 1
        else:
            work_s = min(self._squeeze(rng.uniform(low, high) * 60, 120), 0.85 * limit)
        self._after(work_s * rng.uniform(0.3, 0.5), "handle", partial(self._handle, number))
        self._after(work_s, "report", partial(self._report, number))

    def _lead(self, number: str) -> _UnitState | None:
        inc = self._incidents.get(number)
        if inc is None or inc.lead is None:
            return None
        u = self._units[inc.lead]
        return u if u.incident == number else None

    def _handle(self, number: str) -> bool:
        lead = self._lead(number)
        inc = self._incidents.get(number)
        if lead is None or inc is None:
            return False
        note = content.handle_note(self._rng, inc.category)

        def work(session: Session) -> bool:
            act(self._ctx(session, lead.unit.officer), number, Action.HANDLE, NoteBody(note=note))
            return True

        return bool(self._tx("handle", work))

    def _report(self, number: str) -> None:
        lead = self._lead(number)
        inc = self._incidents.get(number)
        if lead is None or inc is None or inc.reported:
            return
        with self._rt.readers() as session:
            status = session.scalar(select(Incident.status).where(Incident.number == number))
        if status is Status.ARRIVED:
            self._handle(number)  # the handling note was refused or never came: record it now
        rng = self._rng
        result, summary = content.report(rng, inc.category)
        items = inc.category.guide if inc.category else ()
        guide = [GuideCheck(code=g.code, done=True) for g in items]
        body = ReportBody(summary=summary, result=result, guide=guide)

        def work(session: Session) -> list[str]:
            ctx = self._ctx(session, lead.unit.officer)
            incident = act(ctx, number, Action.REPORT, body)
            return [
                code
                for code, a in latest_assignments(ctx, incident).items()
                if a.state is not AssignmentState.RELEASED
            ]

        active = self._tx("report", work)
        if active is None:
            return
        inc.reported = True
        self.stats["reported"] += 1
        last = 0.0
        for code in sorted(active):
            delay = rng.uniform(5, 40)
            last = max(last, delay)
            self._after(delay, f"release {code}", partial(self._release, code, number))
        if inc.ours:
            self._after(last + rng.uniform(30, 150), "close", partial(self._close, number, 0))
        else:  # the console's incident: its people close it; forget it once the units left
            self._after(last + 60, "forget", partial(self._incidents.pop, number, None))

    def _release(self, code: str, number: str) -> None:
        u = self._units.get(code)
        if u is None or u.incident != number:
            return
        note = "处置完毕，警组释放"

        def work(session: Session) -> tuple[UnitStatus, tuple[float, float] | None]:
            act(
                self._ctx(session, u.unit.officer),
                number,
                Action.RELEASE,
                NoteBody(note=note),
                unit=code,
            )
            unit = session.get(Unit, code)
            assert unit is not None
            return unit.status, self._where(u, unit)

        result = self._tx(f"release {code}", work)
        self._drop(code)
        if result is None:
            return
        if result[0] is UnitStatus.RETURNING:
            self._drive_home(code, result[1])
        self._scan_offers()  # a freed unit is offered the oldest queued incident it suits

    def _drive_home(self, code: str, origin: tuple[float, float] | None) -> None:
        u = self._units[code]
        home = u.unit.home
        if home is None or origin is None:
            return
        now = self._now()
        travel = max(30.0, self._drive_s(origin, home, RETURN_GRADE))
        u.leg = _Leg(origin, home, now, now + timedelta(seconds=travel))
        self._at(u.leg.t1, f"back at base {code}", partial(self._back_at_base, code, u.gen))

    def _back_at_base(self, code: str, gen: int) -> None:
        u = self._units[code]
        if u.gen != gen or u.leg is None:
            return  # dispatched again on the way
        end = u.leg.end
        self._post_fixes([Fix(code, end[0], end[1], self._now(), 0.0)])
        u.leg = None

        def work(session: Session) -> UnitStatus:
            ctx = self._ctx(session, u.unit.officer)
            ctx.by.require(Permission.UNIT_STATUS)
            unit = get_unit(ctx, code)
            new = change_status(ctx, unit, UnitEvent.BACK_AT_BASE, reason="返回驻地")
            if new in DISPATCHABLE:
                offer_queued_incident(ctx, unit)
            else:
                withdraw_unit_offers(ctx, unit)
            return new

        if self._tx(f"back at base {code}", work) is not None:
            self.stats["back_at_base"] += 1
            self._scan_offers()

    # --- after the report (结警 回访 归档) ------------------------------------------------

    def _close(self, number: str, tries: int) -> None:
        rng = self._rng
        summary = rng.choice(content.CLOSE_NOTES)

        def work(session: Session) -> bool:
            ctx = self._ctx(session, self._actors.dispatcher)
            act(ctx, number, Action.CLOSE, CloseBody(summary=summary))
            return True

        if not self._tx("close", work):
            if tries < 2:
                self._after(120, "close", partial(self._close, number, tries + 1))
            return
        self.stats["closed"] += 1
        wait = 0.0
        if rng.random() < CALLBACK_SHARE:
            wait = self._squeeze(rng.uniform(20, 90) * 60, 120)
            self._after(wait, "callback", partial(self._callback, number))
        archive = wait + self._squeeze(rng.uniform(2, 4) * 3600, 600)
        self._after(archive, "archive", partial(self._archive, number))

    def _callback(self, number: str) -> None:
        satisfaction = content.satisfaction(self._rng)
        body = CallbackBody(satisfaction=satisfaction, note=content.CALLBACK_NOTES[satisfaction])

        def work(session: Session) -> bool:
            act(self._ctx(session, self._actors.calltaker), number, Action.CALLBACK, body)
            return True

        if self._tx("callback", work):
            self.stats["callbacks"] += 1

    def _archive(self, number: str) -> None:
        def work(session: Session) -> bool:
            act(
                self._ctx(session, self._actors.leader),
                number,
                Action.ARCHIVE,
                NoteBody(note="归档"),
            )
            return True

        if self._tx("archive", work):
            self.stats["archived"] += 1
        self._incidents.pop(number, None)

    # --- the heartbeat: AVL fixes, and what the console did ---------------------------------

    def _post_fixes(self, fixes: list[Fix]) -> None:
        def work(session: Session) -> int:
            applied, _unknown = record_positions(session, fixes, scope_path=self._map.city_path)
            return applied

        self._tx("positions", work)

    def _heartbeat(self) -> None:
        self._after(self._fix_interval, "heartbeat", self._heartbeat)
        now = self._now()
        fixes = [
            Fix(code, *u.leg.position(now), now, u.leg.speed_kmh)
            for code, u in self._units.items()
            if u.leg is not None and u.leg.t0 < now
        ]
        if fixes:
            self._post_fixes(fixes)
        self._scan()

    def _scan_offers(self) -> None:
        """Each pending offer (待派推送) is taken by its unit after a short while."""
        try:
            with self._rt.readers() as session:
                offers = session.execute(
                    select(UnitOffer.id, UnitOffer.unit_code)
                    .where(UnitOffer.state == OfferState.PENDING)
                    .order_by(UnitOffer.id)
                ).all()
        except SQLAlchemyError as exc:
            log.warning("simulator scan failed: %s", exc)
            return
        for offer_id, code in offers:
            if offer_id not in self._offers and code in self._units:
                self._offers.add(offer_id)
                delay = self._rng.uniform(5, 25)
                self._after(
                    delay, f"accept offer {code}", partial(self._accept_offer, offer_id, code)
                )

    def _scan(self) -> None:
        """Pick up pending offers, units dispatched from the console, and units left returning."""
        self._scan_offers()
        try:
            with self._rt.readers() as session:
                active = session.execute(
                    select(Assignment, Incident)
                    .join(Incident, Incident.id == Assignment.incident_id)
                    .where(Assignment.released_at.is_(None))
                    .order_by(Assignment.id)
                ).all()
                returning = session.scalars(
                    select(Unit).where(Unit.status == UnitStatus.RETURNING).order_by(Unit.code)
                ).all()
        except SQLAlchemyError as exc:
            log.warning("simulator scan failed: %s", exc)
            return
        for assignment, incident in active:
            code = assignment.unit_code
            u = self._units.get(code)
            if u is None:
                continue
            number = incident.number
            if u.incident == number:
                inc = self._incidents.get(number)
                if (
                    assignment.state is AssignmentState.ARRIVED
                    and inc is not None
                    and inc.lead is None
                    and not inc.reported
                ):
                    self._on_scene(code, number)  # the lead was released: another unit reports
                continue
            self._adopt(u, assignment, incident)
        for unit in returning:
            u = self._units.get(unit.code)
            if u is not None and u.incident is None and u.leg is None:
                self._drive_home(unit.code, self._where(u, unit))

    def _adopt(self, u: _UnitState, assignment: Assignment, incident: Incident) -> None:
        """Drive a unit whose assignment the simulator did not make (or lost track of)."""
        code, number = u.unit.code, incident.number
        self._register_row(incident, ours=False)
        self.stats["adopted"] += 1
        log.debug("simulator adopts %s on %s (%s)", code, number, assignment.state.value)
        if assignment.state is AssignmentState.DISPATCHED:
            self._start_job(code, number, assignment.dispatched_at)
            return
        with self._rt.readers() as session:
            origin = self._where(u, session.get(Unit, code))
        u = self._take(code, number, assignment.dispatched_at)
        if assignment.state is AssignmentState.ACKNOWLEDGED:
            self._after(
                self._rng.uniform(5, 20), f"depart {code}", partial(self._depart, code, u.gen)
            )
        elif assignment.state is AssignmentState.DEPARTED:
            self._drive_to_scene(code, u.gen, origin)
        elif assignment.state is AssignmentState.ARRIVED:
            self._on_scene(code, number)
