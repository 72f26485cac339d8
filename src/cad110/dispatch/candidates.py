"""手动选警: every on-duty unit in scope that matches a search, with its ETA to the incident.

The recommendation lists free units only; a dispatcher picking by hand also needs to see the
busy ones (marked) to decide whether to pull one off another job, so this lists all on duty.
Suitable units come first (their kind serves the category and they have what it requires), so
the first free one is never a traffic group sent to a fight while a patrol is free; each
unsuitable unit says why, and whether the recommendation would have chosen it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import or_

from cad110.dispatch.recommend import incident_point, recommend
from cad110.dispatch.suitability import required_capabilities, serves
from cad110.geo.eta import Candidate, EtaModel
from cad110.kernel.context import Ctx
from cad110.kernel.scope import visible
from cad110.lifecycles.unit import DISPATCHABLE, UnitStatus
from cad110.models.incident import Incident
from cad110.models.unit import Unit

# Chinese words a dispatcher types to find units of a kind or in a status.
KIND_WORDS = {
    "patrol_special": "巡特警",
    "station": "派出所",
    "community": "社区警务",
    "traffic": "交警",
}
STATUS_WORDS = {
    UnitStatus.AVAILABLE: "空闲",
    UnitStatus.DISPATCHED: "已派",
    UnitStatus.EN_ROUTE: "途中",
    UnitStatus.ON_SCENE: "到场",
    UnitStatus.RETURNING: "返回",
    UnitStatus.UNAVAILABLE: "暂停",
}


@dataclass(frozen=True)
class Pick:
    unit: Unit
    free: bool
    eta_s: float | None
    distance_m: float | None
    # Why the unit does not suit the incident: "kind" (its kind does not serve the category),
    # "lacks:<capability>" for each required capability it lacks. Empty: it suits.
    unsuitable: tuple[str, ...] = ()
    # Among the units the recommendation would send now (choosing another is an override).
    recommended: bool = False

    @property
    def suitable(self) -> bool:
        return not self.unsuitable


def matches(unit: Unit, words: Sequence[str]) -> bool:
    """Every word of the search is found in the unit's code, names, kind or status."""
    kind = unit.kind.value
    status = unit.status
    haystack = " ".join(
        (
            unit.code,
            unit.name_zh,
            unit.name_en,
            kind,
            KIND_WORDS.get(kind, ""),
            status.value,
            STATUS_WORDS.get(status, ""),
        )
    ).casefold()
    return all(w in haystack for w in words)


def order(picks: Sequence[Pick]) -> list[Pick]:
    """Free units first, suitable ones before the others, then by ETA (units with no known
    position last), then by code."""
    return sorted(
        picks,
        key=lambda p: (not p.free, not p.suitable, p.eta_s is None, p.eta_s or 0.0, p.unit.code),
    )


def unsuitable(unit: Unit, kind_serves: bool, needs: frozenset[str]) -> tuple[str, ...]:
    """Why `unit` does not suit an incident whose category its kind does or does not serve
    and which needs `needs`."""
    reasons = [] if kind_serves else ["kind"]
    reasons += [f"lacks:{c}" for c in sorted(needs - set(unit.capabilities))]
    return tuple(reasons)


def candidates(
    ctx: Ctx, incident: Incident, *, eta: EtaModel, q: str = "", limit: int = 30
) -> list[Pick]:
    """On-duty units in the caller's scope matching `q`, free ones first, each with its ETA."""
    at = ctx.at
    units = ctx.session.scalars(
        visible(Unit, ctx.by).where(
            Unit.status != UnitStatus.OFF_DUTY,
            or_(Unit.on_duty_from.is_(None), Unit.on_duty_from <= at),
            or_(Unit.on_duty_until.is_(None), Unit.on_duty_until > at),
        )
    ).all()
    words = q.casefold().split()
    found = [u for u in units if matches(u, words)]
    point = incident_point(ctx, incident)
    ranked = {}
    if point is not None:
        placed = [
            Candidate(key=u.code, lon=u.position[0], lat=u.position[1])
            for u in found
            if u.position is not None
        ]
        ranked = {r.key: r for r in eta.rank(point[0], point[1], placed, len(placed))}
    needs = required_capabilities(ctx.catalog, incident)
    # As the dispatch records it: picking a unit outside these is an override.
    advice = recommend(ctx, incident, eta=eta, k=5)
    chosen = {r.unit.code for r in advice.items[: max(1, advice.min_units)]}
    picks = [
        Pick(
            unit=u,
            free=u.status in DISPATCHABLE,
            eta_s=ranked[u.code].eta_s if u.code in ranked else None,
            distance_m=ranked[u.code].distance_m if u.code in ranked else None,
            unsuitable=unsuitable(
                u, serves(ctx.catalog, u.kind.value, incident.category_code), needs
            ),
            recommended=u.code in chosen,
        )
        for u in found
    ]
    return order(picks)[:limit]
