"""Unit recommendation: free, on-duty units ranked by estimated travel time, with reasons."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from cad110.dispatch.suitability import (
    own_station,
    required_capabilities,
    serves,
    units_needed,
)
from cad110.geo.eta import Candidate, EtaModel
from cad110.incidents.facts import ActionDecided
from cad110.kernel.context import Ctx
from cad110.lifecycles.incident import Action
from cad110.models.incident import Incident
from cad110.models.jurisdiction import AreaType, Jurisdiction
from cad110.models.unit import Unit, UnitGrid
from cad110.units.repository import free_units


@dataclass(frozen=True)
class Recommendation:
    unit: Unit
    eta_s: float
    distance_m: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Recommendations:
    items: list[Recommendation]
    min_units: int
    required_capabilities: frozenset[str]
    # Units free and on duty but lacking a required capability (left out of the ranking).
    lacking: list[str] = field(default_factory=list)
    approximate_location: bool = False
    # The incident has no point of its own (无定位): an empty list then means "locate it first",
    # never "no free unit"; any ranking is from its jurisdiction's label point.
    no_point: bool = False


def incident_point(ctx: Ctx, incident: Incident) -> tuple[float, float, bool] | None:
    """The incident's point, or its jurisdiction's label point (approximate) when it has none."""
    if incident.lon is not None and incident.lat is not None:
        return incident.lon, incident.lat, False
    place = ctx.session.get(Jurisdiction, incident.jurisdiction_code)
    if place is not None and place.label_lon is not None and place.label_lat is not None:
        return place.label_lon, place.label_lat, True
    return None


def _arrival_limit_s(ctx: Ctx, incident: Incident) -> float:
    """The arrival limit (到场时限) of the incident's category and grade where it lies."""
    limits = ctx.catalog.limits_at(incident.category_code, incident.grade)
    place = ctx.session.get(Jurisdiction, incident.jurisdiction_code)
    return limits.arrive_s(suburban=place is not None and place.area_type is AreaType.SUBURBAN)


def recommend(ctx: Ctx, incident: Incident, *, eta: EtaModel, k: int) -> Recommendations:
    """The k best units for `incident` by ETA; category rules filter by capability."""
    needs = required_capabilities(ctx.catalog, incident)
    no_point = incident.lon is None or incident.lat is None
    result = Recommendations(
        items=[],
        min_units=units_needed(ctx.catalog, incident),
        required_capabilities=needs,
        no_point=no_point,
    )
    point = incident_point(ctx, incident)
    if point is None:
        return result
    lon, lat, approximate = point
    units = {u.code: u for u in free_units(ctx.session, ctx.by, ctx.at)}
    lacking = sorted(code for code, u in units.items() if not needs <= set(u.capabilities))
    candidates = []
    for code, unit in units.items():
        position = unit.position
        if position is not None and code not in lacking:
            candidates.append(Candidate(key=code, lon=position[0], lat=position[1]))
    if approximate:
        # Only the area is known, not where in it: a distance from the area's label point says
        # little (a county is 50 km across), so the area's own units come first — a unit over
        # the border may be nearer the label and far from the caller. Others only if it has none.
        inside = [
            c
            for c in candidates
            if units[c.key].jurisdiction_path.startswith(incident.jurisdiction_path)
        ]
        candidates = inside or candidates
    serving = [
        c
        for c in candidates
        if serves(ctx.catalog, units[c.key].kind.value, incident.category_code)
    ]
    ranked = eta.rank(lon, lat, serving, k)
    # A unit of another kind (traffic police for a theft) comes in only when no serving unit
    # can be there within the grade's arrival limit, and says so.
    fallback: set[str] = set()
    limit = _arrival_limit_s(ctx, incident)
    if len(serving) < len(candidates) and not any(r.eta_s <= limit for r in ranked):
        keys = {c.key for c in serving}
        others = [c for c in candidates if c.key not in keys]
        extra = eta.rank(lon, lat, others, k)
        fallback = {r.key for r in extra}
        ranked = sorted([*ranked, *extra], key=lambda r: r.eta_s)[:k]
    covering = set()
    if incident.grid_code is not None:
        covering = set(
            ctx.session.scalars(
                select(UnitGrid.unit_code).where(UnitGrid.grid_code == incident.grid_code)
            )
        )
    items = []
    for i, r in enumerate(ranked):
        unit = units[r.key]
        reasons = []
        if i == 0:
            reasons.append("nearest")
        if r.key in fallback:
            reasons.append("kind_fallback")
        if unit.code in covering:
            reasons.append("same_grid")
        if own_station(unit, incident):
            reasons.append("own_station")
        reasons += [f"capability:{c}" for c in sorted(needs)]
        items.append(
            Recommendation(
                unit=unit, eta_s=r.eta_s, distance_m=r.distance_m, reasons=tuple(reasons)
            )
        )
    return Recommendations(
        items=items,
        min_units=result.min_units,
        required_capabilities=needs,
        lacking=lacking,
        approximate_location=approximate,
        no_point=no_point,
    )


def keep_recommendation(ctx: Ctx, fact: ActionDecided) -> None:
    """派警 records what was recommended, and whether the dispatcher overrode it.

    It runs before the units dispatched are taken: the ranking is of the units free when the
    dispatcher chose."""
    if fact.action is not Action.DISPATCH:
        return
    chosen = fact.units
    advice = recommend(ctx, fact.incident, eta=ctx.eta, k=max(5, len(chosen)))
    ranked = [r.unit.code for r in advice.items]
    expected = ranked[: max(len(chosen), advice.min_units)]
    fact.payload["recommended"] = ranked
    fact.payload["override"] = bool(set(chosen) - set(expected))
