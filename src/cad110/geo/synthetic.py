"""A generated city-sized road graph for benchmarks (and small ones for tests).

A jittered square lattice (~100 m blocks) centred on Fuzhou, with four road classes:

* ``expressway`` (90 km/h): a square ring road and two cross-city lines through the centre;
* ``arterial`` (60 km/h): every 8th street in each direction;
* ``collector`` (45 km/h): every 4th street;
* ``local`` (30 km/h): the rest — about 12 % of local blocks are removed (dead ends, parks,
  blocks without a through street) and 20 % of the remaining ones are one-way.

Each edge's length is the haversine distance between its jittered ends times a small curvature
factor, and its speed varies ±10 % around the class speed. With the defaults the mean is about
3.4 directed edges per node, as in the reference figures (202,500 nodes, ~687k directed edges).
Only the largest strongly connected component is kept (see :meth:`RoadGraph.from_edges`), which
drops a few hundred nodes at full size. Deterministic for a given seed.
"""

from __future__ import annotations

import math

import numpy as np

from cad110.geo.distance import from_equirectangular, haversine_m
from cad110.geo.graph import RoadGraph

FUZHOU_LON = 119.30
FUZHOU_LAT = 26.08

CLASS_NAMES = ("local", "collector", "arterial", "expressway")
CLASS_SPEED_KMH = np.array([30.0, 45.0, 60.0, 90.0])
LOCAL, COLLECTOR, ARTERIAL, EXPRESSWAY = range(4)


def generate_city(
    n_nodes: int = 202_500,
    seed: int = 1,
    *,
    spacing_m: float = 100.0,
    jitter_m: float = 15.0,
    remove_fraction: float = 0.12,
    oneway_fraction: float = 0.20,
    center: tuple[float, float] = (FUZHOU_LON, FUZHOU_LAT),
) -> RoadGraph:
    """A grid-like city of about ``n_nodes`` junctions (a near-square lattice), see module doc."""
    if n_nodes < 4:
        raise ValueError("a city needs at least 4 nodes")
    rng = np.random.default_rng(seed)
    rows = max(2, round(math.sqrt(n_nodes)))
    cols = max(2, math.ceil(n_nodes / rows))
    n = rows * cols

    # Node positions: lattice + jitter, in local metres, then to lon/lat around the centre.
    r_idx, c_idx = np.divmod(np.arange(n, dtype=np.int64), cols)
    x = (c_idx - (cols - 1) / 2.0) * spacing_m + rng.uniform(-jitter_m, jitter_m, n)
    y = (r_idx - (rows - 1) / 2.0) * spacing_m + rng.uniform(-jitter_m, jitter_m, n)
    lon, lat = from_equirectangular(x, y, center[0], center[1])

    # Horizontal edges lie on row `r` (line) at column `c` (position), vertical ones the reverse.
    h_r, h_c = np.divmod(np.arange(rows * (cols - 1), dtype=np.int64), cols - 1)
    h_u = h_r * cols + h_c
    v_r, v_c = np.divmod(np.arange((rows - 1) * cols, dtype=np.int64), cols)
    v_u = v_r * cols + v_c
    u = np.concatenate((h_u, v_u))
    v = np.concatenate((h_u + 1, v_u + cols))
    line = np.concatenate((h_r, v_c))  # the street this edge belongs to
    along = np.concatenate((h_c, v_r))  # its position along that street
    lines = np.concatenate((np.full(h_u.shape, rows), np.full(v_u.shape, cols)))

    road_class = np.full(u.shape, LOCAL, dtype=np.int16)
    road_class[line % 4 == 0] = COLLECTOR
    road_class[line % 8 == 0] = ARTERIAL
    # Ring road: a square at a fifth of the way in from each edge, plus two cross-city lines.
    lo, hi = lines // 5, lines - 1 - lines // 5
    on_ring = ((line == lo) | (line == hi)) & (along >= lo) & (along < hi)
    road_class[on_ring | (line == lines // 2)] = EXPRESSWAY

    local = road_class == LOCAL
    keep = ~(local & (rng.random(u.shape[0]) < remove_fraction))
    u, v, road_class, local = u[keep], v[keep], road_class[keep], local[keep]
    oneway = local & (rng.random(u.shape[0]) < oneway_fraction)
    flip = oneway & (rng.random(u.shape[0]) < 0.5)
    u, v = np.where(flip, v, u), np.where(flip, u, v)

    curvature = np.where(
        local, rng.uniform(1.0, 1.08, u.shape[0]), rng.uniform(1.0, 1.03, u.shape[0])
    )
    length = haversine_m(lon[u], lat[u], lon[v], lat[v]) * curvature
    speed = CLASS_SPEED_KMH[road_class] * rng.uniform(0.9, 1.1, u.shape[0])
    return RoadGraph.from_edges(
        lon,
        lat,
        u,
        v,
        length,
        speed,
        oneway,
        road_class=road_class,
        class_names=CLASS_NAMES,
    )
