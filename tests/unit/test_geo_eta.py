"""ETA models: the fast road ranking equals brute force; straight-line ranking; edge cases."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from cad110.geo.bench import run_recommend_bench, same_ranking
from cad110.geo.distance import from_equirectangular, haversine_m
from cad110.geo.eta import (
    Candidate,
    EtaModel,
    Ranked,
    RoadEta,
    StraightLineEta,
    brute_force_snapper,
    naive_rank,
    naive_rank_one_search,
    to_networkx,
)
from cad110.geo.graph import RoadGraph
from cad110.geo.synthetic import FUZHOU_LAT, FUZHOU_LON, generate_city

ACCESS_MPS = 15.0 / 3.6


def _random_graph(rng: np.random.Generator, n: int, connected: bool) -> RoadGraph:
    """Random directed road graph in a ~3 km box; `connected` adds a one-way Hamiltonian cycle."""
    x, y = rng.uniform(-1500, 1500, n), rng.uniform(-1500, 1500, n)
    lon, lat = from_equirectangular(x, y, FUZHOU_LON, FUZHOU_LAT)
    m = int(rng.integers(0, 2 * n + 1))
    u, v = rng.integers(0, n, m), rng.integers(0, n, m)
    oneway = rng.random(m) < 0.3
    if connected:
        perm = rng.permutation(n)
        u = np.concatenate((u, perm))
        v = np.concatenate((v, np.roll(perm, -1)))
        oneway = np.concatenate((oneway, np.ones(n, dtype=bool)))
    straight = haversine_m(lon[u], lat[u], lon[v], lat[v])
    length = straight * rng.uniform(1.0, 1.6, u.shape[0])
    speed = rng.choice([10.0, 30.0, 45.0, 60.0, 90.0], u.shape[0])
    return RoadGraph.from_edges(lon, lat, u, v, length, speed, oneway, keep_largest_scc=False)


def _candidates(
    rng: np.random.Generator, g: RoadGraph, count: int, on_node_share: float
) -> list[Candidate]:
    """Candidates with shuffled keys (so index order is not key order), some exactly on nodes,
    some sharing a position (ties), others anywhere nearby."""
    keys = [f"unit-{i:02d}" for i in rng.permutation(count)]
    out: list[Candidate] = []
    for key in keys:
        r = rng.random()
        if out and r < 0.1:
            out.append(Candidate(key, out[-1].lon, out[-1].lat))
        elif r < on_node_share:
            j = int(rng.integers(0, g.n_nodes))
            out.append(Candidate(key, float(g.lon[j]), float(g.lat[j])))
        else:
            lon, lat = from_equirectangular(
                rng.uniform(-2000, 2000), rng.uniform(-2000, 2000), FUZHOU_LON, FUZHOU_LAT
            )
            out.append(Candidate(key, float(lon), float(lat)))
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(5, 60),
    connected=st.booleans(),
    count=st.integers(1, 25),
    k=st.integers(1, 12),
    on_node_share=st.sampled_from([0.0, 0.5, 1.0]),
    limits=st.sampled_from([(600.0, 1800.0, 5400.0), (5.0,), (1.0, 20.0, 60.0), (30.0, 90.0)]),
    adaptive=st.booleans(),
)
def test_road_ranking_equals_brute_force(
    seed: int,
    n: int,
    connected: bool,
    count: int,
    k: int,
    on_node_share: float,
    limits: tuple[float, ...],
    adaptive: bool,
) -> None:
    rng = np.random.default_rng(seed)
    g = _random_graph(rng, n, connected)
    cands = _candidates(rng, g, count, on_node_share)
    nxg = to_networkx(g)
    eta = RoadEta(g, limits_s=limits, adaptive=adaptive, min_limit_s=1.0)
    for _ in range(3):
        lon, lat = from_equirectangular(
            rng.uniform(-1800, 1800), rng.uniform(-1800, 1800), FUZHOU_LON, FUZHOU_LAT
        )
        fast = eta.rank(float(lon), float(lat), cands, k)
        slow = naive_rank(nxg, float(lon), float(lat), cands, k)
        assert [r.key for r in fast] == [r.key for r in slow]
        assert [r.eta_s for r in fast] == pytest.approx([r.eta_s for r in slow], abs=1e-6)
        assert [r.distance_m for r in fast] == pytest.approx([r.distance_m for r in slow])
        assert same_ranking(fast, naive_rank_one_search(nxg, float(lon), float(lat), cands, k))
        assert len(fast) <= min(k, len(cands))
        if connected:
            assert len(fast) == min(k, len(cands))
        etas = [(r.eta_s, r.key) for r in fast]
        assert etas == sorted(etas)


def test_eta_is_access_plus_graph_time_plus_incident_access() -> None:
    # 0 —— 1 —— 2 along the equator, 100 m edges at 36 km/h: 10 s each.
    g = RoadGraph.from_edges(
        [0.0, 0.001, 0.002], [0.0, 0.0, 0.0], [0, 1], [1, 2], 100.0, 36.0, False
    )
    off = 0.0001  # about 11 m north of node 0
    unit = Candidate("u", 0.0, off)
    (r,) = RoadEta(g).rank(0.002, 0.0, [unit], 1)
    snap = haversine_m(0.0, off, 0.0, 0.0)
    assert r.eta_s == pytest.approx(snap / ACCESS_MPS + 20.0)
    assert r.distance_m == pytest.approx(haversine_m(0.0, off, 0.002, 0.0))
    (r2,) = RoadEta(g).rank(0.002, off, [Candidate("u", 0.0, 0.0)], 1)
    assert r2.eta_s == pytest.approx(20.0 + snap / ACCESS_MPS)


def _chain(n: int, edge_s: float) -> RoadGraph:
    """n nodes along the equator ~100 m apart, two-way, each edge `edge_s` seconds."""
    lon = np.arange(n) * 0.001
    speed = 100.0 / edge_s * 3.6
    return RoadGraph.from_edges(
        lon, np.zeros(n), np.arange(n - 1), np.arange(1, n), 100.0, speed, False
    )


def test_widening_finds_a_unit_beyond_the_first_limit() -> None:
    g = _chain(50, 30.0)  # node 49 is 1,470 s from node 0
    eta = RoadEta(g, limits_s=(60.0, 600.0), adaptive=False)
    far = Candidate("far", float(g.lon[49]), 0.0)
    (r,) = eta.rank(0.0, 0.0, [far], 3)
    assert r.key == "far"
    assert r.eta_s == pytest.approx(49 * 30.0)
    assert eta.searches == 3  # 60 s, 600 s, then unlimited


def test_reached_unit_with_long_access_does_not_hide_a_closer_one_beyond_the_limit() -> None:
    # "near" is at node 1 (30 s away) but 2 km off the road: 480 s of access at 15 km/h.
    # "beyond" stands on node 5 (150 s away), outside the first 60 s search.
    g = _chain(10, 30.0)
    near_lon, near_lat = from_equirectangular(0.0, 2000.0, float(g.lon[1]), 0.0)
    near = Candidate("near", float(near_lon), float(near_lat))
    beyond = Candidate("beyond", float(g.lon[5]), 0.0)
    eta = RoadEta(g, limits_s=(60.0, 600.0), adaptive=False)
    ranked = eta.rank(0.0, 0.0, [near, beyond], 1)
    assert [r.key for r in ranked] == ["beyond"]
    assert ranked[0].eta_s == pytest.approx(150.0)
    assert eta.searches == 2


def test_unreachable_candidates_are_left_out() -> None:
    # Two separate roads: units on the other one can never arrive.
    lon = [0.0, 0.001, 0.05, 0.051]
    g = RoadGraph.from_edges(
        lon, [0.0] * 4, [0, 2], [1, 3], 100.0, 36.0, False, keep_largest_scc=False
    )
    cands = [Candidate("a", 0.001, 0.0), Candidate("b", 0.05, 0.0), Candidate("c", 0.051, 0.0)]
    eta = RoadEta(g, limits_s=(5.0,))
    assert [r.key for r in eta.rank(0.0, 0.0, cands, 5)] == ["a"]
    assert [r.key for r in eta.rank(0.0502, 0.0, cands, 5)] == ["b", "c"]
    assert eta.rank(0.0, 0.0, cands[1:], 5) == []


def test_ties_are_broken_by_key() -> None:
    g = _chain(5, 10.0)
    same = [Candidate(key, float(g.lon[2]), 0.0) for key in ("d", "b", "c", "a")]
    assert [r.key for r in RoadEta(g).rank(0.0, 0.0, same, 3)] == ["a", "b", "c"]
    assert [r.key for r in StraightLineEta().rank(0.0, 0.0, same, 3)] == ["a", "b", "c"]


@pytest.mark.parametrize("model", [StraightLineEta(), RoadEta(_chain(5, 10.0))])
def test_k_and_empty_inputs(model: EtaModel) -> None:
    cands = [Candidate(f"u{i}", i * 0.001, 0.0) for i in range(4)]
    assert len(model.rank(0.0, 0.0, cands, 10)) == 4
    assert [r.key for r in model.rank(0.0, 0.0, cands, 10)] == ["u0", "u1", "u2", "u3"]
    assert model.rank(0.0, 0.0, cands, 0) == []
    assert model.rank(0.0, 0.0, [], 5) == []


@given(
    points=st.lists(
        st.tuples(st.floats(119.0, 119.6), st.floats(25.8, 26.4)), min_size=0, max_size=40
    ),
    k=st.integers(1, 50),
    speed=st.floats(5.0, 120.0),
    circuity=st.floats(1.0, 2.0),
)
def test_straight_line_order_is_haversine_order(
    points: list[tuple[float, float]], k: int, speed: float, circuity: float
) -> None:
    cands = [Candidate(f"k{i:02d}", x, y) for i, (x, y) in enumerate(points)]
    ranked = StraightLineEta(speed, circuity).rank(FUZHOU_LON, FUZHOU_LAT, cands, k)
    expected = sorted(
        cands, key=lambda c: (haversine_m(c.lon, c.lat, FUZHOU_LON, FUZHOU_LAT), c.key)
    )[:k]
    assert [r.key for r in ranked] == [c.key for c in expected]
    for r, c in zip(ranked, expected, strict=True):
        d = haversine_m(c.lon, c.lat, FUZHOU_LON, FUZHOU_LAT)
        assert r.distance_m == pytest.approx(d)
        assert r.eta_s == pytest.approx(d * circuity / (speed / 3.6))


def test_straight_line_defaults() -> None:
    lon, lat = from_equirectangular(1000.0, 0.0, FUZHOU_LON, FUZHOU_LAT)
    (r,) = StraightLineEta().rank(
        FUZHOU_LON, FUZHOU_LAT, [Candidate("u", float(lon), float(lat))], 1
    )
    assert isinstance(r, Ranked)
    assert r.key == "u"
    assert r.distance_m == pytest.approx(1000.0, rel=1e-3)
    assert r.eta_s == pytest.approx(1000.0 * 1.35 / (30 / 3.6), rel=1e-3)


def test_bad_parameters_are_refused() -> None:
    g = _chain(3, 10.0)
    with pytest.raises(ValueError, match="increasing"):
        RoadEta(g, limits_s=(600.0, 60.0))
    with pytest.raises(ValueError, match="access"):
        RoadEta(g, access_speed_kmh=0.0)
    with pytest.raises(ValueError, match="positive"):
        StraightLineEta(speed_kmh=-1.0)


def test_brute_force_snapper_agrees_with_the_kd_tree() -> None:
    g = generate_city(900, seed=2)
    rng = np.random.default_rng(0)
    lon = rng.uniform(float(g.lon.min()), float(g.lon.max()), 50)
    lat = rng.uniform(float(g.lat.min()), float(g.lat.max()), 50)
    nodes, dist = brute_force_snapper(to_networkx(g))(lon, lat)
    kd_nodes, kd_dist = g.snap(lon, lat)
    assert np.array_equal(nodes, kd_nodes)
    assert np.allclose(dist, kd_dist, rtol=0, atol=1e-6)


def test_one_search_over_a_generated_city() -> None:
    g = generate_city(3_600, seed=9)
    rng = np.random.default_rng(1)
    idx = rng.integers(0, g.n_nodes, 200)
    cands = [Candidate(f"u{i:03d}", float(g.lon[j]), float(g.lat[j])) for i, j in enumerate(idx)]
    eta = RoadEta(g)
    nxg = to_networkx(g)
    rev = nxg.reverse(copy=True)
    for _ in range(10):
        lon = float(rng.uniform(g.lon.min(), g.lon.max()))
        lat = float(rng.uniform(g.lat.min(), g.lat.max()))
        fast = eta.rank(lon, lat, cands, 5)
        assert len(fast) == 5
        assert same_ranking(
            fast, naive_rank_one_search(nxg, lon, lat, cands, 5, snap=g.snap, reversed_graph=rev)
        )
    assert eta.searches >= 10


def test_small_bench_runs_and_agrees() -> None:
    out = io.StringIO()
    result = run_recommend_bench(
        Console(file=out, width=200),
        nodes=2_500,
        units=200,
        queries=20,
        naive_samples=1,
        one_search_samples=3,
        sample_units=10,
    )
    assert result.rankings_equal, result.mismatches
    assert result.nodes >= 2_400
    assert result.queries == 20
    assert result.per_unit_calls == 10
    assert math.isfinite(result.fast_p99_ms)
    assert result.fast_p50_ms <= result.fast_p99_ms <= result.fast_max_ms
    text = out.getvalue()
    assert "EXTRAPOLATED" in text
    assert "p50 / p99" in text
