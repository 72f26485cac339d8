"""JSON routes of the duty roster (值班表): read a week, set one station's leader for a day."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Path, Query
from pydantic import BaseModel, StringConstraints

from cad110.api.deps import Context
from cad110.api.routing import Router
from cad110.auth.permissions import Permission
from cad110.jurisdictions import roster
from cad110.kernel.inputs import Day, Strict

router = Router(tags=["duty roster"])

StationCode = Annotated[str, Path(pattern=r"^[0-9A-Za-z_.-]{1,16}$")]
Leader = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, pattern=r"^[a-z0-9][a-z0-9._-]{1,63}$"),
]


class DutyIn(Strict):
    # None clears the day.
    leader: Leader | None


class DutyOut(BaseModel):
    station: str
    day: date
    leader: str | None


class WeekOut(BaseModel):
    days: list[date]
    stations: list[str]
    items: list[DutyOut]


@router.get("/roster", response_model=WeekOut)
def read_roster(ctx: Context, first: Annotated[Day | None, Query(alias="from")] = None) -> WeekOut:
    """The duty leaders of the stations in the caller's jurisdiction, seven days from `from`
    (default today)."""
    ctx.by.require(Permission.READ)
    week = roster.week_of(ctx.session, ctx.by.scope_path, first or roster.today(ctx))
    return WeekOut(
        days=week.days,
        stations=[s.code for s in week.stations],
        items=[
            DutyOut(station=s, day=d, leader=who) for (s, d), who in sorted(week.leaders.items())
        ],
    )


@router.put("/roster/{station}/{day}", response_model=DutyOut)
def put_duty(
    station: StationCode, day: Annotated[Day, Path()], body: DutyIn, ctx: Context
) -> DutyOut:
    """Name (or clear) the duty leader (值班领导 / 包干领导) of a station for a day; from a week
    back to a month ahead. A missing-person case opened there that day takes them as 包干领导."""
    ctx.by.require(Permission.MANAGE)
    roster.set_duty(ctx, station, day, body.leader)
    return DutyOut(station=station, day=day, leader=body.leader)
