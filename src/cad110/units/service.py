"""Unit status changes: one conditional UPDATE each, so the database decides every race.

A change is announced (`UnitStatusChanged`) for whoever follows units: the queue offers a unit
set free its next incident and takes back the offers of a unit that became busy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from cad110.auth.permissions import Permission
from cad110.errors import Forbidden, InvalidInput, InvalidTransition, NotFound, UnitNotAvailable
from cad110.kernel.context import Ctx
from cad110.lifecycles.unit import MANUAL_EVENTS, UnitEvent, UnitStatus, next_status
from cad110.models.subjects import SubjectType
from cad110.models.unit import Unit
from cad110.models.user import Role
from cad110.units.facts import UnitStatusChanged
from cad110.units.repository import known_codes


def get_unit(ctx: Ctx, code: str, *, field: str | None = None) -> Unit:
    """A unit in the caller's scope (an officer: also their own unit); else 404 or 422."""
    unit = ctx.session.get(Unit, code)
    own = unit is not None and ctx.by.unit_code == unit.code
    if unit is None or not (own or ctx.by.sees(unit.jurisdiction_path)):
        if field is not None:
            raise InvalidInput(field, f"unknown unit {code}")
        raise NotFound(f"unit {code} not found")
    return unit


def change_status(
    ctx: Ctx, unit: Unit, event: UnitEvent, *, incident: str | None = None, reason: str = ""
) -> UnitStatus:
    """Move `unit` by `event` and record it; the database decides any race.

    The UPDATE is conditioned on the status just read: if another transaction changed the
    unit in between, it matches no row and this one is refused (of twenty dispatchers racing
    for one unit, exactly one wins).
    """
    ctx.session.refresh(unit, ["status"])
    previous = unit.status
    try:
        target = next_status(previous, event)
    except InvalidTransition:
        if event is UnitEvent.DISPATCH:
            raise UnitNotAvailable(
                f"unit {unit.code} is not available (it is {previous.value})"
            ) from None
        raise
    changed = ctx.session.execute(
        update(Unit)
        .where(Unit.code == unit.code, Unit.status == previous)
        .values(status=target, status_reason=reason, version=Unit.version + 1)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise UnitNotAvailable(
            f"unit {unit.code} was just taken or changed by someone else; choose again"
        )
    set_committed_value(unit, "status", target)
    set_committed_value(unit, "status_reason", reason)
    ctx.record(
        SubjectType.UNIT,
        unit.code,
        f"status.{event.value}",
        {"from": previous.value, "to": target.value, "incident": incident, "reason": reason},
    )
    ctx.emit(UnitStatusChanged(unit, event, previous, target, incident))
    return target


def set_status(ctx: Ctx, code: str, event: UnitEvent, *, reason: str = "") -> Unit:
    """A status change by hand (上班, 下班, 暂停, 恢复, 返回驻地), by a dispatcher in scope or the
    unit's own officer. What follows (a unit set free is offered the queue, a busy one loses its
    offers) follows the announced change, whoever made it: the console or the simulator."""
    if event not in MANUAL_EVENTS:
        raise ValueError(f"{event.value} follows an assignment; it is not changed by hand")
    ctx.by.require(Permission.UNIT_STATUS)
    if ctx.by.role is Role.OFFICER and code != ctx.by.unit_code:
        raise Forbidden("an officer changes their own unit's status only")
    unit = get_unit(ctx, code)
    change_status(ctx, unit, event, reason=reason)
    return unit


@dataclass(frozen=True)
class Fix:
    """One AVL position report."""

    unit: str
    lon: float
    lat: float
    at: datetime
    speed_kmh: float | None = None


def record_positions(
    session: Session, fixes: Sequence[Fix], *, scope_path: str
) -> tuple[int, list[str]]:
    """Keep the latest fix per unit; older or out-of-order fixes change nothing.

    Returns (fixes applied, unknown or out-of-scope unit codes).
    """
    latest: dict[str, Fix] = {}
    for fix in fixes:
        if fix.unit not in latest or fix.at > latest[fix.unit].at:
            latest[fix.unit] = fix
    known = known_codes(session, latest, scope_path)
    applied = 0
    for code, fix in latest.items():
        if code not in known:
            continue
        result = session.execute(
            update(Unit)
            .where(Unit.code == code, (Unit.last_fix_at.is_(None)) | (Unit.last_fix_at < fix.at))
            .values(
                last_lon=fix.lon, last_lat=fix.lat, last_fix_at=fix.at, last_speed_kmh=fix.speed_kmh
            )
            .execution_options(synchronize_session=False)
        )
        applied += result.rowcount  # type: ignore[attr-defined]
    return applied, sorted(set(latest) - known)
