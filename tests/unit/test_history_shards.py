"""A history plan cut into shards for several writers: each shard one station's run of whole
local days with units no other shard has, and every item in exactly one shard."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from cad110.catalog.loader import default_catalog
from cad110.seed.history.plan import Item, build
from cad110.seed.history.profile import load
from cad110.seed.history.shards import split

TZ = ZoneInfo("Asia/Shanghai")
STATIONS = ["S1", "S2"]
UNITS = {"S1-1": "S1", "S1-2": "S1", "S1-3": "S1", "S2-1": "S2"}


@pytest.fixture(scope="module")
def items() -> tuple[Item, ...]:
    profile = load("small", default_catalog())
    return build(profile, default_catalog(), stations=2, tz=TZ).items


def test_every_item_is_in_one_shard_of_its_station_with_units_of_its_own(
    items: tuple[Item, ...],
) -> None:
    shards = split(items, STATIONS, UNITS, workers=6, tz=TZ)
    assert shards is not None
    # Three workers a station: S1 has three units, S2 one (a unit never serves two shards).
    assert [s.station for s in shards] == ["S1", "S1", "S1", "S2"]
    assert sorted(u for s in shards for u in s.units) == sorted(UNITS)
    for shard in shards:
        assert {UNITS[u] for u in shard.units} == {shard.station}
        assert {STATIONS[i.station] for i in shard.items} == {shard.station}
        assert list(shard.items) == sorted(shard.items, key=lambda i: i.at)
    written = sorted((i.at, i.kind) for s in shards for i in s.items)
    assert written == sorted((i.at, i.kind) for i in items)


def test_a_station_s_runs_are_whole_local_days_in_order(items: tuple[Item, ...]) -> None:
    shards = split(items, STATIONS, UNITS, workers=6, tz=TZ)
    assert shards is not None
    runs = [s.items for s in shards if s.station == "S1"]
    days = [{i.at.astimezone(TZ).date() for i in run} for run in runs]
    for before, after in pairwise(days):
        assert max(before) < min(after)  # no day's numbers come from two writers


def test_fewer_workers_give_a_shard_per_station_and_one_gives_one_shard_each(
    items: tuple[Item, ...],
) -> None:
    two = split(items, STATIONS, UNITS, workers=2, tz=TZ)
    assert two is not None
    assert [(s.station, len(s.units)) for s in two] == [("S1", 3), ("S2", 1)]
    assert split(items, STATIONS, UNITS, workers=1, tz=TZ) is not None


def test_a_station_without_units_cannot_be_sharded_and_workers_are_bounded(
    items: tuple[Item, ...],
) -> None:
    assert split(items, STATIONS, {"S1-1": "S1"}, workers=4, tz=TZ) is None
    for workers in (0, 17):
        with pytest.raises(ValueError, match="workers"):
            split(items, STATIONS, UNITS, workers=workers, tz=TZ)


def test_a_cut_moves_to_the_next_local_midnight() -> None:
    # Four calls on one local day and one the next: two runs cannot split the first day.
    day = [datetime(2023, 3, 1, h, tzinfo=UTC) for h in (1, 2, 3, 4)]  # 09:00–12:00 local
    items = [Item(at=at, kind="advice") for at in day]
    items.append(Item(at=datetime(2023, 3, 2, 1, tzinfo=UTC), kind="advice"))
    shards = split(items, ["S1"], {"S1-1": "S1", "S1-2": "S1"}, workers=2, tz=TZ)
    assert shards is not None
    assert [len(s.items) for s in shards] == [4, 1]
