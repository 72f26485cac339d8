"""The units in the field (签收 出动 到场 处置 反馈 释放): each job from the sign-for to back at
base, AVL fixes on the heartbeat, and units dispatched from the console."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from cad110.incidents import actions
from cad110.incidents.schemas import ArriveBody, GuideCheck, NoteBody, ReportBody
from cad110.lifecycles.incident import Action, AssignmentState, Status
from cad110.lifecycles.unit import UnitEvent, UnitStatus
from cad110.models.incident import Incident
from cad110.models.unit import Assignment, Unit
from cad110.sim import content
from cad110.sim.core import SimCore
from cad110.sim.state import (
    DEFAULT_ON_SCENE_MIN,
    LATE_ACK_SHARE,
    LATE_ARRIVAL_SHARE,
    LATE_REPORT_SHARE,
    ON_SCENE_MIN,
    RETURN_GRADE,
    _Leg,
    _UnitState,
)
from cad110.units.service import Fix, record_positions, set_status

log = logging.getLogger("cad110.sim")


class FieldActor(SimCore):
    """The units: drive each job through its steps, post AVL fixes, adopt the console's."""

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
        if self._leaves(incident=number, unit=code):
            self._let_go(code)
            return False

        def work(session: Session) -> bool:
            body = ArriveBody() if action is Action.ARRIVE else NoteBody()
            actions.act(self._ctx(session, u.unit.officer), number, action, body, unit=code)
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
        if self._leaves(incident=number, unit=code):
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
        if lead is None or inc is None or self._leaves(incident=number, unit=lead.unit.code):
            return False
        note = content.handle_note(self._rng, inc.category)

        def work(session: Session) -> bool:
            actions.handle(self._ctx(session, lead.unit.officer), number, NoteBody(note=note))
            return True

        return bool(self._tx("handle", work))

    def _report(self, number: str) -> None:
        lead = self._lead(number)
        inc = self._incidents.get(number)
        if lead is None or inc is None or inc.reported:
            return
        if self._leaves(incident=number, unit=lead.unit.code):
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
            incident = actions.report(ctx, number, body)
            return [
                code
                for code, a in actions.latest_assignments(ctx, incident).items()
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
        if u is None or u.incident != number or self._leaves(incident=number, unit=code):
            return
        note = "处置完毕，警组释放"

        def work(session: Session) -> tuple[UnitStatus, tuple[float, float] | None]:
            actions.release(self._ctx(session, u.unit.officer), number, code, NoteBody(note=note))
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
            # The console's use case for a status change by hand: what follows a unit set free
            # (offered the queue) is the same whoever reports it.
            ctx = self._ctx(session, u.unit.officer)
            return set_status(ctx, code, UnitEvent.BACK_AT_BASE, reason="返回驻地").status

        if self._tx(f"back at base {code}", work) is not None:
            self.stats["back_at_base"] += 1
            self._scan_offers()

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

    def _scan(self) -> None:
        """Pick up pending offers, units dispatched from the console, and units left returning;
        never what a person touched (sim/people.py)."""
        self._notice_people()
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
            number = incident.number
            if u is None or self._hands_off.leaves(incident=number, unit=code):
                continue
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
            if self._hands_off.leaves(unit=unit.code):
                continue
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
