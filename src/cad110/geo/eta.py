"""Rank candidate units for an incident by estimated time of arrival (ETA).

Two models share one protocol, :class:`EtaModel`:

* :class:`StraightLineEta` — haversine distance × a circuity factor at a configured speed, for
  when no road network is loaded.
* :class:`RoadEta` — travel time over a :class:`~cad110.geo.graph.RoadGraph`. The incident point
  is snapped to its nearest node and ONE bounded Dijkstra runs from it over the transposed graph,
  giving every node's driving time TO the incident. A unit's ETA is::

      its snap distance / access speed  +  graph time from its node  +  incident snap / access speed

  The search is cut off at a travel-time limit and widened only while the answer could still
  change: with limit ``L`` every unit not reached has graph time ≥ ``L``, so once ``k`` reached
  units exist and every unreached unit's lower bound ``access + L + incident access`` is strictly
  above the k-th best ETA, the top k are final. The limits tried are a first guess (the
  straight-line ETA of the k-th nearest unit, when below the first configured limit), then
  600 s, 1,800 s, 5,400 s (configurable), then unlimited. The guess only saves time: on a
  city-sized graph a search to 600 s settles ~10k nodes, one to ~250 s a fifth of that.

Ties are broken by unit key; units that cannot reach the incident are left out. ``naive_rank``
(networkx, one shortest-path call per unit) and ``naive_rank_one_search`` (networkx, one search
from the incident) are the slow references used by the tests and the benchmark; networkx is
imported lazily and is a test/benchmark dependency only.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra  # type: ignore[import-untyped]

from cad110.geo.distance import haversine_m
from cad110.geo.graph import RoadGraph

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
Snapper = Callable[[FloatArray, FloatArray], tuple[IntArray, FloatArray]]

DEFAULT_LIMITS_S: tuple[float, ...] = (600.0, 1800.0, 5400.0)
DEFAULT_ACCESS_SPEED_KMH = 15.0


@dataclass(frozen=True, slots=True)
class Candidate:
    """A unit that could be sent, at its last known position (degrees)."""

    key: str
    lon: float
    lat: float


@dataclass(frozen=True, slots=True)
class Ranked:
    """A ranked unit: ETA by the model, and straight-line metres to the incident."""

    key: str
    eta_s: float
    distance_m: float


class EtaModel(Protocol):
    def rank(self, lon: float, lat: float, candidates: Sequence[Candidate], k: int) -> list[Ranked]:
        """Top ``k`` candidates by ETA to (lon, lat), ties by key; unreachable ones left out."""
        ...


def _coords(candidates: Sequence[Candidate]) -> tuple[FloatArray, FloatArray]:
    n = len(candidates)
    lon = np.fromiter((c.lon for c in candidates), dtype=np.float64, count=n)
    lat = np.fromiter((c.lat for c in candidates), dtype=np.float64, count=n)
    return lon, lat


def _top_k(
    candidates: Sequence[Candidate], eta: FloatArray, distance: FloatArray, k: int
) -> list[Ranked]:
    """The k smallest finite ETAs, ties broken by key (vectorised shortlist, then a tiny sort)."""
    finite = np.flatnonzero(np.isfinite(eta))
    if k <= 0 or finite.size == 0:
        return []
    if finite.size > k:
        kth = np.partition(eta[finite], k - 1)[k - 1]
        finite = finite[eta[finite] <= kth]  # keeps every candidate tied with the k-th
    order = sorted(finite.tolist(), key=lambda i: (float(eta[i]), candidates[i].key))
    return [Ranked(candidates[i].key, float(eta[i]), float(distance[i])) for i in order[:k]]


class StraightLineEta:
    """ETA = haversine distance × circuity at a constant speed (no road network)."""

    def __init__(self, speed_kmh: float = 30.0, circuity: float = 1.35) -> None:
        if speed_kmh <= 0 or circuity <= 0:
            raise ValueError("speed and circuity must be positive")
        self.speed_kmh = speed_kmh
        self.circuity = circuity

    def rank(self, lon: float, lat: float, candidates: Sequence[Candidate], k: int) -> list[Ranked]:
        if k <= 0 or not candidates:
            return []
        c_lon, c_lat = _coords(candidates)
        distance = haversine_m(c_lon, c_lat, lon, lat)
        eta = distance * self.circuity / (self.speed_kmh / 3.6)
        return _top_k(candidates, eta, distance, k)


class RoadEta:
    """ETA over a road graph; one bounded, widening Dijkstra per query (see the module doc)."""

    def __init__(
        self,
        graph: RoadGraph,
        *,
        access_speed_kmh: float = DEFAULT_ACCESS_SPEED_KMH,
        limits_s: Sequence[float] = DEFAULT_LIMITS_S,
        adaptive: bool = True,
        guess_speed_kmh: float = 30.0,
        guess_circuity: float = 1.35,
        min_limit_s: float = 60.0,
    ) -> None:
        if access_speed_kmh <= 0:
            raise ValueError("access speed must be positive")
        if any(b <= a for a, b in pairwise(limits_s)) or any(x <= 0 for x in limits_s):
            raise ValueError("limits must be positive and increasing")
        if graph.n_nodes == 0:
            raise ValueError("the road graph is empty")
        self.graph = graph.prepare()
        self.access_mps = access_speed_kmh / 3.6
        self.limits_s = (*(float(x) for x in limits_s), math.inf)
        self.adaptive = adaptive
        self.guess_mps = guess_speed_kmh / 3.6
        self.guess_circuity = guess_circuity
        self.min_limit_s = min_limit_s
        self.searches = 0  # Dijkstra runs so far (widenings included), for diagnostics

    def _schedule(self, distance: FloatArray, want: int) -> tuple[float, ...]:
        """Search limits for one query: a first guess, then the configured ones, then none.

        The guess is the straight-line ETA of the k-th nearest candidate (haversine × circuity
        at ``guess_speed_kmh``), at least ``min_limit_s``: usually one small search suffices. A
        wrong guess costs only time, never correctness (the stop rule in :meth:`rank` decides).
        """
        if not self.adaptive:
            return self.limits_s
        d_k = float(np.partition(distance, want - 1)[want - 1])
        guess = max(self.min_limit_s, d_k * self.guess_circuity / self.guess_mps)
        if guess >= self.limits_s[0]:
            return self.limits_s
        return (guess, *self.limits_s)

    def times_to(self, node: int, limit_s: float = math.inf) -> FloatArray:
        """Driving seconds from every node to ``node`` (inf beyond ``limit_s`` / unreachable)."""
        self.searches += 1
        d = dijkstra(
            self.graph.backward,
            directed=True,
            indices=node,
            limit=limit_s,
            return_predecessors=False,
        )
        return np.asarray(d, dtype=np.float64)

    def rank(self, lon: float, lat: float, candidates: Sequence[Candidate], k: int) -> list[Ranked]:
        if k <= 0 or not candidates:
            return []
        c_lon, c_lat = _coords(candidates)
        distance = haversine_m(c_lon, c_lat, lon, lat)
        c_node, c_snap = self.graph.snap(c_lon, c_lat)
        access = c_snap / self.access_mps
        inc_node, inc_snap = self.graph.snap_one(lon, lat)
        inc_access = inc_snap / self.access_mps
        want = min(k, len(candidates))
        eta = np.full(len(candidates), np.inf)
        for limit in self._schedule(distance, want):
            graph_s = self.times_to(inc_node, limit)[c_node]
            eta = access + graph_s + inc_access
            reached = np.isfinite(graph_s)
            n_reached = int(reached.sum())
            if math.isinf(limit) or n_reached == len(candidates):
                break
            if n_reached >= want:
                kth = np.partition(eta[reached], want - 1)[want - 1]
                bound = access[~reached] + limit + inc_access
                if bool(np.all(bound > kth)):
                    break
        return _top_k(candidates, eta, distance, k)


# ------------------------------------------------------------------ naive references (networkx)


def to_networkx(graph: RoadGraph) -> Any:
    """The graph as a ``networkx.DiGraph``: nodes ``0..n-1`` (attrs lon, lat), edge attr ``time``."""
    import networkx as nx  # type: ignore[import-untyped]

    g = nx.DiGraph()
    g.add_nodes_from(
        (i, {"lon": x, "lat": y})
        for i, (x, y) in enumerate(zip(graph.lon.tolist(), graph.lat.tolist(), strict=True))
    )
    u, v, t, _, _ = graph.edges()
    g.add_weighted_edges_from(zip(u.tolist(), v.tolist(), t.tolist(), strict=True), weight="time")
    return g


def brute_force_snapper(nx_graph: Any) -> Snapper:
    """Snap by computing the haversine distance to every node (reference for the KD-tree)."""
    nodes = np.array(list(nx_graph.nodes), dtype=np.int64)
    lon = np.array([nx_graph.nodes[i]["lon"] for i in nodes.tolist()], dtype=np.float64)
    lat = np.array([nx_graph.nodes[i]["lat"] for i in nodes.tolist()], dtype=np.float64)

    def snap(q_lon: FloatArray, q_lat: FloatArray) -> tuple[IntArray, FloatArray]:
        best = np.empty(q_lon.shape[0], dtype=np.int64)
        dist = np.empty(q_lon.shape[0], dtype=np.float64)
        for j in range(q_lon.shape[0]):
            d = haversine_m(lon, lat, float(q_lon[j]), float(q_lat[j]))
            i = int(np.argmin(d))
            best[j] = nodes[i]
            dist[j] = haversine_m(float(q_lon[j]), float(q_lat[j]), lon[i], lat[i])
        return best, dist

    return snap


def _naive_eta(
    nx_graph: Any,
    lon: float,
    lat: float,
    candidates: Sequence[Candidate],
    k: int,
    access_speed_kmh: float,
    snap: Snapper | None,
    graph_time: Callable[[int, int], float | None],
) -> list[Ranked]:
    if k <= 0 or not candidates:
        return []
    snapper = snap if snap is not None else brute_force_snapper(nx_graph)
    access_mps = access_speed_kmh / 3.6
    c_lon, c_lat = _coords(candidates)
    c_node, c_snap = snapper(c_lon, c_lat)
    i_node, i_snap = snapper(np.array([lon]), np.array([lat]))
    inc, inc_access = int(i_node[0]), float(i_snap[0]) / access_mps
    rows: list[tuple[float, str, float]] = []
    for j, cand in enumerate(candidates):
        t = graph_time(int(c_node[j]), inc)
        if t is None:
            continue
        eta = float(c_snap[j]) / access_mps + t + inc_access
        rows.append((eta, cand.key, haversine_m(cand.lon, cand.lat, lon, lat)))
    rows.sort(key=lambda r: (r[0], r[1]))
    return [Ranked(key, eta, dist) for eta, key, dist in rows[:k]]


def naive_rank(
    nx_graph: Any,
    lon: float,
    lat: float,
    candidates: Sequence[Candidate],
    k: int,
    *,
    access_speed_kmh: float = DEFAULT_ACCESS_SPEED_KMH,
    snap: Snapper | None = None,
) -> list[Ranked]:
    """Reference ranking: a networkx shortest path from each candidate to the incident.

    Same snapping and access rule as :class:`RoadEta`; ``snap`` defaults to brute force over all
    nodes (pass ``graph.snap`` to time only the routing).
    """
    import networkx as nx

    def one(source: int, target: int) -> float | None:
        try:
            return float(nx.shortest_path_length(nx_graph, source, target, weight="time"))
        except nx.NetworkXNoPath:
            return None

    return _naive_eta(nx_graph, lon, lat, candidates, k, access_speed_kmh, snap, one)


def naive_rank_one_search(
    nx_graph: Any,
    lon: float,
    lat: float,
    candidates: Sequence[Candidate],
    k: int,
    *,
    access_speed_kmh: float = DEFAULT_ACCESS_SPEED_KMH,
    snap: Snapper | None = None,
    reversed_graph: Any | None = None,
) -> list[Ranked]:
    """Reference ranking: ONE networkx Dijkstra from the incident over the reversed graph.

    Pass ``reversed_graph`` (``nx_graph.reverse(copy=True)``, made once) to time the search
    alone; by default a reversed view is used, which is slower per edge.
    """
    import networkx as nx

    rev = reversed_graph if reversed_graph is not None else nx_graph.reverse(copy=False)
    cache: dict[int, dict[int, float]] = {}

    def one(source: int, target: int) -> float | None:
        if target not in cache:
            cache[target] = nx.single_source_dijkstra_path_length(rev, target, weight="time")
        t = cache[target].get(source)
        return None if t is None else float(t)

    return _naive_eta(nx_graph, lon, lat, candidates, k, access_speed_kmh, snap, one)
