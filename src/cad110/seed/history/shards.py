"""A plan cut into shards that separate processes can write at once without touching each
other's rows. Pure: no database.

A shard is one station's items over a run of whole local days, with units of that station no
other shard uses. So each shard alone bumps its stations' day counters (incident numbers stay
in call order within a day), and alone appends to its incidents' and its units' event chains.
Why the shards may still share a database: each writer commits only after its items are worked
from call to archive, so what one shard reads of another (the supervision tick's overdue
deadlines, a place's past incidents) is finished history with nothing left due; and a place's
past incidents are read up to the moment worked, so a later shard's record is not "history".

A station's days are split into as many runs as it may have workers, at most one per unit: a
unit is busy with one incident at a time, and two shards must never move the same unit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from cad110.seed.history.plan import Item

MAX_WORKERS = 16


@dataclass(frozen=True)
class Shard:
    station: str
    units: tuple[str, ...]  # the units this shard alone dispatches
    items: tuple[Item, ...]  # in the order their calls came


def _day(item: Item, tz: ZoneInfo) -> date:
    return item.at.astimezone(tz).date()


def _runs(items: Sequence[Item], parts: int, tz: ZoneInfo) -> list[tuple[Item, ...]]:
    """`items` (in time order) cut into at most `parts` runs of about as many items, each cut
    at the first call of a local day."""
    runs: list[tuple[Item, ...]] = []
    first = 0
    for k in range(1, parts):
        cut = max(first, round(len(items) * k / parts))
        while 0 < cut < len(items) and _day(items[cut - 1], tz) == _day(items[cut], tz):
            cut += 1
        if first < cut < len(items):
            runs.append(tuple(items[first:cut]))
            first = cut
    runs.append(tuple(items[first:]))
    return [r for r in runs if r]


def split(
    items: Sequence[Item],
    stations: Sequence[str],
    units: Mapping[str, str],
    workers: int,
    tz: ZoneInfo,
) -> list[Shard] | None:
    """The shards of `items` for `workers` processes (`stations` in the plan's order, `units`
    unit → station); None where the plan cannot be sharded (a station with incidents and no
    unit of its own would borrow another station's)."""
    if not 1 <= workers <= MAX_WORKERS:
        raise ValueError(f"workers: 1 to {MAX_WORKERS}")
    own = {s: sorted(u for u, at in units.items() if at == s) for s in stations}
    per_station = max(1, workers // max(1, len(stations)))
    shards: list[Shard] = []
    for index, station in enumerate(stations):
        mine = [i for i in items if i.station == index]
        if not mine:
            continue
        if not own[station]:
            return None
        runs = _runs(mine, min(per_station, len(own[station])), tz)
        for n, run in enumerate(runs):
            dealt = tuple(u for k, u in enumerate(own[station]) if k % len(runs) == n)
            shards.append(Shard(station, dealt, run))
    return shards
