"""Point → grid → station lookup, in memory with a shapely STRtree.

The index is built from the database once and kept per engine; writers of jurisdictions
or grids call `invalidate()` so the next lookup rebuilds it. It also keeps the districts'
codes and names, which every 接警 reads to check the address against the point: read from
the same rows at the same time, they can never disagree with the lookup.
"""

from __future__ import annotations

import json
import threading
import weakref
from dataclasses import dataclass

from shapely import STRtree
from shapely.geometry import Point, shape
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from cad110.models.jurisdiction import Grid, Jurisdiction, Level


@dataclass(frozen=True)
class Place:
    """Where a point falls: the most specific jurisdiction, and the grid if any."""

    jurisdiction_code: str
    jurisdiction_path: str
    grid_code: str | None


class GeoIndex:
    def __init__(self, session: Session) -> None:
        jurisdictions = {j.code: j for j in session.scalars(select(Jurisdiction))}
        self._paths = {code: j.path for code, j in jurisdictions.items()}
        grids = list(session.scalars(select(Grid)))
        self._grid_keys = [(g.code, g.station_code) for g in grids]
        self._grid_tree = STRtree([shape(json.loads(g.boundary)) for g in grids])
        # Every district, with a boundary or not, in the order the database returned them.
        self.districts: tuple[tuple[str, str], ...] = tuple(
            (j.code, j.name_zh) for j in jurisdictions.values() if j.level is Level.DISTRICT
        )
        districts = [j for j in jurisdictions.values() if j.level is Level.DISTRICT and j.boundary]
        self._district_codes = [d.code for d in districts]
        self._district_tree = STRtree([shape(json.loads(d.boundary or "")) for d in districts])

    def locate(self, lon: float, lat: float) -> Place | None:
        point = Point(lon, lat)
        hits = self._grid_tree.query(point, predicate="intersects")
        if len(hits):
            grid_code, station = self._grid_keys[int(min(hits))]
            return Place(station, self._paths[station], grid_code)
        hits = self._district_tree.query(point, predicate="intersects")
        if len(hits):
            code = self._district_codes[int(min(hits))]
            return Place(code, self._paths[code], None)
        return None


_lock = threading.Lock()
_indexes: weakref.WeakKeyDictionary[Engine, GeoIndex] = weakref.WeakKeyDictionary()


def geo_index(session: Session) -> GeoIndex:
    """The index for the session's engine, built on first use."""
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    index = _indexes.get(engine)
    if index is None:
        with _lock:
            index = _indexes.get(engine)
            if index is None:
                index = GeoIndex(session)
                _indexes[engine] = index
    return index


def invalidate() -> None:
    """Forget every built index (after jurisdictions or grids change)."""
    with _lock:
        _indexes.clear()
