"""What people did in the living demo: the simulator leaves alone what a person touched.

A person is whoever acts other than this simulator and the system's automatic work: every
event the simulator records itself is noted by its id (`HandsOff.mine`), so a person is seen
even when they log in to the demo with the seeded account the simulator also acts as
(`dispatcher`), and an event by any other account is a person's. An incident is touched
when a person records an event on it; a unit when a person dispatches it or steps it (the unit
named in an incident event, or an event on the unit itself), or when an officer of the unit
(`User.unit_code`) logs in to the console (the officer may act as the account the simulator also
uses, so the login is the only sign). A repeat case (重复警情档案) is touched when a person records
an entry on its journal. From then on the simulator neither acts on that incident, unit or case
nor adopts, drives or posts positions for it: trying the officer role no longer means racing the
simulator.

`HandsOff` is the knowledge, updated by the pure `see`; `look` reads what is new since the last
look (events after a cursor, officer sessions opened since the simulator started). The simulator
looks again right before each step it takes, not only on its heartbeat: a step queued before a
person logged in or acted must not run after they did.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cad110.models.event import Event
from cad110.models.subjects import SubjectType
from cad110.models.user import User
from cad110.models.web_session import WebSession

REPEAT_CASE = SubjectType.REPEAT_CASE.value


@dataclass(frozen=True)
class Seen:
    """One event as far as the simulator cares: who, on what, which units it names."""

    id: int
    subject_type: str
    subject_id: str
    actor: str
    units: tuple[str, ...] = ()


def units_named(payload: object) -> tuple[str, ...]:
    """The units an incident event's payload names (`unit`, `units`, `unit_changes`)."""
    if not isinstance(payload, dict):
        return ()
    found: list[str] = []
    unit = payload.get("unit")
    if isinstance(unit, str):
        found.append(unit)
    units = payload.get("units")
    if isinstance(units, list):
        found.extend(u for u in units if isinstance(u, str))
    changes = payload.get("unit_changes")
    if isinstance(changes, dict):
        found.extend(str(u) for u in changes)
    return tuple(dict.fromkeys(found))


@dataclass
class HandsOff:
    """The incidents and units a person touched, and how far the events have been read."""

    automatic: frozenset[str]  # actors that are no person ("system": the supervision tick…)
    cursor: int = 0  # the last event id read
    mine: set[int] = field(default_factory=set)  # events the simulator recorded itself
    incidents: set[str] = field(default_factory=set)
    units: set[str] = field(default_factory=set)
    cases: set[str] = field(default_factory=set)  # repeat cases (重复警情档案)

    def see(self, events: Iterable[Seen]) -> set[str]:
        """Take in events (in id order); returns the units newly touched by them."""
        fresh: set[str] = set()
        for event in events:
            self.cursor = max(self.cursor, event.id)
            if event.id in self.mine:
                self.mine.discard(event.id)
                continue
            if event.actor in self.automatic:
                continue
            if event.subject_type == "incident":
                self.incidents.add(event.subject_id)
                fresh.update(u for u in event.units if u not in self.units)
            elif event.subject_type == "unit" and event.subject_id not in self.units:
                fresh.add(event.subject_id)
            elif event.subject_type == REPEAT_CASE:
                self.cases.add(event.subject_id)
        self.units |= fresh
        return fresh

    def recorded(self, ids: Iterable[int]) -> None:
        """Note events the simulator itself recorded (read later, they are no person's)."""
        self.mine.update(i for i in ids if i > self.cursor)

    def logged_in(self, units: Iterable[str]) -> set[str]:
        """Units whose officer opened a console session; returns the newly touched ones."""
        fresh = set(units) - self.units
        self.units |= fresh
        return fresh

    def leaves(
        self, *, incident: str | None = None, unit: str | None = None, case: str | None = None
    ) -> bool:
        """Whether the simulator must leave this incident, unit or repeat case alone."""
        return (
            (incident is not None and incident in self.incidents)
            or (unit is not None and unit in self.units)
            or (case is not None and case in self.cases)
        )


def start(session: Session, automatic: Iterable[str]) -> HandsOff:
    """Knowledge from now on: what people did before the simulator started is history."""
    last = session.scalar(select(func.max(Event.id))) or 0
    return HandsOff(automatic=frozenset(automatic), cursor=int(last))


def look(
    session: Session,
    hands_off: HandsOff,
    *,
    units: Collection[str],
    since: datetime,
    limit: int = 2000,
) -> set[str]:
    """Read the events after the cursor and the logins since `since` of any officer of one of
    `units` (an account with that `unit_code`); returns the units newly touched."""
    rows = session.execute(
        select(Event.id, Event.subject_type, Event.subject_id, Event.actor, Event.payload)
        .where(
            Event.id > hands_off.cursor,
            Event.subject_type.in_(("incident", "unit", REPEAT_CASE)),
        )
        .order_by(Event.id)
        .limit(limit)
    ).all()
    seen = []
    for id_, subject_type, subject_id, actor, payload in rows:
        named: tuple[str, ...] = ()
        if subject_type == "incident" and id_ not in hands_off.mine:
            try:
                named = units_named(json.loads(payload))
            except ValueError:
                named = ()
        seen.append(Seen(id_, subject_type, subject_id, actor, named))
    fresh = hands_off.see(seen)
    logins = session.scalars(
        select(User.unit_code)
        .join(WebSession, WebSession.user_id == User.id)
        .where(WebSession.created_at >= since, User.unit_code.is_not(None))
        .distinct()
    ).all()
    fresh |= hands_off.logged_in(code for code in logins if code is not None and code in units)
    return fresh
