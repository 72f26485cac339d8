"""Reading the address library: by code, search as you type, nearest, geocoding.

Search and nearest run over the in-memory index (`index.py`); the places they answer with are
read from the database, so an answer always shows a place as it is now.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from cad110.geo.distance import haversine_m
from cad110.models.place import Place
from cad110.places.index import place_index


@dataclass(frozen=True)
class Hit:
    place: Place
    score: float
    distance_m: float | None


def by_code(session: Session, code: str) -> Place | None:
    return session.scalars(select(Place).where(Place.code == code)).one_or_none()


def _load(session: Session, ids: list[int]) -> dict[int, Place]:
    if not ids:
        return {}
    rows = session.scalars(select(Place).where(Place.id.in_(ids), Place.active))
    return {p.id: p for p in rows}


def search(
    session: Session,
    q: str,
    *,
    near: tuple[float, float] | None = None,
    limit: int = 10,
) -> list[Hit]:
    """Places matching what was typed — Chinese, pinyin, initials, a typo, another word order,
    a spoken address with district, road and number — best match first and, among equal
    matches, nearest `near` first."""
    if not q.strip():
        return []
    scored = place_index(session).search(q, near=near, limit=limit)
    places = _load(session, [s.place_id for s in scored])
    hits = []
    for s in scored:
        p = places.get(s.place_id)
        if p is not None:  # retired since the index was built
            metres = haversine_m(near[0], near[1], p.lon, p.lat) if near else None
            hits.append(Hit(p, s.score, metres))
    return hits


def nearest(session: Session, lon: float, lat: float, *, within_m: float = 500.0) -> Hit | None:
    """The active place nearest to a point, if one lies within `within_m`."""
    index = place_index(session)
    # A few nearest on the plane, then the exact distance (the plane is off by a few metres).
    found = index.nearest(lon, lat, within_m * 1.01 + 5.0, k=4)
    places = _load(session, [int(index.ids[row]) for row, _ in found])
    best: Hit | None = None
    for p in places.values():
        m = haversine_m(lon, lat, p.lon, p.lat)
        if m <= within_m and (best is None or m < (best.distance_m or 0.0)):
            best = Hit(p, 100.0, m)
    return best


def geocode(session: Session, text: str, *, near: tuple[float, float] | None = None) -> Hit | None:
    """The one place a typed address most likely means, or None when nothing matches well
    enough to file an incident there without asking: the best match must reach
    GEOCODE_MIN_SCORE and stand clear of the next one (two 五一北路 houses that match equally
    are a question for the call-taker, not a guess)."""
    hits = search(session, text, near=near, limit=2)
    if not hits or hits[0].score < GEOCODE_MIN_SCORE:
        return None
    if len(hits) > 1 and hits[1].score > hits[0].score - GEOCODE_MARGIN:
        top, other = hits[0].place, hits[1].place
        if haversine_m(top.lon, top.lat, other.lon, other.lat) > GEOCODE_SAME_PLACE_M:
            return None
    return hits[0]


# A match at least this good (0–100) is taken as the address without asking…
GEOCODE_MIN_SCORE = 85.0
# …when the next best is this much worse, or lies within this many metres of it.
GEOCODE_MARGIN = 5.0
GEOCODE_SAME_PLACE_M = 50.0
