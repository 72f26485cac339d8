"""Distances on the Earth's surface (spherical model, metres).

`haversine_m` is the straight-line ("as the crow flies") distance used for display and for the
straight-line ETA. `to_unit_sphere` gives 3-D points whose Euclidean (chord) distance grows
monotonically with the great-circle distance, so a KD-tree over them finds exactly the node that
is nearest by haversine, anywhere on Earth. `equirectangular` / `from_equirectangular` are a local
flat projection in metres around an origin — accurate to well under 0.1 % across a city — used
to lay out generated streets and to reason in metres near a point.
"""

from __future__ import annotations

import math
from typing import overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius (IUGG), metres."""

FloatArray = NDArray[np.float64]


@overload
def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float: ...
@overload
def haversine_m(
    lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike
) -> FloatArray: ...
def haversine_m(
    lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike
) -> float | FloatArray:
    """Great-circle distance in metres between points given in degrees (broadcasts)."""
    if type(lon1) is type(lat1) is type(lon2) is type(lat2) is float:
        # One pair (the repeat check judges hundreds a call): math is ten times numpy here.
        return _haversine_one(lon1, lat1, lon2, lat2)
    p1 = np.radians(np.asarray(lat1, dtype=np.float64))
    p2 = np.radians(np.asarray(lat2, dtype=np.float64))
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2, dtype=np.float64) - np.asarray(lon1, dtype=np.float64))
    a = np.sin(dp / 2.0) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2.0) ** 2
    d = 2.0 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    if np.ndim(d) == 0:
        return float(d)
    return np.asarray(d, dtype=np.float64)


def _haversine_one(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2.0) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2.0) ** 2
    )
    return 2.0 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, max(0.0, a))))


def to_unit_sphere(lon: ArrayLike, lat: ArrayLike) -> FloatArray:
    """Points in degrees as an (n, 3) array of unit vectors (for nearest-neighbour search)."""
    lam = np.radians(np.atleast_1d(np.asarray(lon, dtype=np.float64)))
    phi = np.radians(np.atleast_1d(np.asarray(lat, dtype=np.float64)))
    cos_phi = np.cos(phi)
    return np.column_stack((cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)))


def equirectangular(
    lon: ArrayLike, lat: ArrayLike, lon0: float, lat0: float
) -> tuple[FloatArray, FloatArray]:
    """Project degrees to local metres (x east, y north) around the origin (lon0, lat0)."""
    k = np.radians(1.0) * EARTH_RADIUS_M
    x = (np.asarray(lon, dtype=np.float64) - lon0) * k * np.cos(np.radians(lat0))
    y = (np.asarray(lat, dtype=np.float64) - lat0) * k
    return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)


def from_equirectangular(
    x: ArrayLike, y: ArrayLike, lon0: float, lat0: float
) -> tuple[FloatArray, FloatArray]:
    """Inverse of :func:`equirectangular`: local metres back to (lon, lat) degrees."""
    k = np.radians(1.0) * EARTH_RADIUS_M
    lon = lon0 + np.asarray(x, dtype=np.float64) / (k * np.cos(np.radians(lat0)))
    lat = lat0 + np.asarray(y, dtype=np.float64) / k
    return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
