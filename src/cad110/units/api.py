"""Units: the board's list, standing data (admin), manual status changes, AVL positions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Annotated

from fastapi import Path, Response, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from cad110.api.deps import Context
from cad110.api.routing import Router
from cad110.auth.permissions import Permission
from cad110.errors import Forbidden
from cad110.lifecycles.unit import MANUAL_EVENTS, UnitEvent, UnitStatus
from cad110.models.target import KeyTarget
from cad110.models.unit import Unit, UnitGrid
from cad110.models.user import Role
from cad110.units.admin import save_key_target, save_unit
from cad110.units.repository import key_targets_seen_by, units_seen_by
from cad110.units.schemas import (
    KeyTargetIn,
    KeyTargetOut,
    PositionsIn,
    PositionsOut,
    StatusBody,
    UnitIn,
    UnitOut,
)
from cad110.units.service import Fix, get_unit, record_positions, set_status

router = Router(tags=["units"])
UnitCode = Annotated[str, Path(pattern=r"^[0-9A-Za-z_.-]{1,32}$")]


def units_out(session: Session, units: Sequence[Unit]) -> list[UnitOut]:
    grids: dict[str, list[str]] = defaultdict(list)
    if units:
        rows = session.execute(
            select(UnitGrid.unit_code, UnitGrid.grid_code)
            .where(UnitGrid.unit_code.in_([u.code for u in units]))
            .order_by(UnitGrid.grid_code)
        )
        for unit_code, grid_code in rows:
            grids[unit_code].append(grid_code)
    return [
        UnitOut(
            code=u.code,
            name_zh=u.name_zh,
            name_en=u.name_en,
            station=u.station_code,
            kind=u.kind,
            patrol_level=u.patrol_level,
            duty_mode=u.duty_mode,
            capabilities=list(u.capabilities),
            grids=grids[u.code],
            status=u.status,
            status_reason=u.status_reason,
            on_duty_from=u.on_duty_from,
            on_duty_until=u.on_duty_until,
            lon=u.position[0] if u.position else None,
            lat=u.position[1] if u.position else None,
            last_fix_at=u.last_fix_at,
        )
        for u in units
    ]


@router.get("/units", response_model=dict[str, list[UnitOut]])
def list_units(ctx: Context, status: UnitStatus | None = None) -> dict[str, list[UnitOut]]:
    """Units in the caller's jurisdiction, with status, shift and last known position."""
    ctx.by.require(Permission.READ)
    return {"items": units_out(ctx.session, units_seen_by(ctx.session, ctx.by, status=status))}


@router.post("/units/positions", response_model=PositionsOut)
def post_positions(body: PositionsIn, ctx: Context) -> PositionsOut:
    """A batch of AVL fixes; the latest per unit is kept, older ones change nothing."""
    ctx.by.require(Permission.POSITIONS)
    if ctx.by.role is Role.OFFICER and any(f.unit != ctx.by.unit_code for f in body.fixes):
        raise Forbidden("an officer reports their own unit's position only")
    fixes = [
        Fix(unit=f.unit, lon=f.lon, lat=f.lat, at=f.at, speed_kmh=f.speed_kmh) for f in body.fixes
    ]
    applied, unknown = record_positions(ctx.session, fixes, scope_path=ctx.by.scope_path)
    return PositionsOut(received=len(fixes), applied=applied, unknown_units=unknown)


@router.get("/units/{code}", response_model=UnitOut)
def read_unit(code: UnitCode, ctx: Context) -> UnitOut:
    ctx.by.require(Permission.READ)
    return units_out(ctx.session, [get_unit(ctx, code)])[0]


@router.put("/units/{code}", response_model=UnitOut)
def put_unit(code: UnitCode, body: UnitIn, ctx: Context, response: Response) -> UnitOut:
    """Create (201) or update (200) a unit's standing data: kind, level, duty mode, grids…"""
    ctx.by.require(Permission.MANAGE)
    unit, created = save_unit(ctx, code, body)
    if created:
        response.status_code = status.HTTP_201_CREATED
    return units_out(ctx.session, [unit])[0]


def _status_route(event: UnitEvent, summary: str) -> None:
    def endpoint(code: UnitCode, ctx: Context, body: StatusBody | None = None) -> UnitOut:
        unit = set_status(ctx, code, event, reason=(body or StatusBody()).reason)
        return units_out(ctx.session, [unit])[0]

    endpoint.__name__ = f"unit_{event.value}"
    router.post(f"/units/{{code}}/{event.value}", response_model=UnitOut, summary=summary)(endpoint)


for _event, _summary in (
    (UnitEvent.START_SHIFT, "上班: off duty → available"),
    (UnitEvent.END_SHIFT, "下班: → off duty"),
    (UnitEvent.PAUSE, "暂停 (meal, out of service): → unavailable"),
    (UnitEvent.RESUME, "恢复: unavailable → available"),
    (UnitEvent.BACK_AT_BASE, "返回驻地: returning → available"),
):
    assert _event in MANUAL_EVENTS
    _status_route(_event, _summary)


def _target_out(t: KeyTarget) -> KeyTargetOut:
    return KeyTargetOut(
        code=t.code,
        name_zh=t.name_zh,
        name_en=t.name_en,
        kind=t.kind,
        lon=t.lon,
        lat=t.lat,
        station=t.station_code,
        guard_unit=t.guard_unit_code,
    )


@router.get("/key-targets", response_model=list[KeyTargetOut])
def list_key_targets(ctx: Context) -> list[KeyTargetOut]:
    """重点目标 in the caller's jurisdiction."""
    ctx.by.require(Permission.READ)
    return [_target_out(t) for t in key_targets_seen_by(ctx.session, ctx.by)]


@router.put("/key-targets/{code}", response_model=KeyTargetOut)
def put_key_target(
    code: UnitCode, body: KeyTargetIn, ctx: Context, response: Response
) -> KeyTargetOut:
    """Create (201) or update (200) a key target and its guard unit."""
    ctx.by.require(Permission.MANAGE)
    target, created = save_key_target(ctx, code, body)
    if created:
        response.status_code = status.HTTP_201_CREATED
    return _target_out(target)
