"""RoadGraph: construction rules, snapping, persistence; distances; the generated city."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse.csgraph import dijkstra  # type: ignore[import-untyped]

from cad110.geo.distance import (
    EARTH_RADIUS_M,
    equirectangular,
    from_equirectangular,
    haversine_m,
)
from cad110.geo.graph import TIME_QUANTUM_S, RoadGraph, quantize_seconds
from cad110.geo.synthetic import CLASS_NAMES, FUZHOU_LAT, FUZHOU_LON, generate_city


def _line(oneway: bool = False) -> RoadGraph:
    """Three nodes 0 — 1 — 2 about 100 m apart, edges at 36 km/h (10 m/s)."""
    return RoadGraph.from_edges(
        [0.0, 0.001, 0.002], [0.0, 0.0, 0.0], [0, 1], [1, 2], 100.0, 36.0, oneway
    )


def _edge_set(g: RoadGraph) -> set[tuple[int, int, float]]:
    u, v, t, _, _ = g.edges()
    return set(zip(u.tolist(), v.tolist(), t.tolist(), strict=True))


# ---------------------------------------------------------------- distances


def test_haversine_known_values() -> None:
    one_degree = math.pi * EARTH_RADIUS_M / 180
    assert haversine_m(0.0, 0.0, 0.0, 1.0) == pytest.approx(one_degree, rel=1e-12)
    assert haversine_m(0.0, 0.0, 1.0, 0.0) == pytest.approx(one_degree, rel=1e-12)
    assert haversine_m(119.3, 26.08, 119.3, 26.08) == 0.0
    # 鼓楼 to 马尾, about 17 km
    assert 16_000 < haversine_m(119.296, 26.08, 119.455, 25.989) < 19_000
    arr = haversine_m(np.array([0.0, 0.0]), np.array([0.0, 0.0]), np.array([0.0, 1.0]), 0.0)
    assert arr.shape == (2,)
    assert arr[0] == 0.0


@given(
    dx=st.floats(-20_000, 20_000),
    dy=st.floats(-20_000, 20_000),
)
def test_equirectangular_round_trip_and_accuracy(dx: float, dy: float) -> None:
    lon, lat = from_equirectangular(dx, dy, FUZHOU_LON, FUZHOU_LAT)
    x, y = equirectangular(lon, lat, FUZHOU_LON, FUZHOU_LAT)
    assert float(x) == pytest.approx(dx, abs=1e-6)
    assert float(y) == pytest.approx(dy, abs=1e-6)
    flat = math.hypot(dx, dy)
    sphere = haversine_m(FUZHOU_LON, FUZHOU_LAT, float(lon), float(lat))
    assert sphere == pytest.approx(flat, rel=2e-3, abs=1e-6)


# ---------------------------------------------------------------- construction


def test_two_way_edges_are_doubled_and_times_quantized() -> None:
    g = _line()
    assert (g.n_nodes, g.n_edges) == (3, 4)
    assert _edge_set(g) == {(0, 1, 10.0), (1, 0, 10.0), (1, 2, 10.0), (2, 1, 10.0)}
    assert g.is_strongly_connected()
    assert g.class_counts() == {"road": 4}
    assert g.mean_out_degree() == pytest.approx(4 / 3)


def test_quantized_times_are_positive_multiples_of_the_quantum() -> None:
    q = quantize_seconds([0.0, 1e-9, 0.3, 1.0, 12.3456789])
    assert np.all(q >= TIME_QUANTUM_S)
    assert np.all(q / TIME_QUANTUM_S == np.round(q / TIME_QUANTUM_S))
    assert q[3] == 1.0
    assert 12.3456789 <= q[4] < 12.3456789 + TIME_QUANTUM_S


def test_oneway_edges_and_largest_scc() -> None:
    # 0 <-> 1 two-way, 1 -> 2 one-way: node 2 can be reached but not left, so it is dropped.
    g = RoadGraph.from_edges(
        [0.0, 0.001, 0.002], [0.0, 0.0, 0.0], [0, 1], [1, 2], 100.0, 36.0, [False, True]
    )
    assert g.n_nodes == 2
    assert g.node_ids.tolist() == [0, 1]
    assert g.is_strongly_connected()
    kept = RoadGraph.from_edges(
        [0.0, 0.001, 0.002],
        [0.0, 0.0, 0.0],
        [0, 1],
        [1, 2],
        100.0,
        36.0,
        [False, True],
        keep_largest_scc=False,
    )
    assert kept.n_nodes == 3
    assert (1, 2, 10.0) in _edge_set(kept)
    assert (2, 1, 10.0) not in _edge_set(kept)
    assert not kept.is_strongly_connected()


def test_parallel_edges_keep_the_fastest_and_self_loops_drop() -> None:
    g = RoadGraph.from_edges(
        [0.0, 0.001],
        [0.0, 0.0],
        [0, 0, 1, 0],
        [1, 1, 0, 0],
        [100.0, 100.0, 100.0, 50.0],
        [36.0, 72.0, 36.0, 36.0],
        [True, True, True, False],
        road_class=[0, 1, 0, 0],
        class_names=["slow", "fast"],
    )
    assert _edge_set(g) == {(0, 1, 5.0), (1, 0, 10.0)}
    assert g.class_counts() == {"slow": 1, "fast": 1}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"u": [0], "v": [3]}, "node indices"),
        ({"length_m": -1.0}, "lengths"),
        ({"speed_kmh": 0.0}, "speeds"),
        ({"road_class": [2]}, "class_names"),
    ],
)
def test_bad_edges_are_refused(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {
        "lon": [0.0, 0.001],
        "lat": [0.0, 0.0],
        "u": [0],
        "v": [1],
        "length_m": 100.0,
        "speed_kmh": 36.0,
        "oneway": False,
    }
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        RoadGraph.from_edges(**args)  # type: ignore[arg-type]


def test_graph_is_read_only() -> None:
    g = _line()
    with pytest.raises(ValueError, match="read-only"):
        g.lon[0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        g.forward.data[0] = 1.0


def test_backward_is_the_transpose() -> None:
    g = generate_city(400, seed=5)
    assert (g.backward != g.forward.T).nnz == 0
    d_back = dijkstra(g.backward, indices=7)
    d_all = dijkstra(g.forward)
    assert np.array_equal(d_back, d_all[:, 7])


# ---------------------------------------------------------------- snapping


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 300), queries=st.integers(1, 40))
def test_snap_returns_the_nearest_node(seed: int, n: int, queries: int) -> None:
    rng = np.random.default_rng(seed)
    lon = FUZHOU_LON + rng.uniform(-0.2, 0.2, n)
    lat = FUZHOU_LAT + rng.uniform(-0.2, 0.2, n)
    g = RoadGraph.from_edges(lon, lat, [], [], [], [], [], keep_largest_scc=False)
    q_lon = FUZHOU_LON + rng.uniform(-0.3, 0.3, queries)
    q_lat = FUZHOU_LAT + rng.uniform(-0.3, 0.3, queries)
    nodes, dist = g.snap(q_lon, q_lat)
    for j in range(queries):
        brute = haversine_m(lon, lat, q_lon[j], q_lat[j])
        assert dist[j] == pytest.approx(float(brute.min()), abs=1e-6)
        assert brute[nodes[j]] == pytest.approx(float(brute.min()), abs=1e-6)
    node, d = g.snap_one(float(q_lon[0]), float(q_lat[0]))
    assert (node, d) == (int(nodes[0]), float(dist[0]))


def test_snap_on_a_node_is_exact() -> None:
    g = _line()
    assert g.snap_one(0.001, 0.0) == (1, 0.0)


# ---------------------------------------------------------------- persistence


def test_save_load_round_trip(tmp_path: Path) -> None:
    g = generate_city(900, seed=11)
    path = tmp_path / "city.npz"
    g.save(path)
    h = RoadGraph.load(path)
    assert h == g
    assert h is not g
    assert h.class_names == g.class_names == CLASS_NAMES
    assert h.class_counts() == g.class_counts()
    assert np.array_equal(h.node_ids, g.node_ids)
    assert np.array_equal(dijkstra(h.backward, indices=3), dijkstra(g.backward, indices=3))
    q = (np.array([FUZHOU_LON, FUZHOU_LON + 0.01]), np.array([FUZHOU_LAT, FUZHOU_LAT]))
    assert all(np.array_equal(a, b) for a, b in zip(h.snap(*q), g.snap(*q), strict=True))
    assert g != generate_city(900, seed=12)


def test_load_refuses_another_format(tmp_path: Path) -> None:
    path = tmp_path / "bad.npz"
    np.savez(path, format_version=np.array(99))
    with pytest.raises(ValueError, match="format"):
        RoadGraph.load(path)


# ---------------------------------------------------------------- generated city


def test_small_city_is_realistic() -> None:
    g = generate_city(2_500, seed=3)
    assert 2_400 <= g.n_nodes <= 2_500
    assert g.is_strongly_connected()
    assert 3.1 <= g.mean_out_degree() <= 3.6
    out_degree = np.diff(g.forward.indptr)
    assert out_degree.min() >= 1
    assert out_degree.max() <= 4
    counts = g.class_counts()
    assert set(counts) == set(CLASS_NAMES)
    assert all(c > 0 for c in counts.values())
    assert counts["local"] > counts["collector"] > 0
    u, v, t, length, cls = g.edges()
    speed_kmh = length / t * 3.6
    by_class = [float(np.median(speed_kmh[cls == i])) for i in range(len(CLASS_NAMES))]
    assert by_class == sorted(by_class)
    assert len(set(np.round(by_class))) >= 3
    assert 95.0 <= float(np.median(length)) <= 110.0
    # Some streets are one-way: an edge whose reverse is missing.
    pairs = set(zip(u.tolist(), v.tolist(), strict=True))
    assert any((b, a) not in pairs for a, b in pairs)
    assert abs(float(g.lon.mean()) - FUZHOU_LON) < 0.01
    assert abs(float(g.lat.mean()) - FUZHOU_LAT) < 0.01


def test_city_is_deterministic_for_a_seed() -> None:
    assert generate_city(1_000, seed=4) == generate_city(1_000, seed=4)
    assert generate_city(1_000, seed=4) != generate_city(1_000, seed=5)


def test_full_size_city_matches_the_benchmark_brief() -> None:
    g = generate_city()
    assert g.n_nodes >= 200_000
    assert g.is_strongly_connected()
    assert 650_000 <= g.n_edges <= 720_000
    assert 3.2 <= g.mean_out_degree() <= 3.6
    span = haversine_m(float(g.lon.min()), FUZHOU_LAT, float(g.lon.max()), FUZHOU_LAT)
    assert 44_000 <= span <= 46_000
