"""Standing data of units and key targets (admin)."""

from __future__ import annotations

from sqlalchemy import delete, select

from cad110.errors import InvalidInput
from cad110.jurisdictions.lookup import geo_index
from cad110.kernel.context import Ctx
from cad110.lifecycles.unit import UnitStatus
from cad110.models.jurisdiction import Grid, Jurisdiction, Level
from cad110.models.subjects import SubjectType
from cad110.models.target import KeyTarget
from cad110.models.unit import Unit, UnitGrid
from cad110.units.schemas import KeyTargetIn, UnitIn


def _station(ctx: Ctx, code: str) -> Jurisdiction:
    station = ctx.session.get(Jurisdiction, code)
    if station is None or station.level is not Level.STATION or not ctx.by.sees(station.path):
        raise InvalidInput("station", f"unknown station {code}")
    return station


def save_unit(ctx: Ctx, code: str, data: UnitIn) -> tuple[Unit, bool]:
    """Create or update a unit's standing data; returns (unit, created)."""
    station = _station(ctx, data.station)
    grids = set(data.grids)
    if grids:
        known = set(ctx.session.scalars(select(Grid.code).where(Grid.code.in_(grids))))
        if grids - known:
            raise InvalidInput("grids", f"unknown grids: {', '.join(sorted(grids - known))}")
    unit = ctx.session.get(Unit, code)
    created = unit is None
    if unit is None:
        unit = Unit(code=code, status=UnitStatus.OFF_DUTY, version=1, status_reason="")
        ctx.session.add(unit)
    elif not ctx.by.sees(unit.jurisdiction_path):
        raise InvalidInput("code", f"unit {code} belongs to another jurisdiction")
    unit.name_zh, unit.name_en = data.name_zh, data.name_en
    unit.station_code, unit.jurisdiction_path = station.code, station.path
    unit.kind, unit.patrol_level, unit.duty_mode = data.kind, data.patrol_level, data.duty_mode
    unit.capabilities = sorted(set(data.capabilities))
    unit.home_lon = data.home_lon if data.home_lon is not None else station.label_lon
    unit.home_lat = data.home_lat if data.home_lat is not None else station.label_lat
    unit.on_duty_from, unit.on_duty_until = data.on_duty_from, data.on_duty_until
    ctx.session.flush()
    ctx.session.execute(delete(UnitGrid).where(UnitGrid.unit_code == code))
    for grid in sorted(grids):
        ctx.session.add(UnitGrid(unit_code=code, grid_code=grid))
    ctx.record(
        SubjectType.UNIT,
        code,
        "unit.created" if created else "unit.updated",
        data.model_dump(mode="json"),
    )
    ctx.session.flush()
    return unit, created


def save_key_target(ctx: Ctx, code: str, data: KeyTargetIn) -> tuple[KeyTarget, bool]:
    place = geo_index(ctx.session).locate(data.lon, data.lat)
    if place is None or not ctx.by.sees(place.jurisdiction_path):
        raise InvalidInput("lon", "the key target lies outside your jurisdiction")
    if data.guard_unit is not None:
        guard = ctx.session.get(Unit, data.guard_unit)
        if guard is None or not ctx.by.sees(guard.jurisdiction_path):
            raise InvalidInput("guard_unit", f"unknown unit {data.guard_unit}")
    target = ctx.session.get(KeyTarget, code)
    created = target is None
    if target is None:
        target = KeyTarget(code=code)
        ctx.session.add(target)
    target.name_zh, target.name_en, target.kind = data.name_zh, data.name_en, data.kind
    target.lon, target.lat = data.lon, data.lat
    target.station_code, target.jurisdiction_path = place.jurisdiction_code, place.jurisdiction_path
    target.guard_unit_code = data.guard_unit
    ctx.record(
        SubjectType.KEY_TARGET,
        code,
        "key_target.created" if created else "key_target.updated",
        data.model_dump(mode="json"),
    )
    ctx.session.flush()
    return target, created
