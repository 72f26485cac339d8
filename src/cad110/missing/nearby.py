"""Open missing-person cases last seen near a point: what the desk and the units are told of a
place (places/known.py asks through `Neighbours`, filled in at the composition root)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cad110.auth.principal import Principal
from cad110.geo.distance import haversine_m
from cad110.kernel.scope import in_scope
from cad110.models.missing import CaseStatus, MissingCase
from cad110.places.known import KnownCase


def open_cases_near(
    session: Session, by: Principal, lon: float, lat: float, within_m: float
) -> list[KnownCase]:
    """Open cases in `by`'s scope last seen within `within_m` of the point, nearest first."""
    d = within_m / 100_000
    rows = session.scalars(
        select(MissingCase).where(
            in_scope(MissingCase.jurisdiction_path, by),
            MissingCase.status == CaseStatus.OPEN,
            MissingCase.last_seen_lon.between(lon - 2 * d, lon + 2 * d),
            MissingCase.last_seen_lat.between(lat - d, lat + d),
        )
    ).all()
    found = []
    for c in rows:
        assert c.last_seen_lon is not None
        assert c.last_seen_lat is not None
        m = float(haversine_m(lon, lat, c.last_seen_lon, c.last_seen_lat))
        if m <= within_m:
            found.append(
                KnownCase(
                    number=c.number,
                    name=c.name,
                    age=c.age,
                    last_seen_at=c.last_seen_at,
                    last_seen_place=c.last_seen_place,
                    distance_m=m,
                    urgent=c.urgent,
                )
            )
    return sorted(found, key=lambda c: c.distance_m)
