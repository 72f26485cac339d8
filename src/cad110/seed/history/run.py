"""Seeding a past year through the real use cases: every call record, incident, dispatch, unit
step, feedback, close, callback and archive is made by the same functions the API calls, each
at its moment of the past year (the Ctx's time and the runtime's clock).

Items are worked in the order their calls came, each from its call to its archive, so the
record of one incident reads as the desk would have made it; many items share one transaction
(batched commits). A step done late is preceded by the supervision tick at the moments the
server's tick would have found it overdue, so its 督办 is opened (and escalated) the way the
tick opens them, never written by hand.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from shapely.geometry import shape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cad110.auth.principal import Principal
from cad110.db.engine import transaction
from cad110.incidents import actions
from cad110.incidents.calls import attach_call, record_call
from cad110.incidents.intake import create_incident
from cad110.incidents.schemas import (
    ArriveBody,
    CallbackBody,
    CallInfo,
    CloseBody,
    DispatchBody,
    GuideCheck,
    IncidentCreate,
    InvalidateBody,
    MergeBody,
    NoteBody,
    ReportBody,
)
from cad110.kernel.context import Ctx
from cad110.kernel.runtime import Runtime
from cad110.kernel.scope import in_scope
from cad110.lifecycles.unit import UnitEvent
from cad110.models.call import Call, CallOutcome
from cad110.models.incident import Incident
from cad110.models.jurisdiction import AreaType, Jurisdiction, Level
from cad110.models.unit import Unit
from cad110.models.user import Role
from cad110.seed.history.plan import DUPLICATE, HOAX_FOUND, VALID, Item, Plan
from cad110.seed.history.profile import Profile
from cad110.sim import content
from cad110.supervision.service import tick
from cad110.units.service import set_status

BATCH = 100
# Where a unit was in the year written is not on record (its positions are today's, and a fix
# older than the last one is ignored): the arrival is entered with the reason why it cannot be
# judged from them, as an officer entering it by hand would say.
_ARRIVED = ArriveBody(reason="历史警情补录，无当时定位")
# The server's tick looks every few seconds: a step overdue is found this soon after its due.
TICK_AFTER = timedelta(seconds=30)


class AlreadySeeded(Exception):
    """The jurisdiction already holds records in the period: seeding twice would double it."""

    def __init__(self, incidents: int, calls: int) -> None:
        super().__init__(f"{incidents} incidents and {calls} call records already in the period")
        self.incidents, self.calls = incidents, calls


class HistoryClock:
    """The runtime's clock while a past year is written: it reads the moment being worked,
    which moves back as well as forward from one incident to the next."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


@dataclass
class _Place:
    code: str
    path: str
    suburban: bool
    name: str
    point: tuple[float, float] | None  # its label or the middle of its boundary


def _point(station: Jurisdiction) -> tuple[float, float] | None:
    if station.label_lon is not None and station.label_lat is not None:
        return station.label_lon, station.label_lat
    if station.boundary:
        middle = shape(json.loads(station.boundary)).representative_point()
        return middle.x, middle.y
    return None


def existing(session: Session, path: str, start: datetime, end: datetime) -> tuple[int, int]:
    """Incidents and call records already in `path`'s subtree in [start, end)."""
    incidents = session.scalar(
        select(func.count())
        .select_from(Incident)
        .where(
            in_scope(Incident.jurisdiction_path, path),
            Incident.received_at >= start,
            Incident.received_at < end,
        )
    )
    calls = session.scalar(
        select(func.count())
        .select_from(Call)
        .where(
            in_scope(Call.jurisdiction_path, path),
            Call.answered_at >= start,
            Call.answered_at < end,
        )
    )
    return int(incidents or 0), int(calls or 0)


