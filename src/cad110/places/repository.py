"""Reading the address library.

Search and nearest are plain queries here: correct on both databases, and the contract the
desk, the board and intake use. (The in-memory index that makes them fast replaces the
bodies, not the signatures.)
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cad110.geo.distance import haversine_m
from cad110.models.place import Place


@dataclass(frozen=True)
class Hit:
    place: Place
    score: float
    distance_m: float | None


def by_code(session: Session, code: str) -> Place | None:
    return session.scalars(select(Place).where(Place.code == code)).one_or_none()


def search(
    session: Session,
    q: str,
    *,
    near: tuple[float, float] | None = None,
    limit: int = 10,
) -> list[Hit]:
    """Active places whose text or aliases contain `q`, closest to `near` first when given."""
    text = q.strip()
    if not text:
        return []
    pattern = f"%{text}%"
    rows = session.scalars(
        select(Place)
        .where(Place.active, or_(Place.full_text.like(pattern), Place.name.like(pattern)))
        .limit(200)
    ).all()
    hits = [
        Hit(p, 100.0, haversine_m(near[0], near[1], p.lon, p.lat) if near else None) for p in rows
    ]
    hits.sort(key=lambda h: (h.distance_m or 0.0, len(h.place.full_text)))
    return hits[:limit]


def nearest(session: Session, lon: float, lat: float, *, within_m: float = 500.0) -> Hit | None:
    """The active place nearest to a point, if one lies within `within_m`."""
    # About 0.005° of latitude is 550 m; a box narrows the scan before the exact distance.
    d = within_m / 100_000
    rows = session.scalars(
        select(Place).where(
            Place.active,
            Place.lon.between(lon - 2 * d, lon + 2 * d),
            Place.lat.between(lat - d, lat + d),
        )
    ).all()
    best: Hit | None = None
    for p in rows:
        m = haversine_m(lon, lat, p.lon, p.lat)
        if m <= within_m and (best is None or m < (best.distance_m or 0.0)):
            best = Hit(p, 100.0, m)
    return best


def geocode(session: Session, text: str, *, near: tuple[float, float] | None = None) -> Hit | None:
    """The one place a typed address most likely means, or None when nothing matches well
    enough to file an incident there without asking."""
    hits = search(session, text, near=near, limit=1)
    return hits[0] if hits and hits[0].score >= GEOCODE_MIN_SCORE else None


# A match at least this good (0–100) is taken as the address without asking.
GEOCODE_MIN_SCORE = 85.0
