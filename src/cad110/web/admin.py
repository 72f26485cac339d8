"""管理: the administrator's room — users, units, grids, key targets, places and the duty roster.

Every change is made by the page's script through the same JSON routes integrators use
(accounts/api.py, units/api.py, jurisdictions/roster_api.py), which journal it as an event."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from cad110.accounts import admin as accounts
from cad110.api.routing import Router
from cad110.auth.permissions import Permission, allowed
from cad110.auth.principal import Principal
from cad110.jurisdictions import roster
from cad110.jurisdictions.repository import grids_of, subtree
from cad110.kernel.inputs import EARLIEST_YEAR, LATEST_YEAR
from cad110.kernel.runtime import Runtime
from cad110.models.jurisdiction import Level
from cad110.models.target import TargetKind
from cad110.models.unit import DutyMode, PatrolLevel, UnitKind
from cad110.models.user import Role
from cad110.units.api import units_out
from cad110.units.repository import key_targets_seen_by, units_seen_by
from cad110.web.admin_places import places_view
from cad110.web.common import Rt, console_user, page, to_login

router = Router(include_in_schema=False)

TABS = ("users", "units", "targets", "grids", "places", "roster")
# The roster screen plans a week; it may be moved a few weeks either way.
ROSTER_DAYS = 7
_WEEKS_AWAY = 5


def _first_day(rt: Runtime, raw: str) -> date:
    today = rt.clock.now().astimezone(rt.settings.tz).date()
    try:
        asked = date.fromisoformat(raw)
    except ValueError:
        return today
    if (
        not EARLIEST_YEAR <= asked.year <= LATEST_YEAR
        or abs((asked - today).days) > 7 * _WEEKS_AWAY
    ):
        return today
    return asked


def _view(rt: Runtime, by: Principal, tab: str, params: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {"tab": tab}
    with rt.readers() as session:
        places = list(subtree(session, by))
        data["places"] = [(j.code, j.name_zh, j.name_en, j.level.value) for j in places]
        if tab == "users":
            acting = accounts.Acting(
                session=session, scope_path=by.scope_path, actor=by.username, now=rt.clock.now()
            )
            data["users"] = accounts.list_users(acting)
            data["roles"] = [r.value for r in Role]
            data["unit_codes"] = [u.code for u in units_seen_by(session, by)]
        elif tab == "units":
            data["units"] = units_out(session, units_seen_by(session, by))
            data["kinds"] = [k.value for k in UnitKind]
            data["levels"] = [k.value for k in PatrolLevel]
            data["modes"] = [k.value for k in DutyMode]
        elif tab == "targets":
            data["targets"] = list(key_targets_seen_by(session, by))
            data["target_kinds"] = [k.value for k in TargetKind]
            data["unit_codes"] = [u.code for u in units_seen_by(session, by)]
        elif tab == "grids":
            data["grids"] = [
                (g.code, g.station_code, g.name_zh, g.name_en) for g in grids_of(session, by)
            ]
        elif tab == "places":
            data.update(places_view(session, params))
        else:
            first = _first_day(rt, params.get("from", ""))
            week = roster.week_of(session, by.scope_path, first, ROSTER_DAYS)
            data["week"] = week
            data["leaders"] = {s.code: roster.leaders_for(session, s) for s in week.stations}
            data["today"] = rt.clock.now().astimezone(rt.settings.tz).date()
            data["prev_week"] = (first - timedelta(days=ROSTER_DAYS)).isoformat()
            data["next_week"] = (first + timedelta(days=ROSTER_DAYS)).isoformat()
        data["stations"] = [
            (j.code, j.name_zh, j.name_en) for j in places if j.level is Level.STATION
        ]
    return data


@router.get("/admin")
async def admin_room(request: Request, rt: Rt) -> Response:
    """Users, units, grids, key targets and the duty roster of the administrator's subtree."""
    by = await console_user(request, rt)
    if by is None:
        return to_login(request)
    if not allowed(by.role, Permission.MANAGE):
        return page(request, "admin.html", by, status_code=403, tab="forbidden")
    tab = request.query_params.get("tab", "users")
    tab = tab if tab in TABS else "users"
    params = {k: v for k, v in request.query_params.items() if isinstance(v, str)}
    data = await run_in_threadpool(_view, rt, by, tab, params)
    return page(request, "admin.html", by, tabs=TABS, **data)