class Writer:
    """Writes a plan's items into the database of `rt` (whose clock is a HistoryClock)."""

    def __init__(
        self,
        rt: Runtime,
        profile: Profile,
        county: Jurisdiction,
        units: Collection[str] | None = None,
        stream: int = 0,
    ) -> None:
        """`units`: the only units this writer may send (a shard's), else all the county's;
        `stream`: a shard's own random stream, so shards never mirror each other."""
        assert isinstance(rt.clock, HistoryClock)
        self.rt, self.clock, self.catalog = rt, rt.clock, rt.catalog
        # Its own stream: the plan stays as it was.
        self.rng = random.Random(profile.seed + 1 + 1000 * stream)
        path = county.path
        self.calltaker = Principal.acting_for(
            path, username="history-calltaker", role=Role.CALLTAKER
        )
        self.dispatcher = Principal.acting_for(
            path, username="history-dispatcher", role=Role.DISPATCHER
        )
        only = set(units or ())
        with rt.readers() as session:
            stations = session.scalars(
                select(Jurisdiction)
                .where(in_scope(Jurisdiction.path, path), Jurisdiction.level == Level.STATION)
                .order_by(Jurisdiction.code)
            ).all()
            self.stations = [
                _Place(s.code, s.path, s.area_type is AreaType.SUBURBAN, s.name_zh, _point(s))
                for s in stations
            ]
            rows = session.scalars(
                select(Unit).where(in_scope(Unit.jurisdiction_path, path)).order_by(Unit.code)
            ).all()
            self.units = {u.code: u.station_code for u in rows if not only or u.code in only}
        if not self.stations or not self.units:
            raise ValueError(f"{county.code} has no stations or no units to seed a year into")
        # When each unit is free again in the year being written (its last back-at-base).
        self.free_at = {code: datetime.min.replace(tzinfo=UTC) for code in self.units}
        # Calls about the incident being written still to record, in time order: (answered,
        # is a duplicate to merge, not a second caller; the incident's number and its plan).
        self._pending: list[tuple[datetime, bool, str, Item]] = []

    def write(
        self,
        plan: Plan,
        progress: Callable[[int, int], None] | None = None,
        batch: int = BATCH,
    ) -> None:
        items = plan.items
        for first in range(0, len(items), batch):
            with transaction(self.rt.sessions) as session:
                for item in items[first : first + batch]:
                    self.item(session, item, plan.end)
            if progress is not None:
                progress(min(first + batch, len(items)), len(items))

    # --- one item -------------------------------------------------------------------------

    def _ctx(self, session: Session, by: Principal, at: datetime) -> Ctx:
        """The unit of work of a step at `at`; the calls about the incident answered before it
        first, so each incident's record is in the order things happened."""
        while self._pending and self._pending[0][0] <= at:
            self._follow(session, *self._pending.pop(0))
        self.clock.at = at
        return self.rt.ctx(session, by, at)

    def item(self, session: Session, item: Item, end: datetime) -> None:
        place = self.stations[item.station]
        if item.kind == VALID:
            self._valid(session, item, place, end)
        elif item.kind == HOAX_FOUND:
            self._hoax(session, item, place)
        elif item.kind == DUPLICATE:
            number = self._incident(session, item.at, place, item.category)
            at = self.clock.at + timedelta(seconds=self.rng.randint(20, 90))
            body = InvalidateBody(reason="duplicate", note="重复报警，已有警情在处置")
            actions.invalidate(self._ctx(session, self.dispatcher, at), number, body)
        else:
            self._call(session, item.at, CallOutcome(item.kind))

    def _call(self, session: Session, answered: datetime, outcome: CallOutcome) -> None:
        seconds = content.call_seconds(self.rng, outcome)
        ctx = self._ctx(session, self.calltaker, answered + timedelta(seconds=seconds))
        record_call(
            ctx,
            outcome=outcome,
            caller_phone=content.mobile(self.rng),
            caller_name=content.caller_name(self.rng),
            answered_at=answered,
            duration_s=seconds,
            note=content.call_note(self.rng, outcome),
            incident=None,
        )

    def _incident(
        self, session: Session, answered: datetime, place: _Place, category: str | None
    ) -> str:
        """接警 and 受理 in one step, as the call-taker records a call that is an incident."""
        seconds = content.call_seconds(self.rng, CallOutcome.INCIDENT_CREATED)
        found = self.catalog.get(category) if category else None
        lon = lat = None
        address = None
        if place.point is not None:  # somewhere about the station, where its calls come from
            lon = round(place.point[0] + self.rng.uniform(-0.003, 0.003), 6)
            lat = round(place.point[1] + self.rng.uniform(-0.003, 0.003), 6)
        else:
            address = f"{place.name}辖区"
        data = IncidentCreate(
            caller_name=content.caller_name(self.rng),
            caller_phone=content.mobile(self.rng),
            lon=lon,
            lat=lat,
            address=address,
            jurisdiction=place.code,
            narrative=content.narrative(self.rng, found) if found else "",
            category=category,
            accept=True,
            call=CallInfo(answered_at=answered, duration_s=seconds),
        )
        ctx = self._ctx(session, self.calltaker, answered + timedelta(seconds=seconds))
        return create_incident(ctx, data, idempotency_key=None).number

    def _unit_for(self, place: _Place, at: datetime) -> str:
        """A unit free at `at`, its own station's first; else the one free soonest."""
        free = [c for c, t in self.free_at.items() if t <= at]
        own = [c for c in free if self.units[c] == place.code]
        if own or free:
            return self.rng.choice(own or free)
        return min(self.free_at, key=lambda c: self.free_at[c])

    def _steps_late(self, session: Session, due: datetime, done: datetime) -> None:
        """The tick at the moments it would have changed something before the step was done:
        just after `due` (the 督办 opens), then when the station's and the district's wait is
        over (it climbs); between those the server's tick finds nothing to do."""
        s = self.rt.settings
        station = timedelta(seconds=s.escalate_station_after_s)
        district = station + timedelta(seconds=s.escalate_district_after_s)
        for moment in (due + TICK_AFTER, due + station, due + district):
            if moment < done:
                self.clock.at = moment
                tick(session, now=moment, settings=s)

    def _duration(self, limit: int, late: bool) -> timedelta:
        """Within the limit, or past it by long enough for the tick to have seen it."""
        if late:
            over = max(round(limit * self.rng.uniform(0.05, 0.5)), self.rng.randint(45, 120))
            return timedelta(seconds=limit + over)
        return timedelta(seconds=max(5, round(limit * self.rng.uniform(0.15, 0.85))))

    def _valid(self, session: Session, item: Item, place: _Place, end: datetime) -> None:
        assert item.category is not None
        number = self._incident(session, item.at, place, item.category)
        accepted = self.clock.at
        last = end - timedelta(seconds=1)  # a later call about it is still one of the period
        self._pending = sorted(
            (max(item.at, min(item.at + timedelta(seconds=s), last)), twin, number, item)
            for twin, offsets in ((False, item.attached), (True, item.merged))
            for s in offsets
        )
        if item.closed_by_phone:
            at = accepted + timedelta(seconds=self.rng.randint(30, 240))
            by_phone = CloseBody(
                summary="电话告知处理办法，群众表示认可。", no_dispatch_reason="advice_by_phone"
            )
            actions.close(self._ctx(session, self.dispatcher, at), number, by_phone)
            self._after_close(session, number, item, at)
            return
        category = self.catalog.categories[item.category]
        limits = self.catalog.limits_at(item.category, category.default_grade)
        late = item.late

        def timed(step: str, start: datetime, earliest: datetime | None = None) -> datetime:
            """When `step`, timed from `start`, is done; past its limit (planned late, or
            pushed back by `earliest`) the tick has found it overdue first."""
            limit = limits.step_s(step, suburban=place.suburban)
            assert limit is not None
            done = start + self._duration(limit, late == step)
            if earliest is not None and done < earliest:
                done = earliest
            due = start + timedelta(seconds=limit)
            if done > due:
                self._steps_late(session, due, done)
            return done

        d = self.dispatcher
        dispatched = timed("dispatch", accepted)
        unit = self._unit_for(place, dispatched)
        body = DispatchBody(units=[unit], note="按系统推荐派警")
        actions.dispatch(self._ctx(session, d, dispatched), number, body)
        acknowledged = timed("acknowledge", dispatched)
        actions.acknowledge(self._ctx(session, d, acknowledged), number, unit, NoteBody())
        departed = acknowledged + timedelta(seconds=self.rng.randint(10, 60))
        actions.depart(self._ctx(session, d, departed), number, unit, NoteBody())
        arrived = timed("arrive", dispatched, departed + timedelta(seconds=60))
        actions.arrive(self._ctx(session, d, arrived), number, unit, _ARRIVED)
        handled = arrived + timedelta(seconds=self.rng.randint(60, 300))
        note = NoteBody(note=content.handle_note(self.rng, category))
        actions.handle(self._ctx(session, d, handled), number, note)
        reported = timed("report", arrived, handled + timedelta(seconds=60))
        result, summary = content.report(self.rng, category)
        guide = [GuideCheck(code=g.code, done=True) for g in category.guide]
        report = ReportBody(summary=summary, result=result, guide=guide)
        actions.report(self._ctx(session, d, reported), number, report)
        released = reported + timedelta(seconds=self.rng.randint(10, 120))
        actions.release(self._ctx(session, d, released), number, unit, NoteBody(note="处置完毕"))
        back = released + timedelta(seconds=self.rng.randint(600, 1800))
        set_status(self._ctx(session, d, back), unit, UnitEvent.BACK_AT_BASE, reason="返回驻地")
        self.free_at[unit] = max(self.free_at[unit], back)
        closed = timed("close", reported, released + timedelta(seconds=30))
        summary = self.rng.choice(content.CLOSE_NOTES)
        actions.close(self._ctx(session, d, closed), number, CloseBody(summary=summary))
        self._after_close(session, number, item, closed)

    def _after_close(self, session: Session, number: str, item: Item, closed: datetime) -> None:
        at = closed
        if item.answer is not None:
            limits = self.catalog.limits_at(item.category, None)
            at = closed + self._duration(limits.callback_s, False)
            answer = "satisfied" if item.answer == "satisfied" else "basically_satisfied"
            body = CallbackBody(satisfaction=answer, note=content.CALLBACK_NOTES[answer])
            actions.callback(self._ctx(session, self.calltaker, at), number, body)
        at += timedelta(seconds=self.rng.randint(3600, 4 * 3600))
        actions.archive(self._ctx(session, self.dispatcher, at), number, NoteBody(note="归档"))
        while self._pending:  # none left hours later, but never lose a call
            self._follow(session, *self._pending.pop(0))

    def _follow(
        self, session: Session, answered: datetime, twin: bool, number: str, item: Item
    ) -> None:
        if twin:
            self._duplicate(session, number, item, answered)
        else:
            self._attach(session, number, answered)

    def _attach(self, session: Session, number: str, answered: datetime) -> None:
        """A second caller about `number` (a call record attached to it)."""
        seconds = content.call_seconds(self.rng, CallOutcome.ATTACHED)
        ctx = self._ctx(session, self.calltaker, answered + timedelta(seconds=seconds))
        attach_call(
            ctx,
            number=number,
            caller_phone=content.mobile(self.rng),
            caller_name=content.caller_name(self.rng),
            answered_at=answered,
            duration_s=seconds,
            note=self.rng.choice(content.ATTACHED_NOTES),
        )

    def _duplicate(self, session: Session, into: str, first: Item, answered: datetime) -> None:
        """A second record of the same incident, merged into the first (并案)."""
        place = self.stations[first.station]
        number = self._incident(session, answered, place, first.category)
        at = self.clock.at + timedelta(seconds=self.rng.randint(10, 60))
        body = MergeBody(into=into, note="同一警情重复报警，并案处理")
        actions.merge(self._ctx(session, self.calltaker, at), number, body)

    def _hoax(self, session: Session, item: Item, place: _Place) -> None:
        """A call dispatched and found a hoax on scene (谎报警情, like 吉某's in 2023)."""
        number = self._incident(session, item.at, place, item.category)
        d = self.dispatcher
        dispatched = self.clock.at + timedelta(seconds=self.rng.randint(20, 60))
        unit = self._unit_for(place, dispatched)
        actions.dispatch(self._ctx(session, d, dispatched), number, DispatchBody(units=[unit]))
        at = dispatched + timedelta(seconds=self.rng.randint(10, 40))
        actions.acknowledge(self._ctx(session, d, at), number, unit, NoteBody())
        at += timedelta(seconds=self.rng.randint(10, 60))
        actions.depart(self._ctx(session, d, at), number, unit, NoteBody())
        at += timedelta(seconds=self.rng.randint(180, 600))
        actions.arrive(self._ctx(session, d, at), number, unit, _ARRIVED)
        at += timedelta(seconds=self.rng.randint(300, 1200))
        body = InvalidateBody(reason="hoax", note="经现场核查，报警人谎报警情")
        actions.invalidate(self._ctx(session, d, at), number, body)
        back = at + timedelta(seconds=self.rng.randint(600, 1800))
        set_status(self._ctx(session, d, back), unit, UnitEvent.BACK_AT_BASE, reason="返回驻地")
        self.free_at[unit] = max(self.free_at[unit], back)
