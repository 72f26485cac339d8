"""Where an incident is: the address said, the point given, and whether they agree.

A call-taker types "鼓楼区…" and clicks the map; if the click lands in 闽侯县 the two disagree,
and the incident would be sent to the wrong station. The district an address names is found by
the districts' own names (鼓楼区, 闽侯县, 福清市), derived from their bureaus' names the way the
city plan builds them (鼓楼分局 → 鼓楼区, 闽侯县公安局 → 闽侯县); the point's district is the one
its jurisdiction path runs through.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from cad110.errors import InvalidInput
from cad110.jurisdictions.lookup import geo_index


@dataclass(frozen=True)
class District:
    code: str
    name: str  # the administrative name an address uses: 鼓楼区, 闽侯县, 福清市


@dataclass(frozen=True)
class Contradiction:
    """The address names `named`, but the point lies in `located`."""

    named: District
    located: District


def area_name(bureau_name: str) -> str:
    """The district's name in addresses, from its bureau's name (鼓楼分局 → 鼓楼区)."""
    if bureau_name.endswith("分局"):
        return bureau_name[: -len("分局")] + "区"
    if bureau_name.endswith("公安局"):
        return bureau_name[: -len("公安局")]
    return bureau_name


def districts(session: Session) -> list[District]:
    """The city's districts, from the geo index the point is located in: kept in memory, so a
    create does not read the district rows (boundaries and all) twice from the database."""
    return [District(code, area_name(name)) for code, name in geo_index(session).districts]


def named_districts(session: Session, address: str) -> list[District]:
    """The districts whose names the address contains."""
    return [d for d in districts(session) if d.name and d.name in address]


def point_district(session: Session, lon: float, lat: float) -> District | None:
    """The district the point lies in, if it lies in the city."""
    found = geo_index(session).locate(lon, lat)
    if found is None:
        return None
    segments = set(found.jurisdiction_path.strip("/").split("/"))
    return next((d for d in districts(session) if d.code in segments), None)


def contradiction(session: Session, address: str, lon: float, lat: float) -> Contradiction | None:
    """The disagreement between the district an address names and the point's, if any.

    An address that names no district, or names the point's own, agrees; so does a point
    outside every district (that is refused or kept on its own terms elsewhere)."""
    named = named_districts(session, address)
    if not named:
        return None
    located = point_district(session, lon, lat)
    if located is None or any(d.code == located.code for d in named):
        return None
    return Contradiction(named[0], located)


class PlaceContradicted(InvalidInput):
    """422 `place_contradiction`: the address names one district, the point lies in another.

    The item carries both names (`ctx.named`, `ctx.located`) so that a screen can say which;
    the same request with `place_confirmed` is accepted."""

    def __init__(self, found: Contradiction) -> None:
        super().__init__(
            "address",
            f"the address names {found.named.name} but the point lies in {found.located.name}; "
            "check the place, or send place_confirmed",
            code="place_contradiction",
        )
        self.found = found

    def body(self) -> dict[str, Any]:
        answer = super().body()
        answer["detail"][0]["ctx"] = {
            "named": self.found.named.name,
            "located": self.found.located.name,
        }
        return answer
