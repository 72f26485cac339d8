"""Road network and travel-time estimates for unit recommendation.

Pure and database-free: a :class:`~cad110.geo.graph.RoadGraph` (numpy arrays, a scipy CSR
matrix of travel times, a KD-tree for snapping), an OpenStreetMap PBF importer, a generated
city for benchmarks, and ETA models that rank candidate units for an incident point.
"""

from __future__ import annotations

from cad110.geo.distance import EARTH_RADIUS_M, haversine_m
from cad110.geo.eta import Candidate, EtaModel, Ranked, RoadEta, StraightLineEta
from cad110.geo.graph import RoadGraph

__all__ = [
    "EARTH_RADIUS_M",
    "Candidate",
    "EtaModel",
    "Ranked",
    "RoadEta",
    "RoadGraph",
    "StraightLineEta",
    "haversine_m",
]
