"""Where an incident is: its point and the jurisdiction, station and grid that follow from it.

One code for 接警 (`intake.py`) and 更正地点 (`relocate_to`, the relocate action's step): the
point comes from what was given, a picked standard address or the address geocoded; the place
checks that the address and the point name the same district (`place_check.py`); the
jurisdiction path, which decides who sees the incident, is the point's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from cad110.errors import InvalidInput
from cad110.incidents.place_check import (
    Contradiction,
    PlaceContradicted,
    contradiction,
    named_districts,
)
from cad110.jurisdictions.lookup import Place, geo_index
from cad110.kernel.context import Ctx
from cad110.models.incident import Incident
from cad110.models.jurisdiction import Jurisdiction
from cad110.places import repository as places


class Asked(Protocol):
    """What a request says of the place (the intake's and the relocate action's bodies)."""

    @property
    def address(self) -> str | None: ...
    @property
    def lon(self) -> float | None: ...
    @property
    def lat(self) -> float | None: ...
    @property
    def place(self) -> str | None: ...
    @property
    def place_confirmed(self) -> bool: ...


@dataclass(frozen=True)
class Located:
    """The incident's point and where it came from (none: 无定位, recorded as unlocated)."""

    lon: float | None
    lat: float | None
    place_code: str | None = None  # the standard address picked or geocoded
    geocoded: bool = False  # the point was found from the address text
    contradiction: Contradiction | None = None  # confirmed by the call-taker
    place_text: str | None = None  # the picked standard address's full text

    @property
    def has_point(self) -> bool:
        return self.lon is not None and self.lat is not None


def locate(ctx: Ctx, data: Asked) -> Located:
    """The point: as given, else the picked standard address's, else the address geocoded.

    A point whose district contradicts the one the address names is refused unless the
    call-taker confirmed it; a geocoded point that contradicts it is not taken (the incident is
    recorded without a point rather than at a guess)."""
    lon, lat, code, text = data.lon, data.lat, None, None
    if data.place is not None:
        picked = places.by_code(ctx.session, data.place)
        if picked is None or not picked.active:
            raise InvalidInput("place", f"unknown place {data.place}", code="unknown_place")
        code, text = picked.code, picked.full_text
        if lon is None or lat is None:
            lon, lat = picked.lon, picked.lat
    address = (data.address or "").strip()
    if lon is not None and lat is not None:
        found = contradiction(ctx.session, address, lon, lat) if address else None
        if found is not None and not data.place_confirmed:
            raise PlaceContradicted(found)
        return Located(lon, lat, code, contradiction=found, place_text=text)
    if address:
        hit = places.geocode(ctx.session, address)
        if hit is not None and contradiction(ctx.session, address, hit.place.lon, hit.place.lat):
            hit = None
        if hit is not None:
            return Located(hit.place.lon, hit.place.lat, hit.place.code, geocoded=True)
    return Located(None, None)


def resolve_place(
    ctx: Ctx, at: Located, address: str | None, jurisdiction: str | None = None
) -> Place:
    """Where the incident belongs: the explicit jurisdiction, the point's grid, the district its
    address names when it has no point, or the caller's own."""
    if jurisdiction is not None:
        j = ctx.session.get(Jurisdiction, jurisdiction)
        if j is None or not ctx.by.sees(j.path):
            raise InvalidInput(
                "jurisdiction", f"unknown jurisdiction {jurisdiction}", code="unknown_jurisdiction"
            )
        grid = None
        if at.lon is not None and at.lat is not None:
            found = geo_index(ctx.session).locate(at.lon, at.lat)
            grid = found.grid_code if found and found.jurisdiction_code == j.code else None
        return Place(j.code, j.path, grid)
    if at.lon is not None and at.lat is not None:
        found = geo_index(ctx.session).locate(at.lon, at.lat)
        if found is not None:
            if not ctx.by.sees(found.jurisdiction_path):
                raise InvalidInput(
                    "lon",
                    "the location lies outside your jurisdiction",
                    code="outside_jurisdiction",
                )
            return found
    elif address:
        # No point: at least the district the caller named, when it is the call-taker's to see.
        for d in named_districts(ctx.session, address):
            j = ctx.session.get(Jurisdiction, d.code)
            if j is not None and ctx.by.sees(j.path):
                return Place(j.code, j.path, None)
    home = ctx.session.get(Jurisdiction, ctx.by.jurisdiction_code)
    assert home is not None
    return Place(home.code, home.path, None)


def how_located(at: Located) -> dict[str, object]:
    """What an event says of the point beyond lon/lat: the standard address it is, whether it
    was geocoded, a contradiction the call-taker confirmed, or that it has none."""
    how: dict[str, object] = {}
    if at.place_code is not None:
        how["place"] = at.place_code
    if at.geocoded:
        how["geocoded"] = True
    if at.contradiction is not None:
        how["place_confirmed"] = {
            "named": at.contradiction.named.name,
            "located": at.contradiction.located.name,
        }
    if not at.has_point:
        how["unlocated"] = True
    return how


# --- 更正地点 -------------------------------------------------------------------------------


class AlreadyThere(Exception):
    """The incident already is where the request puts it: a retry, with nothing to record."""


def where_is(incident: Incident) -> dict[str, Any]:
    """The incident's place as an event keeps it (one side of a correction)."""
    return {
        "address": incident.address,
        "lon": incident.lon,
        "lat": incident.lat,
        "jurisdiction": incident.jurisdiction_code,
        "grid": incident.grid_code,
    }


def relocate_to(ctx: Ctx, incident: Incident, data: Asked, payload: dict[str, Any]) -> None:
    """Put `incident` where `data` says, as 接警 would have (same point, same district check,
    same jurisdiction, station and grid), and keep both sides in the event's payload.

    The jurisdiction path moves with the point, so the incident leaves the screens of the old
    station and reaches the new one's; a place outside the caller's own area is refused as at
    接警. Raises AlreadyThere, before changing anything, when nothing would change."""
    if data.place is None and (data.lon is None or data.lat is None):
        raise InvalidInput(
            "place",
            "give a standard address (place), or an address and a point",
            code="place_required",
        )
    if data.place is None and not (data.address or "").strip():
        raise InvalidInput(
            "address",
            "a point that is no standard address needs its address",
            code="address_required",
        )
    at = locate(ctx, data)
    address = (data.address or "").strip() or at.place_text or incident.address
    place = resolve_place(ctx, at, address)
    before = where_is(incident)
    after = {
        "address": address,
        "lon": at.lon,
        "lat": at.lat,
        "jurisdiction": place.jurisdiction_code,
        "grid": place.grid_code,
    }
    if after == before:
        raise AlreadyThere(incident.number)
    incident.address = address
    incident.lon, incident.lat = at.lon, at.lat
    incident.jurisdiction_code = place.jurisdiction_code
    incident.jurisdiction_path = place.jurisdiction_path
    incident.grid_code = place.grid_code
    payload.update(before=before, after={**after, **how_located(at)})
