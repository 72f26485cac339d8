"""The rollups' breakdowns by category and by hour of the day: what a report (通报) shows
beside its totals, so that its tables come from rollups as its totals do.

Per day and jurisdiction, of the facts recorded at the jurisdiction itself, one stored row per
breakdown (`reach` "category" or "hour") holding one tally per category (or hour) in one blob:
a row per category would be thousands of rows a day in a large city, most holding an incident
or two. A subtree's breakdown is read as the rows of every jurisdiction in it (a city: a few
dozen a day); a report reads its day or its week, so no month rows are kept of them.

Each breakdown's tallies add up to the jurisdiction's own tally exactly: they are counted from
the same facts, split by the key the raw path groups them by (periods.grouper).
"""

from __future__ import annotations

import json
import zlib
from collections import Counter
from collections.abc import Iterator, Mapping
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select
from sqlalchemy.orm import Session

from cad110.kernel.scope import in_scope
from cad110.models.rollup import Rollup
from cad110.stats import rollups
from cad110.stats.facts import Where
from cad110.stats.tally import Histogram, Rolled, Tally

CATEGORY, HOUR = "category", "hour"  # the breakdowns, stored as a row's reach
SPLITS: tuple[str, ...] = (CATEGORY, HOUR)


def key_of(split: str, where: Where, tz: ZoneInfo) -> str:
    """The group a fact falls in, as periods.grouper keys it ("" for no category)."""
    if split == CATEGORY:
        return where.category or ""
    return f"{where.at.astimezone(tz).hour:02d}"


def pack(tallies: Mapping[str, Tally]) -> bytes:
    """Per key its counters and its histograms' lengths in a JSON head; the histograms one
    after another as rollups.pack lays them out."""
    head = []
    histograms = []
    for key in sorted(tallies):
        tally = tallies[key]
        durations = {n: rollups.sorted_histogram(h) for n, h in tally.durations.items()}
        names = sorted(n for n, (values, _) in durations.items() if len(values))
        counts = {k: v for k, v in sorted(tally.counts.items()) if v}
        head.append([key, counts, [[n, len(durations[n][0])] for n in names]])
        histograms += [durations[n] for n in names]
    text = json.dumps(head, separators=(",", ":")).encode()
    return zlib.compress(rollups.HEAD.pack(len(text)) + text + rollups.body(histograms), 1)


def unpack(blob: bytes) -> Iterator[tuple[str, dict[str, int], dict[str, Histogram]]]:
    """The tallies of a breakdown row, key by key. The seconds of all its histograms are
    summed back from their deltas in one numpy pass (a city's day holds thousands)."""
    data = zlib.decompress(blob)
    (size,) = rollups.HEAD.unpack_from(data)
    head = json.loads(data[rollups.HEAD.size : rollups.HEAD.size + size])
    numbers = np.frombuffer(data, dtype="<i8", offset=rollups.HEAD.size + size).astype(np.int64)
    lengths = np.array([length for _, _, names in head for _, length in names], dtype=np.int64)
    values = _values(numbers, lengths)
    at = seen = 0
    for key, counts, names in head:
        durations: dict[str, Histogram] = {}
        for name, length in names:
            found = values[seen : seen + length]
            durations[name] = (found, numbers[at + length : at + 2 * length])
            at += 2 * length
            seen += length
        yield key, counts, durations


def _values(numbers: NDArray[np.int64], lengths: NDArray[np.int64]) -> NDArray[np.int64]:
    """Every histogram's seconds, one after another: the deltas (the first half of each
    histogram's stretch of `numbers`) summed up within each histogram."""
    if not len(lengths):
        return np.zeros(0, dtype=np.int64)
    starts = np.cumsum(lengths) - lengths  # where each histogram's seconds begin in the result
    which = np.repeat(np.arange(len(lengths)), lengths)
    stretch = 2 * starts  # where each histogram's deltas begin in `numbers`
    deltas = numbers[stretch[which] + np.arange(len(which)) - starts[which]]
    summed = np.cumsum(deltas)
    before = summed[starts] - deltas[starts]  # the sum of the histograms before each one
    found: NDArray[np.int64] = summed - before[which]
    return found


def rows(tallies: Mapping[date, Mapping[tuple[str, str, str], Tally]]) -> list[dict[str, object]]:
    """The stored rows of each day's breakdowns, keyed (split, path, group key)."""
    found = []
    for day, cells in tallies.items():
        grouped: dict[tuple[str, str], dict[str, Tally]] = {}
        for (split, path, key), tally in cells.items():
            grouped.setdefault((split, path), {})[key] = tally
        for (split, path), by_key in grouped.items():
            found.append(
                {"span": rollups.DAY, "reach": split, "jurisdiction_path": path}
                | {"first_day": day, "tally": pack(by_key)}
            )
    return found


def rolled(
    session: Session, tz: ZoneInfo, path: str, days: frozenset[date], split: str
) -> Iterator[Rolled]:
    """The breakdown `split` of `path`'s subtree over `days`: one Rolled per jurisdiction, day
    and group, where the raw path would group its facts (the category; the hour's start)."""
    if not days:
        return
    depth = rollups.depth_of(path)
    stored = select(Rollup.jurisdiction_path, Rollup.first_day, Rollup.tally).where(
        Rollup.span == rollups.DAY,
        Rollup.reach == split,
        in_scope(Rollup.jurisdiction_path, path),
        Rollup.first_day.between(min(days), max(days)),
    )
    for at_path, first, blob in session.execute(stored):
        if first not in days:
            continue
        for key, counts, durations in unpack(blob):
            if split == CATEGORY:
                where = Where(rollups.midnight(first, tz), at_path, key or None)
            else:
                where = Where(_hour(first, int(key), tz), at_path)
            yield Rolled(where, rollups.scoped(counts, depth), durations)


def _hour(day: date, hour: int, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour), tz)


def key_counts(
    session: Session, path: str, days: frozenset[date], split: str, counter: str
) -> Counter[str]:
    """One counter of the breakdown `split` over `days` in `path`'s subtree, per group key,
    read from the rows' heads alone: a count needs none of the histograms unpacked."""
    found: Counter[str] = Counter()
    if not days:
        return found
    stored = select(Rollup.tally).where(
        Rollup.span == rollups.DAY,
        Rollup.reach == split,
        in_scope(Rollup.jurisdiction_path, path),
        Rollup.first_day.in_(sorted(days)),  # a few days weeks apart: not the range between
    )
    for blob in session.scalars(stored):
        data = zlib.decompress(blob)
        (size,) = rollups.HEAD.unpack_from(data)
        for key, counts, _ in json.loads(data[rollups.HEAD.size : rollups.HEAD.size + size]):
            found[key] += counts.get(counter, 0)
    return found
