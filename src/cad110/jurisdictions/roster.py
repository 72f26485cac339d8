"""The duty roster (值班表): the duty leader (值班领导 / 包干领导) of each station per local
day. An administrator fills it a week ahead; a missing-person case opened at a station takes
its 包干领导 from the day's entry when nobody was named."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cad110.errors import InvalidInput
from cad110.kernel.context import Ctx
from cad110.kernel.scope import covering, in_scope
from cad110.models.jurisdiction import Jurisdiction, Level
from cad110.models.roster import DutyDay
from cad110.models.subjects import SubjectType
from cad110.models.user import Role, User

# How far back a correction and how far ahead a plan may reach, in days from today: the
# screen plans a week, a month bounds what a client may write.
PAST_DAYS = 7
AHEAD_DAYS = 31


@dataclass(frozen=True)
class Week:
    """The roster of some stations over consecutive days."""

    days: list[date]
    stations: list[Jurisdiction]
    # (station code, day) → leader username.
    leaders: dict[tuple[str, date], str]


def today(ctx: Ctx) -> date:
    """The centre's local day of the unit of work."""
    return ctx.at.astimezone(ctx.tz).date()


def duty_leader(session: Session, station_code: str, day: date) -> str | None:
    """The duty leader of `station_code` on `day`, if the roster names one."""
    return session.scalar(
        select(DutyDay.leader).where(DutyDay.station_code == station_code, DutyDay.day == day)
    )


def stations_in(session: Session, scope: str) -> Sequence[Jurisdiction]:
    """The stations (派出所) under `scope`, as a tree walk."""
    return session.scalars(
        select(Jurisdiction)
        .where(Jurisdiction.level == Level.STATION, in_scope(Jurisdiction.path, scope))
        .order_by(Jurisdiction.path)
    ).all()


def week_of(session: Session, scope: str, first: date, days: int = 7) -> Week:
    """The roster of the stations under `scope` for `days` days from `first`."""
    stations = list(stations_in(session, scope))
    span = [first + timedelta(days=n) for n in range(days)]
    rows = session.execute(
        select(DutyDay.station_code, DutyDay.day, DutyDay.leader).where(
            DutyDay.station_code.in_([s.code for s in stations]),
            DutyDay.day >= span[0],
            DutyDay.day <= span[-1],
        )
    )
    return Week(days=span, stations=stations, leaders={(code, day): who for code, day, who in rows})


def leaders_for(session: Session, station: Jurisdiction) -> list[tuple[str, str]]:
    """Active leader accounts who may lead `station` (at it or above it): (username, name)."""
    rows = session.execute(
        select(User.username, User.display_name)
        .join(Jurisdiction, Jurisdiction.code == User.jurisdiction_code)
        .where(
            User.active.is_(True),
            User.role == Role.LEADER,
            covering(Jurisdiction.path, station.path),
        )
        .order_by(User.username)
    )
    return [(u, n) for u, n in rows]


def set_duty(ctx: Ctx, station_code: str, day: date, leader: str | None) -> DutyDay | None:
    """Name (or clear, with None) the duty leader of a station for a day; journaled on the
    station's roster chain. Setting what is already there changes nothing."""
    station = ctx.session.get(Jurisdiction, station_code)
    if station is None or station.level is not Level.STATION or not ctx.by.sees(station.path):
        raise InvalidInput("station", f"unknown station {station_code}")
    now = today(ctx)
    if not now - timedelta(days=PAST_DAYS) <= day <= now + timedelta(days=AHEAD_DAYS):
        raise InvalidInput(
            "day", f"the roster is kept from {PAST_DAYS} days back to {AHEAD_DAYS} days ahead"
        )
    if leader is not None and leader not in {u for u, _ in leaders_for(ctx.session, station)}:
        raise InvalidInput("leader", f"{leader} is not an active leader over {station_code}")
    row = ctx.session.scalar(
        select(DutyDay).where(DutyDay.station_code == station_code, DutyDay.day == day)
    )
    before = row.leader if row is not None else None
    if before == leader:
        return row
    if leader is None:
        assert row is not None
        ctx.session.delete(row)
        row = None
    elif row is None:
        row = DutyDay(
            station_code=station_code, day=day, leader=leader, set_by=ctx.by.username, set_at=ctx.at
        )
        ctx.session.add(row)
    else:
        row.leader, row.set_by, row.set_at = leader, ctx.by.username, ctx.at
    ctx.record(
        SubjectType.DUTY_ROSTER,
        station_code,
        "duty.set" if leader else "duty.cleared",
        {"day": day.isoformat(), "leader": leader, "before": before},
    )
    ctx.session.flush()
    return row
