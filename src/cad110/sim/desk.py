"""The call-taker (接警): calls, new incidents, second callers about one, repeat callers."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from sqlalchemy.orm import Session

from cad110.auth.permissions import Permission
from cad110.incidents.actions import act
from cad110.incidents.calls import attach_call, record_call
from cad110.incidents.intake import create_incident
from cad110.incidents.schemas import AssessBody, CallInfo, IncidentCreate
from cad110.lifecycles.incident import Action
from cad110.models.call import CallOutcome
from cad110.models.incident import Incident
from cad110.sim import addresses, content
from cad110.sim.core import SimCore
from cad110.sim.geography import Spot
from cad110.sim.state import (
    REPEAT_CALLER_SHARE,
    REPEAT_TAG,
    REPEAT_WINDOW,
    SECOND_CALLER_SHARE,
    SIM_TAG,
    _Caller,
)


class DeskActor(SimCore):
    """The call-taker: answers the calls, records incidents, relates repeat calls."""

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
        # Now and then someone else's call rings out before it is answered (its own stream).
        if self._phone.maybe_ring_out(content.mobile(self._phone.rng), now):
            self.stats["abandoned_calls"] += 1
        if outcome is CallOutcome.INCIDENT_CREATED:
            self._new_incident(phone, name, answered, seconds, again)
            return
        note = content.call_note(rng, outcome)
        # The phone system reports the call (ringing, answered at the call-taker's seat)
        # before the call-taker records it, and its end after.
        located = again.spot if again else self._map.sample(self._phone.rng)
        phone_call = self._answer(phone, answered, (located.lon, located.lat))

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
                phone_call=phone_call,
            )
            return call.id

        recorded = self._tx(f"call ({outcome.value})", work)
        self._phone.end(phone_call, self._now())
        if recorded is not None:
            # Where the phone system located the caller: a repeat call comes from there again.
            self._callers.append(_Caller(phone, name, now, located, None, None))

    def _new_incident(
        self,
        phone: str,
        name: str | None,
        answered: datetime,
        seconds: int,
        again: _Caller | None,
        trouble: tuple[str, Spot] | None = None,
    ) -> str | None:
        """A call that makes an incident; its number (None when refused). `trouble` is the
        category and place of a troubled household's dispute (households.py): the same every
        time it calls."""
        rng = self._rng
        code = content.weighted(rng, self._categories)
        if again is not None and again.category is not None and rng.random() < 0.6:
            code = again.category
        if trouble is not None:
            code, spot = trouble
        elif again is not None and rng.random() < 0.7:
            spot = again.spot
        else:
            spot = self._map.sample(self._places_rng, addresses.SETTINGS.get(code))
        category = self._catalog.categories[code]
        tags = [SIM_TAG] + ([REPEAT_TAG] if again is not None else [])
        city = self._map.city_name
        phone_call = self._answer(phone, answered, (spot.lon, spot.lat))
        data = IncidentCreate(
            caller_name=name,
            caller_phone=phone,
            address=addresses.spoken(self._places_rng, city, spot.address)
            if spot.address is not None
            else addresses.address(self._places_rng, city, spot.area.area_name),
            lon=spot.lon,
            lat=spot.lat,
            narrative=content.narrative(rng, category),
            tags=tags,
            category=code,
            accept=True,  # 接警 and 受理 in one step: the call-taker has the whole record
            call=CallInfo(answered_at=answered, duration_s=seconds, phone_call=phone_call),
        )
        key = self._key("incident")

        def work(session: Session) -> Incident:
            ctx = self._ctx(session, self._actors.calltaker)
            ctx.by.require(Permission.RECEIVE)
            return create_incident(ctx, data, idempotency_key=key)

        incident = self._tx("incident", work)
        self._phone.end(phone_call, self._now())
        if incident is None:
            return None
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
        if category.missing_person:
            self._after(60, "missing case", partial(self._open_missing_case, number))
        return number

    def _second_call(self, number: str) -> None:
        if self._leaves(incident=number):
            return
        rng = self._rng
        seconds = content.call_seconds(rng, CallOutcome.ATTACHED)
        phone, name = content.mobile(rng), content.caller_name(rng)
        note = rng.choice(content.ATTACHED_NOTES)
        phone_call = self._answer(phone, self._now() - timedelta(seconds=seconds), None)

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
                phone_call=phone_call,
            )
            return call.id

        attached = self._tx("second call", work)
        self._phone.end(phone_call, self._now())
        if attached is not None:
            self.stats["calls"] += 1
            self.stats["attached_calls"] += 1

    def _assess(self, number: str, related: str) -> None:
        if self._leaves(incident=number):
            return
        body = AssessBody(
            note="同一号码1小时内再次报警，关联历史警情", risk="medium", related=[related]
        )

        def work(session: Session) -> bool:
            act(self._ctx(session, self._actors.calltaker), number, Action.ASSESS, body)
            return True

        if self._tx("assess", work):
            self.stats["assessed"] += 1
