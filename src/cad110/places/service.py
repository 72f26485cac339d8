"""Changing the address library by hand: create, edit, retire — each an event on the place's chain.

A place is never deleted (incidents keep pointing at it): a place that no longer exists is
retired. Every change bumps `version` and records what changed, old and new, so the chain of
a place tells its whole history whether it came from an import or an administrator.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from cad110.errors import Conflict, InvalidInput, NotFound
from cad110.jurisdictions.lookup import geo_index
from cad110.kernel.context import Ctx
from cad110.models.place import Place
from cad110.models.subjects import SubjectType
from cad110.places import index, repository
from cad110.places.schemas import PlaceCreate, PlaceEdit, PlaceRetire

# The fields an edit may change, in the order a change is written in its event.
FIELDS = (
    "name",
    "full_text",
    "district",
    "town",
    "community",
    "road",
    "house_number",
    "building",
    "unit",
    "poi_type",
    "aliases",
    "lon",
    "lat",
    "approximate",
)


class PlaceExists(Conflict):
    code = "place_exists"


class PlaceRetired(Conflict):
    code = "place_retired"


class StaleVersion(Conflict):
    code = "place_version_stale"


def refresh_after_commit(session: Session) -> None:
    """Have this process's search index look at the table again once the change is durable
    (before the commit another session would still read the old rows)."""
    event.listen(session, "after_commit", lambda _s: index.invalidate(), once=True)


def _placed(ctx: Ctx, lon: float, lat: float) -> dict[str, Any]:
    where = geo_index(ctx.session).locate(lon, lat)
    if where is None:
        raise InvalidInput("lon", "the point lies outside the city", code="place_outside_city")
    return {
        "grid_code": where.grid_code,
        "station_code": where.jurisdiction_code,
        "jurisdiction_path": where.jurisdiction_path,
    }


def _values(place: Place) -> dict[str, Any]:
    return {f: list(place.aliases) if f == "aliases" else getattr(place, f) for f in FIELDS}


def create(ctx: Ctx, body: PlaceCreate) -> Place:
    if repository.by_code(ctx.session, body.code) is not None:
        raise PlaceExists(f"place {body.code} exists")
    values = {f: getattr(body, f) for f in FIELDS}
    values = {f: v for f, v in values.items() if v is not None}
    values.setdefault("name", body.full_text)
    if not values["name"]:
        values["name"] = body.full_text
    place = Place(
        code=body.code,
        kind=body.kind,
        version=1,
        source="admin",
        updated_at=ctx.at,
        active=True,
        **values,
        **_placed(ctx, body.lon, body.lat),
    )
    for f in FIELDS:  # column defaults apply only at flush; the event needs every value now
        if getattr(place, f) is None:
            setattr(place, f, [] if f == "aliases" else False if f == "approximate" else "")
    ctx.session.add(place)
    ctx.session.flush()
    ctx.record(
        SubjectType.PLACE,
        place.code,
        "created",
        {"version": 1, "kind": place.kind.value, "source": "admin", **_values(place)},
    )
    refresh_after_commit(ctx.session)
    return place


def _get(ctx: Ctx, code: str) -> Place:
    place = repository.by_code(ctx.session, code)
    if place is None:
        raise NotFound(f"no place {code}")
    return place


def edit(ctx: Ctx, code: str, body: PlaceEdit) -> tuple[Place, dict[str, list[Any]]]:
    """Apply the given fields; (place, {field: [old, new]}) — no event when nothing changed."""
    place = _get(ctx, code)
    if not place.active:
        raise PlaceRetired(f"place {code} is retired")
    if body.version is not None and body.version != place.version:
        raise StaleVersion(f"place {code} is at version {place.version}, not {body.version}")
    before = _values(place)
    asked = {f: getattr(body, f) for f in FIELDS if getattr(body, f) is not None}
    if "full_text" in asked and not asked["full_text"]:
        raise InvalidInput("full_text", "an address needs its full text", code="place_text_missing")
    changes = {f: [before[f], v] for f, v in asked.items() if before[f] != v}
    if not changes:
        return place, {}
    for f, (_, new) in changes.items():
        setattr(place, f, new)
    if "lon" in changes or "lat" in changes:
        for column, value in _placed(ctx, place.lon, place.lat).items():
            if getattr(place, column) != value:
                changes[column] = [getattr(place, column), value]
                setattr(place, column, value)
    place.version += 1
    place.source = "admin"
    place.updated_at = ctx.at
    ctx.session.flush()
    ctx.record(
        SubjectType.PLACE,
        place.code,
        "edited",
        {"version": place.version, "changes": changes, "reason": body.reason},
    )
    refresh_after_commit(ctx.session)
    return place, changes


def retire(ctx: Ctx, code: str, body: PlaceRetire) -> Place:
    place = _get(ctx, code)
    if not place.active:
        raise PlaceRetired(f"place {code} is retired")
    place.active = False
    place.version += 1
    place.source = "admin"
    place.updated_at = ctx.at
    ctx.session.flush()
    ctx.record(
        SubjectType.PLACE,
        place.code,
        "retired",
        {"version": place.version, "reason": body.reason},
    )
    refresh_after_commit(ctx.session)
    return place
