"""到场 as the positions tell it: the distances the pure rule (lifecycles/guards.py) judges."""

from __future__ import annotations

from cad110.geo.distance import haversine_m
from cad110.kernel.context import Ctx
from cad110.lifecycles.guards import check_arrival
from cad110.models.incident import Incident
from cad110.models.unit import Assignment, Unit


def judge_arrival(
    ctx: Ctx,
    incident: Incident,
    unit: Unit | None,
    assignment: Assignment | None,
    reason: str,
) -> None:
    """Refuse (422 naming `reason`) an arrival that the unit's last fix, or its position at
    dispatch and the time since, make doubtful, unless the officer says why. A unit without a
    fix (its base is no evidence of where it is) or an incident without a point passes."""
    if unit is None or assignment is None or incident.lon is None or incident.lat is None:
        return  # the lifecycle has refused an unknown unit already; no point, nothing to judge
    now_m = at_dispatch_m = None
    if unit.last_lon is not None and unit.last_lat is not None:
        now_m = haversine_m(unit.last_lon, unit.last_lat, incident.lon, incident.lat)
    if assignment.dispatch_lon is not None and assignment.dispatch_lat is not None:
        at_dispatch_m = haversine_m(
            assignment.dispatch_lon, assignment.dispatch_lat, incident.lon, incident.lat
        )
    check_arrival(
        ctx.catalog.arrival,
        distance_now_m=now_m,
        distance_at_dispatch_m=at_dispatch_m,
        elapsed_s=(ctx.at - assignment.dispatched_at).total_seconds(),
        reason=reason,
    )
